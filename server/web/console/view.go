package console

import (
	"github.com/labstack/echo/v4"

	"sova/server/domain"
	"sova/server/web/member"
)

// consoleView is what every console page knows: who is signed in, the form
// token, and where the stylesheet is.
type consoleView struct {
	Staff *domain.Staff
	CSRF  string
	CSS   string
	site  *member.Site // for the app's scripts and icons
}

func (s *Console) consoleView(c echo.Context) consoleView {
	v := consoleView{CSS: s.cfg.Site.Script("css/console.css"), site: s.cfg.Site}
	if sc := current(c); sc != nil {
		v.Staff = sc.staff
		if sc.session != nil {
			v.CSRF = sc.session.CSRF
		}
	}
	return v
}

func (v consoleView) Has(r domain.Role) bool { return v.Staff.Has(r) }

// DisguiseIcon is the icon of a disguise ("" is Sova's own owl).
func (v consoleView) DisguiseIcon(name string) string {
	if name == "" {
		return v.site.Icon("sova")
	}
	return v.site.Icon("disguise-" + name)
}

// JS is the URL of one of the app's scripts.
func (v consoleView) JS(name string) string { return v.site.Script("js/" + name) }
