package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"sova/i18n"
	"sova/server/domain"
	"sova/server/web/member"
)

// consoleView is what every console page knows: who is signed in, the form
// token, and where the stylesheet is.
type consoleView struct {
	Staff *domain.Staff
	CSRF  string
	CSS   string
	Path  string        // this page's, to come back to after changing language
	site  *member.Site  // for the app's scripts and icons
	cat   *i18n.Catalog // the console's words in this person's language
	langs []*i18n.Catalog
	zone  *time.Location // the organisation's, for every time shown
}

func (s *Console) consoleView(c echo.Context) consoleView {
	v := consoleView{CSS: s.cfg.Site.Script("css/console.css"), site: s.cfg.Site, cat: s.catalog(c), langs: s.words.all, zone: time.UTC}
	// Times read in the organisation's time zone; a page still shows (in
	// UTC, and says so) when the settings cannot be read.
	if st, err := s.cfg.Store.Settings(); err == nil {
		v.zone = st.Location()
	}
	if c.Request().Method == http.MethodGet {
		v.Path = c.Request().URL.RequestURI()
	}
	if sc := current(c); sc != nil {
		v.Staff = sc.staff
		if sc.session != nil {
			v.CSRF = sc.session.CSRF
		}
	}
	return v
}

func (v consoleView) Has(r domain.Role) bool { return v.Staff.Has(r) }

// Lang and Dir are the page's language and direction.
func (v consoleView) Lang() string { return v.cat.Lang }
func (v consoleView) Dir() string  { return v.cat.Dir }

// T is the console's text for key in this person's language; Tf fills its
// {name} places from pairs of name and value, in one pass, so that a
// value someone typed ("{max}" as a time zone) is never filled in turn.
func (v consoleView) T(key string) string { return v.cat.T(key) }

func (v consoleView) Tf(key string, pairs ...string) string {
	places := make([]string, 0, len(pairs))
	for i := 0; i+1 < len(pairs); i += 2 {
		places = append(places, "{"+pairs[i]+"}", pairs[i+1])
	}
	return strings.NewReplacer(places...).Replace(v.cat.T(key))
}

// filled is key's words with args in their {places}, each number written
// by num; ok is false where the catalog lacks key.
func (v consoleView) filled(key string, args map[string]string, num func(string) string) (s string, ok bool) {
	if v.T(key) == key {
		return "", false
	}
	pairs := make([]string, 0, 2*len(args))
	for name, val := range args {
		if _, err := strconv.ParseFloat(val, 64); err == nil {
			val = num(val)
		}
		pairs = append(pairs, name, val)
	}
	return v.Tf(key, pairs...), true
}

// decimal is a number as this person's locale writes it, its fraction
// kept (8,1 in Russian and French).
func (v consoleView) decimal(s string) string {
	x, _ := strconv.ParseFloat(s, 64)
	return v.printer().Sprint(number.Decimal(x))
}

// RolesText lists roles as this person reads them.
func (v consoleView) RolesText(roles []domain.Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = v.cat.T("role." + string(r))
	}
	return strings.Join(names, ", ")
}

// DisguiseIcon is the icon of a disguise ("" is Sova's own owl).
func (v consoleView) DisguiseIcon(name string) string {
	if name == "" {
		return v.site.Icon("sova")
	}
	return v.site.Icon("disguise-" + name)
}

// JS is the URL of one of the app's scripts.
func (v consoleView) JS(name string) string { return v.site.Script("js/" + name) }

// N is the console's plural text for key and the count n (CLDR's forms
// for this person's language), with {n} written as her locale writes
// numbers.
func (v consoleView) N(key string, n int) string {
	forms := v.cat.Plural(key)
	if forms == nil {
		return key
	}
	s, ok := forms[i18n.PluralCategory(v.Lang(), n)]
	if !ok {
		s = forms["other"]
	}
	return strings.ReplaceAll(s, "{n}", v.Num(n))
}

// Num is a whole number as this person's locale writes it (1 234 in
// Russian and French, 1.234 in Spanish, Arabic-Indic digits in Arabic).
func (v consoleView) Num(n int) string { return v.printer().Sprint(number.Decimal(n)) }

// Decimal is x with one decimal place, in this person's locale.
func (v consoleView) Decimal(x float64) string {
	return v.printer().Sprint(number.Decimal(x, number.MinFractionDigits(1), number.MaxFractionDigits(1)))
}

func (v consoleView) printer() *message.Printer { return message.NewPrinter(language.Make(v.Lang())) }

// timeLayouts are how each language writes a date and a time: numeric,
// day first except in English, which spells the month to be read the same
// on both sides of the Atlantic. Arabic is numeric too (month names
// differ between the Maghreb and the Levant), in the digits CLDR gives
// Arabic numbers (see digits).
var timeLayouts = map[string]struct{ date, clock, month string }{
	"en": {"2 Jan 2006", "15:04", "Jan 2006"},
	"ru": {"02.01.2006", "15:04", "01.2006"},
	"es": {"02/01/2006", "15:04", "01/2006"},
	"fr": {"02/01/2006", "15:04", "01/2006"},
	"ar": {"02/01/2006", "15:04", "01/2006"},
}

func (v consoleView) layouts() struct{ date, clock, month string } {
	l, ok := timeLayouts[v.Lang()]
	if !ok {
		l = timeLayouts["en"]
	}
	return l
}

func (v consoleView) layout() (date, clock string) {
	l := v.layouts()
	return l.date, l.clock
}

// Month rewrites a month as results filter by it (YYYY-MM) as this person
// writes one, in her digits; anything else shows as it is.
func (v consoleView) Month(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return v.digits(t.Format(v.layouts().month))
}

// When is t's date and time on the organisation's clock, as this person
// writes them.
func (v consoleView) When(t time.Time) string {
	date, clock := v.layout()
	return v.digits(t.In(v.zone).Format(date + " " + clock))
}

// Date is t's date on the organisation's calendar.
func (v consoleView) Date(t time.Time) string {
	date, _ := v.layout()
	return v.digits(t.In(v.zone).Format(date))
}

// Day rewrites a stored day (YYYY-MM-DD, already the organisation's) as
// this person writes dates; anything else shows as it is.
func (v consoleView) Day(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	date, _ := v.layout()
	return v.digits(t.Format(date))
}

// Zone names the organisation's time zone, for headings such as
// "When (Europe/Kyiv)".
func (v consoleView) Zone() string { return v.zone.String() }

// digits writes the ASCII digits of s in the locale's own digits, the
// ones Num uses, so that dates and counts on a page agree.
func (v consoleView) digits(s string) string {
	zero := []rune(v.printer().Sprint(number.Decimal(0)))
	if len(zero) != 1 || zero[0] == '0' {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return zero[0] + (r - '0')
		}
		return r
	}, s)
}
