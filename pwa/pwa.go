// Package pwa embeds the browser side of Sova: plain JavaScript modules, the
// service worker and the stylesheet. There is no build step; the server
// serves these files as they are, under a content-hashed URL.
package pwa

import (
	"embed"
	"io/fs"
)

//go:embed js/*.js css/*.css
var files embed.FS

// Files holds js/ and css/.
var Files fs.FS = files

// Worker is the service worker's source. The server prepends its version and
// serves it from /sw.js, so that its scope is the whole site.
var Worker, _ = fs.ReadFile(files, "js/sw.js")
