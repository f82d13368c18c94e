package domain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Problem is one thing wrong with a survey definition, said so that the
// staffer who wrote the file can find and fix it.
type Problem struct {
	File     string `json:"file"`
	Question string `json:"question,omitempty"`
	Message  string `json:"message"` // in English, for logs and API clients
	// Code names the rule broken and Args what fills its words, so that
	// the console says the problem in its reader's language
	// (problem.<Code> in its catalogs). Neither is in JSON: clients read
	// the message, as they always have.
	Code string            `json:"-"`
	Args map[string]string `json:"-"`
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
		c := &checker{file: file}
		c.jsonProblem(data, err)
		return nil, &DefinitionError{File: file, Problems: c.probs}
	}
	if probs := s.validate(file, assets); len(probs) > 0 {
		return nil, &DefinitionError{File: file, Problems: probs}
	}
	return &s, nil
}

// jsonProblem turns a decoding error into a problem with a line number,
// and a column where it can, because a hand-written file is fixed in a
// text editor. Its codes and values say what is wrong without
// encoding/json's words, which only English readers of Go would follow.
func (c *checker) jsonProblem(data []byte, err error) {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset is just past the byte that cannot stand there.
		at := max(0, min(syn.Offset-1, int64(len(data))))
		line, column := position(data, at)
		c.add("", "json.syntax", "line %d: not valid JSON at column %d: %q cannot stand here", "line", line, "column", column, "char", charAt(data[at:]))
	case errors.As(err, &typ):
		c.typeProblem(data, typ)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		c.add("", "json.empty", "the file is empty or ends too early")
	case errors.Is(err, ErrTrailingData):
		c.add("", "json.trailing", "unexpected text after the closing }")
	case unknownField(err) != "":
		// encoding/json names the field but not where it is: it is found
		// when the file uses its name as a key only once.
		name := unknownField(err)
		key := regexp.MustCompile(regexp.QuoteMeta(strconv.Quote(name)) + `\s*:`)
		if at := key.FindAllIndex(data, 2); len(at) == 1 {
			line, column := position(data, int64(at[0][0]))
			c.add("", "json.field.at", "line %d, column %d: unknown field %q; is it misspelt?", "line", line, "column", column, "field", name)
		} else {
			c.add("", "json.field", "unknown field %q; is it misspelt?", "field", name)
		}
	default:
		c.add("", "json.unknown", "%s", "detail", err.Error())
	}
}

// typeProblem says what kind of value a field needs, by a code for each
// kind. Where the value is (typ.Offset) is its end, so only the line is
// given.
func (c *checker) typeProblem(data []byte, typ *json.UnmarshalTypeError) {
	line, _ := position(data, typ.Offset)
	t := typ.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	const format = "line %d: field %q must be %s, not %s"
	pairs := []any{"line", line, "field", typ.Field, "want", t, "got", typ.Value}
	switch k := t.Kind(); {
	case k == reflect.String:
		c.add("", "json.type.text", format, pairs...)
	case k >= reflect.Int && k <= reflect.Uintptr:
		c.add("", "json.type.whole", format, pairs...)
	case k == reflect.Float32 || k == reflect.Float64:
		c.add("", "json.type.number", format, pairs...)
	case k == reflect.Bool:
		c.add("", "json.type.bool", format, pairs...)
	case k == reflect.Slice || k == reflect.Array:
		c.add("", "json.type.list", format, pairs...)
	default:
		c.add("", "json.type.object", format, pairs...)
	}
}

// unknownField is the field DecodeStrict refused as unknown, or "".
// encoding/json has no type for this error, only its words.
func unknownField(err error) string {
	rest, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return ""
	}
	name, _ := strconv.Unquote(rest)
	return name
}

// charAt is the character data starts with, written so that it can be
// seen (a control character as its escape, such as \n).
func charAt(data []byte) string {
	r, _ := utf8.DecodeRune(data)
	if !unicode.IsGraphic(r) {
		return strings.Trim(strconv.QuoteRune(r), "'")
	}
	return string(r)
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

// position is the line and the column (in characters) of the byte at
// offset, each from 1, as a text editor counts them.
func position(data []byte, offset int64) (line, column int) {
	before := data[:max(0, min(offset, int64(len(data))))]
	start := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte("\n")) + 1, utf8.RuneCount(before[start:]) + 1
}

type checker struct {
	file  string
	probs []Problem
}

// add records a problem. code is a literal (a test finds every one in the
// source and checks the console's catalogs say it); pairs are each a name
// and its value, the values filling format's verbs in order.
func (c *checker) add(question, code, format string, pairs ...any) {
	msg, args := Worded(format, pairs...)
	c.probs = append(c.probs, Problem{File: c.file, Question: question, Code: code, Args: args, Message: msg})
}

// Worded fills format's verbs with the values of pairs (name, value, name,
// value…), giving the English message and the values by name, written
// plainly (no quotes), for a translation's {name} places.
func Worded(format string, pairs ...any) (string, map[string]string) {
	msg, values := named(format, pairs)
	var args map[string]string
	for name, v := range values {
		if args == nil {
			args = map[string]string{}
		}
		args[name] = fmt.Sprint(v)
	}
	return msg, args
}

func (s *Survey) validate(file string, assets Assets) []Problem {
	c := &checker{file: file}
	if !ValidSurveyID(s.ID) {
		c.add("", "survey.id", "id %q must be 1–40 lower-case letters, digits, '_' or '-'", "id", s.ID)
	}
	if s.Version < 1 {
		c.add("", "survey.version", "version must be a whole number from 1, got %d", "version", s.Version)
	}
	if len(s.Languages) == 0 {
		c.add("", "survey.languages", "languages must list at least one language code, such as \"en\"")
	}
	for i, l := range s.Languages {
		if !langPattern.MatchString(l) {
			c.add("", "survey.language", "language %q is not a language code such as \"en\" or \"ru\"", "lang", l)
		}
		if slices.Contains(s.Languages[:i], l) {
			c.add("", "survey.language_twice", "language %q is listed twice", "lang", l)
		}
	}
	for l := range s.Texts {
		if !slices.Contains(s.Languages, l) {
			c.add("", "survey.texts_language", "texts has language %q, which is not in languages", "lang", l)
		}
	}
	c.text(s, "", "title", s.Title, "")
	c.icon(assets, "", s.Icon)
	if len(s.Questions) == 0 {
		c.add("", "survey.no_questions", "a survey needs at least one question")
	}
	seen := map[string]*Question{}
	for i := range s.Questions {
		q := &s.Questions[i]
		c.question(s, q, seen, assets)
		if q.ID != "" {
			if seen[q.ID] != nil {
				c.add(q.ID, "question.id_twice", "id is used by two questions")
			}
			seen[q.ID] = q
		}
	}
	return c.probs
}

func (c *checker) question(s *Survey, q *Question, earlier map[string]*Question, assets Assets) {
	name := q.ID
	if !wordPattern.MatchString(q.ID) {
		c.add(name, "question.id", "id must be 1–40 lower-case letters, digits or '_'")
	}
	if !slices.Contains(questionTypes, q.Type) {
		c.add(name, "question.type", "type %q is not one of single, multiple, yesno, scale, number, text", "type", q.Type)
	}
	c.text(s, name, "text", q.Text, "")
	c.icon(assets, name, q.Icon)

	hasChoices := q.Type == Single || q.Type == Multiple
	switch {
	case hasChoices && len(q.Choices) < 2:
		c.add(name, "question.few_choices", "a %s question needs at least two choices", "type", q.Type)
	case !hasChoices && len(q.Choices) > 0:
		c.add(name, "question.no_choices", "a %s question has no choices; remove \"choices\"", "type", q.Type)
	}
	values := map[string]bool{}
	for _, ch := range q.Choices {
		if !wordPattern.MatchString(ch.Value) {
			c.add(name, "choice.value", "choice value %q must be 1–40 lower-case letters, digits or '_'", "value", ch.Value)
		}
		if values[ch.Value] {
			c.add(name, "choice.value_twice", "choice value %q is used twice", "value", ch.Value)
		}
		values[ch.Value] = true
		c.text(s, name, "choice "+ch.Value+" text", ch.Text, ch.Value)
		c.icon(assets, name, ch.Icon)
	}
	if q.Type != Number && (q.Min != nil || q.Max != nil) {
		c.add(name, "question.minmax_type", "min and max apply to number questions only")
	}
	if q.Type != Number && q.Whole {
		c.add(name, "question.whole_type", "whole applies to number questions only")
	}
	switch lo, hi := q.Bounds(); {
	case lo > hi:
		c.add(name, "question.minmax_order", "min (%g) is greater than max (%g)", "min", lo, "max", hi)
	case q.Whole && math.Ceil(lo) > math.Floor(hi):
		// Only "prefer not to say" could answer it.
		c.add(name, "question.whole_range", "no whole number lies between min (%g) and max (%g)", "min", lo, "max", hi)
	}
	if q.ShowIf != nil {
		c.showIf(q, earlier)
	}
}

func (c *checker) showIf(q *Question, earlier map[string]*Question) {
	cond := q.ShowIf
	on := earlier[cond.Question]
	if on == nil {
		c.add(q.ID, "showif.unknown", "showIf refers to %q, which is not an earlier question", "question", cond.Question)
		return
	}
	if on.Type == Text || on.Type == Number {
		c.add(q.ID, "showif.type", "showIf cannot depend on a %s question (%q)", "type", on.Type, "question", on.ID)
		return
	}
	if len(cond.AnyOf) == 0 {
		c.add(q.ID, "showif.empty", "showIf needs at least one value in anyOf")
	}
	for _, v := range cond.AnyOf {
		if _, err := on.conditionValue(v); err != nil {
			c.add(q.ID, "showif.value", "showIf value %v cannot be an answer to %q: %s", "value", v, "question", on.ID, "detail", err.Message)
		}
	}
}

// text checks a text key: the survey's title (question ""), a question's
// text, or a choice's (choice its value).
func (c *checker) text(s *Survey, question, what, key, choice string) {
	if key == "" {
		switch {
		case question == "":
			c.add(question, "title.no_key", "%s needs a text key", "what", what)
		case choice == "":
			c.add(question, "text.no_key", "%s needs a text key", "what", what)
		default:
			c.add(question, "choice.no_key", "choice %s text needs a text key", "choice", choice)
		}
		return
	}
	for _, l := range s.Languages {
		if strings.TrimSpace(s.Texts[l][key]) == "" {
			switch {
			case question == "":
				c.add(question, "title.no_text", "%s key %q has no %s text in texts.%s", "what", what, "key", key, "lang", l, "lang", l)
			case choice == "":
				c.add(question, "text.no_text", "%s key %q has no %s text in texts.%s", "what", what, "key", key, "lang", l, "lang", l)
			default:
				c.add(question, "choice.no_text", "choice %s text key %q has no %s text in texts.%s", "choice", choice, "key", key, "lang", l, "lang", l)
			}
		}
	}
}

func (c *checker) icon(assets Assets, question, name string) {
	switch {
	case name == "":
		c.add(question, "icon.missing", "an icon is missing")
	case assets != nil && !assets.HasIcon(name):
		c.add(question, "icon.unknown", "icon %q does not exist in assets/icons", "icon", name)
	}
}
