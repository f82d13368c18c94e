package console

import (
	"testing"

	"sova/i18n"
)

// The results' month filter names each month as the reader writes one, in
// her digits: Arabic readers saw "2026-11" in Latin digits.
func TestMonth_AsTheReaderWritesIt(t *testing.T) {
	cats, err := i18n.LoadConsole()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"en": "Nov 2026", "ru": "11.2026", "es": "11/2026", "fr": "11/2026", "ar": "١١/٢٠٢٦"}
	for _, c := range cats {
		v := consoleView{cat: c}
		if got := v.Month("2026-11"); got != want[c.Lang] {
			t.Errorf("%s: %q, want %q", c.Lang, got, want[c.Lang])
		}
		if got := v.Month("2026-13"); got != "2026-13" {
			t.Errorf("%s: a month that is none shows as %q, want it as it is", c.Lang, got)
		}
	}
}
