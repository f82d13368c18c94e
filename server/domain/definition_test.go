package domain_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sova/assets"
	"sova/server/domain"
)

// icons is the icon set the small test survey may use.
type icons []string

func (i icons) HasIcon(name string) bool { return slices.Contains(i, name) }

var testIcons = icons{"survey", "police", "what", "a", "b", "feel", "count"}

// assetIcons is the real icon folder, as the server checks it.
type assetIcons struct{}

func (assetIcons) HasIcon(name string) bool {
	_, err := fs.Stat(assets.Icons, name+".svg")
	return err == nil
}

const file = "surveys/mini.json"

// mini is a small valid survey using every feature the validator checks.
func mini() *domain.Survey {
	texts := func(lang string) map[string]string {
		m := map[string]string{}
		for _, k := range []string{"t.title", "t.police", "t.what", "t.a", "t.b", "t.feel", "t.count"} {
			m[k] = lang + " " + k
		}
		return m
	}
	ten := 10.0
	return &domain.Survey{
		ID: "mini", Version: 1, Languages: []string{"en", "ru"}, Title: "t.title", Icon: "survey",
		Questions: []domain.Question{
			{ID: "police", Type: domain.YesNo, Text: "t.police", Icon: "police", Required: true},
			{ID: "what", Type: domain.Multiple, Text: "t.what", Icon: "what", Choices: []domain.Choice{
				{Value: "a", Text: "t.a", Icon: "a"}, {Value: "b", Text: "t.b", Icon: "b"},
			}, ShowIf: &domain.ShowIf{Question: "police", AnyOf: []any{true}}},
			{ID: "feel", Type: domain.Scale, Text: "t.feel", Icon: "feel", ShowIf: &domain.ShowIf{Question: "what", AnyOf: []any{"b"}}},
			{ID: "count", Type: domain.Number, Text: "t.count", Icon: "count", Max: &ten},
		},
		Texts: map[string]map[string]string{"en": texts("en"), "ru": texts("ru")},
	}
}

func parse(t *testing.T, s *domain.Survey) error {
	t.Helper()
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	_, err = domain.ParseSurvey(file, data, testIcons)
	return err
}

// problems returns the problems of a refused definition, checking that each
// names the file.
func problems(t *testing.T, err error) []domain.Problem {
	t.Helper()
	var de *domain.DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("want a *DefinitionError, got %v", err)
	}
	if de.File != file || len(de.Problems) == 0 {
		t.Fatalf("error names file %q with %d problems", de.File, len(de.Problems))
	}
	for _, p := range de.Problems {
		if p.File != file {
			t.Errorf("problem %q names file %q", p.Message, p.File)
		}
	}
	return de.Problems
}

func TestParseSurvey_AcceptsAValidDefinition(t *testing.T) {
	if err := parse(t, mini()); err != nil {
		t.Fatal(err)
	}
}

func TestParseSurvey_NamesFileQuestionAndProblem(t *testing.T) {
	q := func(s *domain.Survey, id string) *domain.Question { return s.Question(id) }
	cases := []struct {
		name     string
		change   func(s *domain.Survey)
		question string // "" for the survey as a whole
		want     string
	}{
		{"bad survey id", func(s *domain.Survey) { s.ID = "Mini Survey" }, "", `id "Mini Survey" must be`},
		{"version zero", func(s *domain.Survey) { s.Version = 0 }, "", "version must be a whole number from 1"},
		{"no languages", func(s *domain.Survey) { s.Languages = nil; s.Texts = nil }, "", "languages must list at least one"},
		{"bad language code", func(s *domain.Survey) { s.Languages = []string{"en", "Russian"}; s.Texts["Russian"] = s.Texts["ru"] }, "", `language "Russian" is not a language code`},
		{"language listed twice", func(s *domain.Survey) { s.Languages = []string{"en", "ru", "en"} }, "", `language "en" is listed twice`},
		{"texts in a language not listed", func(s *domain.Survey) { s.Texts["fr"] = s.Texts["en"] }, "", `texts has language "fr"`},
		{"no questions", func(s *domain.Survey) { s.Questions = nil }, "", "at least one question"},
		{"missing survey icon", func(s *domain.Survey) { s.Icon = "" }, "", "an icon is missing"},
		{"missing title text", func(s *domain.Survey) { delete(s.Texts["en"], "t.title") }, "", `title key "t.title" has no en text`},

		{"bad question id", func(s *domain.Survey) { q(s, "count").ID = "How Many" }, "How Many", "id must be 1–40 lower-case"},
		{"duplicate question id", func(s *domain.Survey) { q(s, "count").ID = "feel" }, "feel", "id is used by two questions"},
		{"unknown type", func(s *domain.Survey) { q(s, "feel").Type = "slider" }, "feel", `type "slider" is not one of`},
		{"missing text in a language", func(s *domain.Survey) { delete(s.Texts["ru"], "t.feel") }, "feel", `text key "t.feel" has no ru text in texts.ru`},
		{"blank text in a language", func(s *domain.Survey) { s.Texts["en"]["t.feel"] = "  " }, "feel", `has no en text`},
		{"missing text key", func(s *domain.Survey) { q(s, "feel").Text = "" }, "feel", "text needs a text key"},
		{"missing choice text", func(s *domain.Survey) { delete(s.Texts["ru"], "t.b") }, "what", `choice b text key "t.b" has no ru text`},
		{"missing icon", func(s *domain.Survey) { q(s, "feel").Icon = "" }, "feel", "an icon is missing"},
		{"icon not in assets", func(s *domain.Survey) { q(s, "feel").Icon = "unicorn" }, "feel", `icon "unicorn" does not exist`},
		{"missing choice icon", func(s *domain.Survey) { q(s, "what").Choices[1].Icon = "" }, "what", "an icon is missing"},

		{"showIf to a later question", func(s *domain.Survey) { q(s, "feel").ShowIf = &domain.ShowIf{Question: "count", AnyOf: []any{1}} }, "feel", `showIf refers to "count", which is not an earlier question`},
		{"showIf to an unknown question", func(s *domain.Survey) { q(s, "feel").ShowIf.Question = "nobody" }, "feel", `showIf refers to "nobody"`},
		{"showIf to itself", func(s *domain.Survey) { q(s, "feel").ShowIf.Question = "feel" }, "feel", `showIf refers to "feel"`},
		{"showIf on a number question", func(s *domain.Survey) {
			s.Questions = append(s.Questions, domain.Question{ID: "late", Type: domain.YesNo, Text: "t.police", Icon: "police", ShowIf: &domain.ShowIf{Question: "count", AnyOf: []any{1}}})
		}, "late", `showIf cannot depend on a number question`},
		{"showIf with no values", func(s *domain.Survey) { q(s, "feel").ShowIf.AnyOf = nil }, "feel", "showIf needs at least one value"},
		{"showIf value impossible for yesno", func(s *domain.Survey) { q(s, "what").ShowIf.AnyOf = []any{"yes"} }, "what", `showIf value yes cannot be an answer to "police"`},
		{"showIf value not a choice", func(s *domain.Survey) { q(s, "feel").ShowIf.AnyOf = []any{"c"} }, "feel", `showIf value c cannot be an answer to "what"`},
		{"showIf value off the scale", func(s *domain.Survey) {
			s.Questions = append(s.Questions, domain.Question{ID: "late", Type: domain.YesNo, Text: "t.police", Icon: "police", ShowIf: &domain.ShowIf{Question: "feel", AnyOf: []any{7}}})
		}, "late", `showIf value 7 cannot be an answer to "feel"`},

		{"choices on yesno", func(s *domain.Survey) { q(s, "police").Choices = q(s, "what").Choices }, "police", `a yesno question has no choices; remove "choices"`},
		{"one choice", func(s *domain.Survey) { q(s, "what").Choices = q(s, "what").Choices[:1] }, "what", "a multiple question needs at least two choices"},
		{"no choices on single", func(s *domain.Survey) { q(s, "what").Type = domain.Single; q(s, "what").Choices = nil }, "what", "a single question needs at least two choices"},
		{"duplicate choice value", func(s *domain.Survey) { q(s, "what").Choices[1].Value = "a" }, "what", `choice value "a" is used twice`},
		{"bad choice value", func(s *domain.Survey) { q(s, "what").Choices[1].Value = "B b" }, "what", `choice value "B b" must be`},
		{"min on a scale", func(s *domain.Survey) { one := 1.0; q(s, "feel").Min = &one }, "feel", "min and max apply to number questions only"},
		{"min above max", func(s *domain.Survey) { lo := 20.0; q(s, "count").Min = &lo }, "count", "min (20) is greater than max (10)"},
		{"whole on a scale", func(s *domain.Survey) { q(s, "feel").Whole = true }, "feel", "whole applies to number questions only"},
		{"whole with no whole number in range", func(s *domain.Survey) {
			lo, hi := 0.2, 0.8
			q(s, "count").Min, q(s, "count").Max, q(s, "count").Whole = &lo, &hi, true
		}, "count", "no whole number lies between min (0.2) and max (0.8)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mini()
			c.change(s)
			err := parse(t, s)
			if err == nil {
				t.Fatal("accepted")
			}
			probs := problems(t, err)
			found := slices.ContainsFunc(probs, func(p domain.Problem) bool {
				return p.Question == c.question && strings.Contains(p.Message, c.want)
			})
			if !found {
				t.Errorf("no problem for question %q saying %q; got:\n%v", c.question, c.want, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, file) || c.question != "" && !strings.Contains(msg, `question "`+c.question+`"`) {
				t.Errorf("the message does not name the file and question:\n%s", msg)
			}
		})
	}
}

// A staffer fixes every problem in one pass, so all are reported at once.
func TestParseSurvey_ReportsEveryProblemAtOnce(t *testing.T) {
	s := mini()
	s.Question("police").Icon = ""
	s.Question("feel").Type = "slider"
	delete(s.Texts["ru"], "t.count")
	probs := problems(t, parse(t, s))
	var named []string
	for _, p := range probs {
		named = append(named, p.Question)
	}
	for _, want := range []string{"police", "feel", "count"} {
		if !slices.Contains(named, want) {
			t.Errorf("no problem for %q among %v", want, probs)
		}
	}
}

func TestParseSurvey_RawFileProblems(t *testing.T) {
	valid, _ := json.MarshalIndent(mini(), "", "  ")
	cases := []struct {
		name string
		data string
		want string
	}{
		{
			name: "misspelt field",
			data: strings.Replace(string(valid), `"required": true`, `"requried": true`, 1),
			want: `unknown field "requried"`,
		},
		{
			name: "syntax error names its line",
			data: "{\n  \"id\": \"mini\",\n  \"version\": 1,\n  \"languages\": [\"en\",],\n}",
			want: "line 4: not valid JSON",
		},
		{
			name: "wrong type names its line and field",
			data: "{\n  \"id\": \"mini\",\n  \"version\": \"one\"\n}",
			want: `line 3: field "version" must be int`,
		},
		{name: "empty file", data: "", want: "the file is empty or ends too early"},
		{name: "cut off", data: `{"id": "mini", "questions": [`, want: "ends too early"},
		{name: "text after the survey", data: string(valid) + "\n{}", want: "unexpected text after the closing }"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := domain.ParseSurvey(file, []byte(c.data), testIcons)
			if err == nil {
				t.Fatal("accepted")
			}
			probs := problems(t, err)
			if !strings.Contains(probs[0].Message, c.want) {
				t.Errorf("got %q, want it to say %q", probs[0].Message, c.want)
			}
			if !strings.Contains(err.Error(), file) {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}

// A file that is not a survey in JSON is refused by codes the console
// says in the staffer's language, with the place (line, and column where
// encoding/json gives one) and what stands there, rather than in Go's
// words.
func TestParseSurvey_RawFileProblemsHaveCodesAndPlaces(t *testing.T) {
	valid, _ := json.MarshalIndent(mini(), "", "  ")
	misspelt := strings.Replace(string(valid), `"required": true`, `"requried": true`, 1)
	line, column := 0, 0
	for i, l := range strings.Split(misspelt, "\n") {
		if j := strings.Index(l, `"requried"`); j >= 0 {
			line, column = i+1, j+1
		}
	}
	for _, c := range []struct {
		name, data, code string
		args             map[string]string
	}{
		{"a misplaced character", "{\n  \"id\": \"mini\",\n  \"version\" 1\n}", "json.syntax",
			map[string]string{"line": "3", "column": "13", "char": "1"}},
		{"a character past ASCII", "{\"id\": \"é\" é}", "json.syntax", map[string]string{"line": "1", "column": "12", "char": "é"}},
		{"a line break in a string", "{\"id\": \"two\nlines\"}", "json.syntax", map[string]string{"line": "1", "column": "12", "char": `\n`}},
		{"a misspelt field", misspelt, "json.field.at", map[string]string{"line": strconv.Itoa(line), "column": strconv.Itoa(column), "field": "requried"}},
		{"a misspelt field twice", strings.ReplaceAll(string(valid), `"required"`, `"requried"`), "json.field", map[string]string{"field": "requried"}},
		{"text for a number", "{\n  \"id\": \"mini\",\n  \"version\": \"one\"\n}", "json.type.whole", map[string]string{"line": "3", "field": "version"}},
		{"a number for text", `{"id": 5}`, "json.type.text", map[string]string{"line": "1", "field": "id"}},
		{"text for a list", `{"languages": "en"}`, "json.type.list", map[string]string{"line": "1", "field": "languages"}},
		{"a list for an object", `{"texts": []}`, "json.type.object", map[string]string{"line": "1", "field": "texts"}},
		{"text for a number's bound", `{"questions": [{"min": "x"}]}`, "json.type.number", map[string]string{"line": "1", "field": "questions.min"}},
		{"a number for true or false", `{"questions": [{"required": 1}]}`, "json.type.bool", map[string]string{"line": "1", "field": "questions.required"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := domain.ParseSurvey(file, []byte(c.data), testIcons)
			if err == nil {
				t.Fatal("accepted")
			}
			p := problems(t, err)[0]
			if p.Code != c.code {
				t.Fatalf("code %q (%s), want %q", p.Code, p.Message, c.code)
			}
			for name, want := range c.args {
				if p.Args[name] != want {
					t.Errorf("%s is %q, want %q (%s)", name, p.Args[name], want, p.Message)
				}
			}
		})
	}
}

// The shipped needs survey loads as the server loads it, complete in English
// and Russian, with every icon present, and covers the guide's topics.
func TestNeedsSurvey_IsValidAndComplete(t *testing.T) {
	data, err := fs.ReadFile(assets.Surveys, "needs.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := domain.ParseSurvey("assets/surveys/needs.json", data, assetIcons{})
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != "needs" || !s.HasLanguage("en") || !s.HasLanguage("ru") {
		t.Errorf("needs survey: id %q, languages %v", s.ID, s.Languages)
	}
	types := map[domain.QuestionType]bool{}
	for _, q := range s.Questions {
		types[q.Type] = true
	}
	for _, typ := range []domain.QuestionType{domain.Single, domain.Multiple, domain.YesNo, domain.Scale, domain.Number, domain.Text} {
		if !types[typ] {
			t.Errorf("the needs survey has no %s question", typ)
		}
	}
	// BRIEF.md, "What it does" § 2: the topics the survey is built from.
	for _, id := range []string{"find_clients", "phone", "internet", "harassed_online", "outing_threat", "blackmail", "screening", "bad_client", "payment", "police", "police_what", "services", "contact", "contact_how"} {
		if s.Question(id) == nil {
			t.Errorf("the needs survey lost question %q", id)
		}
	}
}
