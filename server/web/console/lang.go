package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"sova/i18n"
	"sova/server/domain"
)

// langs are the console's catalogs (i18n.LoadConsole): English first, the
// fallback for a browser that asks for none of them.
type langs struct {
	all     []*i18n.Catalog
	byCode  map[string]*i18n.Catalog
	matcher language.Matcher
}

func loadLangs() (langs, error) {
	cats, err := i18n.LoadConsole()
	if err != nil {
		return langs{}, err
	}
	w := langs{byCode: map[string]*i18n.Catalog{}}
	tags := []language.Tag{language.English}
	w.all = append(w.all, nil) // English's place, filled below
	for _, c := range cats {
		w.byCode[c.Lang] = c
		if c.Lang == "en" {
			w.all[0] = c
			continue
		}
		w.all = append(w.all, c)
		tags = append(tags, language.Make(c.Lang))
	}
	if w.all[0] == nil {
		return langs{}, errors.New("i18n/console has no en.json, the console's fallback")
	}
	w.matcher = language.NewMatcher(tags)
	return w, nil
}

// browser is the catalog best matching an Accept-Language header.
func (w langs) browser(header string) *i18n.Catalog {
	prefs, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(prefs) == 0 {
		return w.all[0]
	}
	_, i, conf := w.matcher.Match(prefs...)
	if conf == language.No {
		return w.all[0]
	}
	return w.all[i]
}

// staffLang is the language the console speaks to whoever asks: her own
// choice, kept with her account; before login, her browser's.
func (s *Console) staffLang(c echo.Context) string { return s.catalog(c).Lang }

func (s *Console) catalog(c echo.Context) *i18n.Catalog {
	if sc := current(c); sc != nil {
		if cat := s.words.byCode[sc.staff.Lang]; cat != nil {
			return cat
		}
	}
	if cat, ok := c.Get(pageLang).(*i18n.Catalog); ok {
		return cat
	}
	return s.words.browser(c.Request().Header.Get("Accept-Language"))
}

// pageLang, set on a request, names the language of a page for someone not
// signed in whose language is known otherwise (an invite's).
const pageLang = "console-lang"

// knownLang is code if the console speaks it, else "" (the browser's).
func (s *Console) knownLang(code string) string {
	if s.words.byCode[code] != nil {
		return code
	}
	return ""
}

// SetLang keeps the signed-in person's choice of language and goes back to
// the page she was on.
func (s *Console) SetLang(c echo.Context) error {
	lang := s.knownLang(c.FormValue("lang"))
	if lang == "" {
		return domain.Refuse(domain.CodeInvalid, "lang", "the console does not speak %q", "lang", c.FormValue("lang"))
	}
	if err := s.cfg.Office.SetLang(current(c).staff.ID, lang); err != nil {
		return err
	}
	back := c.FormValue("back")
	if !strings.HasPrefix(back, "/staff/") {
		back = "/staff/"
	}
	return c.Redirect(http.StatusSeeOther, back)
}
