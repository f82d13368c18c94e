package web

import (
	"cmp"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
)

// settingsPage shows the organisation's settings for the member app.
func (s *Server) settingsPage(c echo.Context) error {
	st, err := s.cfg.Store.Settings()
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, settingsView(s.consoleView(c), st, "", c.QueryParam("saved") != ""))
}

// saveSettings stores the settings and rebuilds the member app with them.
func (s *Server) saveSettings(c echo.Context) error {
	days, _ := strconv.Atoi(c.FormValue("warning_days")) // not a number: 0, the default
	st := domain.Settings{ExitURL: c.FormValue("exit_url"), Disguise: c.FormValue("disguise"), WarningDays: days}
	if err := st.Check(); err != nil {
		var de *domain.Error
		errors.As(err, &de)
		return render(c, http.StatusUnprocessableEntity, settingsView(s.consoleView(c), st, de.Message, false))
	}
	if err := s.cfg.Store.PutSettings(st); err != nil {
		return err
	}
	if err := s.audit(c, "settings changed", "quick exit: "+st.ExitURL+"; disguise: "+cmp.Or(st.Disguise, "none")+"; warnings show "+strconv.Itoa(st.WarningDays)+" days"); err != nil {
		return err
	}
	if err := s.Rebuild(); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/settings?saved=1")
}

// disguiseName is a disguise's name as the console shows it.
func disguiseName(d string) string { return strings.ToUpper(d[:1]) + d[1:] }
