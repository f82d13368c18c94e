package console

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"sova/server/auth"
	"sova/server/domain"
	"sova/server/web/edge"
)

// Outreach is the field worker's page: set up this phone for collecting
// Surveys offline, with a site code from the organisation's list.
func (s *Console) Outreach(c echo.Context) error {
	sites, err := s.cfg.Store.Sites()
	if err != nil {
		return err
	}
	return edge.Render(c, http.StatusOK, outreachPage(s.consoleView(c), sites, s.cfg.Site.Langs(), nil))
}

// SetupDevice makes this phone's device token and hands it, once, to the
// app on this phone, which keeps it with the outbox. An admin can revoke it.
func (s *Console) SetupDevice(c echo.Context) error {
	sites, err := s.cfg.Store.Sites()
	if err != nil {
		return err
	}
	site, lang := c.FormValue("site"), c.FormValue("lang")
	token, hash := auth.NewToken()
	st := current(c).staff
	if err := s.cfg.Office.AddDevice(st, hash, site); err != nil {
		return err
	}
	setup, _ := json.Marshal(outreachSetup{Token: token, Worker: st.ID, Site: site, Lang: lang, Sites: sites})
	return edge.Render(c, http.StatusOK, outreachPage(s.consoleView(c), sites, s.cfg.Site.Langs(), setup))
}

// outreachSetup is what the app on the field worker's phone keeps.
type outreachSetup struct {
	Token  string        `json:"token"`
	Worker string        `json:"worker"`
	Site   string        `json:"site"`
	Lang   string        `json:"lang"`
	Sites  []domain.Site `json:"sites"`
}

func (s *Console) Devices(c echo.Context) error {
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
	return edge.Render(c, http.StatusOK, devicesPage(s.consoleView(c), devs, logins, sites))
}

// RevokeDevice stops a phone from syncing assisted answers.
func (s *Console) RevokeDevice(c echo.Context) error {
	if err := s.cfg.Office.RevokeDevice(by(c), c.Param("hash")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/devices")
}

// PutSite adds a site code to the list, or removes one.
func (s *Console) PutSite(c echo.Context) error {
	code := strings.ToLower(strings.TrimSpace(c.FormValue("code")))
	var err error
	if c.FormValue("remove") != "" {
		err = s.cfg.Office.DeleteSite(by(c), code)
	} else {
		err = s.cfg.Office.PutSite(by(c), domain.Site{Code: code, Name: strings.TrimSpace(c.FormValue("name"))})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/devices")
}
