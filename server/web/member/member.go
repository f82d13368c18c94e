// Package member is the member app as the server makes it: every page of
// every language pre-rendered, the service worker and manifests, scripts,
// icons and voice, each under a content-hashed URL, rebuilt whole when
// content changes and swapped in at once (site.go). Members are anonymous:
// nothing here reads their address, User-Agent or Referer, or sets a cookie.
package member

import (
	"io/fs"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"sova/i18n"
	"sova/server/domain"
	"sova/server/screening"
	"sova/server/studio"
	"sova/server/web/edge"
)

// Store is where the organisation's own content is read from, in one
// consistent read.
type Store interface {
	SiteContent() (*domain.SiteContent, error)
	// ScreeningParams are the organisation's for the check's list.
	ScreeningParams() (screening.Params, error)
}

// Config is what the member site is built from.
type Config struct {
	Store Store
	// Studio has the languages and what translators made of them.
	Studio *studio.Studio
	Icons  fs.FS
	PWA    fs.FS
	Worker []byte
	// Salt changes the app's version without changing its content, to push
	// an update to every phone.
	Salt string
	// PushKey is the VAPID public key the notifications page subscribes with.
	PushKey string
	Now     func() time.Time
}

// Site is the live member site.
type Site struct {
	cfg  Config
	live atomic.Pointer[site]
	// rebuilding serialises Rebuild: two edits at once must not let the
	// older build be swapped in last.
	rebuilding sync.Mutex
}

// New builds the site.
func New(cfg Config) (*Site, error) {
	s := &Site{cfg: cfg}
	return s, s.Rebuild()
}

// Rebuild remakes the site from the current content (after a survey is
// published, say) and swaps it in; phones then see a new version.
func (s *Site) Rebuild() error {
	s.rebuilding.Lock()
	defer s.rebuilding.Unlock()
	c, err := s.cfg.Studio.Content()
	if err != nil {
		return err
	}
	org, err := s.cfg.Store.SiteContent()
	if err != nil {
		return err
	}
	st, err := buildSite(&content{
		catalogs: c.Catalogs, surveys: c.Surveys, packs: c.Packs, settings: org.Settings, services: org.Services,
		info: org.InfoPages, areas: org.Areas, warnings: liveWarnings(org.Warnings, s.cfg.Now().UTC().Format(time.DateOnly)),
		icons: s.cfg.Icons, pwa: s.cfg.PWA, worker: s.cfg.Worker, salt: s.cfg.Salt, pushKey: s.cfg.PushKey,
		params: s.cfg.Store.ScreeningParams,
	})
	if err != nil {
		return err
	}
	s.live.Store(st)
	return nil
}

// Version is the current app version, the service worker's cache name.
func (s *Site) Version() string { return s.live.Load().version }

// CSP is the live site's Content-Security-Policy.
func (s *Site) CSP() string { return s.live.Load().csp }

// Langs are the site's languages.
func (s *Site) Langs() []*i18n.Catalog { return s.live.Load().langs }

// LangCodes lists the site's languages by code.
func (s *Site) LangCodes() []string { return s.live.Load().langCodes() }

// HasIcon makes the site's icons the survey validator's list of known icons
// (domain.Assets).
func (s *Site) HasIcon(name string) bool { _, ok := s.live.Load().b.icon[name]; return ok }

// Icon is an icon's URL in the live site, or "".
func (s *Site) Icon(name string) string { return s.live.Load().b.icon[name] }

// Script is the URL of one of the app's files under /pwa/<hash>/, such as
// "css/console.css" or "js/studio.js".
func (s *Site) Script(name string) string { return s.live.Load().b.pwaURL + name }

// Preview renders a survey version, draft or not, exactly as members see it;
// its send button leads back instead of sealing anything.
func (s *Site) Preview(c echo.Context, lang string, sv *domain.Survey) error {
	st := s.live.Load()
	if cat := st.catalog(lang); cat != nil && sv.HasLanguage(cat.Lang) {
		view := st.b.view(cat)
		view.preview = true
		return edge.Render(c, http.StatusOK, surveyPage(view, sv))
	}
	return domain.Errorf(domain.CodeNotFound, "survey %s v%d has no language %q", sv.ID, sv.Version, lang)
}

// Voice is lang's phrases with voice in the live site, key → URL.
func (s *Site) Voice(lang string) map[string]string { return s.live.Load().b.voice[lang] }
