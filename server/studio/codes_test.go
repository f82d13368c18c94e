package studio_test

import (
	"testing"

	"sova/i18n"
	"sova/internal/codes"
)

// Every refusal the studio and voice can give is said in every console
// language (studio.refused.<code>), so that no staffer meets the English
// fallback: the studio's own codes, made by invalid and missing, and a
// refused recording's, made by voice's refuse and carried as
// "recording.<code>".
func TestRefusalCodes_AreSaidInEveryConsoleLanguage(t *testing.T) {
	cats, err := i18n.LoadConsole()
	if err != nil {
		t.Fatal(err)
	}
	studio := codes.In(t, ".", "", map[string]int{"invalid": 0, "missing": 0})
	recording := codes.In(t, "../voice", "recording.", map[string]int{"refuse": 0})
	if len(studio) < 20 || len(recording) < 9 {
		t.Fatalf("found only %d studio and %d recording codes: has the way they are made changed?", len(studio), len(recording))
	}
	for _, c := range cats {
		for _, code := range append(studio, recording...) {
			if key := "studio.refused." + code; c.T(key) == key || c.T(key) == "" {
				t.Errorf("%s: no %s", c.Lang, key)
			}
		}
	}
}
