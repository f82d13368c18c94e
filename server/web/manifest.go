package web

import "sova/i18n"

// webManifest is the installed app's identity. The server writes it per
// language so the home-screen name is in the member's language and the app
// opens straight into it.
type webManifest struct {
	Name            string         `json:"name"`
	ShortName       string         `json:"short_name"`
	ID              string         `json:"id"`
	StartURL        string         `json:"start_url"`
	Scope           string         `json:"scope"`
	Display         string         `json:"display"`
	Dir             string         `json:"dir"`
	Lang            string         `json:"lang"`
	BackgroundColor string         `json:"background_color"`
	ThemeColor      string         `json:"theme_color"`
	Icons           []manifestIcon `json:"icons"`
}

type manifestIcon struct {
	Src     string `json:"src"`
	Sizes   string `json:"sizes"`
	Type    string `json:"type"`
	Purpose string `json:"purpose,omitempty"`
}

const themeColor = "#243447"

func (b *builder) addManifest(p string, cat *i18n.Catalog) {
	start := "/"
	if p != "/manifest.webmanifest" {
		start = "/" + cat.Lang + "/"
	}
	b.addJSONType(p, webManifest{
		Name: cat.T("app.name"), ShortName: cat.T("app.name"),
		ID: "/", StartURL: start, Scope: "/", Display: "standalone",
		Dir: cat.Dir, Lang: cat.Lang, BackgroundColor: "#ffffff", ThemeColor: themeColor,
		Icons: []manifestIcon{
			{Src: b.icon["sova"], Sizes: "any", Type: "image/svg+xml", Purpose: "any"},
			{Src: b.icon["app-192.png"], Sizes: "192x192", Type: "image/png", Purpose: "any maskable"},
			{Src: b.icon["app-512.png"], Sizes: "512x512", Type: "image/png", Purpose: "any maskable"},
		},
	}, "application/manifest+json")
}
