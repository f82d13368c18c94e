package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"testing/fstest"
)

// The staff console's words are a catalog set of their own: staff read
// them and nobody records them, so they stay out of the voice studio and
// the member app's downloads. Each language is a folder
// (console/<lang>/), one file per part of the console (frame.json holds
// the language's name and direction, and the words every page shares), so
// that translators, and people changing one page, work on one file.
//
//go:embed console
var consoleFiles embed.FS

// LoadConsole reads every console catalog, ordered by language code.
func LoadConsole() ([]*Catalog, error) { return loadParts(consoleFiles, "console") }

// loadParts merges each language folder under root into one catalog.
func loadParts(fsys fs.FS, root string) ([]*Catalog, error) {
	langs, err := fs.ReadDir(fsys, root)
	if err != nil {
		return nil, err
	}
	// Each language's parts become one file of an in-memory folder, which
	// LoadFS reads like the member catalogs.
	merged := fstest.MapFS{}
	for _, l := range langs {
		if !l.IsDir() {
			continue
		}
		parts, err := fs.Glob(fsys, path.Join(root, l.Name(), "*.json"))
		if err != nil {
			return nil, err
		}
		var whole catalogFile
		whole.Messages = map[string]json.RawMessage{}
		for _, p := range parts {
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return nil, err
			}
			var part catalogFile
			if err := json.Unmarshal(data, &part); err != nil {
				return nil, fmt.Errorf("i18n/%s: %w", p, err)
			}
			if part.Meta.Name != "" {
				whole.Meta = part.Meta
			}
			for k := range part.Messages {
				if _, dup := whole.Messages[k]; dup {
					return nil, fmt.Errorf("i18n/%s: %q is also in another file of %s", p, k, l.Name())
				}
			}
			maps.Copy(whole.Messages, part.Messages)
		}
		data, err := json.Marshal(whole)
		if err != nil {
			return nil, err
		}
		merged[l.Name()+".json"] = &fstest.MapFile{Data: data}
	}
	return LoadFS(merged)
}
