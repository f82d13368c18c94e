package domain

import (
	"net/url"
	"slices"
	"strings"
)

// Settings are the organisation's choices about how the member app looks
// and leaves.
type Settings struct {
	// ExitURL is where quick exit goes: a harmless site of the
	// organisation's choosing, which replaces Sova in the browser's history.
	ExitURL string `json:"exitURL"`
	// Disguise is the installed app's neutral name and icon, one of
	// Disguises, or "" for Sova's own.
	Disguise string `json:"disguise,omitempty"`
	// WarningDays is how long a published warning stays in the feed.
	WarningDays int `json:"warningDays,omitempty"`
}

// Disguises are the neutral faces the installed app can wear: a name (the
// catalog's "disguise.<name>") and an icon ("disguise-<name>") that say
// nothing about Sova.
var Disguises = []string{"notes", "weather"}

// DefaultExitURL is quick exit's place until an organisation chooses one: a
// site anyone might have open.
const DefaultExitURL = "https://www.wikipedia.org/"

// DefaultSettings are the settings of a new Sova.
func DefaultSettings() Settings {
	return Settings{ExitURL: DefaultExitURL, WarningDays: WarningDays}
}

// Check tidies and validates s as an admin typed it.
func (s *Settings) Check() error {
	s.ExitURL = strings.TrimSpace(s.ExitURL)
	u, err := url.Parse(s.ExitURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return Errorf(CodeInvalid, "the quick exit address must be a whole https:// address, such as %s", DefaultExitURL)
	}
	if s.WarningDays == 0 {
		s.WarningDays = WarningDays
	}
	if s.WarningDays < 1 || s.WarningDays > 90 {
		return Errorf(CodeInvalid, "a warning can show for 1 to 90 days")
	}
	if s.Disguise != "" && !slices.Contains(Disguises, s.Disguise) {
		return Errorf(CodeInvalid, "there is no disguise %q; choose one of %v", s.Disguise, Disguises)
	}
	return nil
}
