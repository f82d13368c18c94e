// Command voicegen makes the synthetic voice packs in assets/audio/<lang>/ from
// the UI catalogs (i18n/<lang>.json, every message that is not a plural) and
// the built-in surveys (assets/surveys/*.json, texts.<lang>).
//
// Run it from the repository root after changing a text:
//
//	go run ./server/tools/voicegen
//
// Only phrases whose text changed are made again, and recorded phrases are
// never touched. It needs espeak-ng and ffmpeg (Debian packages espeak-ng and
// ffmpeg).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"iter"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"

	"sova/i18n"
	"sova/server/voice"
)

func main() {
	root := flag.String("root", ".", "repository root")
	langs := flag.String("lang", "", "comma-separated languages to make (default: every i18n/<lang>.json)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := generate(ctx, *root, *langs); err != nil {
		fmt.Fprintln(os.Stderr, "voicegen:", err)
		os.Exit(1)
	}
}

func generate(ctx context.Context, root, langList string) error {
	var langs []string
	if langList != "" {
		langs = strings.Split(langList, ",")
	} else {
		catalogs, err := filepath.Glob(filepath.Join(root, "i18n", "*.json"))
		if err != nil {
			return err
		}
		for _, c := range catalogs {
			langs = append(langs, strings.TrimSuffix(filepath.Base(c), ".json"))
		}
	}
	if len(langs) == 0 {
		return fmt.Errorf("no languages: %s has no catalogs", filepath.Join(root, "i18n"))
	}
	slices.Sort(langs)
	surveys, err := loadSurveys(root)
	if err != nil {
		return err
	}
	for _, lang := range langs {
		texts, err := Texts(root, lang, surveys)
		if err != nil {
			return err
		}
		dir := filepath.Join(root, "assets", "audio", lang)
		fmt.Printf("%s: %d phrases…\n", lang, len(texts))
		if err := voice.Synthesize(ctx, lang, texts, dir); err != nil {
			return err
		}
		if err := report(root, lang, surveys); err != nil {
			return err
		}
	}
	return nil
}

// survey is the part of a survey definition voicegen reads.
type survey struct {
	file  string
	ID    string                       `json:"id"`
	Texts map[string]map[string]string `json:"texts"`
}

func loadSurveys(root string) ([]survey, error) {
	files, err := filepath.Glob(filepath.Join(root, "assets", "surveys", "*.json"))
	if err != nil {
		return nil, err
	}
	var out []survey
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		s := survey{file: f}
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// Texts collects every text to voice in lang: the catalog's plain messages and
// every survey's texts in lang. The same key with two different texts is an
// error, because one key has one voice file.
func Texts(root, lang string, surveys []survey) (map[string]string, error) {
	texts := map[string]string{}
	from := map[string]string{}
	add := func(key, text, source string) error {
		if old, ok := texts[key]; ok && old != text {
			return fmt.Errorf("key %q has one text in %s and another in %s", key, from[key], source)
		}
		texts[key], from[key] = text, source
		return nil
	}

	catalog := filepath.Join(root, "i18n", lang+".json")
	data, err := os.ReadFile(catalog)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	if err == nil {
		var c struct {
			Messages map[string]json.RawMessage `json:"messages"`
		}
		if err := json.Unmarshal(data, &c); err != nil {
			return nil, fmt.Errorf("%s: %w", catalog, err)
		}
		for key, raw := range c.Messages {
			var text string
			if json.Unmarshal(raw, &text) != nil {
				continue // a plural: spoken for each count, below
			}
			if err := add(key, text, catalog); err != nil {
				return nil, err
			}
		}
	}
	cats, err := i18n.LoadFS(os.DirFS(filepath.Join(root, "i18n")))
	if err != nil {
		return nil, err
	}
	for _, c := range cats {
		if c.Lang != lang {
			continue
		}
		for key, text := range c.Counts() {
			if err := add(key, text, catalog); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range surveys {
		for key, text := range s.Texts[lang] {
			if err := add(key, text, s.file); err != nil {
				return nil, err
			}
		}
	}
	return texts, nil
}

// report prints the size of the pack, and of each survey's voice in it.
func report(root, lang string, surveys []survey) error {
	m, err := voice.LoadManifest(os.DirFS(filepath.Join(root, "assets", "audio")), lang)
	if err != nil {
		return err
	}
	size := func(keys iter.Seq[string]) (opus, mp3 int64, n int) {
		for key := range keys {
			p, ok := m.Phrases[key]
			if !ok {
				continue
			}
			n++
			if f, ok := p.File(voice.CodecOpus); ok {
				opus += f.Bytes
			}
			if f, ok := p.File(voice.CodecMP3); ok {
				mp3 += f.Bytes
			}
		}
		return
	}
	var synthetic, recorded int
	for _, p := range m.Phrases {
		if p.Source == voice.SourceRecorded {
			recorded++
		} else {
			synthetic++
		}
	}
	opus, mp3, n := size(maps.Keys(m.Phrases))
	fmt.Printf("%s: %d phrases (%d synthetic, %d recorded): opus %s, mp3 %s\n",
		lang, n, synthetic, recorded, kb(opus), kb(mp3))
	for _, s := range surveys {
		texts := s.Texts[lang]
		if texts == nil {
			continue
		}
		opus, mp3, n := size(maps.Keys(texts))
		fmt.Printf("%s: survey %s: %d phrases: opus %s, mp3 %s\n", lang, s.ID, n, kb(opus), kb(mp3))
	}
	return nil
}

func kb(n int64) string { return fmt.Sprintf("%.1f KB", float64(n)/1000) }
