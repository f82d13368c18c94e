package xlsform

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"

	"sova/server/domain"
)

// check runs the survey's own rules (domain.ParseSurvey, as for a JSON
// upload) and places what they find on the cells it came from. A problem on
// a row already refused is mostly the same one said again, and is left out.
func (r *reader) check(file string, sv *domain.Survey) {
	data, err := json.Marshal(sv)
	if err != nil {
		r.add(sheetSettings, 2, lacking("form_id"), "internal", "%s", "detail", err)
		return
	}
	parsed, err := domain.ParseSurvey(file, data, r.assets)
	var de *domain.DefinitionError
	switch {
	case err == nil:
		*sv = *parsed // showIf's numbers as JSON gives them, like every stored survey
	case errors.As(err, &de):
		for _, p := range de.Problems {
			if sh, n, c := r.locate(p); !r.refused[sh][n] && !r.refusedList(p.Question) {
				r.put(sh, n, c, reason{code: p.Code, msg: p.Message, args: p.Args})
			}
		}
	default:
		r.add(sheetSettings, 2, lacking("form_id"), "internal", "%s", "detail", err)
	}
}

var choiceValue = regexp.MustCompile(`^choice (?:value )?"?([^" ]*)`)

// locate finds the cell a survey rule's problem came from. The rules speak
// of the JSON format's fields, each filled from one column.
func (r *reader) locate(p domain.Problem) (string, int, column) {
	at := func(s *sheet, name string, n int, base string) (string, int, column) {
		if s == nil {
			return name, n, lacking(base)
		}
		return name, n, s.col(base)
	}
	m := p.Message
	if p.Question == "" {
		switch {
		case strings.HasPrefix(m, "version"):
			return at(r.settings, sheetSettings, 2, "version")
		case strings.HasPrefix(m, "title"):
			return at(r.settings, sheetSettings, 2, "form_title")
		case strings.Contains(m, "icon"):
			return at(r.settings, sheetSettings, 2, "sova_icon")
		case strings.Contains(m, "question"):
			return at(r.survey, sheetSurvey, 2, "type")
		case strings.Contains(m, "language"):
			return at(r.survey, sheetSurvey, 1, "label")
		}
		return at(r.settings, sheetSettings, 2, "form_id")
	}
	if v := choiceValue.FindStringSubmatch(m); v != nil && r.listOf[p.Question] != nil {
		for _, c := range r.listOf[p.Question].rows {
			if c.value == v[1] {
				base := "name"
				if strings.Contains(m, "icon") {
					base = "sova_icon"
				} else if strings.Contains(m, "text") {
					base = "label"
				}
				return at(r.choices, sheetChoices, c.n, base)
			}
		}
	}
	n := r.rowOf[p.Question]
	for _, k := range []struct{ word, base string }{
		{"showIf", "relevant"}, {"min", "constraint"}, {"max", "constraint"}, {"icon", "sova_icon"},
		{"text", "label"}, {"choice", "type"}, {"type", "type"},
	} {
		if strings.Contains(m, k.word) {
			return at(r.survey, sheetSurvey, n, k.base)
		}
	}
	return at(r.survey, sheetSurvey, n, "name")
}

// refusedList reports whether a row of the question's choices was refused:
// the rules then say of the question what was said of the choice.
func (r *reader) refusedList(question string) bool {
	l := r.listOf[question]
	return l != nil && slices.ContainsFunc(l.rows, func(c choice) bool { return r.refused[sheetChoices][c.n] })
}
