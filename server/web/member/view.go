package member

import (
	"encoding/json"
	"html"
	"slices"
	"strconv"
	"strings"

	"sova/i18n"
	"sova/server/domain"
)

// view is what the page templates see: one language's words, and the URLs
// of icons, voice and scripts in the site being built.
type view struct {
	cat      *i18n.Catalog
	b        *builder
	manifest string
	preview  bool // a staff preview: the app must not seal or queue anything
}

// Page is the page kind the app's script sees.
func (v view) Page(kind string) string {
	if v.preview {
		return "preview"
	}
	return kind
}

func (b *builder) view(cat *i18n.Catalog) view {
	return view{cat: cat, b: b, manifest: "/" + cat.Lang + "/manifest.webmanifest"}
}

func (v view) Lang() string        { return v.cat.Lang }
func (v view) Dir() string         { return v.cat.Dir }
func (v view) T(key string) string { return v.cat.T(key) }
func (v view) Icon(name string) string {
	if u, ok := v.b.icon[name]; ok {
		return u
	}
	return v.b.icon["other"]
}

// Say is the voice URL stem of key, without its codec extension; the app
// adds .webm or .mp3, whichever the phone can play.
func (v view) Say(key string) string                  { return v.b.voice[v.cat.Lang][key] }
func (v view) SayIn(lang, key string) string          { return v.b.voice[lang][key] }
func (v view) JS(name string) string                  { return v.b.pwaURL + "js/" + name }
func (v view) Manifest() string                       { return v.manifest }
func (v view) Home() string                           { return "/" + v.cat.Lang + "/" }
func (v view) ST(s *domain.Survey, key string) string { return s.Texts[v.cat.Lang][key] }

// Style is the member stylesheet of a page of kind page: inline in the
// pages a member may open first (see addPWA), linked in the others.
func (v view) Style(page string) string {
	if page == "picker" || page == "home" {
		return "<style>" + v.b.css + "</style>"
	}
	return `<link rel="stylesheet" href="` + v.b.pwaURL + `css/app.css">`
}

// Title is what the browser's tab and the phone's recent apps show: the
// page's title, or only the disguise's name when the organisation chose one.
func (v view) Title(title string) string {
	if v.b.settings.Disguise != "" {
		return v.b.identity(v.cat).name
	}
	return title
}

// AppIcon is the icon of the browser tab: Sova's owl or the disguise's.
func (v view) AppIcon() string { return v.Icon(v.b.identity(v.cat).icon) }

// Day is the short name of weekday i (0 is Monday) in the language, and
// its whole name for those who listen with a screen reader.
func (v view) Day(i int) (short, long string) {
	shorts, longs := strings.Fields(v.T("days.short")), strings.Fields(v.T("days.long"))
	if len(shorts) != 7 || len(longs) != 7 {
		return "", ""
	}
	return shorts[i], longs[i]
}

// AreaName is the name of the area with code in the language, or the code
// of an area taken off the list since.
func (v view) AreaName(code string) string {
	for _, a := range v.b.areas {
		if a.Code == code {
			return a.Name(v.Lang())
		}
	}
	return code
}

// AreaIcon is the numbered pictogram of the area with code.
func (v view) AreaIcon(code string) string {
	return v.Icon(domain.AreaIcon(slices.IndexFunc(v.b.areas, func(a domain.Area) bool { return a.Code == code })))
}

// PushText is the neutral words a notification shows in the language.
func (v view) PushText() string {
	if t := v.b.settings.PushText[v.Lang()]; t != "" {
		return t
	}
	return v.T("push.neutral")
}

// ExitScript is quick exit's inline script (allowed by its hash in the
// CSP), told where to go: the organisation's harmless site.
func (v view) ExitScript() string {
	return `<script data-exit="` + html.EscapeString(v.b.settings.ExitURL) + `">` + v.b.exitJS + `</script>`
}

// VoiceBytes is the size of the language's voice in one codec (webm or mp3):
// what a phone downloads to speak offline, shown before it does.
func (v view) VoiceBytes(ext string) int64 { return v.b.voiceBytes[v.cat.Lang][ext] }

// entries is each page kind's own script, run beside app.js: one page's
// error cannot stop another's.
var entries = map[string]string{
	"picker": "picker.js", "home": "home.js", "survey": "survey-page.js", "thanks": "thanks.js",
	"outbox": "outbox-page.js", "services": "services.js", "info": "page.js", "warnings": "warnings.js",
	"notify": "notify.js", "check": "check.js",
}

// said is a phrase's words and voice, for the app to show and say.
type said struct {
	T string `json:"t"`
	V string `json:"v,omitempty"`
	I string `json:"i,omitempty"` // its icon
}

func mustJSON(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

// Digits are the voice of the digits 0 to 9, said back as she types a
// number.
func (v view) Digits() string {
	out := make([]string, 10)
	for d := range out {
		out[d] = v.Say("digit." + strconv.Itoa(d))
	}
	return mustJSON(out)
}

// KindsJSON is each report kind's words, voice and icon.
func (v view) KindsJSON() string {
	out := map[string]said{}
	for kind, icon := range domain.ReportIcons {
		out[kind] = said{T: v.T("warn.kind." + kind), V: v.Say("warn.kind." + kind), I: v.Icon(icon)}
	}
	return mustJSON(out)
}

// AreasJSON is each area's name, voice and icon in the language.
func (v view) AreasJSON() string {
	out := map[string]said{}
	for i, a := range v.b.areas {
		out[a.Code] = said{T: a.Name(v.Lang()), V: v.Say(domain.AreaVoice(a.Code)), I: v.Icon(domain.AreaIcon(i))}
	}
	return mustJSON(out)
}

// AgoJSON is how long ago a warning's day was, in words and voice: this
// week, this month, earlier.
func (v view) AgoJSON() string {
	out := map[string]said{}
	for _, k := range []string{"week", "month", "earlier"} {
		out[k] = said{T: v.T("check.ago." + k), V: v.Say("check.ago." + k)}
	}
	return mustJSON(out)
}

// Counts is the voice of a plural message for each count from 1 to
// i18n.Counted, as JSON: {"1": "/audio/…", …}.
func (v view) Counts(key string) string {
	out := map[string]string{}
	for n := 1; n <= i18n.Counted; n++ {
		if stem := v.Say(i18n.CountKey(key, n)); stem != "" {
			out[strconv.Itoa(n)] = stem
		}
	}
	data, _ := json.Marshal(out)
	return string(data)
}

// Plural is a plural message's forms as JSON, for the app to choose from with
// Intl.PluralRules.
func (v view) Plural(key string) string {
	data, _ := json.Marshal(v.cat.Plural(key))
	return string(data)
}

// Errors are the member-facing text and voice of every rejection code, as
// JSON: {"conflict": {"t": "…", "v": "/audio/…"}, …}.
func (v view) Errors() string {
	type said struct {
		T string `json:"t"`
		V string `json:"v,omitempty"`
	}
	out := map[string]said{}
	for _, code := range []domain.Code{
		domain.CodeMalformed, domain.CodeConflict, domain.CodeUnknownSurvey, domain.CodeUnknownVersion, domain.CodeUnknownKey,
		domain.CodeDecryptFailed, domain.CodeInvalidPlaintext, domain.CodeUnknownLanguage, domain.CodeInvalidID,
		domain.CodeMissingAnswer, domain.CodeInvalidAnswer, domain.CodeUnknownQuestion, domain.CodeHiddenAnswer,
		domain.CodeUnauthorized, domain.CodeUnknownSite,
		"network",
	} {
		key := "error." + string(code)
		out[string(code)] = said{T: v.cat.T(key), V: v.Say(key)}
	}
	data, _ := json.Marshal(out)
	return string(data)
}

// servicesIn lists the services of one category.
func servicesIn(all []*domain.Service, cat domain.Category) []*domain.Service {
	var out []*domain.Service
	for _, s := range all {
		if s.Category == cat {
			out = append(out, s)
		}
	}
	return out
}

// dialable is a phone number as a tel: link wants it: digits and a leading +.
func dialable(phone string) string {
	return strings.Map(func(r rune) rune {
		if r == '+' || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, phone)
}

func showIfJSON(q *domain.Question) string {
	if q.ShowIf == nil {
		return ""
	}
	data, _ := json.Marshal(q.ShowIf)
	return string(data)
}
