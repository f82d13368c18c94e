package domain

import (
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// Topics are the information pages members can read, in the order the app
// lists them. Each has a title "info.<topic>" in every catalog (with voice)
// and an icon.
var Topics = []string{"rights", "health", "about"}

// TopicIcons are the topics' pictograms.
var TopicIcons = map[string]string{"rights": "police", "health": "clinic", "about": "sova"}

// MaxInfoText bounds a page's words in one language: a few screens.
const MaxInfoText = 5000

// InfoPage is what the organisation writes on one topic.
type InfoPage struct {
	Topic string `json:"topic"`
	// Texts are the page's words by language, paragraphs parted by an
	// empty line. A language without words does not list the page.
	Texts map[string]string `json:"texts"`
	// Link is an address on the organisation's own website, shown as a
	// button, such as its contacts page.
	Link string `json:"link,omitempty"`
}

// Paragraphs are the page's words in lang, paragraph by paragraph.
func (p *InfoPage) Paragraphs(lang string) []string {
	var out []string
	for _, para := range strings.Split(strings.ReplaceAll(p.Texts[lang], "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			out = append(out, para)
		}
	}
	return out
}

// Check tidies and validates a page as staff wrote it.
func (p *InfoPage) Check() error {
	if !slices.Contains(Topics, p.Topic) {
		return Refuse(CodeNotFound, "info.topic", "there is no topic %q", "topic", p.Topic)
	}
	for lang, text := range p.Texts {
		text = strings.TrimSpace(text)
		if text == "" {
			delete(p.Texts, lang)
			continue
		}
		if n := utf8.RuneCountInString(text); n > MaxInfoText {
			return Refuse(CodeInvalid, "info.long", "%s: the page is %d characters long; at most %d fit", "lang", lang, "length", n, "max", MaxInfoText)
		}
		p.Texts[lang] = text
	}
	p.Link = strings.TrimSpace(p.Link)
	if p.Link != "" {
		u, err := url.Parse(p.Link)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
			return Refuse(CodeInvalid, "info.link", "the link must be a whole https:// address on the organisation's website")
		}
	}
	return nil
}
