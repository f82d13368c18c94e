package domain

import (
	"cmp"
	"net/url"
	"slices"
	"sova/server/screening"
	"strings"
	"time"
	_ "time/tzdata" // time zones on machines without a zoneinfo database
	"unicode/utf8"
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
	// AuditDays is how long the audit log keeps an entry (0: AuditDays).
	AuditDays int `json:"auditDays,omitempty"`
	// MemberLang is the member app's first language (a catalog's code):
	// the language picker's frame and the installed app's root manifest
	// speak it. Empty, or a language the app lacks: English.
	MemberLang string `json:"memberLang,omitempty"`
	// Country is the organisation's country (ISO 3166, such as RU): a
	// client's phone number written without its country code is read as
	// dialled there, on the server and on members' phones alike. Empty:
	// only numbers written with + can be checked.
	Country string `json:"country,omitempty"`

	// Push notifications.
	// TimeZone is the organisation's IANA zone: quiet hours and the daily
	// cap follow its clock and calendar.
	TimeZone string `json:"timeZone,omitempty"`
	// QuietFrom and QuietTo are the hours (0-23) between which no
	// notification is sent; notices wait until QuietTo. Equal: none.
	QuietFrom int `json:"quietFrom"`
	QuietTo   int `json:"quietTo"`
	// PushPerDay caps the notifications a subscriber gets in a day.
	PushPerDay int `json:"pushPerDay,omitempty"`
	// PushText is the notification's neutral words per language; a
	// language without one uses its catalog's "push.neutral".
	PushText map[string]string `json:"pushText,omitempty"`
	// PushContact is how push services reach the organisation (the VAPID
	// "sub"): a mailto: or https: address. Empty: the site's own address.
	PushContact string `json:"pushContact,omitempty"`
}

// Disguises are the neutral faces the installed app can wear: a name (the
// catalog's "disguise.<name>") and an icon ("disguise-<name>") that say
// nothing about Sova.
var Disguises = []string{"notes", "weather"}

// AuditDays is how long the audit log keeps an entry unless the organisation
// chose otherwise: a year.
const AuditDays = 365

// KeepAudit is how long the audit log keeps an entry.
func (s Settings) KeepAudit() int { return cmp.Or(s.AuditDays, AuditDays) }

// DefaultExitURL is quick exit's place until an organisation chooses one: a
// site anyone might have open.
const DefaultExitURL = "https://www.wikipedia.org/"

// DefaultSettings are the settings of a new Sova.
func DefaultSettings() Settings {
	s := Settings{ExitURL: DefaultExitURL, WarningDays: WarningDays}
	s.PushDefaults()
	return s
}

// PushDefaults fills the push settings of a Sova that had none: UTC, quiet
// from 22:00 to 08:00, one notification a day.
func (s *Settings) PushDefaults() {
	if s.PushPerDay == 0 {
		s.TimeZone, s.QuietFrom, s.QuietTo, s.PushPerDay = "UTC", 22, 8, 1
	}
}

// MaxPushText bounds the neutral words: a lock screen shows about a line.
const MaxPushText = 60

// Location is the organisation's time zone (UTC if unknown).
func (s Settings) Location() *time.Location {
	if loc, err := time.LoadLocation(s.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// Quiet tells whether t falls in the quiet hours on the organisation's
// clock; quiet hours may run past midnight (22 to 8).
func (s Settings) Quiet(t time.Time) bool {
	h := t.In(s.Location()).Hour()
	if s.QuietFrom <= s.QuietTo {
		return h >= s.QuietFrom && h < s.QuietTo
	}
	return h >= s.QuietFrom || h < s.QuietTo
}

// Day is t's date on the organisation's calendar.
func (s Settings) Day(t time.Time) string { return t.In(s.Location()).Format(time.DateOnly) }

// Check tidies and validates s as an admin typed it.
func (s *Settings) Check() error {
	s.ExitURL = strings.TrimSpace(s.ExitURL)
	u, err := url.Parse(s.ExitURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return Refuse(CodeInvalid, "settings.exit", "the quick exit address must be a whole https:// address, such as %s", "example", DefaultExitURL)
	}
	if s.WarningDays == 0 {
		s.WarningDays = WarningDays
	}
	if s.WarningDays < 1 || s.WarningDays > 90 {
		return Refuse(CodeInvalid, "settings.warningdays", "a warning can show for 1 to 90 days")
	}
	if s.AuditDays == 0 {
		s.AuditDays = AuditDays
	}
	if s.AuditDays < 90 || s.AuditDays > 3650 {
		return Refuse(CodeInvalid, "settings.auditdays", "the audit log keeps entries for 90 to 3650 days")
	}
	if err := s.checkPush(); err != nil {
		return err
	}
	s.Country = strings.ToUpper(strings.TrimSpace(s.Country))
	if s.Country != "" {
		if _, err := screening.RulesFor(s.Country); err != nil {
			return Refuse(CodeInvalid, "settings.country", "%q is not a country whose phone numbers Sova can read on a phone: give its two-letter code, such as RU or KE, or leave it empty", "country", s.Country)
		}
	}
	if s.Disguise != "" && !slices.Contains(Disguises, s.Disguise) {
		return Refuse(CodeInvalid, "settings.disguise", "there is no disguise %q; choose one of %s", "name", s.Disguise, "names", strings.Join(Disguises, ", "))
	}
	return nil
}

func (s *Settings) checkPush() error {
	s.TimeZone = strings.TrimSpace(s.TimeZone)
	if s.TimeZone == "" {
		s.TimeZone = "UTC"
	}
	// "Local" is the server's zone, which is not the organisation's choice.
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "Local" {
		return Refuse(CodeInvalid, "settings.zone", "%q is not a time zone; write it as Region/City, such as Europe/Kyiv or Africa/Nairobi", "zone", s.TimeZone)
	}
	if s.QuietFrom < 0 || s.QuietFrom > 23 || s.QuietTo < 0 || s.QuietTo > 23 {
		return Refuse(CodeInvalid, "settings.quiet", "quiet hours run from an hour 0 to 23 to another")
	}
	if s.PushPerDay < 1 || s.PushPerDay > 5 {
		return Refuse(CodeInvalid, "settings.perday", "a member can get 1 to 5 notifications a day")
	}
	for lang, t := range s.PushText {
		if t = strings.TrimSpace(t); t == "" {
			delete(s.PushText, lang)
		} else if utf8.RuneCountInString(t) > MaxPushText {
			return Refuse(CodeInvalid, "settings.words", "%s: the notification's words fit in %d characters", "lang", lang, "max", MaxPushText)
		} else {
			s.PushText[lang] = t
		}
	}
	s.PushContact = strings.TrimSpace(s.PushContact)
	if c := s.PushContact; c != "" {
		u, err := url.Parse(c)
		if err != nil || (u.Scheme != "mailto" && u.Scheme != "https") || (u.Scheme == "mailto" && !strings.Contains(u.Opaque, "@")) || (u.Scheme == "https" && u.Host == "") {
			return Refuse(CodeInvalid, "settings.contact", "the contact for push services is a mailto: or https:// address, such as mailto:tech@example.org")
		}
	}
	return nil
}
