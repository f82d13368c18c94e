// Package web is Sova's HTTP edge: the member app's pages, the service
// worker and manifest, static assets and voice, and the JSON sync API, all
// on one Echo router (routes.go). It turns HTTP into calls on the domain and
// store, and domain errors into status codes (errors.go), and nothing more.
//
// Members are anonymous. Nothing here reads their address, User-Agent or
// Referer, sets a cookie, or logs more than method, route, status and latency.
package web

import (
	"io/fs"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
	"sova/server/seal"
	"sova/server/store"
	"sova/server/studio"
)

// Config is everything the web layer is built from. main (via package app)
// fills it; nothing here reads flags or the environment.
type Config struct {
	Store *store.DB
	Keys  *seal.Ring
	// Studio has the languages and what translators made of them: the
	// member site is built from its Content.
	Studio *studio.Studio
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
	// only failures. Off by default: see accessLog.
	AccessLog bool
	// Office runs the staff's workflows; the console only parses and
	// renders around it.
	Office *domain.Office
	// PushKey is the VAPID public key phones subscribe with; PushHosts are
	// the push services a subscription may point at (domain.PushHosts
	// unless set).
	PushKey   string
	PushHosts []string
}

// Server serves Sova over HTTP.
type Server struct {
	cfg  Config
	echo *echo.Echo
	site atomic.Pointer[site]
	// rebuilding serialises Rebuild: two edits at once must not let the
	// older build be swapped in last.
	rebuilding sync.Mutex
	ingest     gate   // sync batches being judged
	newSubs    window // new push subscriptions this minute
	auth       *consoleAuth
}

// New builds the server and its site.
func New(cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PushHosts == nil {
		cfg.PushHosts = domain.PushHosts
	}
	if cfg.BusyAfter == 0 {
		cfg.BusyAfter = 10 * time.Second
	}
	s := &Server{cfg: cfg, ingest: make(gate, 4*runtime.GOMAXPROCS(0)), auth: newConsoleAuth(cfg.Now)}
	if err := s.Rebuild(); err != nil {
		return nil, err
	}
	s.echo = s.routes()
	return s, nil
}

// Rebuild remakes the site from the current content (after a survey is
// published, say) and swaps it in; phones then see a new version.
func (s *Server) Rebuild() error {
	s.rebuilding.Lock()
	defer s.rebuilding.Unlock()
	c, err := s.cfg.Studio.Content()
	if err != nil {
		return err
	}
	settings, err := s.cfg.Store.Settings()
	if err != nil {
		return err
	}
	services, err := s.cfg.Store.Services()
	if err != nil {
		return err
	}
	info, err := s.cfg.Store.InfoPages()
	if err != nil {
		return err
	}
	areas, err := s.cfg.Store.Areas()
	if err != nil {
		return err
	}
	warnings, err := s.cfg.Store.Warnings()
	if err != nil {
		return err
	}
	st, err := buildSite(&content{
		catalogs: c.Catalogs, surveys: c.Surveys, packs: c.Packs, settings: settings, services: services, info: info,
		areas: areas, warnings: liveWarnings(warnings, s.cfg.Now().UTC().Format(time.DateOnly)),
		icons: s.cfg.Icons, pwa: s.cfg.PWA, worker: s.cfg.Worker, salt: s.cfg.Salt, pushKey: s.cfg.PushKey,
	})
	if err != nil {
		return err
	}
	s.site.Store(st)
	return nil
}

// Handler is the whole site as an http.Handler.
func (s *Server) Handler() *echo.Echo { return s.echo }

// Version is the current app version, the service worker's cache name.
func (s *Server) Version() string { return s.site.Load().version }
