package member

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"sova/i18n"
	"sova/server/domain"
)

// A question of whole numbers offers the keypad without a decimal point,
// and one that takes fractions offers the point: a member must be able to
// type the answer she is asked for, and no other.
func TestNumberInput_KeypadFollowsWhole(t *testing.T) {
	cats, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	v := view{cat: cats[0], b: &builder{}}
	input := regexp.MustCompile(`<input [^>]*>`)
	for _, c := range []struct {
		whole bool
		want  []string
	}{
		{true, []string{`inputmode="numeric"`, `step="1"`, `min="0"`, `max="7"`}},
		{false, []string{`inputmode="decimal"`, `step="any"`, `min="0"`, `max="7"`}},
	} {
		seven := 7.0
		var b strings.Builder
		q := &domain.Question{ID: "n", Type: domain.Number, Max: &seven, Whole: c.whole}
		if err := numberInput(v, q).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		got := input.FindString(b.String())
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("whole=%v: %s lacks %s", c.whole, got, w)
			}
		}
	}
}
