package domain_test

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"sova/server/domain"
)

// showIfCases is the fixture the phone's rules.js is run against too
// (pwa/rules_test.go): one rule, two implementations, the same answers.
type showIfCases struct {
	Cases []struct {
		Name    string              `json:"name"`
		Type    domain.QuestionType `json:"type"`
		Cond    domain.ShowIf       `json:"cond"`
		Answers map[string]any      `json:"answers"`
		Want    bool                `json:"want"`
	} `json:"cases"`
}

// The server judges every sealed answer by showIf: a follow-up answered
// while hidden is refused, and one shown may be answered.
func TestShowIf_SameJudgementAsThePhone(t *testing.T) {
	data, err := os.ReadFile("testdata/showif.json")
	if err != nil {
		t.Fatal(err)
	}
	var f showIfCases
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	for _, c := range f.Cases {
		t.Run(c.Name, func(t *testing.T) {
			cond := c.Cond
			a := domain.Question{ID: "a", Type: c.Type, Text: "t.a", Icon: "other"}
			if c.Type == domain.Single || c.Type == domain.Multiple {
				for _, v := range []string{"x", "y", "z"} {
					a.Choices = append(a.Choices, domain.Choice{Value: v, Text: "t." + v, Icon: "other"})
				}
			}
			s := &domain.Survey{ID: "s", Version: 1, Languages: []string{"en"}, Questions: []domain.Question{
				a, {ID: "b", Type: domain.Text, Text: "t.b", Icon: "other", ShowIf: &cond},
			}}
			answers := map[string]any{"b": "words"}
			for k, v := range c.Answers {
				answers[k] = v
			}
			plain, _ := json.Marshal(map[string]any{"lang": "en", "answers": answers})
			_, err := s.Check(plain)
			var de *domain.Error
			hidden := errors.As(err, &de) && de.Code == domain.CodeHiddenAnswer
			if err != nil && !hidden {
				t.Fatalf("Check: %v", err)
			}
			if shown := !hidden; shown != c.Want {
				t.Errorf("b shown = %v, want %v", shown, c.Want)
			}
		})
	}
}
