// Package console is the staff console under /staff/: accounts and
// sessions, surveys and their results, outreach devices, the voice studio,
// settings, the directory, information pages, areas and moderation. One file
// per feature holds its handlers, and its .templ file its pages. Pages are
// server-rendered and work without JavaScript. Handlers parse a request,
// make one call on domain.Office (or the studio) and render.
package console

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"sova/server/auth"
	"sova/server/domain"
	"sova/server/store"
	"sova/server/studio"
	"sova/server/web/edge"
	"sova/server/web/member"
)

// The console is for staff only, under /staff/. Its pages are server-rendered
// and work without JavaScript. Its cookie is the only cookie Sova ever sets,
// and only on /staff/ pages; members never get one.
const (
	sessionCookie = "__Host-sova-staff" // __Host-: Secure, Path=/, no Domain
	sessionIdle   = 30 * time.Minute
	sessionMax    = 12 * time.Hour
	// touchEvery bounds session writes: LastSeen moves at most this often.
	touchEvery = time.Minute
)

// Config is what the console works with.
type Config struct {
	// Store is read for pages; every change goes through Office.
	Store  *store.DB
	Office *domain.Office
	Studio *studio.Studio
	// Site is the member site: its languages, icons and scripts, and
	// survey previews.
	Site *member.Site
	Now  func() time.Time
	// TrustedProxies are the reverse proxies whose X-Forwarded-For the
	// login limiter believes; none by default.
	TrustedProxies []netip.Prefix
	// Backups is the backup job, nil when backups are off.
	Backups Backups
	// Certificate is the domain's HTTPS certificate, nil when Sova serves
	// no domain itself (it is behind a proxy, or on localhost).
	Certificate Certificate
}

// Console serves the staff console.
type Console struct {
	cfg   Config
	auth  *consoleAuth
	words langs
}

// New makes the console.
func New(cfg Config) (*Console, error) {
	words, err := loadLangs()
	if err != nil {
		return nil, err
	}
	return &Console{cfg: cfg, auth: newConsoleAuth(cfg.Now), words: words}, nil
}

// consoleAuth holds the console's guards, made once per server.
type consoleAuth struct {
	hasher *auth.Hasher
	// Two limits on login attempts: per account, and per direct peer
	// address (never a forwarded-for header, which anyone can write).
	perAccount *auth.Limiter
	perPeer    *auth.Limiter
}

func newConsoleAuth(now func() time.Time) *consoleAuth {
	return &consoleAuth{
		hasher:     auth.NewHasher(2),
		perAccount: auth.NewLimiter(5, 15*time.Minute, now),
		perPeer:    auth.NewLimiter(20, 15*time.Minute, now),
	}
}

// staffCtx is what a console handler knows about who is asking.
type staffCtx struct {
	staff     *domain.Staff
	session   *domain.Session
	tokenHash string
}

func current(c echo.Context) *staffCtx {
	sc, _ := c.Get("staff").(*staffCtx)
	return sc
}

// RequireRole admits a signed-in staff member who holds role (any role if
// role is ""), checks the CSRF token of every form post, and keeps the
// session alive within its idle and absolute limits. A post's body is
// bounded at maxForm, and read only once the session and role are known
// good: nobody signed out makes the server read a byte of it.
func (s *Console) RequireRole(role domain.Role) echo.MiddlewareFunc {
	return s.RequireUpload(role, maxForm)
}

// maxForm bounds a console form: the largest is a survey definition's.
const maxForm = maxDefinition + 64<<10

// RequireUpload is RequireRole for a route that takes files of up to max
// bytes.
func (s *Console) RequireUpload(role domain.Role, max int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			sc, err := s.session(c)
			if err != nil {
				return err
			}
			if sc == nil {
				return c.Redirect(http.StatusSeeOther, "/staff/login")
			}
			// Known before her role is checked, so that a refusal speaks
			// her language; the handler runs only once both checks pass.
			c.Set("staff", sc)
			if role != "" && !sc.staff.Has(role) {
				return domain.Refuse(domain.CodeForbidden, "role", "this page needs the %s role", "role", role)
			}
			if c.Request().Method == http.MethodPost {
				if err := edge.Bound(c, max); err != nil {
					return err
				}
				if !validCSRF(c, sc.session.CSRF) {
					return domain.Refuse(domain.CodeForbidden, "csrf", "the form has expired or came from elsewhere; go back, reload and try again")
				}
			}
			return next(c)
		}
	}
}

// session returns the caller's live session, or nil.
func (s *Console) session(c echo.Context) (*staffCtx, error) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	hash := auth.TokenHash(ck.Value)
	sess, err := s.cfg.Store.Session(hash)
	if err != nil || sess == nil {
		return nil, err
	}
	now := s.cfg.Now()
	if now.Sub(sess.LastSeen) > sessionIdle || now.Sub(sess.Created) > sessionMax {
		return nil, s.cfg.Store.DeleteSession(hash)
	}
	st, err := s.cfg.Store.Staff(sess.StaffID)
	if err != nil || st == nil || st.Disabled {
		return nil, err
	}
	if now.Sub(sess.LastSeen) > touchEvery {
		sess.LastSeen = now
		// On a full disk the session is not touched, and pages still read.
		if err := s.cfg.Store.PutSession(hash, sess, sess.Created.Add(sessionMax).Sub(now)); err != nil && !errors.Is(err, domain.ErrDiskFull) {
			return nil, err
		}
	}
	return &staffCtx{staff: st, session: sess, tokenHash: hash}, nil
}

// validCSRF checks the form's token against the session's, and refuses a
// post that says it comes from another site.
func validCSRF(c echo.Context, want string) bool {
	if !edge.SameOrigin(c.Request()) {
		return false
	}
	got := c.FormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// startSession signs st in with a brand-new session id (never reusing one
// that existed before login) and sets the cookie.
func (s *Console) startSession(c echo.Context, st *domain.Staff) error {
	if old, err := c.Cookie(sessionCookie); err == nil && old.Value != "" {
		_ = s.cfg.Store.DeleteSession(auth.TokenHash(old.Value))
	}
	token, hash := auth.NewToken()
	csrf, _ := auth.NewToken()
	now := s.cfg.Now()
	if err := s.cfg.Store.PutSession(hash, &domain.Session{StaffID: st.ID, CSRF: csrf, Created: now, LastSeen: now}, sessionMax); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", MaxAge: int(sessionMax / time.Second),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
	return nil
}

func clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// peer is the address a login attempt came from, for the login limiter
// only: held in memory by the limiter, never stored or logged. It is the
// direct peer's, unless that is a trusted proxy: then the nearest address
// in X-Forwarded-For that is not one (the right-most entries are the ones
// our own proxies wrote; what lies left of them the client may have made
// up).
func (s *Console) peer(r *http.Request) string {
	ip, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	addr := ip.Addr().Unmap()
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0 && s.trusted(addr); i-- {
		next, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a proxy we trust wrote nothing we can read: stay with it
		}
		addr = next.Unmap()
	}
	return addr.String()
}

func (s *Console) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// audit records a staff action that changes nothing kept (an export); a
// failure to audit fails the action. Changes are audited by the domain.
func (s *Console) audit(c echo.Context, action, target string) error {
	return s.cfg.Office.Record(by(c), action, target)
}

// by is the signed-in staff member's login, as the audit log names her.
func by(c echo.Context) string { return current(c).staff.Login }
