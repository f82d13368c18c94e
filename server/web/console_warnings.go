package web

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
)

// areasPage lists the organisation's areas, which members choose from when
// they warn others and filter warnings by.
func (s *Server) areasPage(c echo.Context) error { return s.renderAreas(c, http.StatusOK, "") }

func (s *Server) renderAreas(c echo.Context, status int, msg string) error {
	areas, err := s.cfg.Store.Areas()
	if err != nil {
		return err
	}
	return render(c, status, areasView(s.consoleView(c), areas, s.cfg.Studio.Languages(), msg))
}

// putArea adds or renames an area; the reporting form gets a new version.
func (s *Server) putArea(c echo.Context) error {
	a := domain.Area{Code: c.FormValue("code"), Names: map[string]string{}}
	for _, cat := range s.cfg.Studio.Languages() {
		a.Names[cat.Lang] = c.FormValue("name_" + cat.Lang)
	}
	if err := a.Check(); err != nil {
		var de *domain.Error
		if !errors.As(err, &de) {
			return err
		}
		return s.renderAreas(c, http.StatusUnprocessableEntity, de.Message)
	}
	if err := s.cfg.Store.PutArea(a); err != nil {
		return err
	}
	return s.areasChanged(c, "area saved", a.Code)
}

// deleteArea takes an area off the list. Warnings already made keep it.
func (s *Server) deleteArea(c echo.Context) error {
	if err := s.cfg.Store.DeleteArea(c.Param("code")); err != nil {
		return err
	}
	return s.areasChanged(c, "area removed", c.Param("code"))
}

func (s *Server) areasChanged(c echo.Context, action, code string) error {
	if err := s.audit(c, action, code); err != nil {
		return err
	}
	if err := s.ensureWarnSurvey(); err != nil {
		return err
	}
	if err := s.contentChanged(); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/areas")
}

// reports is the moderators' queue: every report waiting, then the recent
// decisions.
func (s *Server) reports(c echo.Context) error {
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
	return render(c, http.StatusOK, reportsView(s.consoleView(c), pending, decided, areas))
}

// decide publishes a report as a warning, with the public words as the
// moderator left them, or rejects it. Only what is approved reaches
// members, and never the private note.
func (s *Server) decide(approve bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		w, err := s.cfg.Store.Warning(c.Param("id"))
		if err != nil {
			return err
		}
		if w == nil {
			return domain.Errorf(domain.CodeNotFound, "there is no report %q", c.Param("id"))
		}
		today := s.cfg.Now().UTC()
		settings, err := s.cfg.Store.Settings()
		if err != nil {
			return err
		}
		w.By = current(c).staff.Login
		// Published just now, not again (a second tab, a double submit):
		// members hear of a warning once.
		news := approve && w.State != domain.ReportApproved
		action := "report rejected"
		if approve {
			public := strings.TrimSpace(c.FormValue("public"))
			if utf8.RuneCountInString(public) > domain.MaxTextAnswer {
				return domain.Errorf(domain.CodeInvalid, "the public words fit in %d characters", domain.MaxTextAnswer)
			}
			w.State, w.Public, action = domain.ReportApproved, public, "warning published"
			w.Expires = today.AddDate(0, 0, settings.WarningDays).Format(time.DateOnly)
		} else {
			w.State, w.Expires = domain.ReportRejected, ""
		}
		if err := s.cfg.Store.PutWarning(w); err != nil {
			return err
		}
		if err := s.audit(c, action, w.ID); err != nil {
			return err
		}
		// Its public words get Sova's voice, as the organisation's own.
		if err := s.contentChanged(); err != nil {
			return err
		}
		if news {
			s.notify(domain.Notice{Kind: domain.NoticeWarning, Area: w.Area})
		}
		return c.Redirect(http.StatusSeeOther, "/staff/reports")
	}
}

// areaName is an area's English name (or any) for the console.
func areaName(areas []domain.Area, code string) string {
	for _, a := range areas {
		if a.Code == code {
			return a.Name("en")
		}
	}
	return code
}
