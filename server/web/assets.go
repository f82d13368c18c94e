package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// asset serves anything in the ready site by its exact path.
func (s *Server) asset(c echo.Context) error {
	b := s.site.Load().blobs[c.Request().URL.Path]
	if b == nil {
		return echo.ErrNotFound
	}
	b.serve(c.Response(), c.Request())
	return nil
}

func (s *Server) toLangHome(c echo.Context) error {
	p := c.Request().URL.Path + "/"
	if s.site.Load().blobs[p] == nil {
		return echo.ErrNotFound
	}
	return c.Redirect(http.StatusMovedPermanently, p)
}

func (s *Server) healthz(c echo.Context) error { return c.String(http.StatusOK, "ok\n") }

// wipe answers the member app's wipe with Clear-Site-Data, so the browser
// itself erases this site's storage down to its files on disk (deleting an
// IndexedDB database from script leaves its bytes in LevelDB's files until
// they are compacted). The app has erased what it could before, offline too.
func (s *Server) wipe(c echo.Context) error {
	c.Response().Header().Set("Clear-Site-Data", `"cache", "storage"`)
	return c.NoContent(http.StatusNoContent)
}
