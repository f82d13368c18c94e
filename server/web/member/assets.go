package member

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
	"sova/server/web/edge"
)

// Asset serves anything in the ready site by its exact path.
func (s *Site) Asset(c echo.Context) error {
	b := s.live.Load().blobs[c.Request().URL.Path]
	if b == nil {
		return echo.ErrNotFound
	}
	b.serve(c.Response(), c.Request())
	return nil
}

// LangHome sends /ru to /ru/.
func (s *Site) LangHome(c echo.Context) error {
	p := c.Request().URL.Path + "/"
	if s.live.Load().blobs[p] == nil {
		return echo.ErrNotFound
	}
	return c.Redirect(http.StatusMovedPermanently, p)
}

// Wipe answers the member app's wipe with Clear-Site-Data, so the browser
// itself erases this site's storage down to its files on disk (deleting an
// IndexedDB database from script leaves its bytes in LevelDB's files until
// they are compacted). The app has erased what it could before, offline too.
//
// Only the app itself may ask: from this origin, with a header that a form
// or a no-cors request from another site cannot send. Otherwise any page a
// member opens could erase her unsent answers.
func (s *Site) Wipe(c echo.Context) error {
	if !edge.SameOrigin(c.Request()) || c.Request().Header.Get("X-Sova-Wipe") != "1" {
		return domain.Errorf(domain.CodeForbidden, "only the app on this phone can erase its data")
	}
	c.Response().Header().Set("Clear-Site-Data", `"cache", "storage"`)
	return c.NoContent(http.StatusNoContent)
}

// Shared is the share target (the manifest's share_target) when no
// service worker answered it: the worker keeps what was shared on the
// phone (sw.js). Here the body is never read, so a number shared to a
// phone without the worker is not kept or logged either; she lands on
// the check, empty.
func (s *Site) Shared(c echo.Context) error {
	p := "/" + c.Param("lang") + "/check"
	if s.live.Load().blobs[p] == nil {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Connection", "close")
	return c.Redirect(http.StatusSeeOther, p)
}
