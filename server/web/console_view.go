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
}

func (s *Server) consoleView(c echo.Context) consoleView {
	pwa := s.site.Load().b.pwaURL
	v := consoleView{CSS: pwa + "css/console.css", pwa: pwa}
	if sc := current(c); sc != nil {
		v.Staff = sc.staff
		if sc.session != nil {
			v.CSRF = sc.session.CSRF
		}
	}
	return v
}

func (v consoleView) Has(r domain.Role) bool { return v.Staff.Has(r) }

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
