package i18n

import (
	"embed"
	"io/fs"
)

// The staff console's words are a catalog set of their own (console/<lang>.json):
// staff read them and nobody records them, so they stay out of the voice
// studio and the member app's downloads.
//
//go:embed console/*.json
var consoleFiles embed.FS

// LoadConsole reads every console catalog, ordered by language code.
func LoadConsole() ([]*Catalog, error) {
	sub, err := fs.Sub(consoleFiles, "console")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub)
}
