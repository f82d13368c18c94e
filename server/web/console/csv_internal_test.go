package console

import "testing"

// A typed answer a spreadsheet would run as a formula opens as text, in
// every form an attack tried: signs after spaces or a line break, full-width
// signs, a leading tab or carriage return. Words and numbers that only
// contain a sign stay as typed.
func TestCSVSafe_DefusesFormulasHoweverTheyStart(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1":                "'=1+1",
		" =HYPERLINK(\"x\")":  "' =HYPERLINK(\"x\")",
		"\n=cmd|' /C calc'!A": "'\n=cmd|' /C calc'!A",
		"\r\n@SUM(A1)":        "'\r\n@SUM(A1)",
		"\t+1":                "'\t+1",
		"－1":                  "'－1",
		"＝1+1":                "'＝1+1",
		"\u00a0=1":            "'\u00a0=1",
		"ok = fine":           "ok = fine",
		"e-mail":              "e-mail",
		"":                    "",
	} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
