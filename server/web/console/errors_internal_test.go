package console

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sova/i18n"
)

// Every sentence the console translates from the domain is still written
// so by the domain or the console (else it would silently show in
// English), has a key in the English catalog with one {place} for each
// of its verbs, and reads in Russian once it is written.
func TestErrorTexts_MatchWhatTheDomainWrites(t *testing.T) {
	var source strings.Builder
	for _, glob := range []string{"../../domain/*.go", "*.go"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") || f == "errors.go" {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			source.Write(data)
		}
	}
	cats, err := i18n.LoadConsole()
	if err != nil {
		t.Fatal(err)
	}
	ru := &consoleView{}
	var en *i18n.Catalog
	for _, c := range cats {
		switch c.Lang {
		case "en":
			en = c
		case "ru":
			ru.cat = c
		}
	}
	verb := regexp.MustCompile(`%[qsdv]`)
	place := regexp.MustCompile(`\{[a-z]+\}`)
	for _, e := range errorTexts {
		if q := strconv.Quote(e.format); !strings.Contains(source.String(), q) {
			t.Errorf("nothing writes %s any more: change errorTexts with it", q)
		}
		if n := len(verb.FindAllString(e.format, -1)); n != len(e.places) {
			t.Errorf("%q has %d verbs and %d places", e.format, n, len(e.places))
		}
		want := make([]string, len(e.places))
		for i, p := range e.places {
			want[i] = "{" + p + "}"
		}
		if got := place.FindAllString(en.T(e.key), -1); !slices.Equal(sorted(got), sorted(want)) {
			t.Errorf("%s fills %v; the format gives %v", e.key, got, want)
		}
		sample := verb.ReplaceAllStringFunc(e.format, func(v string) string {
			switch v {
			case "%d":
				return "12"
			case "%q":
				return `"x"`
			}
			return "admin"
		})
		if got := ru.Message(sample); got == sample || strings.Contains(got, "{") {
			t.Errorf("%q in Russian: %q", sample, got)
		}
	}
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}
