package console

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
	"sova/server/web/edge"
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

func (s *Console) surveyRows() []surveyRow {
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

func (s *Console) Surveys(c echo.Context) error {
	return edge.Render(c, http.StatusOK, surveysPage(s.consoleView(c), s.surveyRows(), nil, ""))
}

// UploadSurvey takes a new survey or a new version as a draft. A bad file is
// refused with every problem listed in the page, by file and question.
func (s *Console) UploadSurvey(c echo.Context) error {
	fail := func(probs []domain.Problem, msg string) error {
		return edge.Render(c, http.StatusUnprocessableEntity, surveysPage(s.consoleView(c), s.surveyRows(), probs, msg))
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
	sv, err := domain.ParseSurvey(fh.Filename, bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), s.cfg.Site)
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

// SetSurveyState publishes or retires a version, then rebuilds the member
// site so phones pick the change up with their next update.
func (s *Console) SetSurveyState(state domain.SurveyState) echo.HandlerFunc {
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

// PreviewSurvey renders a version, draft or not, exactly as members see it;
// its send button leads back here instead of sealing anything.
func (s *Console) PreviewSurvey(c echo.Context) error {
	v, err := strconv.Atoi(c.Param("v"))
	if err != nil {
		return domain.Errorf(domain.CodeNotFound, "no such version")
	}
	sv, err := s.cfg.Store.Version(c.Param("id"), v)
	if err != nil {
		return err
	}
	return s.cfg.Site.Preview(c, c.Param("lang"), sv)
}
