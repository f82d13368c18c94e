package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sova/internal/testapp"
)

func TestDirectory_StaffListServicesAndMembersFindThemByCategory(t *testing.T) {
	e := openConsole(t)
	csrf := e.admin.CSRF(t)
	member := testapp.NewConsole(e.h)
	if body := member.Get(t, "/en/services").Body.String(); !strings.Contains(body, "No services are listed yet.") {
		t.Fatal("an empty directory does not say so")
	}
	form := url.Values{
		"csrf": {csrf}, "category": {"legal"}, "phone": {"+7 (912) 345-67-89"},
		"day0": {"on"}, "day2": {"on"}, "opens": {"10:00"}, "closes": {"18:00"},
		"name_en": {"Street Law"}, "about_en": {"Free lawyer <b>after</b> arrests"}, "area_en": {"Centre"},
		"name_ru": {"Уличное право"},
	}
	for name, bad := range map[string]url.Values{
		"no category":       {"csrf": {csrf}, "name_en": {"X"}},
		"no name":           {"csrf": {csrf}, "category": {"clinic"}},
		"letters to dial":   {"csrf": {csrf}, "category": {"clinic"}, "name_en": {"X"}, "phone": {"call Anna"}},
		"hotline, no phone": {"csrf": {csrf}, "category": {"hotline"}, "name_en": {"X"}},
		"one hour only":     {"csrf": {csrf}, "category": {"clinic"}, "name_en": {"X"}, "opens": {"09:00"}},
	} {
		if rec := e.admin.Post(t, "/staff/directory", bad); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `class="problem"`) {
			t.Errorf("%s: %d", name, rec.Code)
		}
	}
	version := e.app.Version()
	if rec := e.admin.Post(t, "/staff/directory", form); rec.Code != http.StatusSeeOther {
		t.Fatalf("add: %d %.500s", rec.Code, rec.Body)
	}
	if e.app.Version() == version {
		t.Error("members do not get the new service")
	}
	all, _ := e.app.Store().Services()
	if len(all) != 1 || all[0].Texts["en"].About != "Free lawyer <b>after</b> arrests" || all[0].Days != [7]bool{true, false, true} {
		t.Fatalf("stored %+v", all)
	}

	body := member.Get(t, "/en/services").Body.String()
	for _, want := range []string{
		"Legal help", "Street Law", "Free lawyer &lt;b&gt;after&lt;/b&gt; arrests", "Centre",
		`href="tel:+79123456789"`, "10:00–18:00", `<b class="open">M</b>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/en/services lacks %q", want)
		}
	}
	if ru := member.Get(t, "/ru/services").Body.String(); !strings.Contains(ru, "Уличное право") || !strings.Contains(ru, "Юридическая помощь") {
		t.Error("the Russian directory lacks the service")
	}
	if es := member.Get(t, "/es/services").Body.String(); strings.Contains(es, "Street Law") {
		t.Error("a service without a Spanish name is listed in Spanish")
	}
	// The page is kept offline with the rest of the language.
	if list := member.Get(t, "/en/offline.json").Body.String(); !strings.Contains(list, `"/en/services"`) {
		t.Error("/en/services is not precached")
	}

	// Changed, then removed.
	form.Set("id", all[0].ID)
	form.Set("name_en", "Street Law Centre")
	if rec := e.admin.Post(t, "/staff/directory", form); rec.Code != http.StatusSeeOther {
		t.Fatalf("change: %d", rec.Code)
	}
	if !strings.Contains(member.Get(t, "/en/services").Body.String(), "Street Law Centre") {
		t.Error("the change did not reach members")
	}
	if rec := e.admin.Post(t, "/staff/directory/"+all[0].ID+"/delete", url.Values{"csrf": {csrf}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("remove: %d", rec.Code)
	}
	if svcs, _ := e.app.Store().Services(); len(svcs) != 0 || strings.Contains(member.Get(t, "/en/services").Body.String(), "Street Law") {
		t.Error("the removed service is still listed")
	}
	var actions []string
	for _, en := range e.auditLog() {
		actions = append(actions, en.Action)
	}
	for _, want := range []string{"service added", "service changed", "service removed"} {
		if !strings.Contains(strings.Join(actions, ","), want) {
			t.Errorf("audit log lacks %q: %v", want, actions)
		}
	}
}
