package web_test

// The organisation's content for members: the friendly-services directory
// and the information pages.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sova/internal/testapp"
)

// openContent starts Sova with an admin and a member's phone, and checks
// that the member's page at path says there is nothing yet.
func openContent(t *testing.T, path, nothing string) (e *consoleEnv, csrf string, member *testapp.Console) {
	t.Helper()
	e = openConsole(t)
	member = testapp.NewConsole(e.h)
	if body := member.Get(t, path).Body.String(); !strings.Contains(body, nothing) {
		t.Fatalf("%s, still empty, does not say %q", path, nothing)
	}
	return e, e.admin.CSRF(t), member
}

func TestDirectory_StaffListServicesAndMembersFindThemByCategory(t *testing.T) {
	e, csrf, member := openContent(t, "/en/services", "No services are listed yet.")
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

func TestInfo_StaffWriteTopicsAndMembersReadThemOffline(t *testing.T) {
	e, csrf, member := openContent(t, "/en/info", "Nothing here yet.")
	if rec := e.admin.Post(t, "/staff/info/rights", url.Values{"csrf": {csrf}, "text_en": {"x"}, "link": {"http://org.example/"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("an http link: %d", rec.Code)
	}
	if rec := e.admin.Post(t, "/staff/info/gossip", url.Values{"csrf": {csrf}, "text_en": {"x"}}); rec.Code != http.StatusNotFound {
		t.Errorf("an unknown topic: %d", rec.Code)
	}
	rec := e.admin.Post(t, "/staff/info/rights", url.Values{
		"csrf":    {csrf},
		"text_en": {"You may stay silent.\r\n\r\nAsk for <a lawyer>.\n\n\n"},
		"text_ru": {"Вы можете молчать."},
		"link":    {"https://org.example/help"},
	})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", rec.Code, rec.Body)
	}
	page := member.Get(t, "/en/info/rights").Body.String()
	for _, want := range []string{"Your rights when police stop you", "<p>You may stay silent.</p>", "<p>Ask for &lt;a lawyer&gt;.</p>", `href="https://org.example/help"`, `rel="noreferrer"`} {
		if !strings.Contains(page, want) {
			t.Errorf("/en/info/rights lacks %q", want)
		}
	}
	if !strings.Contains(member.Get(t, "/en/info").Body.String(), `href="/en/info/rights"`) {
		t.Error("the index does not list the page")
	}
	if !strings.Contains(member.Get(t, "/ru/info/rights").Body.String(), "Вы можете молчать.") {
		t.Error("the Russian page is missing")
	}
	if rec := member.Get(t, "/es/info/rights"); rec.Code != http.StatusNotFound {
		t.Errorf("a page without Spanish words is served in Spanish: %d", rec.Code)
	}
	if list := member.Get(t, "/en/offline.json").Body.String(); !strings.Contains(list, `"/en/info/rights"`) || !strings.Contains(list, `"/en/info"`) {
		t.Error("the information pages are not kept offline")
	}
}
