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
	"sort"
	"strconv"
	"strings"
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

// PluralCategory is the CLDR plural category of the whole number n in lang.
// Only whole numbers are counted in Sova (items waiting, days), so the
// fraction rules are left out.
func PluralCategory(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	mod10, mod100 := n%10, n%100
	switch strings.SplitN(lang, "-", 2)[0] {
	case "ru", "uk", "be":
		switch {
		case mod10 == 1 && mod100 != 11:
			return "one"
		case mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14):
			return "few"
		default:
			return "many"
		}
	case "fr", "pt":
		if n == 0 || n == 1 {
			return "one"
		}
		if n != 0 && n%1000000 == 0 {
			return "many"
		}
		return "other"
	case "es", "it":
		if n == 1 {
			return "one"
		}
		if n != 0 && n%1000000 == 0 {
			return "many"
		}
		return "other"
	case "ar":
		switch {
		case n == 0:
			return "zero"
		case n == 1:
			return "one"
		case n == 2:
			return "two"
		case mod100 >= 3 && mod100 <= 10:
			return "few"
		case mod100 >= 11 && mod100 <= 99:
			return "many"
		}
		return "other"
	case "zh", "ja", "ko", "th", "vi", "id", "ms":
		return "other"
	}
	if n == 1 {
		return "one"
	}
	return "other"
}
