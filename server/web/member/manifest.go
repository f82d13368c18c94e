package member

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
	ShareTarget     *shareTarget   `json:"share_target,omitempty"`
}

// shareTarget lets another app share a number (or a message with one in
// it) to the check. It is a POST, so what was shared never becomes a URL
// in the history; the service worker answers it on the phone (sw.js).
type shareTarget struct {
	Action  string            `json:"action"`
	Method  string            `json:"method"`
	Enctype string            `json:"enctype"`
	Params  map[string]string `json:"params"`
}

type manifestIcon struct {
	Src     string `json:"src"`
	Sizes   string `json:"sizes"`
	Type    string `json:"type"`
	Purpose string `json:"purpose,omitempty"`
}

const themeColor = "#243447"

// identity is the installed app's name and icons in a language: Sova's, or
// the organisation's disguise.
type identity struct{ name, icon, png192, png512 string }

func (b *builder) identity(cat *i18n.Catalog) identity {
	if d := b.settings.Disguise; d != "" {
		return identity{cat.T("disguise." + d), "disguise-" + d, "disguise-" + d + "-192.png", "disguise-" + d + "-512.png"}
	}
	return identity{cat.T("app.name"), "sova", "app-192.png", "app-512.png"}
}

func (b *builder) addManifest(p string, cat *i18n.Catalog) {
	start := "/"
	if p != "/manifest.webmanifest" {
		start = "/" + cat.Lang + "/"
	}
	id := b.identity(cat)
	b.addJSONType(p, webManifest{
		Name: id.name, ShortName: id.name,
		ID: "/", StartURL: start, Scope: "/", Display: "standalone",
		Dir: cat.Dir, Lang: cat.Lang, BackgroundColor: "#ffffff", ThemeColor: themeColor,
		ShareTarget: &shareTarget{Action: "/" + cat.Lang + "/check/share", Method: "POST", Enctype: "multipart/form-data",
			Params: map[string]string{"title": "title", "text": "text", "url": "url"}},
		Icons: []manifestIcon{
			{Src: b.icon[id.icon], Sizes: "any", Type: "image/svg+xml", Purpose: "any"},
			{Src: b.icon[id.png192], Sizes: "192x192", Type: "image/png", Purpose: "any maskable"},
			{Src: b.icon[id.png512], Sizes: "512x512", Type: "image/png", Purpose: "any maskable"},
		},
	}, "application/manifest+json")
}
