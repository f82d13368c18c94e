package web

import (
	"time"

	"github.com/labstack/echo/v4"
)

// accessLog records method, route pattern, status and latency: enough to run
// the service, and nothing that could tell who used it or when exactly (the
// log line's own time is the operator's to drop; see README).
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // write the error response now, so its status is logged
		}
		s.cfg.Log.Info("request",
			"method", c.Request().Method,
			"route", c.Path(), // the pattern, never the URL: ids stay out of logs
			"status", c.Response().Status,
			"latency_ms", float64(time.Since(start).Microseconds())/1000)
		return nil
	}
}

// securityHeaders keeps every page to its own origin. The CSP allows the
// inline stylesheet by its hash only, and no inline script at all.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", s.site.Load().csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if c.Request().TLS != nil || c.Request().Header.Get("X-Forwarded-Proto") == "https" {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		return next(c)
	}
}
