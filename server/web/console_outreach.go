package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"sova/server/auth"
	"sova/server/domain"
)

// outreach is the field worker's page: set up this phone for collecting
// surveys offline, with a site code from the organisation's list.
func (s *Server) outreach(c echo.Context) error {
	sites, err := s.cfg.Store.Sites()
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, outreachPage(s.consoleView(c), sites, s.site.Load().langs, nil))
}

// setupDevice makes this phone's device token and hands it, once, to the
// app on this phone, which keeps it with the outbox. An admin can revoke it.
func (s *Server) setupDevice(c echo.Context) error {
	sites, err := s.cfg.Store.Sites()
	if err != nil {
		return err
	}
	site, lang := c.FormValue("site"), c.FormValue("lang")
	if !s.cfg.Store.HasSite(site) {
		return domain.Errorf(domain.CodeInvalid, "choose a site from the list")
	}
	token, hash := auth.NewToken()
	st := current(c).staff
	if err := s.cfg.Store.PutDevice(hash, &domain.Device{StaffID: st.ID, Created: s.cfg.Now().UTC()}); err != nil {
		return err
	}
	if err := s.audit(c, "device set up", site); err != nil {
		return err
	}
	setup, _ := json.Marshal(outreachSetup{Token: token, Worker: st.ID, Site: site, Lang: lang, Sites: sites})
	return render(c, http.StatusOK, outreachPage(s.consoleView(c), sites, s.site.Load().langs, setup))
}

// outreachSetup is what the app on the field worker's phone keeps.
type outreachSetup struct {
	Token  string        `json:"token"`
	Worker string        `json:"worker"`
	Site   string        `json:"site"`
	Lang   string        `json:"lang"`
	Sites  []domain.Site `json:"sites"`
}

func (s *Server) devices(c echo.Context) error {
	devs, err := s.cfg.Store.Devices()
	if err != nil {
		return err
	}
	logins := map[string]string{}
	all, err := s.cfg.Store.AllStaff()
	if err != nil {
		return err
	}
	for _, st := range all {
		logins[st.ID] = st.Login
	}
	sites, err := s.cfg.Store.Sites()
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, devicesPage(s.consoleView(c), devs, logins, sites))
}

// revokeDevice stops a phone from syncing assisted answers (a lost phone,
// a worker who left). What it already synced stays.
func (s *Server) revokeDevice(c echo.Context) error {
	hash := c.Param("hash")
	d, err := s.cfg.Store.Device(hash)
	if err != nil {
		return err
	}
	if d == nil {
		return domain.Errorf(domain.CodeNotFound, "no such device")
	}
	d.Revoked = true
	if err := s.cfg.Store.PutDevice(hash, d); err != nil {
		return err
	}
	if err := s.audit(c, "device revoked", hash[:10]); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/devices")
}

// putSite adds a site code to the list, or removes one.
func (s *Server) putSite(c echo.Context) error {
	code := strings.ToLower(strings.TrimSpace(c.FormValue("code")))
	if c.FormValue("remove") != "" {
		if err := s.cfg.Store.DeleteSite(code); err != nil {
			return err
		}
		if err := s.audit(c, "site removed", code); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/staff/devices")
	}
	if !domain.ValidSiteCode(code) {
		return domain.Errorf(domain.CodeInvalid, "a site code is 1–24 lower-case letters, digits or '-', such as \"north-1\"; it must not name a person or an exact address")
	}
	if err := s.cfg.Store.PutSite(domain.Site{Code: code, Name: strings.TrimSpace(c.FormValue("name"))}); err != nil {
		return err
	}
	if err := s.audit(c, "site added", code); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/devices")
}
