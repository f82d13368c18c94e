package console

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sova/assets"
	"sova/server/domain"
	"sova/server/studio"
	"sova/server/web/edge"
	"sova/server/xlsform"
)

// maxDefinition bounds an uploaded survey file; the needs survey is ~40 KB
// as JSON and ~21 KB as XLSForm.
const maxDefinition = 1 << 20

// MaxSurveyUpload bounds an XLSForm zip with its recordings: a survey's
// phrases, a few seconds each, come to a few MB; the whole file is read into
// memory, so the bound stays well inside a small server's budget (B5).
const MaxSurveyUpload = 32 << 20

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
	return edge.Render(c, http.StatusOK, surveysPage(s.consoleView(c), s.surveyRows(), refusal{}))
}

// refusal is why an upload was not taken: a JSON file's problems by
// question, an XLSForm's by cell, or one message.
type refusal struct {
	Problems   []domain.Problem
	Cells      []xlsform.Problem
	Recordings []studio.Refusal // an XLSForm zip's recordings the studio refused
	Message    string
}

// UploadSurvey takes a new survey or a new version as a draft: a JSON
// definition, or an XLSForm. A bad file is refused with every problem
// listed in the page, by question or by cell.
func (s *Console) UploadSurvey(c echo.Context) error {
	v := s.consoleView(c)
	fail := func(r refusal) error {
		return edge.Render(c, http.StatusUnprocessableEntity, surveysPage(v, s.surveyRows(), r))
	}
	fh, err := c.FormFile("definition")
	if err != nil {
		return fail(refusal{Message: v.T("surveys.choose")})
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSurveyUpload+1))
	if err != nil {
		return err
	}
	if len(data) > MaxSurveyUpload {
		return fail(refusal{Message: v.Tf("surveys.toolarge.zip", "mb", v.Num(MaxSurveyUpload>>20))})
	}
	if len(data) > maxDefinition && !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return fail(refusal{Message: v.T("surveys.toolarge")})
	}
	sv, recs, err := s.readDefinition(fh.Filename, data)
	var de *domain.DefinitionError
	var xe *xlsform.Error
	var ve *studio.VoiceError
	switch {
	case errors.As(err, &de):
		return fail(refusal{Problems: de.Problems})
	case errors.As(err, &xe) && xe.Problems[0].Sheet == "":
		p := xe.Problems[0] // the whole file: no form in it to place a cell in
		return fail(refusal{Message: v.problem(p.Code, p.Args, p.Message)})
	case errors.As(err, &xe):
		return fail(refusal{Cells: xe.Problems})
	case err == nil:
		// Its recordings come in with the draft, or nothing does: the
		// studio checks and converts each one, for a draft the Office
		// takes.
		if len(recs) > 0 {
			err = s.cfg.Office.AddDraftWith(by(c), sv, s.cfg.Studio.DraftVoice(c.Request().Context(), current(c).staff, sv, recs))
		} else {
			err = s.cfg.Office.AddDraft(by(c), sv)
		}
		if errors.As(err, &ve) {
			return fail(refusal{Recordings: ve.Refused})
		}
		if domain.ErrorCode(err) == domain.CodeInvalid {
			return fail(refusal{Message: s.draftRefusal(v, sv, err)})
		}
	}
	if msg, ok := v.formProblem(err); ok {
		return fail(refusal{Message: msg})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/surveys")
}

// draftRefusal says why Office.AddDraft refused a well-formed survey, in
// the staffer's language. The domain's reasons are two, told apart by what
// is stored rather than by its English words; anything else shows as the
// domain wrote it.
func (s *Console) draftRefusal(v consoleView, sv *domain.Survey, err error) string {
	if sv.ID == domain.WarnSurveyID {
		return v.Tf("surveys.reserved", "id", sv.ID)
	}
	if _, e := s.cfg.Store.Version(sv.ID, sv.Version); e == nil {
		return v.Tf("surveys.exists", "version", v.Num(sv.Version), "id", sv.ID)
	}
	return v.Say(err)
}

// readDefinition reads an upload as what it is: a spreadsheet, or a zip (an
// .xlsx is one), is an XLSForm; anything else the JSON format.
// An XLSForm in a zip may bring its recordings (media::audio).
func (s *Console) readDefinition(name string, data []byte) (*domain.Survey, []studio.Recording, error) {
	ext := strings.ToLower(path.Ext(name))
	if ext != ".xlsx" && ext != ".xls" && ext != ".zip" && !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		sv, err := domain.ParseSurvey(name, bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), s.cfg.Site)
		return sv, nil, err
	}
	form, err := xlsform.Read(name, data, s.cfg.Site)
	if err != nil {
		return nil, nil, err
	}
	recs := make([]studio.Recording, len(form.Audio))
	for i, a := range form.Audio {
		recs[i] = studio.Recording(a)
	}
	return form.Survey, recs, nil
}

// problem is a survey's problem in this person's language
// (problem.<code>, its places filled from args), or english when the
// catalog does not say it. Numbers are written in her digits. An XLSForm
// reason about a group's condition names the question's row (forrow).
func (v consoleView) problem(code string, args map[string]string, english string) string {
	s, ok := v.filled("problem."+code, args, v.digits)
	if code == "" || !ok {
		return english
	}
	if row, ok := args["forrow"]; ok {
		s = v.Tf("problem.xlsform.forrow", "row", v.digits(row), "reason", s)
	}
	return s
}

// definitionProblem is a JSON definition's problem as its list says it:
// the file, the question, and why.
func (v consoleView) definitionProblem(p domain.Problem) string {
	where := p.File
	if p.Question != "" {
		where += ": " + v.Tf("surveys.problem.question", "question", p.Question)
	}
	return where + ": " + v.problem(p.Code, p.Args, p.Message)
}

// surveyState names a version's state (draft, published, retired).
func (v consoleView) surveyState(st domain.SurveyState) string {
	key := "surveys.state." + string(st)
	return v.T(key)
}

// ExportXLSForm sends a survey version as an XLSForm: to edit in a
// spreadsheet and upload again as a new version, or to use in ODK. It names
// no recordings, so that it may be uploaded alone: their voice stays in the
// studio, where it is the new version's too while its words are the same.
func (s *Console) ExportXLSForm(c echo.Context) error {
	sv, err := s.version(c)
	if err != nil {
		return err
	}
	if err := s.audit(c, "survey exported as XLSForm", sv.ID+" v"+strconv.Itoa(sv.Version)); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := xlsform.Write(&buf, sv, s.formOptions()); err != nil {
		return err
	}
	return sendXLSX(c, sv.ID+"-v"+strconv.Itoa(sv.Version)+".xlsx", buf.Bytes())
}

// ExportXLSFormZip sends a survey version as an XLSForm in a zip with the
// recordings of its words, which its media::audio columns name: to upload
// as it is, to another Sova say, or to give ODK and Kobo its voice too.
func (s *Console) ExportXLSFormZip(c echo.Context) error {
	sv, err := s.version(c)
	if err != nil {
		return err
	}
	voices, err := s.cfg.Store.SurveyVoice(sv)
	if err != nil {
		return err
	}
	if err := s.audit(c, "survey exported as XLSForm", sv.ID+" v"+strconv.Itoa(sv.Version)+" (zip)"); err != nil {
		return err
	}
	recs := make([]xlsform.Recording, len(voices))
	for i, v := range voices {
		recs[i] = xlsform.Recording{Lang: v.Lang, Key: v.Key, Ext: path.Ext(v.File.File), Read: func() ([]byte, error) { return s.cfg.Store.PhraseVoiceData(v) }}
	}
	h := c.Response().Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="`+sv.ID+"-v"+strconv.Itoa(sv.Version)+`.zip"`)
	h.Set("Cache-Control", "no-store")
	return xlsform.WriteZip(c.Response(), sv, s.formOptions(), recs)
}

// formOptions is what a written form says besides the survey: each
// language's name in the headers and its words for yes and no, and Sova's
// icons.
func (s *Console) formOptions() xlsform.Options {
	langs := map[string]xlsform.Language{}
	for _, cat := range s.cfg.Studio.Languages() {
		langs[cat.Lang] = xlsform.Language{Name: cat.Name, Yes: cat.T("answer.yes"), No: cat.T("answer.no")}
	}
	return xlsform.Options{Langs: langs, Icons: s.iconNames()}
}

// SurveyTemplate sends an example XLSForm with every column Sova reads and
// the names of its icons.
func (s *Console) SurveyTemplate(c echo.Context) error {
	var buf bytes.Buffer
	if err := xlsform.Template(&buf, s.iconNames()); err != nil {
		return err
	}
	return sendXLSX(c, "sova-survey-template.xlsx", buf.Bytes())
}

// iconNames are the icons a survey may name.
func (s *Console) iconNames() []string {
	files, _ := fs.Glob(assets.Icons, "*.svg")
	var names []string
	for _, f := range files {
		if n := strings.TrimSuffix(f, ".svg"); s.cfg.Site.HasIcon(n) {
			names = append(names, n)
		}
	}
	return names
}

func sendXLSX(c echo.Context, name string, data []byte) error {
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data)
}

// SetSurveyState publishes or retires a version, then rebuilds the member
// site so phones pick the change up with their next update.
func (s *Console) SetSurveyState(state domain.SurveyState) echo.HandlerFunc {
	return func(c echo.Context) error {
		v, err := strconv.Atoi(c.Param("v"))
		if err != nil {
			return domain.Refuse(domain.CodeNotFound, "survey.version", "no such version")
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
	sv, err := s.version(c)
	if err != nil {
		return err
	}
	return s.cfg.Site.Preview(c, c.Param("lang"), sv)
}

// version is the survey version the URL names.
func (s *Console) version(c echo.Context) (*domain.Survey, error) {
	v, err := strconv.Atoi(c.Param("v"))
	if err != nil {
		return nil, domain.Refuse(domain.CodeNotFound, "survey.version", "no such version")
	}
	return s.cfg.Store.Version(c.Param("id"), v)
}
