package i18n_test

import (
	"strings"
	"testing"

	"sova/i18n"
)

// pluralForms are the CLDR categories each language's integers use; a
// plural message must give every one of them.
var pluralForms = map[string][]string{
	"en": {"one", "other"},
	"ru": {"one", "few", "many", "other"},
	"es": {"one", "many", "other"},
	"fr": {"one", "many", "other"},
	"ar": {"zero", "one", "two", "few", "many", "other"},
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
			forms := c.Plural(k)
			if forms == nil {
				if strings.TrimSpace(c.T(k)) == "" {
					t.Errorf("%s: %q is empty", c.Lang, k)
				}
				continue
			}
			want, ok := pluralForms[c.Lang]
			if !ok {
				t.Errorf("%s: no plural rules known for this language", c.Lang)
			}
			for _, f := range want {
				if !strings.Contains(forms[f], "{n}") {
					t.Errorf("%s: plural %q form %q is missing or lacks {n}", c.Lang, k, f)
				}
			}
		}
	}
}

func TestPluralCategory_CLDR(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "other"}, {"en", 1, "one"}, {"en", 2, "other"}, {"en", 11, "other"},
		{"ru", 0, "many"}, {"ru", 1, "one"}, {"ru", 2, "few"}, {"ru", 4, "few"}, {"ru", 5, "many"},
		{"ru", 11, "many"}, {"ru", 12, "many"}, {"ru", 14, "many"}, {"ru", 21, "one"}, {"ru", 22, "few"},
		{"ru", 25, "many"}, {"ru", 101, "one"}, {"ru", 111, "many"}, {"ru", 112, "many"}, {"ru", 1001, "one"},
		{"fr", 0, "one"}, {"fr", 1, "one"}, {"fr", 2, "other"}, {"fr", 1000000, "many"},
		{"es", 1, "one"}, {"es", 0, "other"},
		{"ar", 0, "zero"}, {"ar", 1, "one"}, {"ar", 2, "two"}, {"ar", 3, "few"}, {"ar", 10, "few"},
		{"ar", 11, "many"}, {"ar", 99, "many"}, {"ar", 100, "other"}, {"ar", 103, "few"},
	} {
		if got := i18n.PluralCategory(c.lang, c.n); got != c.want {
			t.Errorf("PluralCategory(%s, %d) = %s, want %s", c.lang, c.n, got, c.want)
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
