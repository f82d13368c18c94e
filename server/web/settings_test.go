package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sova/internal/testapp"
	"sova/server/domain"
)

func TestSettings_QuickExitGoesWhereTheOrganisationChose(t *testing.T) {
	e := openConsole(t)
	page := func() string { return testapp.NewConsole(e.h).Get(t, "/en/s/needs").Body.String() }
	if !strings.Contains(page(), `data-exit="`+domain.DefaultExitURL+`"`) {
		t.Fatal("a new Sova's quick exit does not go to the default site")
	}
	csrf := e.admin.CSRF(t)
	if rec := e.admin.Post(t, "/staff/settings", url.Values{"csrf": {csrf}, "exit_url": {domain.DefaultExitURL}, "warning_days": {"365"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("a warning shown for a year: %d", rec.Code)
	}
	for _, bad := range []string{"", "http://news.example/", "javascript:alert(1)", "https://user:pw@news.example/", "/staff/"} {
		rec := e.admin.Post(t, "/staff/settings", url.Values{"csrf": {csrf}, "exit_url": {bad}})
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "whole https:// address") {
			t.Errorf("exit URL %q: %d", bad, rec.Code)
		}
	}
	version := e.app.Version()
	rec := e.admin.Post(t, "/staff/settings", url.Values{"csrf": {csrf}, "exit_url": {" https://weather.example/today?city=1 "}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", rec.Code, rec.Body)
	}
	if !strings.Contains(page(), `data-exit="https://weather.example/today?city=1"`) || e.app.Version() == version {
		t.Error("members do not get the new quick exit")
	}
	if st, _ := e.app.Store().Settings(); st.ExitURL != "https://weather.example/today?city=1" {
		t.Errorf("stored %+v", st)
	}
	// Every member page has the control.
	for _, p := range []string{"/", "/en/", "/en/s/needs", "/en/outbox", "/en/thanks", "/ar/"} {
		if body := testapp.NewConsole(e.h).Get(t, p).Body.String(); !strings.Contains(body, `class="exit"`) {
			t.Errorf("%s has no quick exit", p)
		}
	}
}

func TestSettings_DisguiseGivesTheInstalledAppANeutralNameAndIcon(t *testing.T) {
	e := openConsole(t)
	csrf := e.admin.CSRF(t)
	if rec := e.admin.Post(t, "/staff/settings", url.Values{"csrf": {csrf}, "exit_url": {domain.DefaultExitURL}, "disguise": {"casino"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("an unknown disguise: %d", rec.Code)
	}
	if rec := e.admin.Post(t, "/staff/settings", url.Values{"csrf": {csrf}, "exit_url": {domain.DefaultExitURL}, "disguise": {"weather"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("disguise: %d %.300s", rec.Code, rec.Body)
	}
	member := testapp.NewConsole(e.h)
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
	e.admin.Post(t, "/staff/settings", url.Values{"csrf": {csrf}, "exit_url": {domain.DefaultExitURL}, "disguise": {""}})
	if body := member.Get(t, "/en/manifest.webmanifest").Body.String(); !strings.Contains(body, `"name":"Sova"`) {
		t.Errorf("undisguised manifest: %s", body)
	}
}
