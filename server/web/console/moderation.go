package console

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
	"sova/server/web/edge"
)

// AreasPage lists the organisation's areas, which members choose from when
// they warn others and filter warnings by.
func (s *Console) AreasPage(c echo.Context) error { return s.renderAreas(c, http.StatusOK, "") }

func (s *Console) renderAreas(c echo.Context, status int, msg string) error {
	areas, err := s.cfg.Store.Areas()
	if err != nil {
		return err
	}
	return edge.Render(c, status, areasView(s.consoleView(c), areas, s.cfg.Studio.Languages(), msg))
}

// PutArea adds or renames an area; the reporting form gets a new version.
func (s *Console) PutArea(c echo.Context) error {
	a := domain.Area{Code: c.FormValue("code"), Names: map[string]string{}}
	for _, cat := range s.cfg.Studio.Languages() {
		a.Names[cat.Lang] = c.FormValue("name_" + cat.Lang)
	}
	if err := s.cfg.Office.PutArea(by(c), a); err != nil {
		if msg, ok := s.consoleView(c).formProblem(err); ok {
			return s.renderAreas(c, http.StatusUnprocessableEntity, msg)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/areas")
}

// DeleteArea takes an area off the list. Warnings already made keep it.
func (s *Console) DeleteArea(c echo.Context) error {
	if err := s.cfg.Office.DeleteArea(by(c), c.Param("code")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/areas")
}

// Reports is the moderators' queue: every report waiting, then the recent
// decisions.
func (s *Console) Reports(c echo.Context) error {
	all, err := s.cfg.Store.Warnings()
	if err != nil {
		return err
	}
	areas, err := s.cfg.Store.Areas()
	if err != nil {
		return err
	}
	var pending, decided []*domain.Warning
	for _, w := range all {
		if w.State == domain.ReportPending {
			pending = append(pending, w)
		} else if len(decided) < 50 {
			decided = append(decided, w)
		}
	}
	return edge.Render(c, http.StatusOK, reportsView(s.consoleView(c), pending, decided, areas))
}

// Decide publishes a report as a warning or rejects it.
func (s *Console) Decide(approve bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, err := c.FormParams()
		if err != nil {
			return err
		}
		// "confirm" is ticked once per identifier the moderator publishes.
		if err := s.cfg.Office.Decide(by(c), c.Param("id"), approve, form.Get("public"), form["confirm"]); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/staff/reports")
	}
}

// areaName is an area's name in this person's language, else in English,
// else in any language the area has, else its code.
func (v consoleView) areaName(areas []domain.Area, code string) string {
	for _, a := range areas {
		if a.Code == code {
			if n := a.Names[v.Lang()]; n != "" {
				return n
			}
			return a.Name("en")
		}
	}
	return code
}

// reportKind, reportWhen and reportState say a report's codes as words;
// a code the catalogs lack (a newer app's) shows as it is.
func (v consoleView) reportKind(kind string) string   { return v.word("reports.kind.", kind) }
func (v consoleView) reportWhen(when string) string   { return v.word("reports.when.", when) }
func (v consoleView) reportState(state string) string { return v.word("reports.state.", state) }

// word is the catalog's word for code under prefix, or code itself.
func (v consoleView) word(prefix, code string) string {
	if s := v.T(prefix + code); s != prefix+code {
		return s
	}
	return code
}
