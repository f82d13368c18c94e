package edge

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
)

// AccessLog records method, route pattern, status and latency: enough to run
// the service, and nothing that could tell who used it. Even so, a log
// collector stamps every line with the time it arrives, which would keep the
// time of day of each member's request; so only the server's own failures
// are logged unless the operator turns the full access log on (all). A 503
// is a refusal by design (busy, full), made at a member's request, and not
// a fault: it is not logged either.
func AccessLog(log *slog.Logger, all bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err) // write the error response now, so its status is logged
			}
			if st := c.Response().Status; !all && (st < http.StatusInternalServerError || st == http.StatusServiceUnavailable) {
				return nil
			}
			log.Info("request",
				"method", c.Request().Method,
				"route", c.Path(), // the pattern, never the URL: ids stay out of logs
				"status", c.Response().Status,
				"latency_ms", float64(time.Since(start).Microseconds())/1000)
			return nil
		}
	}
}

// SecurityHeaders keeps every page to its own origin. The CSP allows the
// inline stylesheet and quick exit's inline script by their hashes only, and
// no other inline script.
// csp is the live site's policy, which changes with its inline hashes.
func SecurityHeaders(csp func() string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", csp())
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
}

// RecoverPanics turns a panic into a 500 logged with its route only. Left to
// net/http, a panic is logged with the client's address.
func RecoverPanics(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				r := recover()
				if r == nil {
					return
				}
				if r == http.ErrAbortHandler { // a deliberate abort: net/http stays quiet
					panic(r)
				}
				log.Error("panic", "route", c.Path(), "panic", fmt.Sprint(r))
				err = domain.Errorf(domain.CodeInternal, "internal error")
			}()
			return next(c)
		}
	}
}

// LimitBody bounds a request's body at n bytes before its handler (Bound).
// Staff routes bound theirs after the role check instead (console's
// RequireRole), so that nobody signed out makes the server read a byte.
func LimitBody(n int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := Bound(c, n); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// Bound bounds c's body at n bytes, and parses a form upload at once,
// keeping all but its first megabyte on disk, not in memory (B5), so that
// one too large is refused here with a clear error, before anything else
// reads it.
func Bound(c echo.Context, n int64) error {
	req := c.Request()
	req.Body = http.MaxBytesReader(c.Response(), req.Body, n)
	if strings.HasPrefix(req.Header.Get("Content-Type"), "multipart/form-data") {
		var tooBig *http.MaxBytesError
		if err := req.ParseMultipartForm(1 << 20); errors.As(err, &tooBig) {
			return domain.Refuse(domain.CodeTooLarge, "upload.toolarge", "the upload is larger than %d MB: send a smaller file", "mb", int((n+1<<20-1)>>20))
		}
	}
	return nil
}

// SameOrigin refuses a form posted from another site. Browsers that send
// Sec-Fetch-Site are judged by it alone: with our no-referrer policy their
// Origin on a form post is "null" even from our own page. Others must send
// no Origin, or our own.
func SameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" || site == "none"
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}
