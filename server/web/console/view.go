package console

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

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
}

func (s *Console) consoleView(c echo.Context) consoleView {
	v := consoleView{CSS: s.cfg.Site.Script("css/console.css"), site: s.cfg.Site, cat: s.catalog(c), langs: s.words.all}
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
// {name} places from pairs of name and value.
func (v consoleView) T(key string) string { return v.cat.T(key) }

func (v consoleView) Tf(key string, pairs ...string) string {
	s := v.cat.T(key)
	for i := 0; i+1 < len(pairs); i += 2 {
		s = strings.ReplaceAll(s, "{"+pairs[i]+"}", pairs[i+1])
	}
	return s
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
