// Package assets embeds the icons, voice packs and built-in surveys, because
// go:embed cannot reach above a package's own folder.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed icons audio surveys
var files embed.FS

// Icons holds <name>.svg pictograms.
var Icons, _ = fs.Sub(files, "icons")

// Audio holds <lang>/manifest.json and the files it lists.
var Audio, _ = fs.Sub(files, "audio")

// Surveys holds the built-in survey definitions, *.json.
var Surveys, _ = fs.Sub(files, "surveys")
