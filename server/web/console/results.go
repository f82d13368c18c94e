package console

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sova/i18n"
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
		return nil, nil, domain.Refuse(domain.CodeNotFound, "survey.version", "no such version")
	}
	if c.Param("id") == domain.WarnSurveyID {
		return nil, nil, domain.Refuse(domain.CodeNotFound, "results.reports", "reports are read by moderators at /staff/reports, never shown or exported raw")
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
	return f, f.Validate()
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
	return edge.Render(c, http.StatusOK, resultsPage(s.consoleView(c), s.labels(sv, s.staffLang(c)), res, t))
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

// privacyNote says what the results hide and why.
func privacyNote(v consoleView) string {
	return v.Tf("results.privacy", "max", v.Num(stats.MinCount-1), "min", v.Num(stats.MinCount))
}

// hiddenText is what a hidden figure says in place of its count. It never
// looks like a count: a hidden figure may be large (see stats.Figure).
func hiddenText(v consoleView) string {
	return v.Tf("results.hidden", "min", v.Num(stats.MinCount))
}

// answeredText is a question's Answered figure as shown. Hidden, it names
// both reasons, for it is hidden as often because few skipped the question
// as because few answered it.
func answeredText(v consoleView, f stats.Figure) string {
	if f.Hidden {
		return v.Tf("results.hidden.answered", "min", v.Num(stats.MinCount))
	}
	return v.Num(f.Count)
}

// figureText is a figure as shown: its count, or hiddenText.
func figureText(v consoleView, f stats.Figure) string {
	if f.Hidden {
		return hiddenText(v)
	}
	return v.Num(f.Count)
}

// questionType names a question's type (single, yesno, …).
func (v consoleView) questionType(t domain.QuestionType) string {
	key := "results.type." + string(t)
	return v.T(key)
}

// labels names one survey version's questions and answers in one language,
// as results and exports show them: the survey's own texts in that
// language, else in the survey's first; yes, no, "prefer not to say" and
// the faces in the words members read in the app; languages by their own
// names.
type labels struct {
	sv    *domain.Survey
	lang  string
	app   *i18n.Catalog // the member app's words in lang, or in the survey's first language
	names map[string]string
}

func (s *Console) labels(sv *domain.Survey, lang string) labels {
	l := labels{sv: sv, lang: lang, names: map[string]string{}}
	cats := s.cfg.Site.Langs()
	for _, c := range cats {
		l.names[c.Lang] = c.Name
	}
	for _, want := range []string{lang, sv.Languages[0]} {
		if i := slices.IndexFunc(cats, func(c *i18n.Catalog) bool { return c.Lang == want }); i >= 0 {
			l.app = cats[i]
			break
		}
	}
	return l
}

// text is a survey text: in the chosen language, else in the survey's first.
func (l labels) text(key string) string {
	for _, lang := range []string{l.lang, l.sv.Languages[0]} {
		if t := l.sv.Texts[lang][key]; t != "" {
			return t
		}
	}
	return key
}

func (l labels) question(q *domain.Question) string { return l.text(q.Text) }

// word is one of the member app's words, or English where no catalog fits.
func (l labels) word(key, english string) string {
	if l.app != nil {
		if t := l.app.T(key); t != "" && t != key {
			return t
		}
	}
	return english
}

// language is a language's own name, with its code.
func (l labels) language(code string) string {
	if n := l.names[code]; n != "" {
		return n + " (" + code + ")"
	}
	return code
}

// value names one answer (a bar's value or a stored code): the choice's
// text, yes or no, a face's number and name, or a number range as it is.
func (l labels) value(q *domain.Question, value string) string {
	switch {
	case value == stats.NullValue:
		return l.word("answer.prefer_not", "I prefer not to say")
	case q.Type == domain.YesNo && value == "true":
		return l.word("answer.yes", "Yes")
	case q.Type == domain.YesNo && value == "false":
		return l.word("answer.no", "No")
	case q.Type == domain.Scale:
		return value + " · " + l.word("scale."+value, value+" of 5")
	}
	for _, ch := range q.Choices {
		if ch.Value == value {
			return l.text(ch.Text)
		}
	}
	return value
}
