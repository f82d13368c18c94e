package console_test

// The organisation's content for members: the friendly-services directory
// and the information pages.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sova/internal/testapp"
	"sova/server/domain"
	"sova/server/voice"
)

// openContent opens a copy of the fixture and checks that the member's page
// at path says there is nothing yet; it returns the admin's browser and a
// member's.
func openContent(t *testing.T, path, nothing string) (e *testapp.Env, admin, member *testapp.Console) {
	t.Helper()
	e = testapp.OpenFixture(t)
	member = e.Member()
	if body := member.Get(t, path).Body.String(); !strings.Contains(body, nothing) {
		t.Fatalf("%s, still empty, does not say %q", path, nothing)
	}
	return e, e.As(domain.RoleAdmin), member
}

func TestDirectory_AServiceMembersCouldNotUseIsRefused(t *testing.T) {
	t.Parallel()
	shared := testapp.Shared(t) // every row is refused
	for name, bad := range map[string]url.Values{
		"no category":       {"name_en": {"X"}},
		"no name":           {"category": {"clinic"}},
		"letters to dial":   {"category": {"clinic"}, "name_en": {"X"}, "phone": {"call Anna"}},
		"hotline, no phone": {"category": {"hotline"}, "name_en": {"X"}},
		"one hour only":     {"category": {"clinic"}, "name_en": {"X"}, "opens": {"09:00"}},
	} {
		testapp.Scenario{
			Name:            name,
			Env:             shared,
			Role:            domain.RoleAdmin,
			URL:             "/staff/directory",
			Form:            bad,
			ExpectedStatus:  http.StatusUnprocessableEntity,
			ExpectedContent: []string{`class="problem"`},
			After: func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
				if all, _ := e.App.Store().Services(); len(all) != 0 {
					t.Errorf("a refused service was kept: %+v", all)
				}
			},
		}.Test(t)
	}
}

func TestDirectory_StaffListServicesAndMembersFindThemByCategory(t *testing.T) {
	t.Parallel()
	e, admin, member := openContent(t, "/en/services", "No services are listed yet.")
	csrf := admin.CSRF(t)
	form := url.Values{
		"csrf": {csrf}, "category": {"legal"}, "phone": {"+7 (912) 345-67-89"},
		"day0": {"on"}, "day2": {"on"}, "opens": {"10:00"}, "closes": {"18:00"},
		"name_en": {"Street Law"}, "about_en": {"Free lawyer <b>after</b> arrests"}, "area_en": {"Centre"},
		"name_ru": {"Уличное право"},
	}
	version := e.App.Version()
	if rec := admin.Post(t, "/staff/directory", form); rec.Code != http.StatusSeeOther {
		t.Fatalf("add: %d %.500s", rec.Code, rec.Body)
	}
	if e.App.Version() == version {
		t.Error("members do not get the new service")
	}
	all, _ := e.App.Store().Services()
	if len(all) != 1 || all[0].Texts["en"].About != "Free lawyer <b>after</b> arrests" || all[0].Days != [7]bool{true, false, true} {
		t.Fatalf("stored %+v", all)
	}

	body := member.Get(t, "/en/services").Body.String()
	for _, want := range []string{
		"Legal help", "Street Law", "Free lawyer &lt;b&gt;after&lt;/b&gt; arrests", "Centre",
		`href="tel:+79123456789"`, "10:00–18:00", `<b class="open" title="Monday">Mon</b>`,
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
	if rec := admin.Post(t, "/staff/directory", form); rec.Code != http.StatusSeeOther {
		t.Fatalf("change: %d", rec.Code)
	}
	if !strings.Contains(member.Get(t, "/en/services").Body.String(), "Street Law Centre") {
		t.Error("the change did not reach members")
	}
	if rec := admin.Post(t, "/staff/directory/"+all[0].ID+"/delete", url.Values{"csrf": {csrf}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("remove: %d", rec.Code)
	}
	if svcs, _ := e.App.Store().Services(); len(svcs) != 0 || strings.Contains(member.Get(t, "/en/services").Body.String(), "Street Law") {
		t.Error("the removed service is still listed")
	}
	var actions []string
	for _, en := range e.AuditLog(t) {
		actions = append(actions, en.Action)
	}
	for _, want := range []string{"service added", "service changed", "service removed"} {
		if !strings.Contains(strings.Join(actions, ","), want) {
			t.Errorf("audit log lacks %q: %v", want, actions)
		}
	}
}

func TestInfo_AnInsecureLinkOrAnUnknownTopicIsRefused(t *testing.T) {
	t.Parallel()
	shared := testapp.Shared(t) // every row is refused
	for _, s := range []testapp.Scenario{
		{
			Name:           "an http link",
			URL:            "/staff/info/rights",
			Form:           url.Values{"text_en": {"x"}, "link": {"http://org.example/"}},
			ExpectedStatus: http.StatusUnprocessableEntity,
		},
		{
			Name:           "an unknown topic",
			URL:            "/staff/info/gossip",
			Form:           url.Values{"text_en": {"x"}},
			ExpectedStatus: http.StatusNotFound,
		},
	} {
		s.Env, s.Role = shared, domain.RoleAdmin
		s.Test(t)
	}
}

func TestInfo_StaffWriteTopicsAndMembersReadThemOffline(t *testing.T) {
	t.Parallel()
	_, admin, member := openContent(t, "/en/info", "Nothing here yet.")
	csrf := admin.CSRF(t)
	rec := admin.Post(t, "/staff/info/rights", url.Values{
		"csrf":    {csrf},
		"text_en": {"You may stay silent.\r\n\r\nAsk for <a lawyer>.\n\n\n"},
		"text_ru": {"Вы можете молчать."},
		"link":    {"https://org.example/help"},
	})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", rec.Code, rec.Body)
	}
	page := member.Get(t, "/en/info/rights").Body.String()
	for _, want := range []string{"Your rights when police stop you", `<p class="para"><span>You may stay silent.</span>`, `<p class="para"><span>Ask for &lt;a lawyer&gt;.</span>`, `href="https://org.example/help"`, `rel="noreferrer"`} {
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

// The organisation's own words get Sova's voice once saved: services,
// information paragraphs and areas, each with a speaker, kept offline
// with the rest of the voice. Translators see them in the studio, recorded
// like any phrase but worded only in the console; a recording of older
// words never speaks for new ones; removed words lose their voice.
func TestContentVoice_TheOrganisationsWordsAreSpoken(t *testing.T) {
	t.Parallel()
	e, admin, member := openContent(t, "/en/services", "No services are listed yet.")
	csrf := admin.CSRF(t)
	save := func(path string, form url.Values) {
		t.Helper()
		form.Set("csrf", csrf)
		if rec := admin.Post(t, path, form); rec.Code != http.StatusSeeOther {
			t.Fatalf("%s: %d %.300s", path, rec.Code, rec.Body)
		}
	}
	save("/staff/directory", url.Values{"category": {"clinic"}, "day0": {"on"}, "name_en": {"Rose Clinic"}, "about_en": {"Free tests"}, "name_ru": {"Клиника Роза"}})
	save("/staff/info/rights", url.Values{"text_en": {"You may stay silent.\n\nAsk for a lawyer."}})
	save("/staff/areas", url.Values{"code": {"north"}, "name_en": {"North market"}})
	speak := func() {
		t.Helper()
		if err := e.App.SpeakContent(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	speak()
	svcs, _ := e.App.Store().Services()
	id := svcs[0].ID
	voiced := func(page, key string) bool {
		return regexp.MustCompile(`data-say="/audio/en/` + regexp.QuoteMeta(key) + `\.[0-9a-f]+"`).MatchString(member.Get(t, page).Body.String())
	}
	for page, key := range map[string]string{
		"/en/services": domain.ServiceVoice(id), "/en/info/rights": domain.InfoVoice("rights", 1),
		"/en/notify": domain.AreaVoice("north"), "/en/s/warn": domain.AreaVoice("north"),
	} {
		if !voiced(page, key) {
			t.Errorf("%s has no voice for %s", page, key)
		}
	}
	var list struct{ Voice map[string][]string }
	json.Unmarshal(member.Get(t, "/ru/offline.json").Body.Bytes(), &list)
	if !slices.ContainsFunc(list.Voice["webm"], func(u string) bool { return strings.HasPrefix(u, "/audio/ru/"+domain.ServiceVoice(id)+".") }) {
		t.Error("the Russian voice download lacks the service's name")
	}

	// In the studio: listed, voiced by Sova, words edited in the console.
	tr := e.As(domain.RoleTranslator)
	studio := tr.Get(t, "/staff/studio/en?key="+domain.ServiceVoice(id)).Body.String()
	if !strings.Contains(studio, domain.ServiceVoice(id)) || !strings.Contains(studio, `href="/staff/directory"`) {
		t.Fatal("the studio does not list the service's phrase with where to edit it")
	}
	rec := tr.Post(t, "/staff/studio/en/text", url.Values{"csrf": {tr.CSRF(t)}, "key": {domain.ServiceVoice(id)}, "text": {"Thorn Clinic"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "/staff/directory") {
		t.Fatalf("a translator rewrote the organisation's words: %d", rec.Code)
	}
	// A translator records the service; then the admin changes its words:
	// Sova's voice of the new words speaks, not the old recording.
	if rec := tr.PostFile(t, "/staff/studio/en/voice", url.Values{"csrf": {tr.CSRF(t)}, "key": {domain.ServiceVoice(id)}}, "audio", "take.wav", testapp.Speech(t, "en", "Rose Clinic. Free tests.")); rec.Code != http.StatusSeeOther {
		t.Fatalf("record: %d %.300s", rec.Code, rec.Body)
	}
	pack, _ := e.App.Studio().Pack("en")
	if pack.Phrases[domain.ServiceVoice(id)].Source != voice.SourceRecorded {
		t.Fatal("the recording does not speak for the service")
	}
	save("/staff/directory", url.Values{"id": {id}, "category": {"clinic"}, "day0": {"on"}, "name_en": {"Rose Clinic"}, "about_en": {"Free tests, Mondays only"}})
	// Until Sova has spoken the new words, no voice at all: neither the
	// recording nor Sova's voice of the old words.
	pack, _ = e.App.Studio().Pack("en")
	if ph, ok := pack.Phrases[domain.ServiceVoice(id)]; ok {
		t.Fatalf("old words' voice speaks for new words: %+v", ph)
	}
	speak()
	pack, _ = e.App.Studio().Pack("en")
	if ph := pack.Phrases[domain.ServiceVoice(id)]; ph.Source != voice.SourceSynthetic || ph.TextSha256 != voice.TextSha256("Rose Clinic. Free tests, Mondays only") {
		t.Fatalf("after new words the service speaks %+v", ph)
	}
	// Removed: its voice goes too.
	save("/staff/directory/"+id+"/delete", url.Values{})
	speak()
	if spoken, _ := e.App.Store().Spoken("en"); spoken[domain.ServiceVoice(id)] != nil {
		t.Error("a removed service keeps its voice")
	}
}
