package console_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sova/i18n"
	"sova/internal/testapp"
	"sova/server/domain"
)

// A staff member who chose Russian or Arabic reads every page of the
// console in it: the page says its language and direction, and nothing
// the English catalog says is left in its main text. Dates are written as
// her language writes them, on the organisation's clock.
func TestConsolePages_SpeakTheStaffMembersLanguage(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	en, cats := consoleCatalogs(t)
	pages := map[domain.Role][]string{
		domain.RoleAdmin: {"/staff/", "/staff/people", "/staff/audit", "/staff/settings", "/staff/backups",
			"/staff/areas", "/staff/directory", "/staff/info", "/staff/devices"},
		domain.RoleModerator:   {"/staff/reports"},
		domain.RoleFieldWorker: {"/staff/outreach"},
	}
	for _, lang := range []string{"ru", "ar"} {
		for role, paths := range pages {
			staff := e.As(role)
			if rec := staff.Post(t, "/staff/me/lang", url.Values{"csrf": {staff.CSRF(t)}, "lang": {lang}}); rec.Code != http.StatusSeeOther {
				t.Fatalf("%s chooses %s: %d", role, lang, rec.Code)
			}
			for _, path := range paths {
				rec := staff.Get(t, path)
				page := rec.Body.String()
				if rec.Code != http.StatusOK {
					t.Fatalf("%s %s: %d", lang, path, rec.Code)
				}
				if want := `<html lang="` + lang + `" dir="` + cats[lang].Dir + `">`; !strings.Contains(page, want) {
					t.Errorf("%s %s is not %s", lang, path, want)
				}
				if left := english(mainText(page), en, cats[lang]); len(left) > 0 {
					t.Errorf("%s %s still says in English: %q", lang, path, left)
				}
			}
		}
	}
	// The audit log's first entries (the fixture's accounts) are dated in
	// each language's way: Russian with dots, Arabic in Arabic-Indic digits.
	admin := e.As(domain.RoleAdmin)
	audit := mainText(admin.Get(t, "/staff/audit").Body.String()) // Arabic, chosen last
	if !regexp.MustCompile(`[٠-٩]{2}/[٠-٩]{2}/[٠-٩]{4} [٠-٩]{2}:[٠-٩]{2}`).MatchString(audit) || !strings.Contains(audit, "تغيّرت الأدوار") && !strings.Contains(audit, "اختيرت لغة لوحة التحكم") {
		t.Errorf("the audit log in Arabic: %.600s", audit)
	}
	admin.Post(t, "/staff/me/lang", url.Values{"csrf": {admin.CSRF(t)}, "lang": {"ru"}})
	if audit := mainText(admin.Get(t, "/staff/audit").Body.String()); !regexp.MustCompile(`\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}`).MatchString(audit) || !strings.Contains(audit, "выбран язык консоли") {
		t.Errorf("the audit log in Russian: %.600s", audit)
	}
}

// The error page and a form's problem speak her language too: a page her
// roles do not open, a settings form she filled in wrongly.
func TestConsoleErrors_SpeakTheStaffMembersLanguage(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	mod := e.As(domain.RoleModerator)
	mod.Post(t, "/staff/me/lang", url.Values{"csrf": {mod.CSRF(t)}, "lang": {"ru"}})
	rec := mod.Get(t, "/staff/people")
	if page := mainText(rec.Body.String()); rec.Code != http.StatusForbidden || !strings.Contains(page, "Доступ запрещён") || !strings.Contains(page, "Для этой страницы нужна роль «администратор».") {
		t.Errorf("a moderator on the staff page, in Russian: %d %s", rec.Code, page)
	}
	if page := mainText(mod.Get(t, "/staff/no-such-page").Body.String()); !strings.Contains(page, "Такой страницы нет") {
		t.Errorf("an unknown page, in Russian: %s", page)
	}

	// The zone she wrote fills the sentence, quoted as her language quotes.
	admin := e.As(domain.RoleAdmin)
	for lang, want := range map[string]string{
		"ru": "«Mars/Olympus» — не часовой пояс. Напишите его как Регион/Город",
		"ar": "«Mars/Olympus» ليست منطقة زمنية",
	} {
		admin.Post(t, "/staff/me/lang", url.Values{"csrf": {admin.CSRF(t)}, "lang": {lang}})
		rec = admin.Post(t, "/staff/settings", url.Values{"csrf": {admin.CSRF(t)}, "time_zone": {"Mars/Olympus"}})
		if page := mainText(rec.Body.String()); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(page, want) {
			t.Errorf("a wrong time zone, in %s: %d %s", lang, rec.Code, page)
		}
	}
	// English stays as it was written.
	admin.Post(t, "/staff/me/lang", url.Values{"csrf": {admin.CSRF(t)}, "lang": {"en"}})
	rec = admin.Post(t, "/staff/settings", url.Values{"csrf": {admin.CSRF(t)}, "time_zone": {"Mars/Olympus"}})
	if page := mainText(rec.Body.String()); !strings.Contains(page, `"Mars/Olympus" is not a time zone`) {
		t.Errorf("a wrong time zone, in English: %s", page)
	}
}

// A refusal is said from the error's key and values in her language:
// what she wrote (an id, a month, a language) quoted as her language
// quotes, numbers in her digits and grouping, a role by its name. The
// sentence is the catalog's, filled as the console fills it.
func TestConsoleRefusals_SayTheErrorsValuesInHerLanguage(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	_, cats := consoleCatalogs(t)
	for _, tc := range []struct {
		lang   string
		role   domain.Role
		path   string
		form   url.Values // nil: a GET
		status int
		key    string
		pairs  []string // the places and what fills them in lang
	}{
		{"ar", domain.RoleModerator, "/staff/people", nil, http.StatusForbidden, "error.role", []string{"role", cats["ar"].T("role.admin")}},
		{"ru", domain.RoleAdmin, "/staff/directory?edit=nope", nil, http.StatusNotFound, "error.service.none", []string{"id", "nope"}},
		{"ru", domain.RoleAdmin, "/staff/directory", url.Values{"category": {"clinic"}, "name_en": {strings.Repeat("x", domain.MaxServiceName+1)}},
			http.StatusUnprocessableEntity, "error.service.long", []string{"lang", "en", "name", "80", "about", "300", "area", "60"}},
		{"ar", domain.RoleAdmin, "/staff/info/rights", url.Values{"text_en": {strings.Repeat("x", domain.MaxInfoText+1)}},
			http.StatusUnprocessableEntity, "error.info.long", []string{"lang", "en", "length", "٥٬٠٠١", "max", "٥٬٠٠٠"}},
		{"ru", domain.RoleAdmin, "/staff/results/needs/1?from=2026-13", nil, http.StatusUnprocessableEntity, "error.results.from", []string{"month", "2026-13"}},
		{"ar", domain.RoleAdmin, "/staff/results/needs/12", nil, http.StatusNotFound, "error.survey.noversion", []string{"id", "needs", "version", "١٢"}},
		{"ar", domain.RoleAdmin, "/staff/me/lang", url.Values{"lang": {"xx"}}, http.StatusUnprocessableEntity, "error.lang", []string{"lang", "xx"}},
	} {
		staff := e.As(tc.role)
		staff.Post(t, "/staff/me/lang", url.Values{"csrf": {staff.CSRF(t)}, "lang": {tc.lang}})
		rec := staff.Get(t, tc.path)
		if tc.form != nil {
			tc.form.Set("csrf", staff.CSRF(t))
			rec = staff.Post(t, tc.path, tc.form)
		}
		want := strings.NewReplacer(func() []string {
			var r []string
			for i := 0; i+1 < len(tc.pairs); i += 2 {
				r = append(r, "{"+tc.pairs[i]+"}", tc.pairs[i+1])
			}
			return r
		}()...).Replace(cats[tc.lang].T(tc.key))
		if page := mainText(rec.Body.String()); rec.Code != tc.status || !strings.Contains(page, want) || strings.Contains(page, "{") {
			t.Errorf("%s %s: %d, want %d saying %q:\n%s", tc.lang, tc.path, rec.Code, tc.status, want, page)
		}
	}
}

// The audit log keeps what Sova wrote, in English, for years; the page
// says it in her language: a survey's version, an export's rows, roles by
// their names, a disabled account, the settings' summary (today's and an
// older Sova's, which had fewer clauses), and the command line.
func TestAudit_SaysWhatEachEntryWasOnInHerLanguage(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	admin.Post(t, "/staff/me/lang", url.Values{"csrf": {admin.CSRF(t)}, "lang": {"ru"}})
	if rec := admin.Post(t, "/staff/settings", url.Values{"csrf": {admin.CSRF(t)}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("save the settings: %d", rec.Code)
	}
	if rec := admin.Get(t, "/staff/results/needs/1/export.csv"); rec.Code != http.StatusOK {
		t.Fatalf("export: %d", rec.Code)
	}
	testapp.Invite(t, e.H, &http.Cookie{Value: admin.Token}, admin.CSRF(t), domain.RoleFieldWorker, domain.RoleTranslator)
	target := testapp.StaffID(t, domain.RoleTranslator)
	if rec := admin.Post(t, "/staff/people/"+target, url.Values{"csrf": {admin.CSRF(t)}, "role_translator": {"on"}, "disabled": {"on"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("disable: %d", rec.Code)
	}
	if err := e.App.Audit("voice pack exported", "ru"); err != nil {
		t.Fatal(err)
	}
	older := domain.AuditEntry{Time: testapp.Epoch, Staff: "admin", Action: "settings changed",
		Target: "quick exit: https://example.org/; disguise: notes; warnings show 21 days; notifications: UTC, quiet 22-8, 2 a day"}
	if err := e.App.Store().Audit(older); err != nil {
		t.Fatal(err)
	}

	// The fixture's logins (admin, translator…) are names, not English.
	page := mainText(admin.Get(t, "/staff/audit").Body.String())
	for _, english := range []string{"rows", "quiet", "warnings show", "audit log kept", "quick exit", "disguise", "first language",
		"a day", "disabled", "command line", " v1", "phone numbers"} {
		if strings.Contains(page, english) {
			t.Errorf("the audit log in Russian still says %q:\n%s", english, page)
		}
	}
	for _, russian := range []string{"needs, версия 1 (0 строк)", "аутрич-работник, переводчик", "translator: переводчик (отключена)", "(командная строка)",
		"быстрый выход: https://", "маскировка: Sova (сова)", "первый язык: en", "страна для номеров телефонов не выбрана", "предупреждения видны 14 дней", "журнал хранится 365 дней",
		"уведомления: UTC, тихие часы 22–8, не больше 1 в день",
		"маскировка: Заметки; предупреждения видны 21 день; уведомления: UTC, тихие часы 22–8, не больше 2 в день"} {
		if !strings.Contains(page, russian) {
			t.Errorf("the audit log in Russian lacks %q:\n%s", russian, page)
		}
	}
}

func consoleCatalogs(t *testing.T) (en *i18n.Catalog, byLang map[string]*i18n.Catalog) {
	t.Helper()
	cats, err := i18n.LoadConsole()
	if err != nil {
		t.Fatal(err)
	}
	byLang = map[string]*i18n.Catalog{}
	for _, c := range cats {
		byLang[c.Lang] = c
	}
	return byLang["en"], byLang
}

var (
	tags   = regexp.MustCompile(`(?s)<[^>]*>`)
	places = regexp.MustCompile(`\{[a-z]+\}`)
)

// mainText is the text a person reads in a page's <main>, tags taken out.
func mainText(page string) string {
	if i := strings.Index(page, "<main>"); i >= 0 {
		page = page[i:]
	}
	if i := strings.Index(page, "</main>"); i >= 0 {
		page = page[:i]
	}
	return html.UnescapeString(tags.ReplaceAllString(page, " "))
}

// english lists the English catalog's phrases (the parts between its
// places, of a few words) that text still holds, where the other catalog
// says them otherwise.
func english(text string, en, other *i18n.Catalog) []string {
	var left []string
	for _, k := range en.Keys() {
		if en.T(k) == other.T(k) {
			continue
		}
		for _, part := range places.Split(en.T(k), -1) {
			part = strings.TrimSpace(part)
			if strings.Count(part, " ") >= 2 && strings.Contains(text, part) {
				left = append(left, part)
			}
		}
	}
	return left
}
