package domain

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Category is the kind of a friendly service, shown by its icon.
type Category string

// The directory's categories, in the order the app lists them. Each has an
// icon of the same name and a phrase "dir.cat.<category>" in every catalog.
var Categories = []Category{"testing", "clinic", "legal", "shelter", "drop-in", "hotline"}

// CategoryIcons are the categories' pictograms.
var CategoryIcons = map[Category]string{
	"testing": "test", "clinic": "clinic", "legal": "lawyer", "shelter": "shelter", "drop-in": "drop-in", "hotline": "call",
}

// Service is one entry of the friendly-services directory: a place or line
// that treats members well, as the organisation vouches.
type Service struct {
	ID       string   `json:"id"`
	Category Category `json:"category"`
	// Phone is what the app's call button dials: digits, spaces, dashes,
	// brackets and a leading +.
	Phone string `json:"phone,omitempty"`
	// Days it is open, Monday first, and its hours on those days ("09:00"
	// to "17:00"; both empty means all day).
	Days   [7]bool `json:"days"`
	Opens  string  `json:"opens,omitempty"`
	Closes string  `json:"closes,omitempty"`
	// Texts are its words by language; a language without a name does not
	// list it.
	Texts map[string]ServiceText `json:"texts"`
}

// ServiceText is a service's words in one language.
type ServiceText struct {
	Name  string `json:"name"`
	About string `json:"about,omitempty"`
	Area  string `json:"area,omitempty"` // where it is, as members say it
}

// Limits of a service's words: a line on a small screen.
const (
	MaxServiceName  = 80
	MaxServiceAbout = 300
	MaxServiceArea  = 60
)

var (
	phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{1,23}$`)
	hourPattern  = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

// Check tidies and validates a service as staff entered it.
func (s *Service) Check() error {
	if !slices.Contains(Categories, s.Category) {
		return Refuse(CodeInvalid, "service.category", "choose a category")
	}
	s.Phone = strings.TrimSpace(s.Phone)
	if s.Phone != "" && !phonePattern.MatchString(s.Phone) {
		return Refuse(CodeInvalid, "service.phone", "the phone number %q has characters a phone cannot dial: use digits, spaces, dashes and a leading +", "phone", s.Phone)
	}
	if s.Category == "hotline" && s.Phone == "" {
		return Refuse(CodeInvalid, "service.hotline", "a hotline needs its phone number")
	}
	if (s.Opens == "") != (s.Closes == "") || (s.Opens != "" && (!hourPattern.MatchString(s.Opens) || !hourPattern.MatchString(s.Closes))) {
		return Refuse(CodeInvalid, "service.hours", "give both opening hours as HH:MM, such as 09:00 and 17:00, or neither for all day")
	}
	named := 0
	for lang, t := range s.Texts {
		t.Name, t.About, t.Area = strings.TrimSpace(t.Name), strings.TrimSpace(t.About), strings.TrimSpace(t.Area)
		switch {
		case t.Name == "" && (t.About != "" || t.Area != ""):
			return Refuse(CodeInvalid, "service.unnamed", "%s: give the service a name in this language too, or leave its words empty", "lang", lang)
		case utf8.RuneCountInString(t.Name) > MaxServiceName, utf8.RuneCountInString(t.About) > MaxServiceAbout, utf8.RuneCountInString(t.Area) > MaxServiceArea:
			return Refuse(CodeInvalid, "service.long", "%s: a name fits in %d characters, a description in %d, an area in %d",
				"lang", lang, "name", MaxServiceName, "about", MaxServiceAbout, "area", MaxServiceArea)
		case t.Name == "":
			delete(s.Texts, lang)
			continue
		}
		s.Texts[lang] = t
		named++
	}
	if named == 0 {
		return Refuse(CodeInvalid, "service.noname", "give the service a name in at least one language")
	}
	return nil
}
