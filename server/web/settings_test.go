package web_test

import (
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
