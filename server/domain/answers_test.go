package domain_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"sova/assets"
	"sova/server/domain"
)

func needsSurvey(t *testing.T) *domain.Survey {
	t.Helper()
	data, err := fs.ReadFile(assets.Surveys, "needs.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := domain.ParseSurvey("assets/surveys/needs.json", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// required holds the needs survey's required answers, as JSON members.
const required = `"phone":"basic","harassed_online":false,"outing_threat":false,"payment":["cash"],"police":false,"services":["condoms"],"contact":false`

func check(t *testing.T, s *domain.Survey, plaintext string) *domain.Content {
	t.Helper()
	c, err := s.Check([]byte(plaintext))
	if err != nil {
		t.Fatalf("%s\nrefused: %v", plaintext, err)
	}
	return c
}

func plain(lang, answers string) string {
	return `{"lang":"` + lang + `","answers":{` + answers + `,` + required + `}}`
}

// The same answers sealed twice must compare equal however the phone spelt
// them, or a resend after a lost reply would be a false conflict.
func TestContent_SameAnswersSpeltDifferentlyAreEqual(t *testing.T) {
	s := needsSurvey(t)
	cases := []struct{ name, a, b string }{
		{"multiple choices reordered", `"find_clients":["apps","street","venue"]`, `"find_clients":["venue","street","apps"]`},
		{"keys reordered", `"find_clients":["apps"],"work_days":3`, `"work_days":3,"find_clients":["apps"]`},
		{"number 3 and 3.0", `"find_clients":["apps"],"work_days":3`, `"find_clients":["apps"],"work_days":3.0`},
		{"number 2.5 and 25e-1", `"find_clients":["apps"],"work_days":2.5`, `"find_clients":["apps"],"work_days":25e-1`},
		{"scale 4 and 4.0", `"find_clients":["apps"],"online_safe":4`, `"find_clients":["apps"],"online_safe":4.0`},
		{"text with escapes", `"find_clients":["apps"],"comments":"é<b>"`, `"find_clients":["apps"],"comments":"\u00e9\u003cb\u003e"`},
		{"white space", `"find_clients":["apps"]`, ` "find_clients" : [ "apps" ] `},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x, y := check(t, s, plain("en", c.a)), check(t, s, plain("en", c.b))
			if !x.Equal(y) || !y.Equal(x) {
				a, _ := json.Marshal(x)
				b, _ := json.Marshal(y)
				t.Errorf("not equal:\n%s\n%s", a, b)
			}
			// The store compares what it read back from disk with what just
			// arrived; the JSON round trip must not change the verdict.
			b, _ := json.Marshal(x)
			var back domain.Content
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !back.Equal(y) {
				t.Errorf("a stored copy differs from a fresh one: %s", b)
			}
		})
	}
}

func TestContent_DifferentAnswersAreNotEqual(t *testing.T) {
	s := needsSurvey(t)
	base := check(t, s, plain("en", `"find_clients":["apps"]`))
	cases := []struct{ name, plaintext string }{
		{"another choice", plain("en", `"find_clients":["street"]`)},
		{"one choice more", plain("en", `"find_clients":["apps","street"]`)},
		{"another language", plain("ru", `"find_clients":["apps"]`)},
		{"an optional answer added", plain("en", `"find_clients":["apps"],"work_days":1`)},
		{"prefer not to say instead of an answer", plain("en", `"find_clients":null`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if other := check(t, s, c.plaintext); base.Equal(other) {
				t.Error("equal")
			}
		})
	}
	v2 := *base
	v2.Version = 2
	if base.Equal(&v2) {
		t.Error("the same answers to another version are equal")
	}
}

// Check returns answers in canonical form: lists in the definition's order,
// scale as int, number as float64, null kept as a present nil.
func TestCheck_AnswersAreCanonical(t *testing.T) {
	s := needsSurvey(t)
	c := check(t, s, plain("ru", `"find_clients":["other","apps"],"work_days":7.0,"online_safe":5.0,"internet":null,"comments":"ok"`))
	got, _ := json.Marshal(c.Answers)
	for _, want := range []string{`"find_clients":["apps","other"]`, `"work_days":7}`, `"online_safe":5,`, `"internet":null`, `"comments":"ok"`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("answers %s lack %s", got, want)
		}
	}
	if _, ok := c.Answers["online_safe"].(int); !ok {
		t.Errorf("scale is a %T, want int", c.Answers["online_safe"])
	}
	if v, ok := c.Answers["internet"]; !ok || v != nil {
		t.Errorf("prefer not to say: %v, present %v", v, ok)
	}
	if c.Survey != "needs" || c.Version != 1 || c.Lang != "ru" {
		t.Errorf("content %s v%d %s", c.Survey, c.Version, c.Lang)
	}
}

// Each kind of bad answer gets its code and names its question; the HTTP
// tests cover the full list end to end.
func TestCheck_RefusalNamesTheQuestion(t *testing.T) {
	s := needsSurvey(t)
	cases := []struct {
		name, plaintext string
		code            domain.Code
		question        string
	}{
		{"scale 6", plain("en", `"find_clients":["apps"],"online_safe":6`), domain.CodeInvalidAnswer, "online_safe"},
		{"multiple given as a string", plain("en", `"find_clients":"apps"`), domain.CodeInvalidAnswer, "find_clients"},
		{"hidden by showIf", plain("en", `"find_clients":["street"],"online_safe":3`), domain.CodeHiddenAnswer, "online_safe"},
		{"unknown question", plain("en", `"find_clients":["apps"],"age":30`), domain.CodeUnknownQuestion, "age"},
		{"required absent", `{"lang":"en","answers":{"phone":"basic"}}`, domain.CodeMissingAnswer, "find_clients"},
		{"not JSON", `lang=en`, domain.CodeInvalidPlaintext, ""},
		{"unknown language", plain("de", `"find_clients":["apps"]`), domain.CodeUnknownLanguage, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Check([]byte(c.plaintext))
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != c.code || de.Question != c.question || de.Message == "" {
				t.Errorf("got %v, want %s on %q", err, c.code, c.question)
			}
		})
	}
}

// A question of whole numbers refuses a fraction however it is spelt, and
// takes a whole one however it is spelt; one without takes both, as every
// survey written before whole did.
func TestCheck_WholeNumberRefusesFractions(t *testing.T) {
	s := needsSurvey(t)
	s.Question("work_days").Whole = true
	for _, v := range []string{"2.5", "25e-1", "0.0001"} {
		_, err := s.Check([]byte(plain("en", `"find_clients":["apps"],"work_days":`+v)))
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != domain.CodeInvalidAnswer || de.Question != "work_days" || !strings.Contains(de.Message, "whole number") {
			t.Errorf("work_days %s: got %v, want a refusal saying whole number", v, err)
		}
	}
	for _, v := range []string{"3", "3.0", "30e-1"} {
		if c := check(t, s, plain("en", `"find_clients":["apps"],"work_days":`+v)); c.Answers["work_days"] != 3.0 {
			t.Errorf("work_days %s = %v, want 3", v, c.Answers["work_days"])
		}
	}
	s.Question("work_days").Whole = false
	check(t, s, plain("en", `"find_clients":["apps"],"work_days":2.5`))
}

func TestValidResponseID_AcceptsOnlyCanonicalUUIDv4(t *testing.T) {
	for id, want := range map[string]bool{
		"0b7e2a0c-4f6d-4c1e-9a3b-5d2f8e6c1a01":   true,
		"0B7E2A0C-4F6D-4C1E-9A3B-5D2F8E6C1A01":   false, // upper case: a different AAD
		"0b7e2a0c-4f6d-1c1e-9a3b-5d2f8e6c1a01":   false, // version 1
		"0b7e2a0c-4f6d-4c1e-7a3b-5d2f8e6c1a01":   false, // wrong variant
		"0b7e2a0c4f6d4c1e9a3b5d2f8e6c1a01":       false,
		"{0b7e2a0c-4f6d-4c1e-9a3b-5d2f8e6c1a01}": false,
		"":                                       false,
	} {
		if got := domain.ValidResponseID(id); got != want {
			t.Errorf("ValidResponseID(%q) = %v, want %v", id, got, want)
		}
	}
}
