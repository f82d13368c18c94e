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

// ContentPhrases lists lang's phrases of the organisation's words, in the
// order members meet them: services, information pages, areas.
func ContentPhrases(lang string, services []*Service, info []*InfoPage, areas []Area) []ContentPhrase {
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
	return out
}
