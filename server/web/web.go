// Package web is Sova's HTTP edge. It mounts three audiences on one Echo
// router, whose whole route table is routes.go: the member site (package
// member), the JSON API (package api) and the staff console (package
// console), with the middleware and error pages they share (package edge).
//
// Members are anonymous. Nothing here reads their address, User-Agent or
// Referer, sets a cookie for them, or logs more than method, route, status
// and latency.
package web

import (
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
	"sova/server/seal"
	"sova/server/store"
	"sova/server/studio"
	"sova/server/web/api"
	"sova/server/web/console"
	"sova/server/web/member"
)

// Config is everything the web layer is built from. main (via package app)
// fills it; nothing here reads flags or the environment.
type Config struct {
	Store *store.DB
	Keys  *seal.Ring
	// Studio has the languages and what translators made of them: the
	// member site is built from its Content.
	Studio *studio.Studio
	// Office runs the staff's workflows.
	Office *domain.Office
	Icons  fs.FS
	PWA    fs.FS
	Worker []byte
	Log    *slog.Logger
	// Salt changes the app's version without changing its content, to push
	// an update to every phone.
	Salt string
	// Now is the clock; responses keep only its UTC date.
	Now func() time.Time
	// BusyAfter is how long a sync batch waits for its turn before the
	// server answers 503 busy (default 10 s).
	BusyAfter time.Duration
	// AccessLog logs every request (method, route, status, latency), not
	// only failures. Off by default: see edge.AccessLog.
	AccessLog bool
	// PushKey is the VAPID public key phones subscribe with; PushHosts are
	// the push services a subscription may point at (domain.PushHosts
	// unless set).
	PushKey   string
	PushHosts []string
	// TrustedProxies are the reverse proxies in front of Sova, if any: only
	// for a request from one is X-Forwarded-For read, and only by the
	// login limiter, which holds it in memory.
	TrustedProxies []netip.Prefix
	// Backups is the backup job for the console, nil when backups are off.
	Backups console.Backups
	// Certificate is the domain's HTTPS certificate, nil when Sova serves
	// no domain itself.
	Certificate console.Certificate
}

// Server serves Sova over HTTP.
type Server struct {
	*member.Site
	cfg     Config
	api     *api.API
	console *console.Console
	echo    *echo.Echo
}

// New builds the member site and the server around it.
func New(cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	site, err := member.New(member.Config{
		Store: cfg.Store, Studio: cfg.Studio, Icons: cfg.Icons, PWA: cfg.PWA, Worker: cfg.Worker,
		Salt: cfg.Salt, PushKey: cfg.PushKey, Now: cfg.Now,
	})
	if err != nil {
		return nil, err
	}
	con, err := console.New(console.Config{Store: cfg.Store, Office: cfg.Office, Studio: cfg.Studio, Site: site, Now: cfg.Now, TrustedProxies: cfg.TrustedProxies, Backups: cfg.Backups, Certificate: cfg.Certificate})
	if err != nil {
		return nil, err
	}
	s := &Server{
		Site:    site,
		cfg:     cfg,
		console: con,
		api: api.New(api.Config{
			Store: cfg.Store, Keys: cfg.Keys, Site: site, Now: cfg.Now, BusyAfter: cfg.BusyAfter,
			PushKey: cfg.PushKey, PushHosts: cfg.PushHosts,
		}),
	}
	s.echo = s.routes()
	return s, nil
}

// Handler is the whole site as an http.Handler.
func (s *Server) Handler() *echo.Echo { return s.echo }

// NewSetupLink makes the first admin's one-time link path, valid for an hour.
func (s *Server) NewSetupLink() (string, error) { return s.console.NewSetupLink() }

func healthz(c echo.Context) error { return c.String(http.StatusOK, "ok\n") }
