package console

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"sova/server/auth"
	"sova/server/domain"
	"sova/server/web/edge"
)

// wrongLogin is the one answer to a failed login: it never says whether the
// account exists.
const wrongLogin = "login.wrong"

// maxLoginForm bounds the login and invite forms: a name, a password (twice)
// and a token are a few hundred bytes.
const maxLoginForm = 8 << 10

func (s *Console) LoginPage(c echo.Context) error {
	return edge.Render(c, http.StatusOK, loginPage(s.consoleView(c), ""))
}

func (s *Console) Login(c echo.Context) error {
	r := c.Request()
	if !edge.SameOrigin(r) {
		return domain.Refuse(domain.CodeForbidden, "csrf", "the form came from elsewhere")
	}
	// The address is counted before a byte of the body is read, so that an
	// attempt refused costs nothing; the body is then bounded, and what
	// cannot be a login name is never counted nor looked up.
	tooMany := func() error {
		return edge.Render(c, http.StatusTooManyRequests, loginPage(s.consoleView(c), "login.toomany"))
	}
	if !s.auth.perPeer.Allow(s.peer(r)) {
		return tooMany()
	}
	if err := edge.Bound(c, maxLoginForm); err != nil {
		return err
	}
	name := strings.ToLower(strings.TrimSpace(c.FormValue("login"))) // phone keyboards capitalise
	if !loginPattern.MatchString(name) {
		return edge.Render(c, http.StatusUnauthorized, loginPage(s.consoleView(c), wrongLogin))
	}
	if !s.auth.perAccount.Allow(name) {
		return tooMany()
	}
	st, err := s.cfg.Store.StaffByLogin(name)
	if err != nil {
		return err
	}
	hash := ""
	if st != nil && !st.Disabled {
		hash = st.Password
	}
	ok, err := s.auth.hasher.Check(r.Context(), hash, c.FormValue("password"))
	if err != nil {
		return err
	}
	if !ok {
		return edge.Render(c, http.StatusUnauthorized, loginPage(s.consoleView(c), wrongLogin))
	}
	s.auth.perAccount.Reset(name)
	if err := s.startSession(c, st); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/")
}

func (s *Console) Logout(c echo.Context) error {
	if err := s.cfg.Store.DeleteSession(current(c).tokenHash); err != nil {
		return err
	}
	clearSessionCookie(c)
	return c.Redirect(http.StatusSeeOther, "/staff/login")
}

var loginPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,31}$`)

func (s *Console) InvitePage(c echo.Context) error {
	inv, err := s.cfg.Office.LiveInvite(auth.TokenHash(c.Param("token")))
	if err != nil {
		return err
	}
	if inv == nil {
		return s.inviteExpired(c)
	}
	s.speakInvites(c, inv)
	return edge.Render(c, http.StatusOK, invitePage(s.consoleView(c), inv, ""))
}

// AcceptInvite makes the account an invite (or the first start's setup link)
// allows, and signs its owner in.
func (s *Console) AcceptInvite(c echo.Context) error {
	r := c.Request()
	if !edge.SameOrigin(r) {
		return domain.Refuse(domain.CodeForbidden, "csrf", "the form came from elsewhere")
	}
	hash := auth.TokenHash(c.Param("token"))
	inv, err := s.cfg.Office.LiveInvite(hash)
	if err != nil {
		return err
	}
	if inv == nil {
		return s.inviteExpired(c)
	}
	s.speakInvites(c, inv)
	if err := edge.Bound(c, maxLoginForm); err != nil {
		return err
	}
	name := strings.ToLower(strings.TrimSpace(c.FormValue("login")))
	pw := c.FormValue("password")
	var problem string
	switch {
	case !loginPattern.MatchString(name):
		problem = "invite.bad.login"
	case len([]rune(pw)) < auth.MinPassword:
		problem = "invite.bad.password"
	case pw != c.FormValue("repeat"):
		problem = "invite.bad.repeat"
	}
	if problem != "" {
		return edge.Render(c, http.StatusUnprocessableEntity, invitePage(s.consoleView(c), inv, problem))
	}
	pwHash, err := s.auth.hasher.Hash(r.Context(), pw)
	if err != nil {
		return err
	}
	st := &domain.Staff{ID: uuid.NewString(), Login: name, Password: pwHash}
	switch err := s.cfg.Office.AcceptInvite(hash, inv, st); err {
	case nil:
	case domain.ErrLoginTaken:
		return edge.Render(c, http.StatusUnprocessableEntity, invitePage(s.consoleView(c), inv, "invite.taken"))
	case domain.ErrNoInvite:
		return s.inviteExpired(c)
	default:
		return err
	}
	if err := s.startSession(c, st); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/")
}

// speakInvites makes the invite's pages speak the language the admin chose
// for the new account, if she chose one.
func (s *Console) speakInvites(c echo.Context, inv *domain.Invite) {
	if cat := s.words.byCode[inv.Lang]; cat != nil {
		c.Set(pageLang, cat)
	}
}

func (s *Console) inviteExpired(c echo.Context) error {
	v := s.consoleView(c)
	return edge.Render(c, http.StatusGone, messagePage(v, v.T("invite.expired.title"), v.T("invite.expired")))
}

// NewSetupLink makes the first admin's one-time link path, valid for an hour.
func (s *Console) NewSetupLink() (string, error) {
	token, hash := auth.NewToken()
	return "/staff/invite/" + token, s.cfg.Office.Invite("", []domain.Role{domain.RoleAdmin}, "", hash)
}
