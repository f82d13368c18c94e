package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
)

// maxDefinition bounds an uploaded survey file; the needs survey is ~40 KB.
const maxDefinition = 1 << 20

// surveyRow is one survey in the console's list, with every version.
type surveyRow struct {
	ID       string
	Versions []versionRow
}

type versionRow struct {
	Survey *domain.Survey
	State  domain.SurveyState
}

func (s *Server) surveyRows() []surveyRow {
	var rows []surveyRow
	for _, id := range s.cfg.Store.SurveyIDs() {
		if id == domain.WarnSurveyID {
			continue // Sova keeps it (warnings.go); reports are moderated, never shown raw
		}
		row := surveyRow{ID: id}
		for _, sv := range s.cfg.Store.Versions(id) {
			row.Versions = append(row.Versions, versionRow{Survey: sv, State: s.cfg.Store.StateOf(id, sv.Version)})
		}
		rows = append(rows, row)
	}
	return rows
}

func (s *Server) surveys(c echo.Context) error {
	return render(c, http.StatusOK, surveysPage(s.consoleView(c), s.surveyRows(), nil, ""))
}

// uploadSurvey takes a new survey or a new version as a draft. A bad file is
// refused with every problem listed in the page, by file and question.
func (s *Server) uploadSurvey(c echo.Context) error {
	fail := func(probs []domain.Problem, msg string) error {
		return render(c, http.StatusUnprocessableEntity, surveysPage(s.consoleView(c), s.surveyRows(), probs, msg))
	}
	fh, err := c.FormFile("definition")
	if err != nil {
		return fail(nil, "Choose a survey file (.json) to upload.")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxDefinition+1))
	if err != nil {
		return err
	}
	if len(data) > maxDefinition {
		return fail(nil, "That file is over 1 MB; a survey definition is much smaller. Is it the right file?")
	}
	sv, err := domain.ParseSurvey(fh.Filename, bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), s.site.Load().b)
	var de *domain.DefinitionError
	if errors.As(err, &de) {
		return fail(de.Problems, "")
	}
	if err != nil {
		return err
	}
	if err := s.cfg.Office.AddDraft(by(c), sv); err != nil {
		if msg, ok := formProblem(err); ok {
			return fail(nil, msg)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/surveys")
}

// setSurveyState publishes or retires a version, then rebuilds the member
// site so phones pick the change up with their next update.
func (s *Server) setSurveyState(state domain.SurveyState) echo.HandlerFunc {
	return func(c echo.Context) error {
		v, err := strconv.Atoi(c.Param("v"))
		if err != nil {
			return domain.Errorf(domain.CodeNotFound, "no such version")
		}
		if err := s.cfg.Office.SetSurveyState(by(c), c.Param("id"), v, state); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/staff/surveys")
	}
}

// previewSurvey renders a version, draft or not, exactly as members see it;
// its send button leads back here instead of sealing anything.
func (s *Server) previewSurvey(c echo.Context) error {
	v, err := strconv.Atoi(c.Param("v"))
	if err != nil {
		return domain.Errorf(domain.CodeNotFound, "no such version")
	}
	sv, err := s.cfg.Store.Version(c.Param("id"), v)
	if err != nil {
		return err
	}
	st := s.site.Load()
	if cat := st.catalog(c.Param("lang")); cat != nil && sv.HasLanguage(cat.Lang) {
		view := st.b.view(cat)
		view.preview = true
		return render(c, http.StatusOK, surveyPage(view, sv))
	}
	return domain.Errorf(domain.CodeNotFound, "survey %s v%d has no language %q", sv.ID, v, c.Param("lang"))
}

// HasIcon makes the site's icons the validator's list of known icons.
func (b *builder) HasIcon(name string) bool { _, ok := b.icon[name]; return ok }
