package domain

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The organisation's own words have voice like the app's: each is a phrase
// with a key, spoken by Sova when staff save it and recordable in the
// studio. Their words are edited where staff write them, not in the studio.

// ContentPhrase is one phrase of the organisation's words in a language.
type ContentPhrase struct {
	Key, Text string
	// Edit is the console page where the words are written.
	Edit string
}

// ServiceVoice is the key of a service's phrase: its name and description.
func ServiceVoice(id string) string { return "svc." + id }

// InfoVoice is the key of paragraph n (from 0) of an information page.
func InfoVoice(topic string, n int) string { return "info." + topic + "." + strconv.Itoa(n+1) }

// AreaVoice is the key of an area's name, as the reporting form calls it.
func AreaVoice(code string) string { return "area." + code }

// WarningVoice is the key of a published warning's public words, spoken in
// the language they were written in.
func WarningVoice(id string) string { return "warning." + id }

// ContentPhrases lists lang's phrases of the organisation's words, in the
// order members meet them: services, information pages, areas, and the
// public words of published warnings written in lang (moderators publish
// them, so they are the organisation's words too).
func ContentPhrases(lang string, services []*Service, info []*InfoPage, areas []Area, warnings []*Warning) []ContentPhrase {
	var out []ContentPhrase
	for _, s := range services {
		t, ok := s.Texts[lang]
		if !ok {
			continue
		}
		text := t.Name
		if t.About != "" {
			// A pause between the name and what it is.
			if last, _ := utf8.DecodeLastRuneInString(text); !strings.ContainsRune(".!?。؟", last) {
				text += "."
			}
			text += " " + t.About
		}
		out = append(out, ContentPhrase{ServiceVoice(s.ID), text, "/staff/directory"})
	}
	for _, p := range info {
		for n, para := range p.Paragraphs(lang) {
			out = append(out, ContentPhrase{InfoVoice(p.Topic, n), para, "/staff/info"})
		}
	}
	for _, a := range areas {
		if name := a.Names[lang]; name != "" {
			out = append(out, ContentPhrase{AreaVoice(a.Code), name, "/staff/areas"})
		}
	}
	for _, w := range warnings {
		if w.State == ReportApproved && w.Public != "" && w.Lang == lang {
			out = append(out, ContentPhrase{WarningVoice(w.ID), w.Public, "/staff/reports"})
		}
	}
	return out
}

// SiteContent is the organisation's own content that members are served,
// read at one moment.
type SiteContent struct {
	Settings  Settings
	Services  []*Service
	InfoPages []*InfoPage
	Areas     []Area
	Warnings  []*Warning // every report and warning, newest day first
}
