package console

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sova/server/web/edge"
)

// ErrorPage shows an error as a console page (edge.StaffPage), in the
// staff member's language: the title by its HTTP status, the message by
// Message.
func (s *Console) ErrorPage(c echo.Context, status int, title, message string) error {
	if current(c) == nil {
		// A page no route serves ran no session check: find who is
		// asking, for her language and her header, if anyone is.
		if sc, err := s.session(c); err == nil && sc != nil {
			c.Set("staff", sc)
		}
	}
	v := s.consoleView(c)
	if key := "error.status." + strconv.Itoa(status); v.T(key) != key {
		title = v.T(key)
	}
	// A bare status ("Not Found", from the router) or "internal error"
	// says nothing the title does not: say what to do instead.
	if message == http.StatusText(status) || message == "internal error" {
		if key := "error.page." + strconv.Itoa(status); v.T(key) != key {
			message = v.T(key)
		}
	}
	return edge.Render(c, status, messagePage(v, title, v.Message(message)))
}

// errorTexts are the messages of domain.Error a staff member meets on the
// console's pages, by the format the domain (or the console) writes them
// with, and the key that says them in her language. The domain writes for
// whoever sent the input, in English, and knows nothing of catalogs; so
// the console recognises its sentences here. A sentence not listed (a
// survey definition's problems, a new one) shows as the domain wrote it.
// errors_internal_test.go checks that each format is still written so.
var errorTexts = []struct {
	format, key string
	places      []string // the {places} of the key, one for each verb of format
}{
	{"this page needs the %s role", "error.role", []string{"role"}},
	{"the form has expired or came from elsewhere; go back, reload and try again", "error.csrf", nil},
	{"the server's disk is full, so nothing new can be stored; nothing was lost, try again later", "error.diskfull", nil},
	{"backups are off: start Sova with -backup-dir and -backup-to", "error.backups.off", nil},
	{"backups are off: start Sova with -backup-dir", "error.backups.off", nil},
	{"backups are off", "error.backups.off", nil},
	{"there is no backup yet", "error.backups.none", nil},
	{"there is no service %q", "error.service.none", []string{"id"}},
	{"choose a category", "error.service.category", nil},
	{"the phone number %q has characters a phone cannot dial: use digits, spaces, dashes and a leading +", "error.service.phone", []string{"phone"}},
	{"a hotline needs its phone number", "error.service.hotline", nil},
	{"give both opening hours as HH:MM, such as 09:00 and 17:00, or neither for all day", "error.service.hours", nil},
	{"%s: give the service a name in this language too, or leave its words empty", "error.service.unnamed", []string{"lang"}},
	{"%s: a name fits in %d characters, a description in %d, an area in %d", "error.service.long", []string{"lang", "name", "about", "area"}},
	{"give the service a name in at least one language", "error.service.noname", nil},
	{"there is no topic %q", "error.info.topic", []string{"topic"}},
	{"%s: the page is %d characters long; at most %d fit", "error.info.long", []string{"lang", "length", "max"}},
	{"the link must be a whole https:// address on the organisation's website", "error.info.link", nil},
	{"there is no report %q", "error.report.none", []string{"id"}},
	{"the public words fit in %d characters", "error.report.long", []string{"max"}},
	{"choose a site from the list", "error.site.choose", nil},
	{"no such device", "error.device.none", nil},
	{"a site code is 1–24 lower-case letters, digits or '-', such as \"north-1\"; it must not name a person or an exact address", "error.site.code", nil},
	{"choose at least one role for the new account", "error.invite.roles", nil},
	{"no such account", "error.account.none", nil},
	{"%s is the last admin; make someone else admin first", "error.account.lastadmin", []string{"login"}},
	{"no such version", "error.survey.version", nil},
	{"the quick exit address must be a whole https:// address, such as %s", "error.settings.exit", []string{"example"}},
	{"a warning can show for 1 to 90 days", "error.settings.warningdays", nil},
	{"the audit log keeps entries for 90 to 3650 days", "error.settings.auditdays", nil},
	{"there is no disguise %q; choose one of %v", "error.settings.disguise", []string{"name", "names"}},
	{"%q is not a time zone; write it as Region/City, such as Europe/Kyiv or Africa/Nairobi", "error.settings.zone", []string{"zone"}},
	{"quiet hours run from an hour 0 to 23 to another", "error.settings.quiet", nil},
	{"a member can get 1 to 5 notifications a day", "error.settings.perday", nil},
	{"%s: the notification's words fit in %d characters", "error.settings.words", []string{"lang", "max"}},
	{"the contact for push services is a mailto: or https:// address, such as mailto:tech@example.org", "error.settings.contact", nil},
	{"an area's code is up to 24 small letters, digits and dashes, such as north-market", "error.area.code", nil},
	{"%s: an area's name fits in 60 characters", "error.area.long", []string{"lang"}},
	{"give the area a name in at least one language", "error.area.noname", nil},
}

// errorPatterns are errorTexts' formats as patterns that capture what
// each verb wrote.
var errorPatterns = func() []*regexp.Regexp {
	verbs := strings.NewReplacer("%q", `(".*")`, "%s", `(.+)`, "%v", `(.+)`, "%d", `(-?[0-9]+)`)
	out := make([]*regexp.Regexp, len(errorTexts))
	for i, e := range errorTexts {
		out[i] = regexp.MustCompile("^" + verbs.Replace(regexp.QuoteMeta(e.format)) + "$")
	}
	return out
}()

// Message is a message from the domain in this person's language when the
// console knows its sentence (errorTexts), else as written. What the
// domain wrote into it (a login, a language code, a limit) fills the
// translation's places; numbers are written as her locale writes them and
// a role by its name.
func (v consoleView) Message(msg string) string {
	for i, re := range errorPatterns {
		m := re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		e := errorTexts[i]
		pairs := make([]string, 0, 2*len(e.places))
		for j, name := range e.places {
			arg := m[j+1]
			if n, err := strconv.Atoi(arg); err == nil {
				arg = v.Num(n)
			} else if name == "role" {
				arg = v.word("role.", arg)
			}
			pairs = append(pairs, name, arg)
		}
		return v.Tf(e.key, pairs...)
	}
	return msg
}
