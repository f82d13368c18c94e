package console

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"sova/i18n"
	"sova/server/domain"
	"sova/server/screening"
	"sova/server/stats"
	"sova/server/web/edge"
)

// SettingsPage shows the organisation's settings for the member app.
func (s *Console) SettingsPage(c echo.Context) error {
	st, err := s.cfg.Store.Settings()
	if err != nil {
		return err
	}
	return s.renderSettings(c, s.consoleView(c), http.StatusOK, st, "", c.QueryParam("saved") != "")
}

func (s *Console) renderSettings(c echo.Context, v consoleView, code int, st domain.Settings, msg string, saved bool) error {
	subs, err := s.cfg.Store.Subscribers()
	if err != nil {
		return err
	}
	// A handful of subscribers is a handful of people: hidden like any small count.
	n := v.Num(len(subs))
	if len(subs) > 0 && len(subs) < stats.MinCount {
		n = v.Tf("settings.fewer", "min", v.Num(stats.MinCount))
	}
	return edge.Render(c, code, settingsView(v, st, s.cfg.Site.Langs(), n, msg, saved))
}

// SaveSettings stores the settings and rebuilds the member app with them.
// Fields the form did not send keep their value (a script may post only
// the one it changes); a field that is not a number reads as 0, which Check
// refuses or defaults.
func (s *Console) SaveSettings(c echo.Context) error {
	st, err := s.cfg.Store.Settings()
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	str := func(name string, to *string) {
		if v, ok := form[name]; ok {
			*to = v[0]
		}
	}
	num := func(name string, to *int) {
		if v, ok := form[name]; ok {
			*to, _ = strconv.Atoi(v[0])
		}
	}
	str("exit_url", &st.ExitURL)
	str("disguise", &st.Disguise)
	str("member_lang", &st.MemberLang)
	str("country", &st.Country)
	v := s.consoleView(c)
	if st.MemberLang != "" && !slices.ContainsFunc(s.cfg.Site.Langs(), func(c *i18n.Catalog) bool { return c.Lang == st.MemberLang }) {
		return s.renderSettings(c, v, http.StatusUnprocessableEntity, st, v.Tf("settings.nolang", "lang", strconv.Quote(st.MemberLang)), false)
	}
	num("warning_days", &st.WarningDays)
	num("audit_days", &st.AuditDays)
	str("time_zone", &st.TimeZone)
	num("quiet_from", &st.QuietFrom)
	num("quiet_to", &st.QuietTo)
	num("push_per_day", &st.PushPerDay)
	str("push_contact", &st.PushContact)
	st.PushText = maps.Clone(st.PushText)
	if st.PushText == nil {
		st.PushText = map[string]string{}
	}
	for _, cat := range s.cfg.Site.Langs() {
		if v, ok := form["push_text_"+cat.Lang]; ok {
			st.PushText[cat.Lang] = v[0]
		}
	}
	if err := s.cfg.Office.SaveSettings(by(c), st); err != nil {
		if msg, ok := v.formProblem(err); ok {
			return s.renderSettings(c, v, http.StatusUnprocessableEntity, st, msg, false)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/settings?saved=1")
}

// disguiseName is a disguise's name as the console shows it: the name
// members' phones show in this person's language, or the disguise's code
// for one the catalogs do not know yet.
func (v consoleView) disguiseName(d string) string {
	key := "settings.disguise." + d
	if s := v.T(key); s != key {
		return s
	}
	return strings.ToUpper(d[:1]) + d[1:]
}

// country is one the organisation can choose: one whose numbers members'
// phones read offline (screening.RulesFor), with its calling code.
type country struct{ Code, CallingCode, Name string }

// phoneCountries are those countries, found once: a list of every country
// is not one to type a code into from memory.
var phoneCountries = sync.OnceValue(func() []country {
	var out []country
	for region := range phonenumbers.GetSupportedRegions() {
		if r, err := screening.RulesFor(region); err == nil {
			out = append(out, country{Code: r.Region, CallingCode: r.CallingCode})
		}
	}
	return out
})

// countries are the countries to choose from, named in this person's
// language and in her alphabet's order.
func (v consoleView) countries() []country {
	list := slices.Clone(phoneCountries())
	for i := range list {
		list[i].Name = v.countryName(list[i].Code)
	}
	col := collate.New(language.Make(v.Lang()))
	slices.SortFunc(list, func(a, b country) int { return col.CompareString(a.Name, b.Name) })
	return list
}

// countryName is a country (ISO 3166 alpha-2) in this person's language,
// else in English, else its code.
func (v consoleView) countryName(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.Regions(language.Make(v.Lang())).Name(r); n != "" {
		return n
	}
	if n := display.English.Regions().Name(r); n != "" {
		return n
	}
	return code
}
