// Package i18n holds the app's text catalogs, one JSON file per language
// (i18n/<lang>.json), embedded in the binary. A translator adds a language
// by adding a file; no Go code changes.
//
// Survey texts are not here: they travel inside each survey definition, so a
// survey and its words are published together.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

//go:embed *.json
var files embed.FS

// Catalog is one language's messages.
type Catalog struct {
	Lang string // code, such as "ru"
	Name string // the language's own name for itself
	Dir  string // "ltr" or "rtl"

	texts   map[string]string
	plurals map[string]map[string]string
}

type catalogFile struct {
	Meta struct {
		Name string `json:"name"`
		Dir  string `json:"dir"`
	} `json:"meta"`
	Messages map[string]json.RawMessage `json:"messages"`
}

// Load reads every catalog, ordered by language code.
func Load() ([]*Catalog, error) { return LoadFS(files) }

// LoadFS reads every *.json catalog in fsys.
func LoadFS(fsys fs.FS) ([]*Catalog, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []*Catalog
	for _, name := range names {
		c, err := parse(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("i18n/%s: %w", name, err)
		}
		out = append(out, c)
	}
	return out, nil
}

func parse(fsys fs.FS, name string) (*Catalog, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var f catalogFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	c := &Catalog{
		Lang: strings.TrimSuffix(name, ".json"), Name: f.Meta.Name, Dir: f.Meta.Dir,
		texts: map[string]string{}, plurals: map[string]map[string]string{},
	}
	if _, err := language.Parse(c.Lang); err != nil {
		// Its plurals could not be chosen: every count would read "other".
		return nil, fmt.Errorf("%q is not a language code CLDR knows: name the file by its BCP 47 code (uk.json, not ua.json)", c.Lang)
	}
	if c.Dir != "rtl" {
		c.Dir = "ltr"
	}
	for k, raw := range f.Messages {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			c.texts[k] = s
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(raw, &forms); err != nil || forms["other"] == "" {
			return nil, fmt.Errorf("message %q must be a string or an object of plural forms with \"other\"", k)
		}
		for f := range forms {
			if !slices.Contains(cldrOrder, f) {
				return nil, fmt.Errorf("message %q: %q is not a CLDR plural form (zero, one, two, few, many, other)", k, f)
			}
		}
		c.plurals[k] = forms
	}
	return c, nil
}

// T returns the text for key; a missing key shows as itself so that it is
// noticed, and a test keeps every catalog complete.
func (c *Catalog) T(key string) string {
	if s, ok := c.texts[key]; ok {
		return s
	}
	return key
}

// N returns the plural form of key for n, with {n} replaced.
func (c *Catalog) N(key string, n int) string {
	forms := c.plurals[key]
	if forms == nil {
		return key
	}
	s, ok := forms[PluralCategory(c.Lang, n)]
	if !ok {
		s = forms["other"]
	}
	return strings.ReplaceAll(s, "{n}", strconv.Itoa(n))
}

// Counted is how far counts are spoken: a plural message has a phrase of
// voice for each count from 1 to Counted ("3 answers are waiting"), as
// words that change with the number cannot be put together from parts.
const Counted = 10

// CountKey is the voice key of plural message key said for n.
func CountKey(key string, n int) string { return key + "." + strconv.Itoa(n) }

// Counts returns the words of every plural message for each count from 1
// to [Counted], by [CountKey]: what voice packs speak.
func (c *Catalog) Counts() map[string]string {
	out := map[string]string{}
	for key := range c.plurals {
		for n := 1; n <= Counted; n++ {
			out[CountKey(key, n)] = c.N(key, n)
		}
	}
	return out
}

// Plural returns the plural forms of key, for the app to choose from itself.
func (c *Catalog) Plural(key string) map[string]string { return c.plurals[key] }

// Keys returns every message key, texts and plurals, sorted.
func (c *Catalog) Keys() []string {
	var keys []string
	for k := range c.texts {
		keys = append(keys, k)
	}
	for k := range c.plurals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// WithTexts returns a copy of the catalog with some plain messages worded
// anew (a translator's edits); keys it does not have are ignored.
func (c *Catalog) WithTexts(edits map[string]string) *Catalog {
	cp := *c
	cp.texts = make(map[string]string, len(c.texts))
	for k, s := range c.texts {
		if e, ok := edits[k]; ok {
			s = e
		}
		cp.texts[k] = s
	}
	return &cp
}

// Texts returns the plain (non-plural) messages, for voicing.
func (c *Catalog) Texts() map[string]string { return c.texts }

// categories names x/text's plural forms as CLDR does, which is also what
// the catalogs' forms and the browser's Intl.PluralRules call them.
var categories = map[plural.Form]string{
	plural.Zero: "zero", plural.One: "one", plural.Two: "two",
	plural.Few: "few", plural.Many: "many", plural.Other: "other",
}

// cldrOrder is every category, in the order CLDR lists them.
var cldrOrder = []string{"zero", "one", "two", "few", "many", "other"}

// PluralCategory is the CLDR plural category (zero, one, two, few, many,
// other) of the whole number n in lang, from golang.org/x/text's CLDR
// tables, so that a new language needs no code here. Only whole numbers are
// counted in Sova (items waiting, days). A language x/text does not know
// counts as "other"; Load refuses a catalog named so. x/text's tables are
// CLDR 32, so of whole millions in Spanish and French it says "other" where
// CLDR 38 and browsers say "many" (see i18n_test.go).
func PluralCategory(lang string, n int) string { return category(language.Make(lang), n) }

func category(tag language.Tag, n int) string {
	if n < 0 {
		n = -n
	}
	return categories[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)]
}

// PluralForms are the categories whole numbers take in lang, in CLDR's
// order: the forms every plural message of lang must give. x/text does not
// list them, so they are found by counting: CLDR's rules for whole numbers
// look at n modulo 10, 100 or 1000 and at whole millions, so 0 to 1099 and
// a million meet every category (a test checks this over many languages).
func PluralForms(lang string) []string {
	tag, seen := language.Make(lang), map[string]bool{}
	for n := 0; n <= 1099; n++ {
		seen[category(tag, n)] = true
	}
	seen[category(tag, 1000000)] = true
	var out []string
	for _, f := range cldrOrder {
		if seen[f] {
			out = append(out, f)
		}
	}
	return out
}
