package console_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"sova/internal/testapp"
	"sova/server/domain"
)

// Settings members could be harmed by are refused, and nothing changes.
func TestSettings_RefusesWhatWouldHarmMembers(t *testing.T) {
	t.Parallel()
	var rows []testapp.Scenario
	for _, bad := range []string{"", "http://news.example/", "javascript:alert(1)", "https://user:pw@news.example/", "/staff/"} {
		rows = append(rows, testapp.Scenario{
			Name:            "quick exit to " + strconv.Quote(bad),
			Form:            url.Values{"exit_url": {bad}},
			ExpectedContent: []string{"whole https:// address"},
		})
	}
	rows = append(rows,
		testapp.Scenario{Name: "a warning shown for a year", Form: url.Values{"exit_url": {domain.DefaultExitURL}, "warning_days": {"365"}}},
		testapp.Scenario{Name: "an unknown disguise", Form: url.Values{"exit_url": {domain.DefaultExitURL}, "disguise": {"casino"}}},
	)
	for _, s := range rows {
		s.Env, s.Role, s.URL = testapp.Shared(t), domain.RoleAdmin, "/staff/settings"
		s.ExpectedStatus = http.StatusUnprocessableEntity
		s.After = func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
			if st, _ := e.App.Store().Settings(); st.ExitURL != domain.DefaultExitURL || st.Disguise != "" || st.WarningDays == 365 {
				t.Errorf("stored %+v", st)
			}
		}
		s.Test(t)
	}
}

func TestSettings_QuickExitGoesWhereTheOrganisationChose(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	page := func() string { return e.Member().Get(t, "/en/s/needs").Body.String() }
	if !strings.Contains(page(), `data-exit="`+domain.DefaultExitURL+`"`) {
		t.Fatal("a new Sova's quick exit does not go to the default site")
	}
	csrf := admin.CSRF(t)
	version := e.App.Version()
	rec := admin.Post(t, "/staff/settings", url.Values{"csrf": {csrf}, "exit_url": {" https://weather.example/today?city=1 "}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", rec.Code, rec.Body)
	}
	if !strings.Contains(page(), `data-exit="https://weather.example/today?city=1"`) || e.App.Version() == version {
		t.Error("members do not get the new quick exit")
	}
	if st, _ := e.App.Store().Settings(); st.ExitURL != "https://weather.example/today?city=1" {
		t.Errorf("stored %+v", st)
	}
	// Every member page has the control.
	for _, p := range []string{"/", "/en/", "/en/s/needs", "/en/outbox", "/en/thanks", "/ar/"} {
		if body := e.Member().Get(t, p).Body.String(); !strings.Contains(body, `class="exit"`) {
			t.Errorf("%s has no quick exit", p)
		}
	}
}

func TestSettings_DisguiseGivesTheInstalledAppANeutralNameAndIcon(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	csrf := admin.CSRF(t)
	if rec := admin.Post(t, "/staff/settings", url.Values{"csrf": {csrf}, "exit_url": {domain.DefaultExitURL}, "disguise": {"weather"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("disguise: %d %.300s", rec.Code, rec.Body)
	}
	member := e.Member()
	for lang, name := range map[string]string{"en": "Weather", "ru": "Погода", "fr": "Météo"} {
		var m struct {
			Name  string `json:"name"`
			Icons []struct{ Src string }
		}
		rec := member.Get(t, "/"+lang+"/manifest.webmanifest")
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		if m.Name != name || len(m.Icons) != 3 {
			t.Errorf("%s manifest: %+v", lang, m)
		}
		for _, ic := range m.Icons {
			if !strings.Contains(ic.Src, "/icons/disguise-weather") {
				t.Errorf("%s manifest icon %s is not the disguise's", lang, ic.Src)
			}
			if r := member.Get(t, ic.Src); r.Code != http.StatusOK {
				t.Errorf("%s: %d", ic.Src, r.Code)
			}
		}
		page := member.Get(t, "/"+lang+"/s/needs").Body.String()
		if !strings.Contains(page, "<title>"+name+"</title>") || strings.Contains(page, `rel="icon" href="/icons/sova.`) {
			t.Errorf("%s survey page: title or tab icon still Sova's", lang)
		}
	}
	// Back to Sova's own.
	admin.Post(t, "/staff/settings", url.Values{"csrf": {csrf}, "exit_url": {domain.DefaultExitURL}, "disguise": {""}})
	if body := member.Get(t, "/en/manifest.webmanifest").Body.String(); !strings.Contains(body, `"name":"Sova"`) {
		t.Errorf("undisguised manifest: %s", body)
	}
}

// The language choice screen's frame (its language, direction and quick
// exit's label) and the root manifest speak the organisation's first
// member language: English unless an admin chose another, never simply the
// first catalog by code (Arabic).
func TestSettings_FirstMemberLanguageFramesThePicker(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	member := e.Member()
	frame := func() (page, manifest string) {
		return member.Get(t, "/").Body.String(), member.Get(t, "/manifest.webmanifest").Body.String()
	}
	if page, manifest := frame(); !strings.Contains(page, `<html lang="en" dir="ltr"`) || !strings.Contains(manifest, `"lang":"en"`) {
		t.Errorf("a new Sova's picker: %.120s\nmanifest %s", page, manifest)
	}
	admin := e.As(domain.RoleAdmin)
	if rec := admin.Post(t, "/staff/settings", url.Values{"csrf": {admin.CSRF(t)}, "member_lang": {"ru"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("choosing Russian: %d %.300s", rec.Code, rec.Body)
	}
	if page, manifest := frame(); !strings.Contains(page, `<html lang="ru" dir="ltr"`) || !strings.Contains(manifest, `"lang":"ru"`) {
		t.Errorf("after choosing Russian, the picker: %.120s\nmanifest %s", page, manifest)
	}
	if rec := admin.Post(t, "/staff/settings", url.Values{"csrf": {admin.CSRF(t)}, "member_lang": {"xx"}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "no language") {
		t.Errorf("an unknown language: %d", rec.Code)
	}
	if st, _ := e.App.Store().Settings(); st.MemberLang != "ru" {
		t.Errorf("stored %q after a refused change", st.MemberLang)
	}
}

// The organisation chooses its country from a list named in the staff
// member's language; the choice is kept and said in the audit log, and a
// country whose numbers a phone cannot read (Brazil's change shape when
// dialled) or no country at all is refused in her language.
func TestSettings_CountryForPhoneNumbersIsChosenFromTheList(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	page := admin.Get(t, "/staff/settings", "Accept-Language", "ru").Body.String()
	for _, want := range []string{`<select name="country">`, `<option value="RU">Россия (+7)</option>`, `<option value="KE">Кения (+254)</option>`, `<option value="" selected>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the settings page lacks %q", want)
		}
	}
	if strings.Contains(page, `value="BR"`) {
		t.Error("the list offers a country whose numbers phones cannot read")
	}
	csrf := admin.CSRF(t)
	if rec := admin.Post(t, "/staff/settings", url.Values{"csrf": {csrf}, "country": {"KE"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", rec.Code, rec.Body)
	}
	if st, _ := e.App.Store().Settings(); st.Country != "KE" {
		t.Errorf("stored %q", st.Country)
	}
	if page := admin.Get(t, "/staff/settings").Body.String(); !strings.Contains(page, `<option value="KE" selected>Kenya (+254)</option>`) {
		t.Error("the settings page does not show the chosen country")
	}
	if audit := admin.Get(t, "/staff/audit", "Accept-Language", "fr").Body.String(); !strings.Contains(audit, "numéros de téléphone lus comme en : Kenya") {
		t.Error("the audit log does not say the country in French")
	}
	for _, bad := range []string{"BR", "XX"} {
		rec := admin.Post(t, "/staff/settings", url.Values{"csrf": {csrf}, "country": {bad}}, "Accept-Language", "ru")
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "«"+bad+"» — не страна") {
			t.Errorf("%s: %d %.300s", bad, rec.Code, rec.Body)
		}
	}
	if st, _ := e.App.Store().Settings(); st.Country != "KE" {
		t.Errorf("a refused country was stored: %q", st.Country)
	}
}
