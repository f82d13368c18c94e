package xlsform_test

import (
	"testing"

	"sova/i18n"
	"sova/internal/codes"
)

// problemCodes finds every problem code the survey rules (domain) and the
// form reader (xlsform) can give, as the console looks each up
// (problem.<code>). Codes are written as literals where a problem is made,
// so that reading the source finds them all; a code that is not a literal
// fails the test rather than going unchecked.
func problemCodes(t *testing.T) []string {
	t.Helper()
	found := codes.In(t, "../domain", "", map[string]int{"add": 1})
	found = append(found, codes.In(t, ".", "xlsform.", map[string]int{"add": 3, "because": 0, "refuseFile": 1})...)
	if len(found) < 60 {
		t.Fatalf("found only %d problem codes: has the way they are made changed?", len(found))
	}
	return found
}

// Every problem a survey upload can be refused with is said in every
// console language, so that no staffer meets the English fallback.
func TestProblemCodes_AreSaidInEveryConsoleLanguage(t *testing.T) {
	cats, err := i18n.LoadConsole()
	if err != nil {
		t.Fatal(err)
	}
	codes := problemCodes(t)
	for _, c := range cats {
		for _, code := range codes {
			if key := "problem." + code; c.T(key) == key || c.T(key) == "" {
				t.Errorf("%s: no %s", c.Lang, key)
			}
		}
	}
}
