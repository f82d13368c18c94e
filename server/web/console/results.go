package console

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
	"sova/server/stats"
	"sova/server/store"
	"sova/server/web/edge"
)

// ResultsIndex lists every survey version that members can answer.
func (s *Console) ResultsIndex(c echo.Context) error {
	return edge.Render(c, http.StatusOK, resultsIndexPage(s.consoleView(c), s.surveyRows()))
}

// versionRows loads the stored responses to one survey version.
func (s *Console) versionRows(c echo.Context) (*domain.Survey, []stats.Row, error) {
	v, err := strconv.Atoi(c.Param("v"))
	if err != nil {
		return nil, nil, domain.Errorf(domain.CodeNotFound, "no such version")
	}
	if c.Param("id") == domain.WarnSurveyID {
		return nil, nil, domain.Errorf(domain.CodeNotFound, "reports are read by moderators at /staff/reports, never shown or exported raw")
	}
	sv, err := s.cfg.Store.Version(c.Param("id"), v)
	if err != nil {
		return nil, nil, err
	}
	var rows []stats.Row
	err = s.cfg.Store.EachResponse(func(_ string, r *store.Response) error {
		if r.Survey == sv.ID && r.Version == sv.Version {
			rows = append(rows, stats.Row{Day: r.Day, Lang: r.Lang, Answers: r.Answers})
		}
		return nil
	})
	return sv, rows, err
}

func filterOf(c echo.Context) (stats.Filter, error) {
	f := stats.Filter{Lang: c.QueryParam("lang"), From: c.QueryParam("from"), To: c.QueryParam("to")}
	if err := f.Validate(); err != nil {
		return f, domain.Errorf(domain.CodeInvalid, "%s", err.Error())
	}
	return f, nil
}

// resultsView computes the asked-for view of one version's answers. Every
// figure goes through stats, which hides counts from 1 to 10 in this and
// every other view.
func (s *Console) resultsView(c echo.Context) (*domain.Survey, *stats.Results, *stats.Table, error) {
	sv, rows, err := s.versionRows(c)
	if err != nil {
		return nil, nil, nil, err
	}
	f, err := filterOf(c)
	if err != nil {
		return nil, nil, nil, err
	}
	res := stats.Compute(sv, rows)
	return sv, res, res.View(f), nil
}

// Results shows the view as charts.
func (s *Console) Results(c echo.Context) error {
	sv, res, t, err := s.resultsView(c)
	if err != nil {
		return err
	}
	return edge.Render(c, http.StatusOK, resultsPage(s.consoleView(c), sv, res, t))
}

// ResultsJSON is the same view as JSON, under the same suppression.
func (s *Console) ResultsJSON(c echo.Context) error {
	_, _, t, err := s.resultsView(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, t)
}

// exportRow is one raw response as exported: nothing that links rows to a
// device or to each other (no id, no time, rows in random id order).
type exportRow struct {
	Day     string         `json:"day"`
	Version int            `json:"version"`
	Lang    string         `json:"lang"`
	Answers domain.Answers `json:"answers"`
}

// Export gives admins the raw rows, as CSV or JSON, and audits it.
func (s *Console) Export(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		sv, rows, err := s.versionRows(c)
		if err != nil {
			return err
		}
		if err := s.audit(c, "export "+format, fmt.Sprintf("%s v%d (%d rows)", sv.ID, sv.Version, len(rows))); err != nil {
			return err
		}
		// Rows come in id order, which is random: it says nothing about
		// when they arrived. Sort by day so the file reads naturally.
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Day < rows[j].Day })
		name := fmt.Sprintf("%s-v%d.%s", sv.ID, sv.Version, format)
		h := c.Response().Header()
		h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
		h.Set("Cache-Control", "no-store")
		if format == "json" {
			out := make([]exportRow, len(rows))
			for i, r := range rows {
				out[i] = exportRow{Day: r.Day, Version: sv.Version, Lang: r.Lang, Answers: r.Answers}
			}
			return c.JSON(http.StatusOK, out)
		}
		h.Set("Content-Type", "text/csv; charset=utf-8")
		c.Response().WriteHeader(http.StatusOK)
		w := csv.NewWriter(c.Response())
		head := []string{"day", "version", "lang"}
		for _, q := range sv.Questions {
			head = append(head, q.ID)
		}
		w.Write(head)
		for _, r := range rows {
			rec := []string{r.Day, strconv.Itoa(sv.Version), r.Lang}
			for _, q := range sv.Questions {
				rec = append(rec, csvValue(r.Answers, q.ID))
			}
			w.Write(rec)
		}
		w.Flush()
		return w.Error()
	}
}

// csvValue writes one answer: empty when absent (skipped or not shown),
// "null" for "prefer not to say", choice values joined by ";".
func csvValue(a domain.Answers, id string) string {
	v, ok := a[id]
	switch {
	case !ok:
		return ""
	case v == nil:
		return "null"
	}
	switch t := v.(type) {
	case string:
		return csvSafe(t)
	case []string:
		return strings.Join(t, ";")
	case []any:
		parts := make([]string, len(t))
		for i, p := range t {
			parts[i] = fmt.Sprint(p)
		}
		return strings.Join(parts, ";")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// csvSafe defuses a typed answer that a spreadsheet would run as a formula:
// one that starts with a formula sign, in its ASCII or full-width form,
// even after spaces or line breaks (spreadsheets skip them), or with a tab
// or carriage return.
func csvSafe(s string) string {
	first, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(s, unicode.IsSpace))
	if strings.ContainsRune("=+-@＝＋－＠", first) || strings.HasPrefix(s, "\t") || strings.HasPrefix(s, "\r") {
		return "'" + s
	}
	return s
}

// chartScale is the count a full-length bar stands for: the largest
// published bar (hidden ones never set the scale).
func chartScale(qt stats.QuestionTable) int {
	m := 1
	for _, b := range qt.Bars {
		if !b.Hidden && b.Count > m {
			m = b.Count
		}
	}
	return m
}

// staffText is a survey text in English where the survey has it, else in
// its first language: the console is in English for now.
func staffText(sv *domain.Survey, key string) string {
	for _, l := range []string{"en", sv.Languages[0]} {
		if t := sv.Texts[l][key]; t != "" {
			return t
		}
	}
	return key
}

// barLabel names a bar: the choice's text, yes/no, a face number, or the
// number range.
func barLabel(sv *domain.Survey, q *domain.Question, value string) string {
	switch {
	case value == stats.NullValue:
		return "prefer not to say"
	case q.Type == domain.YesNo:
		return map[string]string{"true": "yes", "false": "no"}[value]
	case q.Type == domain.Scale:
		return value + " of 5"
	}
	for _, ch := range q.Choices {
		if ch.Value == value {
			return staffText(sv, ch.Text)
		}
	}
	return value
}

func resultsJSONURL(sv *domain.Survey, f stats.Filter) string {
	u := "/staff/results/" + sv.ID + "/" + strconv.Itoa(sv.Version) + "/results.json"
	q := []string{}
	for k, v := range map[string]string{"lang": f.Lang, "from": f.From, "to": f.To} {
		if v != "" {
			q = append(q, k+"="+v)
		}
	}
	sort.Strings(q)
	if len(q) > 0 {
		u += "?" + strings.Join(q, "&")
	}
	return u
}
