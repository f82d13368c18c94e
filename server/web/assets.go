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
