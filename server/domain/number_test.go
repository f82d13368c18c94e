package domain_test

import (
	"encoding/json"
	"os"
	"testing"

	"sova/server/domain"
)

// The server judges a number answer by its question's bounds and whether it
// takes whole numbers only; the phone's rules.js decides by the same
// fixture (pwa/rules_test.go) whether what she typed is an answer, so that
// the phone never sends one the server refuses, nor drops one it takes.
func TestNumber_SameJudgementAsThePhone(t *testing.T) {
	data, err := os.ReadFile("testdata/number.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []struct {
			Name     string `json:"name"`
			Question struct {
				Min, Max float64
				Whole    bool
			} `json:"question"`
			Typed string `json:"typed"`
			Taken bool   `json:"taken"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	for _, c := range f.Cases {
		t.Run(c.Name, func(t *testing.T) {
			q := c.Question
			s := &domain.Survey{ID: "s", Version: 1, Languages: []string{"en"}, Questions: []domain.Question{
				{ID: "n", Type: domain.Number, Text: "t.n", Icon: "count", Min: &q.Min, Max: &q.Max, Whole: q.Whole},
			}}
			_, err := s.Check([]byte(`{"lang":"en","answers":{"n":` + c.Typed + `}}`))
			if taken := err == nil; taken != c.Taken {
				t.Errorf("%s taken = %v (%v), want %v", c.Typed, taken, err, c.Taken)
			}
		})
	}
}
