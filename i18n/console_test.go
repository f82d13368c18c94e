package i18n_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"sova/i18n"
)

// Every console catalog says everything English says, with the same
// {places} to fill, and nothing English does not.
func TestConsoleCatalogs_AreComplete(t *testing.T) {
	cats, err := i18n.LoadConsole()
	if err != nil {
		t.Fatal(err)
	}
	var en *i18n.Catalog
	var codes []string
	for _, c := range cats {
		codes = append(codes, c.Lang)
		if c.Lang == "en" {
			en = c
		}
	}
	for _, want := range []string{"ar", "en", "es", "fr", "ru"} {
		if !slices.Contains(codes, want) {
			t.Errorf("no console catalog for %s (have %v)", want, codes)
		}
	}
	if en == nil {
		t.FailNow()
	}
	// Each language has the same files, so a translator finds a page's
	// words where English keeps them.
	enParts, _ := filepath.Glob("console/en/*.json")
	for _, c := range cats {
		parts, _ := filepath.Glob("console/" + c.Lang + "/*.json")
		for i := range parts {
			parts[i] = filepath.Base(parts[i])
		}
		for _, p := range enParts {
			if !slices.Contains(parts, filepath.Base(p)) {
				t.Errorf("console/%s has no %s", c.Lang, filepath.Base(p))
			}
		}
	}
	place := regexp.MustCompile(`\{[a-z]+\}`)
	for _, c := range cats {
		if c.Name == "" {
			t.Errorf("%s: no meta.name", c.Lang)
		}
		if (c.Lang == "ar") != (c.Dir == "rtl") {
			t.Errorf("%s: direction %s", c.Lang, c.Dir)
		}
		for _, k := range en.Keys() {
			if forms := en.Plural(k); forms != nil {
				// A plural message: every form the language's numbers take
				// (TestCatalogs_PluralMessagesGiveEveryForm checks each),
				// each filling the places English's "other" does.
				mine := c.Plural(k)
				if mine == nil {
					t.Errorf("%s: plural %q is missing", c.Lang, k)
				}
				for form, text := range mine {
					if a, b := place.FindAllString(forms["other"], -1), place.FindAllString(text, -1); !slices.Equal(sorted(a), sorted(b)) {
						t.Errorf("%s: %q (%s) fills %v, English %v", c.Lang, k, form, b, a)
					}
				}
				continue
			}
			got := c.T(k)
			if got == k || got == "" {
				t.Errorf("%s: %q is missing", c.Lang, k)
				continue
			}
			if a, b := place.FindAllString(en.T(k), -1), place.FindAllString(got, -1); !slices.Equal(sorted(a), sorted(b)) {
				t.Errorf("%s: %q fills %v, English %v", c.Lang, k, b, a)
			}
		}
		for _, k := range c.Keys() {
			if en.T(k) == k && en.Plural(k) == nil {
				t.Errorf("%s: %q is not in English", c.Lang, k)
			}
		}
	}
}

// Every key a console page asks for is in the English catalog: a missing
// one would show as its key.
func TestConsoleCatalogs_HoldEveryKeyThePagesUse(t *testing.T) {
	cats, err := i18n.LoadConsole()
	if err != nil {
		t.Fatal(err)
	}
	var en *i18n.Catalog
	for _, c := range cats {
		if c.Lang == "en" {
			en = c
		}
	}
	files, _ := filepath.Glob("../server/web/console/*.templ")
	gofiles, _ := filepath.Glob("../server/web/console/*.go")
	use := regexp.MustCompile(`\bv\.(?:Tf?|N)\("([a-z][a-z0-9.-]*)"`)
	seen := 0
	for _, f := range append(files, gofiles...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range use.FindAllStringSubmatch(string(data), -1) {
			seen++
			if en.T(m[1]) == m[1] && en.Plural(m[1]) == nil {
				t.Errorf("%s asks for %q, which i18n/console/en.json lacks", filepath.Base(f), m[1])
			}
		}
	}
	if seen < 20 {
		t.Errorf("found only %d uses of the console's words: has the way pages ask for them changed?", seen)
	}
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}
