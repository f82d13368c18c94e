package domain

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"unicode/utf8"
)

// Answers maps question ids to answers in their canonical form: string,
// []string (in the definition's order), bool, int, float64, or nil for
// "prefer not to say". Canonical, so that the same answers sealed twice
// compare equal however the client spelt them.
type Answers map[string]any

// Plaintext is what a member's phone seals: her language and her answers.
type Plaintext struct {
	Lang    string                     `json:"lang"`
	Answers map[string]json.RawMessage `json:"answers"`
}

// Content is an opened, checked response: the part that is stored, and that
// decides whether a resent id is a duplicate or a conflict.
type Content struct {
	Survey  string  `json:"survey"`
	Version int     `json:"version"`
	Lang    string  `json:"lang"`
	Answers Answers `json:"answers"`
}

// Equal reports whether two contents are the same answers to the same
// survey version.
func (c *Content) Equal(o *Content) bool {
	a, _ := json.Marshal(c)
	b, _ := json.Marshal(o)
	return bytes.Equal(a, b)
}

// Check opens a sealed plaintext's JSON and checks its answers against the
// survey: every question known, shown ones answered as required, hidden ones
// absent, and each value of the question's type.
func (s *Survey) Check(plaintext []byte) (*Content, error) {
	var p Plaintext
	// Unmarshal, not DecodeStrict: this runs for every response (budget B4),
	// it still refuses trailing data, and unknown fields in the sealed
	// plaintext are ignored, as documented.
	if err := json.Unmarshal(plaintext, &p); err != nil || p.Answers == nil {
		return nil, Errorf(CodeInvalidPlaintext, "the sealed content is not {\"lang\":…, \"answers\":{…}}")
	}
	if !s.HasLanguage(p.Lang) {
		return nil, Errorf(CodeUnknownLanguage, "survey %s v%d has no language %q", s.ID, s.Version, p.Lang)
	}
	for id := range p.Answers {
		if s.Question(id) == nil {
			return nil, &Error{Code: CodeUnknownQuestion, Question: id, Message: "no such question in this survey version"}
		}
	}
	out := Answers{}
	for i := range s.Questions {
		q := &s.Questions[i]
		raw, present := p.Answers[q.ID]
		if !s.shown(q, out) {
			if present {
				return nil, &Error{Code: CodeHiddenAnswer, Question: q.ID, Message: "answered, but its showIf condition hides it"}
			}
			continue
		}
		if !present {
			if q.Required {
				return nil, &Error{Code: CodeMissingAnswer, Question: q.ID, Message: "required: answer it or send null for \"prefer not to say\""}
			}
			continue
		}
		nv, err := q.normalize(answerValue(raw))
		if err != nil {
			err.Question = q.ID
			return nil, err
		}
		out[q.ID] = nv
	}
	return &Content{Survey: s.ID, Version: s.Version, Lang: p.Lang, Answers: out}, nil
}

// shown evaluates q's showIf against the answers given so far. A condition on
// a question that was itself hidden, skipped or declined is false.
func (s *Survey) shown(q *Question, answers Answers) bool {
	if q.ShowIf == nil {
		return true
	}
	on := s.Question(q.ShowIf.Question)
	got, ok := answers[q.ShowIf.Question]
	if on == nil || !ok || got == nil {
		return false
	}
	for _, want := range q.ShowIf.AnyOf {
		w, err := on.conditionValue(want)
		if err != nil {
			continue
		}
		if chosen, isList := got.([]string); isList {
			if slices.Contains(chosen, w.(string)) {
				return true
			}
		} else if got == w {
			return true
		}
	}
	return false
}

// conditionValue checks a showIf value against the question it depends on.
// For a multiple-choice question it is one choice value, not a list.
func (q *Question) conditionValue(v any) (any, *Error) {
	if q.Type != Multiple {
		return q.normalize(v)
	}
	if s, ok := v.(string); ok && q.hasChoice(s) {
		return s, nil
	}
	return nil, Errorf(CodeInvalidAnswer, "must be one of the question's choice values")
}

// normalize checks one answer value against q's type and returns its
// canonical form.
func (q *Question) normalize(v any) (any, *Error) {
	bad := func(format string, args ...any) (any, *Error) {
		return nil, Errorf(CodeInvalidAnswer, format, args...)
	}
	if v == nil {
		return nil, nil // "prefer not to say" is always allowed
	}
	switch q.Type {
	case Single:
		s, ok := v.(string)
		if !ok || !q.hasChoice(s) {
			return bad("must be one of the question's choice values")
		}
		return s, nil
	case Multiple:
		list, ok := v.([]any)
		if !ok {
			return bad("must be a list of choice values")
		}
		if len(list) == 0 {
			return bad("chose nothing: send null for \"prefer not to say\" or leave the question out")
		}
		picked := map[string]bool{}
		for _, e := range list {
			s, ok := e.(string)
			if !ok || !q.hasChoice(s) {
				return bad("%v is not one of the question's choice values", e)
			}
			if picked[s] {
				return bad("%q is chosen twice", s)
			}
			picked[s] = true
		}
		var out []string
		for _, c := range q.Choices {
			if picked[c.Value] {
				out = append(out, c.Value)
			}
		}
		return out, nil
	case YesNo:
		b, ok := v.(bool)
		if !ok {
			return bad("must be true or false")
		}
		return b, nil
	case Scale:
		f, ok := number(v)
		if !ok || f != math.Trunc(f) || f < 1 || f > 5 {
			return bad("must be a whole number from 1 to 5")
		}
		return int(f), nil
	case Number:
		f, ok := number(v)
		lo, hi := q.Bounds()
		switch {
		case q.Whole && (!ok || f != math.Trunc(f) || f < lo || f > hi):
			return bad("must be a whole number from %g to %g", lo, hi)
		case !ok || f < lo || f > hi:
			return bad("must be a number from %g to %g", lo, hi)
		}
		return f, nil
	case Text:
		s, ok := v.(string)
		switch {
		case !ok:
			return bad("must be text")
		case s == "":
			return bad("is empty: leave the question out to skip it")
		case !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxTextAnswer:
			return bad("must be at most %d characters of text", MaxTextAnswer)
		}
		return s, nil
	case Phone, Plate, Handle:
		s, ok := v.(string)
		if !ok || s == "" {
			return bad("must be text")
		}
		if err := checkClient(q.Type, s); err != "" {
			return bad("%s", err)
		}
		return s, nil
	}
	return bad("the question's type is unknown")
}

func (q *Question) hasChoice(v string) bool {
	return slices.ContainsFunc(q.Choices, func(c Choice) bool { return c.Value == v })
}

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case json.Number:
		f, err := t.Float64()
		return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
	case float64:
		return t, true
	case int:
		return float64(t), true
	}
	return 0, false
}

// answerValue decodes one raw answer. A number stays a json.Number, so that
// one too large for a float64 is refused by its question's rule, naming the
// question, rather than failing the whole plaintext.
func answerValue(raw json.RawMessage) any {
	if len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')) {
		return json.Number(raw)
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return raw // not reached: the plaintext as a whole was valid JSON
	}
	return v
}
