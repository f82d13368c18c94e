package member

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/a-h/templ"

	"sova/i18n"
	"sova/server/domain"
	"sova/server/screening"
	"sova/server/voice"
)

// site is everything a member's phone can download, made ready at once: the
// pages of every language, scripts, icons and voice, each under its URL.
// It is rebuilt whole when content changes and swapped in atomically, and
// its version (a hash of all of it) names the service worker's cache, so a
// phone updates exactly when something it holds has changed.
type site struct {
	b       *builder // kept for pages rendered on demand (console previews)
	blobs   map[string]*blob
	version string
	csp     string
	langs   []*i18n.Catalog
	// offline lists, per language, the URLs a phone caches to work offline.
	offline map[string]offlineList
}

// offlineList is /<lang>/offline.json: what the service worker precaches.
// Voice is listed per codec, because a phone downloads only the one it plays.
type offlineList struct {
	Pages  []string            `json:"pages"`
	Static []string            `json:"static"`
	Voice  map[string][]string `json:"voice"`
}

// content is what a site is built from.
type content struct {
	catalogs []*i18n.Catalog
	surveys  []*domain.Survey
	packs    map[string]*voice.Pack // voice by language; a language may have none
	settings domain.Settings
	services []*domain.Service
	info     []*domain.InfoPage
	areas    []domain.Area
	warnings []*domain.Warning // published and live when the site was built
	icons    fs.FS
	pwa      fs.FS
	worker   []byte
	salt     string
	pushKey  string // the VAPID public key the notifications page subscribes with
	params   func() (screening.Params, error)
}

// firstLang is the catalog of the organisation's first member language
// (Settings.MemberLang), else English, else the first there is.
func (c *content) firstLang() *i18n.Catalog {
	var en *i18n.Catalog
	for _, cat := range c.catalogs {
		switch cat.Lang {
		case c.settings.MemberLang:
			return cat
		case "en":
			en = cat
		}
	}
	return cmp.Or(en, c.catalogs[0])
}

// builder collects blobs while the site is made.
type builder struct {
	*content
	blobs  map[string]*blob
	pwaURL string            // /pwa/<hash>/
	icon   map[string]string // icon name → URL
	voice  map[string]map[string]string
	// voiceBytes is, by language and codec extension, the size of the
	// voice its pages use.
	voiceBytes map[string]map[string]int64
	css        string
	exitJS     string
}

func buildSite(c *content) (*site, error) {
	b := &builder{content: c, blobs: map[string]*blob{}, icon: map[string]string{}, voice: map[string]map[string]string{}, voiceBytes: map[string]map[string]int64{}}
	if err := b.addPWA(); err != nil {
		return nil, err
	}
	if err := b.addIcons(); err != nil {
		return nil, err
	}
	s := &site{langs: c.catalogs, offline: map[string]offlineList{}}
	check, err := newCheckList(c.warnings, c.settings.Country, c.params)
	if err != nil {
		return nil, err
	}
	b.addJSON("/check.json", check)
	shell := offlineList{Pages: []string{"/"}, Static: b.static(), Voice: map[string][]string{}}
	for _, cat := range c.catalogs {
		if err := b.addVoice(cat.Lang); err != nil {
			return nil, err
		}
		list, err := b.addLanguage(cat)
		if err != nil {
			return nil, err
		}
		s.offline[cat.Lang] = list
		for codec, urls := range b.voiceFor(cat.Lang, []string{"lang.self"}) {
			shell.Voice[codec] = append(shell.Voice[codec], urls...)
		}
	}
	// The picker speaks every language; its frame (lang, dir, quick exit's
	// label) and the root manifest are the organisation's first language.
	first := c.firstLang()
	pv := b.view(first)
	pv.manifest = "/manifest.webmanifest"
	if err := b.render("/", picker(pv, c.catalogs)); err != nil {
		return nil, err
	}
	b.addManifest("/manifest.webmanifest", first)
	shell.Static = append(shell.Static, "/manifest.webmanifest", "/api/v1/keys/response")
	shell.Static = append(shell.Static, b.iconsIn([]string{"/"})...)
	s.offline[""] = shell
	for lang, list := range s.offline {
		name := "/offline.json"
		if lang != "" {
			name = "/" + lang + "/offline.json"
		}
		b.addJSON(name, list)
	}

	// The version covers every byte a phone may hold, and the salt, so that
	// an operator (or a test) can force an update without a content change.
	h := sha256.New()
	paths := make([]string, 0, len(b.blobs))
	for p := range b.blobs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		fmt.Fprintf(h, "%s %s\n", p, b.blobs[p].etag)
	}
	fmt.Fprintf(h, "salt %s\n", c.salt)
	s.version = hex.EncodeToString(h.Sum(nil))[:16]
	worker := fmt.Appendf(nil, "const VERSION = %q;\nconst OUTBOX = %q;\n", s.version, b.pwaURL+"js/outbox.js")
	b.blobs["/sw.js"] = newBlob(append(worker, compactJS(c.worker)...), "text/javascript; charset=utf-8", false)

	cssHash, exitHash := sha256.Sum256([]byte(b.css)), sha256.Sum256([]byte(b.exitJS))
	s.csp = "default-src 'self'; script-src 'self' 'sha256-" + base64.StdEncoding.EncodeToString(exitHash[:]) + "'; " +
		"style-src 'self' 'sha256-" + base64.StdEncoding.EncodeToString(cssHash[:]) +
		"'; img-src 'self'; media-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	s.blobs, s.b = b.blobs, b
	return s, nil
}

// addPWA serves js/ under one hash of the whole folder, so modules can import
// each other by relative path and still be cached forever.
func (b *builder) addPWA() error {
	files := map[string][]byte{}
	h := sha256.New()
	err := fs.WalkDir(b.pwa, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(b.pwa, p)
		if err != nil {
			return err
		}
		files[p] = data
		fmt.Fprintf(h, "%s %x\n", p, sha256.Sum256(data))
		return nil
	})
	if err != nil {
		return err
	}
	b.pwaURL = "/pwa/" + hex.EncodeToString(h.Sum(nil))[:12] + "/"
	for p, data := range files {
		switch {
		case p == "css/app.css":
			// Inlined into the pages a member may open first (the picker,
			// home): they paint with no extra round trip (B1, B8). Every
			// other page links it, and a phone keeps it once (B2).
			b.css = string(data)
			b.blobs[b.pwaURL+p] = newBlob(data, "text/css; charset=utf-8", true)
		case p == "js/exit.js":
			// Inlined too: quick exit must work before anything shows,
			// and a script to fetch first would hold the first paint a
			// whole round trip (2 s on Slow 3G, B8). Its comments live
			// here, not in every page: it hides the page in the same
			// event (the inline style's .gone), silences the voice
			// (voice.js listens for sova-exit), flags the tab so that a
			// Sova page brought back by Back or Forward leaves before it
			// shows (any other visit clears the flag: she came back on
			// purpose). Firefox restores a page from its back-forward
			// cache with the tab's sessionStorage as it was when that page
			// was left, without the flag, and a reload there reads the
			// same stale copy; so every page keeps a BroadcastChannel open
			// and quick exit posts on it: a cached page that gets a
			// message is dropped from the cache (Firefox and Chromium), so
			// Back loads it afresh and it sees the flag. Nothing listens:
			// other open tabs stay as they are. Where a restored page does
			// read the flag (Chromium) it leaves on pageshow. It counts
			// Shift only when pressed alone, so typing capitals or
			// switching layouts never throws a survey away; the control
			// acts on pointerdown, before the finger lifts.
			b.exitJS = string(data)
		case p == "js/sw.js": // served from /sw.js, see buildSite
		case strings.HasSuffix(p, ".js"):
			b.blobs[b.pwaURL+p] = newBlob(compactJS(data), "text/javascript; charset=utf-8", true)
		case strings.HasSuffix(p, ".css"):
			b.blobs[b.pwaURL+p] = newBlob(data, "text/css; charset=utf-8", true)
		}
	}
	return nil
}

// consoleOnly are the files only staff pages use, so phones never
// precache them.
var consoleOnly = map[string]bool{"js/outreach.js": true, "js/studio.js": true, "css/console.css": true}

// static lists the scripts and the stylesheet a phone keeps offline.
func (b *builder) static() []string {
	var out []string
	for p := range b.blobs {
		rest, ok := strings.CutPrefix(p, b.pwaURL)
		if ok && !consoleOnly[rest] {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// addIcons serves the SVG pictograms, and the PNG app icons that home
// screens need, each under <name>.<hash>.<ext>.
func (b *builder) addIcons() error {
	for ext, ctype := range map[string]string{".svg": "image/svg+xml", ".png": "image/png"} {
		names, err := fs.Glob(b.icons, "*"+ext)
		if err != nil {
			return err
		}
		for _, n := range names {
			data, err := fs.ReadFile(b.icons, n)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			name := strings.TrimSuffix(n, ext)
			url := "/icons/" + name + "." + hex.EncodeToString(sum[:4]) + ext
			b.icon[strings.TrimSuffix(n, ".svg")] = url
			b.blobs[url] = newBlob(data, ctype, true)
		}
	}
	return nil
}

// addVoice serves a language's voice pack. Both files of a phrase share one
// URL stem, hashed over both, so the app picks the codec by extension.
func (b *builder) addVoice(lang string) error {
	pack := b.packs[lang]
	if pack == nil {
		return nil // a language without a voice pack still works, silently
	}
	b.voice[lang] = map[string]string{}
	for key, ph := range pack.Phrases {
		h := sha256.New()
		for _, f := range ph.Files {
			h.Write([]byte(f.Sha256))
		}
		stem := "/audio/" + lang + "/" + key + "." + hex.EncodeToString(h.Sum(nil))[:8]
		for _, f := range ph.Files {
			// The manifest names each file's SHA-256: a file already held
			// is not read again.
			blob, err := shared(lang+"/"+f.File+" "+f.Sha256, func() (*blob, error) {
				data, err := pack.ReadFile(f.File)
				if err != nil {
					return nil, err
				}
				return newBlob(data, f.Mime, true), nil
			})
			if err != nil {
				return fmt.Errorf("voice pack %s: %w", lang, err)
			}
			b.blobs[stem+path.Ext(f.File)] = blob
		}
		b.voice[lang][key] = stem
	}
	return nil
}

// voiceFor lists the voice URLs of keys, per codec extension.
func (b *builder) voiceFor(lang string, keys []string) map[string][]string {
	out := map[string][]string{}
	for _, k := range keys {
		stem := b.voice[lang][k]
		if stem == "" {
			continue
		}
		for _, ext := range []string{"webm", "mp3"} {
			if _, ok := b.blobs[stem+"."+ext]; ok {
				out[ext] = append(out[ext], stem+"."+ext)
			}
		}
	}
	return out
}

func (b *builder) addLanguage(cat *i18n.Catalog) (offlineList, error) {
	v := b.view(cat)
	base := "/" + cat.Lang + "/"
	var surveys []*domain.Survey
	for _, sv := range b.surveys {
		if sv.HasLanguage(cat.Lang) {
			surveys = append(surveys, sv)
		}
	}
	// The reporting form is a survey with its own tile, not the surveys'.
	listed := slices.DeleteFunc(slices.Clone(surveys), func(sv *domain.Survey) bool { return sv.ID == domain.WarnSurveyID })
	var services []*domain.Service
	for _, svc := range b.services {
		if _, ok := svc.Texts[cat.Lang]; ok {
			services = append(services, svc)
		}
	}
	var info []*domain.InfoPage
	for _, p := range b.info {
		if p.Texts[cat.Lang] != "" {
			info = append(info, p)
		}
	}
	pages := map[string]templ.Component{
		base:              home(v, listed),
		base + "thanks":   thanks(v),
		base + "outbox":   outbox(v),
		base + "services": servicesPage(v, services),
		base + "info":     infoIndex(v, info),
		base + "warnings": warningsPage(v, b.warnings),
		base + "notify":   notifyPage(v),
		base + "check":    checkPage(v),
	}
	for _, p := range info {
		pages[base+"info/"+p.Topic] = infoPage(v, p)
	}
	keys := append(cat.Keys(), "lang.self")
	for k := range cat.Counts() {
		keys = append(keys, k)
	}
	for _, c := range domain.ContentPhrases(cat.Lang, services, info, b.areas, b.warnings) {
		keys = append(keys, c.Key)
	}
	for _, sv := range surveys {
		pages[base+"s/"+sv.ID] = surveyPage(v, sv)
		keys = append(keys, sv.TextKeys()...)
	}
	list := offlineList{Voice: b.voiceFor(cat.Lang, keys)}
	b.voiceBytes[cat.Lang] = map[string]int64{}
	for ext, urls := range list.Voice {
		for _, u := range urls {
			b.voiceBytes[cat.Lang][ext] += int64(len(b.blobs[u].body))
		}
	}
	for p, c := range pages {
		if err := b.render(p, c); err != nil {
			return list, err
		}
		list.Pages = append(list.Pages, p)
	}
	sort.Strings(list.Pages)
	manifest := base + "manifest.webmanifest"
	b.addManifest(manifest, cat)
	list.Static = append(b.static(), manifest, "/api/v1/keys/response", "/check.json")
	list.Static = append(list.Static, b.iconsIn(list.Pages)...)
	return list, nil
}

var iconURL = regexp.MustCompile(`/icons/[a-z0-9-]+\.[0-9a-f]{8}\.svg`)

// iconsIn lists the icons the given pages show, so a phone caches only those.
func (b *builder) iconsIn(pages []string) []string {
	seen := map[string]bool{}
	for _, p := range pages {
		for _, u := range iconURL.FindAll(b.blobs[p].body, -1) {
			seen[string(u)] = true
		}
	}
	out := make([]string, 0, len(seen))
	for u := range seen {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

func (b *builder) render(p string, c templ.Component) error {
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		return fmt.Errorf("render %s: %w", p, err)
	}
	b.blobs[p] = newBlob(buf.Bytes(), "text/html; charset=utf-8", false)
	return nil
}

func (b *builder) addJSON(p string, v any) { b.addJSONType(p, v, "application/json") }

func (b *builder) addJSONType(p string, v any, ctype string) {
	data, _ := json.Marshal(v)
	b.blobs[p] = newBlob(data, ctype, false)
}

// langCodes lists the site's languages.
func (st *site) langCodes() []string {
	out := make([]string, len(st.langs))
	for i, c := range st.langs {
		out[i] = c.Lang
	}
	return out
}

// catalog is the language's catalog, or nil.
func (st *site) catalog(lang string) *i18n.Catalog {
	for _, c := range st.langs {
		if c.Lang == lang {
			return c
		}
	}
	return nil
}
