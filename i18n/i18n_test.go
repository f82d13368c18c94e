package i18n_test

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"sova/i18n"
)

// missingForms lists what c's plural messages lack: every form that whole
// numbers take in c's language (by CLDR, through x/text, not by a list kept
// here), each with {n}.
func missingForms(c *i18n.Catalog) []string {
	var out []string
	for _, k := range c.Keys() {
		forms := c.Plural(k)
		if forms == nil {
			continue
		}
		for _, f := range i18n.PluralForms(c.Lang) {
			if !strings.Contains(forms[f], "{n}") {
				out = append(out, c.Lang+": plural "+strconv.Quote(k)+" form "+strconv.Quote(f)+" is missing or lacks {n}")
			}
		}
	}
	return out
}

func TestCatalogs_EveryKeyInEveryLanguage(t *testing.T) {
	cats, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(cats) < 2 {
		t.Fatalf("only %d catalogs", len(cats))
	}
	all := map[string]bool{}
	for _, c := range cats {
		for _, k := range c.Keys() {
			all[k] = true
		}
	}
	for _, c := range cats {
		if c.Name == "" || (c.Dir != "ltr" && c.Dir != "rtl") {
			t.Errorf("%s: meta needs a name and dir ltr/rtl, got %q %q", c.Lang, c.Name, c.Dir)
		}
		have := map[string]bool{}
		for _, k := range c.Keys() {
			have[k] = true
		}
		for k := range all {
			if !have[k] {
				t.Errorf("%s: missing key %q", c.Lang, k)
			}
		}
		for _, k := range c.Keys() {
			if c.Plural(k) == nil && strings.TrimSpace(c.T(k)) == "" {
				t.Errorf("%s: %q is empty", c.Lang, k)
			}
		}
	}
}

// The member app's and the console's plural messages give every form
// their language's whole numbers take.
func TestCatalogs_PluralMessagesGiveEveryForm(t *testing.T) {
	for set, load := range map[string]func() ([]*i18n.Catalog, error){"member": i18n.Load, "console": i18n.LoadConsole} {
		cats, err := load()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cats {
			for _, m := range missingForms(c) {
				t.Error(set + " " + m)
			}
		}
	}
}

// CLDR's answers (CLDR 48, the examples of its plurals.xml), whatever
// library gives them. x/text's tables are older (CLDR 32, see
// plural.CLDRVersion): since CLDR 38 Spanish and French say "many" of whole
// millions ("1 000 000 de réponses"), as browsers do, and x/text still says
// "other". Those rows name what x/text says as lag, so that the gap is known,
// stays at those numbers, and is noticed when x/text catches up. It changes
// no word Sova shows: both catalogs' "many" and "other" read alike, and the
// app shows its own counts in the browser, with Intl.PluralRules.
var cldr = []struct {
	lang string
	n    int
	want string
	lag  string
}{
	{"en", 0, "other", ""}, {"en", 1, "one", ""}, {"en", 2, "other", ""}, {"en", 11, "other", ""},
	{"en", 21, "other", ""}, {"en", 101, "other", ""}, {"en", 1000000, "other", ""},

	{"ru", 0, "many", ""}, {"ru", 1, "one", ""}, {"ru", 2, "few", ""}, {"ru", 4, "few", ""},
	{"ru", 5, "many", ""}, {"ru", 11, "many", ""}, {"ru", 12, "many", ""}, {"ru", 14, "many", ""},
	{"ru", 21, "one", ""}, {"ru", 22, "few", ""}, {"ru", 25, "many", ""}, {"ru", 101, "one", ""},
	{"ru", 111, "many", ""}, {"ru", 112, "many", ""}, {"ru", 1001, "one", ""}, {"ru", 1000000, "many", ""},

	{"es", 0, "other", ""}, {"es", 1, "one", ""}, {"es", 2, "other", ""}, {"es", 11, "other", ""},
	{"es", 21, "other", ""}, {"es", 101, "other", ""},
	{"es", 1000000, "many", "other"}, {"es", 2000000, "many", "other"},

	{"fr", 0, "one", ""}, {"fr", 1, "one", ""}, {"fr", 2, "other", ""}, {"fr", 11, "other", ""},
	{"fr", 21, "other", ""}, {"fr", 1000000, "many", "other"},

	{"ar", 0, "zero", ""}, {"ar", 1, "one", ""}, {"ar", 2, "two", ""}, {"ar", 3, "few", ""},
	{"ar", 10, "few", ""}, {"ar", 11, "many", ""}, {"ar", 26, "many", ""}, {"ar", 99, "many", ""},
	{"ar", 100, "other", ""}, {"ar", 101, "other", ""}, {"ar", 102, "other", ""}, {"ar", 103, "few", ""},
	{"ar", 110, "few", ""}, {"ar", 111, "many", ""}, {"ar", 1000, "other", ""}, {"ar", 1003, "few", ""},
	{"ar", 1011, "many", ""}, {"ar", 1000000, "other", ""},
}

func TestPluralCategory_CLDR(t *testing.T) {
	langs := map[string]bool{}
	for _, c := range cldr {
		langs[c.lang] = true
		got := i18n.PluralCategory(c.lang, c.n)
		switch {
		case c.lag == "" && got != c.want:
			t.Errorf("PluralCategory(%s, %d) = %s, want %s", c.lang, c.n, got, c.want)
		case c.lag != "" && got == c.want:
			t.Errorf("PluralCategory(%s, %d) = %s as CLDR says: x/text caught up, drop this row's lag", c.lang, c.n, got)
		case c.lag != "" && got != c.lag:
			t.Errorf("PluralCategory(%s, %d) = %s, want CLDR's %s (or x/text's old %s)", c.lang, c.n, got, c.want, c.lag)
		}
	}
	cats, _ := i18n.Load()
	for _, c := range cats {
		if !langs[c.Lang] {
			t.Errorf("no CLDR examples for the %s catalog", c.Lang)
		}
	}
	// A region or script does not lose its language's rules.
	if got := i18n.PluralCategory("ar-EG", 3); got != "few" {
		t.Errorf("PluralCategory(ar-EG, 3) = %s, want few", got)
	}
	if got := i18n.PluralCategory("ru", -21); got != "one" {
		t.Errorf("PluralCategory(ru, -21) = %s, want one", got)
	}
}

func TestPluralForms_AreTheFormsOfWholeNumbers(t *testing.T) {
	for lang, want := range map[string][]string{
		"en": {"one", "other"},
		"ru": {"one", "few", "many"}, // "other" is for fractions, which Sova never counts
		"es": {"one", "other"},       // CLDR 38+ adds "many" (whole millions); x/text is CLDR 32
		"fr": {"one", "other"},       // likewise
		"ar": {"zero", "one", "two", "few", "many", "other"},
		"pl": {"one", "few", "many"},
		"br": {"one", "two", "few", "many", "other"}, // Breton's "many" is whole millions only
	} {
		if got := i18n.PluralForms(lang); !slices.Equal(got, want) {
			t.Errorf("PluralForms(%s) = %v, want %v", lang, got, want)
		}
	}
}

// PluralForms counts only 0 to 1099 and a million. Counting five times
// further, and to many millions, in languages with many forms finds no other
// form.
func TestPluralForms_CountingFurtherFindsNoOtherForm(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{
		"ar", "be", "br", "bs", "cs", "cy", "dsb", "ga", "gd", "gv", "he", "hr", "hsb", "ksh", "kw",
		"lag", "lt", "lv", "mt", "pl", "prg", "ro", "ru", "shi", "sk", "sl", "sr", "uk",
	} {
		seen := map[string]bool{}
		for n := 0; n <= 5000; n++ {
			seen[i18n.PluralCategory(lang, n)] = true
		}
		for k := 1; k <= 30; k++ {
			seen[i18n.PluralCategory(lang, k*1000000)] = true
		}
		for _, f := range i18n.PluralForms(lang) {
			delete(seen, f)
		}
		if len(seen) > 0 {
			t.Errorf("%s: counting further finds %v, which PluralForms misses", lang, seen)
		}
	}
}

// A translator adds Polish or Ukrainian as a file, and counts read right
// with no Go code: Polish says "21 odpowiedzi" (many) where Ukrainian and
// Russian say "21 відповідь" (one).
func TestLoadFS_NewLanguageCountsRightWithNoCode(t *testing.T) {
	cats, err := i18n.LoadFS(os.DirFS("testdata/newlang"))
	if err != nil {
		t.Fatal(err)
	}
	byLang := map[string]*i18n.Catalog{}
	for _, c := range cats {
		byLang[c.Lang] = c
		for _, m := range missingForms(c) {
			t.Error(m)
		}
	}
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"pl", 0, "many"}, {"pl", 1, "one"}, {"pl", 2, "few"}, {"pl", 4, "few"}, {"pl", 5, "many"},
		{"pl", 12, "many"}, {"pl", 21, "many"}, {"pl", 22, "few"}, {"pl", 25, "many"},
		{"pl", 101, "many"}, {"pl", 102, "few"}, {"pl", 112, "many"}, {"pl", 1000000, "many"},
		{"uk", 0, "many"}, {"uk", 1, "one"}, {"uk", 2, "few"}, {"uk", 5, "many"}, {"uk", 11, "many"},
		{"uk", 21, "one"}, {"uk", 22, "few"}, {"uk", 111, "many"}, {"uk", 1000000, "many"},
	} {
		cat := byLang[c.lang]
		if cat == nil {
			t.Fatalf("no %s catalog in testdata/newlang", c.lang)
		}
		if got := i18n.PluralCategory(c.lang, c.n); got != c.want {
			t.Errorf("PluralCategory(%s, %d) = %s, want %s", c.lang, c.n, got, c.want)
		}
		want := strings.ReplaceAll(cat.Plural("outbox.waiting")[c.want], "{n}", strconv.Itoa(c.n))
		if got := cat.N("outbox.waiting", c.n); got != want {
			t.Errorf("%s N(%d) = %q, want %q", c.lang, c.n, got, want)
		}
	}
	// Its forms come from CLDR too: a Polish message with English forms only
	// is caught.
	cats, err = i18n.LoadFS(fstest.MapFS{"pl.json": {Data: []byte(`{"meta": {"name": "Polski"},
		"messages": {"outbox.waiting": {"one": "{n} odpowiedź", "other": "{n} odpowiedzi"}}}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := missingForms(cats[0]); len(got) != 2 || !strings.Contains(got[0], `"few"`) || !strings.Contains(got[1], `"many"`) {
		t.Errorf("a Polish message without few and many: got %q", got)
	}
}

func TestLoadFS_RefusesWhatCannotBeCounted(t *testing.T) {
	for name, c := range map[string]struct{ file, data, says string }{
		"unknown language": {"ua.json", `{"meta": {"name": "Українська"}, "messages": {}}`, `"ua" is not a language code`},
		"unknown form": {"uk.json", `{"meta": {"name": "Українська"}, "messages": {"m": {"paucal": "{n}", "other": "{n}"}}}`,
			`"paucal" is not a CLDR plural form`},
		"no other": {"uk.json", `{"meta": {"name": "Українська"}, "messages": {"m": {"one": "{n}"}}}`, `with "other"`},
	} {
		_, err := i18n.LoadFS(fstest.MapFS{c.file: {Data: []byte(c.data)}})
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: err = %v, want it to say %s", name, err, c.says)
		}
	}
}

func TestCatalog_RussianCountsReadRight(t *testing.T) {
	cats, _ := i18n.Load()
	var ru *i18n.Catalog
	for _, c := range cats {
		if c.Lang == "ru" {
			ru = c
		}
	}
	if ru == nil {
		t.Fatal("no Russian catalog")
	}
	one, few, many := ru.N("outbox.waiting", 1), ru.N("outbox.waiting", 3), ru.N("outbox.waiting", 5)
	if one == few || few == many || one == many {
		t.Errorf("Russian plural forms do not differ: %q / %q / %q", one, few, many)
	}
	if !strings.Contains(ru.N("outbox.waiting", 21), "21") {
		t.Errorf("{n} not replaced: %q", ru.N("outbox.waiting", 21))
	}
}
