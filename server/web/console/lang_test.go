package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sova/internal/testapp"
	"sova/server/domain"
)

// Before login the console speaks the browser's language; a staff member
// then picks her own, which stays with her account (a new login, another
// browser) and sets the page's language and direction; an invite speaks
// the language the admin chose for the new person, and the account keeps it.
func TestConsoleLanguage_BrowserThenOwnChoiceThenInvite(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	for header, want := range map[string]string{
		"ru-RU,ru;q=0.9,en;q=0.8": `<html lang="ru" dir="ltr">`,
		"ar-EG":                   `<html lang="ar" dir="rtl">`,
		"de-DE,de;q=0.9":          `<html lang="en" dir="ltr">`,
		"":                        `<html lang="en" dir="ltr">`,
	} {
		page := testapp.NewConsole(e.H).Get(t, "/staff/login", "Accept-Language", header).Body.String()
		if !strings.Contains(page, want) {
			t.Errorf("Accept-Language %q: the login page is not %s: %.200s", header, want, page)
		}
	}
	if page := testapp.NewConsole(e.H).Get(t, "/staff/login", "Accept-Language", "ru").Body.String(); !strings.Contains(page, "Пароль") || strings.Contains(page, "Password") {
		t.Errorf("the login page in Russian: %s", page)
	}

	mod := e.As(domain.RoleModerator)
	if rec := mod.Post(t, "/staff/me/lang", url.Values{"csrf": {mod.CSRF(t)}, "lang": {"ar"}, "back": {"/staff/reports"}}); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/staff/reports" {
		t.Fatalf("choosing Arabic: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	page := mod.Get(t, "/staff/reports", "Accept-Language", "ru").Body.String()
	if !strings.Contains(page, `<html lang="ar" dir="rtl">`) || !strings.Contains(page, "البلاغات") {
		t.Errorf("after choosing Arabic (her browser asks for Russian): %.400s", page)
	}
	again := testapp.NewConsole(e.H)
	if rec := again.Login(t, "moderator", testapp.Password); rec.Code != http.StatusSeeOther {
		t.Fatalf("login: %d", rec.Code)
	}
	if page := again.Get(t, "/staff/").Body.String(); !strings.Contains(page, `lang="ar"`) {
		t.Errorf("another login forgot her language: %.200s", page)
	}
	for _, bad := range []url.Values{{"lang": {"xx"}}, {"lang": {""}}} {
		bad.Set("csrf", mod.CSRF(t))
		if rec := mod.Post(t, "/staff/me/lang", bad); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("lang %q: %d", bad.Get("lang"), rec.Code)
		}
	}
	if rec := mod.Post(t, "/staff/me/lang", url.Values{"csrf": {mod.CSRF(t)}, "lang": {"fr"}, "back": {"https://elsewhere.example/"}}); rec.Header().Get("Location") != "/staff/" {
		t.Errorf("a back link elsewhere: %q", rec.Header().Get("Location"))
	}

	admin := e.As(domain.RoleAdmin)
	rec := admin.Post(t, "/staff/people/invite", url.Values{"csrf": {admin.CSRF(t)}, "role_translator": {"on"}, "lang": {"fr"}})
	link := rec.Body.String()
	i := strings.Index(link, "/staff/invite/")
	if rec.Code != http.StatusOK || i < 0 {
		t.Fatalf("invite: %d", rec.Code)
	}
	link = link[i : i+len("/staff/invite/")+43]
	if page := testapp.NewConsole(e.H).Get(t, link, "Accept-Language", "ru").Body.String(); !strings.Contains(page, `lang="fr"`) || !strings.Contains(page, "traduction") {
		t.Errorf("the invite for a French speaker: %.600s", page)
	}
	testapp.SignUp(t, e.H, link, "traductrice", testapp.Password)
	if st := e.Staff(t, "traductrice"); st.Lang != "fr" {
		t.Errorf("the new account's language: %q", st.Lang)
	}
}
