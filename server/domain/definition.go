package domain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Problem is one thing wrong with a survey definition, said so that the
// staffer who wrote the file can find and fix it.
type Problem struct {
	File     string `json:"file"`
	Question string `json:"question,omitempty"`
	Message  string `json:"message"`
}

func (p Problem) String() string {
	if p.Question != "" {
		return fmt.Sprintf("%s: question %q: %s", p.File, p.Question, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// DefinitionError lists every problem found in one definition, so a staffer
// fixes them all in one pass instead of one per upload.
type DefinitionError struct {
	File     string
	Problems []Problem
}

func (e *DefinitionError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return "invalid survey definition:\n" + strings.Join(lines, "\n")
}

// Assets tells the validator which icons exist, so that a definition naming a
// missing icon is refused before a member sees a blank tile.
type Assets interface {
	HasIcon(name string) bool
}

// ParseSurvey reads and validates one definition. file names it in errors.
func ParseSurvey(file string, data []byte, assets Assets) (*Survey, error) {
	var s Survey
	if err := DecodeStrict(data, &s); err != nil {
		return nil, &DefinitionError{File: file, Problems: []Problem{{File: file, Message: jsonProblem(data, err)}}}
	}
	if probs := s.validate(file, assets); len(probs) > 0 {
		return nil, &DefinitionError{File: file, Problems: probs}
	}
	return &s, nil
}

// jsonProblem turns a decoding error into a message with a line number,
// because a hand-written file is fixed in a text editor.
func jsonProblem(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("line %d: not valid JSON: %v", lineOf(data, syn.Offset), syn)
	case errors.As(err, &typ):
		return fmt.Sprintf("line %d: field %q must be %s, not %s", lineOf(data, typ.Offset), typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the file is empty or ends too early"
	case errors.Is(err, ErrTrailingData):
		return "unexpected text after the closing }"
	}
	return err.Error()
}

// ErrTrailingData is returned by DecodeStrict when more follows the value.
var ErrTrailingData = errors.New("unexpected data after the JSON value")

// DecodeStrict decodes exactly one JSON value into v. Unknown fields are
// refused (a misspelt "requried" would otherwise vanish silently), and so is
// anything after the value, even a stray "}". Numbers in untyped fields
// arrive as json.Number.
func DecodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber() // numbers keep their spelling until a rule checks them
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return ErrTrailingData
	}
	return nil
}

func lineOf(data []byte, offset int64) int {
	offset = min(offset, int64(len(data)))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

type checker struct {
	file  string
	probs []Problem
}

func (c *checker) add(question, format string, args ...any) {
	c.probs = append(c.probs, Problem{File: c.file, Question: question, Message: fmt.Sprintf(format, args...)})
}

func (s *Survey) validate(file string, assets Assets) []Problem {
	c := &checker{file: file}
	if !ValidSurveyID(s.ID) {
		c.add("", "id %q must be 1–40 lower-case letters, digits, '_' or '-'", s.ID)
	}
	if s.Version < 1 {
		c.add("", "version must be a whole number from 1, got %d", s.Version)
	}
	if len(s.Languages) == 0 {
		c.add("", "languages must list at least one language code, such as \"en\"")
	}
	for i, l := range s.Languages {
		if !langPattern.MatchString(l) {
			c.add("", "language %q is not a language code such as \"en\" or \"ru\"", l)
		}
		if slices.Contains(s.Languages[:i], l) {
			c.add("", "language %q is listed twice", l)
		}
	}
	for l := range s.Texts {
		if !slices.Contains(s.Languages, l) {
			c.add("", "texts has language %q, which is not in languages", l)
		}
	}
	c.text(s, "", "title", s.Title)
	c.icon(assets, "", s.Icon)
	if len(s.Questions) == 0 {
		c.add("", "a survey needs at least one question")
	}
	seen := map[string]*Question{}
	for i := range s.Questions {
		q := &s.Questions[i]
		c.question(s, q, seen, assets)
		if q.ID != "" {
			if seen[q.ID] != nil {
				c.add(q.ID, "id is used by two questions")
			}
			seen[q.ID] = q
		}
	}
	return c.probs
}

func (c *checker) question(s *Survey, q *Question, earlier map[string]*Question, assets Assets) {
	name := q.ID
	if !wordPattern.MatchString(q.ID) {
		c.add(name, "id must be 1–40 lower-case letters, digits or '_'")
	}
	if !slices.Contains(questionTypes, q.Type) {
		c.add(name, "type %q is not one of single, multiple, yesno, scale, number, text", q.Type)
	}
	c.text(s, name, "text", q.Text)
	c.icon(assets, name, q.Icon)

	hasChoices := q.Type == Single || q.Type == Multiple
	switch {
	case hasChoices && len(q.Choices) < 2:
		c.add(name, "a %s question needs at least two choices", q.Type)
	case !hasChoices && len(q.Choices) > 0:
		c.add(name, "a %s question has no choices; remove \"choices\"", q.Type)
	}
	values := map[string]bool{}
	for _, ch := range q.Choices {
		if !wordPattern.MatchString(ch.Value) {
			c.add(name, "choice value %q must be 1–40 lower-case letters, digits or '_'", ch.Value)
		}
		if values[ch.Value] {
			c.add(name, "choice value %q is used twice", ch.Value)
		}
		values[ch.Value] = true
		c.text(s, name, "choice "+ch.Value+" text", ch.Text)
		c.icon(assets, name, ch.Icon)
	}
	if q.Type != Number && (q.Min != nil || q.Max != nil) {
		c.add(name, "min and max apply to number questions only")
	}
	if lo, hi := q.Bounds(); lo > hi {
		c.add(name, "min (%g) is greater than max (%g)", lo, hi)
	}
	if q.ShowIf != nil {
		c.showIf(q, earlier)
	}
}

func (c *checker) showIf(q *Question, earlier map[string]*Question) {
	cond := q.ShowIf
	on := earlier[cond.Question]
	if on == nil {
		c.add(q.ID, "showIf refers to %q, which is not an earlier question", cond.Question)
		return
	}
	if on.Type == Text || on.Type == Number {
		c.add(q.ID, "showIf cannot depend on a %s question (%q)", on.Type, on.ID)
		return
	}
	if len(cond.AnyOf) == 0 {
		c.add(q.ID, "showIf needs at least one value in anyOf")
	}
	for _, v := range cond.AnyOf {
		if _, err := on.conditionValue(v); err != nil {
			c.add(q.ID, "showIf value %v cannot be an answer to %q: %s", v, on.ID, err.Message)
		}
	}
}

func (c *checker) text(s *Survey, question, what, key string) {
	if key == "" {
		c.add(question, "%s needs a text key", what)
		return
	}
	for _, l := range s.Languages {
		if strings.TrimSpace(s.Texts[l][key]) == "" {
			c.add(question, "%s key %q has no %s text in texts.%s", what, key, l, l)
		}
	}
}

func (c *checker) icon(assets Assets, question, name string) {
	switch {
	case name == "":
		c.add(question, "an icon is missing")
	case assets != nil && !assets.HasIcon(name):
		c.add(question, "icon %q does not exist in assets/icons", name)
	}
}
