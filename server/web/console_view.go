package web

import (
	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"sova/server/domain"
)

// consoleView is what every console page knows: who is signed in, the form
// token, and where the stylesheet is.
type consoleView struct {
	Staff *domain.Staff
	CSRF  string
	CSS   string
	pwa   string
	icon  map[string]string // icon name → URL in the live site
}

func (s *Server) consoleView(c echo.Context) consoleView {
	b := s.site.Load().b
	v := consoleView{CSS: b.pwaURL + "css/console.css", pwa: b.pwaURL, icon: b.icon}
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
		return v.icon["sova"]
	}
	return v.icon["disguise-"+name]
}

// JS is the URL of one of the app's scripts.
func (v consoleView) JS(name string) string { return v.pwa + "js/" + name }

// render writes a templ page with status. Console pages are never cached:
// they show what only this staff member may see.
func render(c echo.Context, status int, page templ.Component) error {
	h := c.Response().Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(status)
	return page.Render(c.Request().Context(), c.Response())
}
