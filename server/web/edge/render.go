package edge

import (
	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// Render writes a server-made page with status. It is never cached: console
// pages show what only one staff member may see, and member pages rendered
// on demand (a preview) are not the site's.
func Render(c echo.Context, status int, page templ.Component) error {
	h := c.Response().Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(status)
	return page.Render(c.Request().Context(), c.Response())
}
