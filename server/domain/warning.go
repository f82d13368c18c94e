package domain

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"sova/server/screening"
)

// Warnings: members report dangerous clients and police activity with a few
// icons; moderators publish what others should know.
//
// A report is an answer to the built-in survey WarnSurveyID, so it is sealed
// on the phone, queued offline and synced exactly once like any answer. Its
// questions come from WarnSurvey: the kind, the area (from the
// organisation's list), when, and optionally a public description and a
// private note for staff.
const WarnSurveyID = "warn"

// ReportKinds are what happened, in the order the app shows them, each with
// an icon (ReportIcons) and a phrase "warn.kind.<kind>".
var ReportKinds = []string{"violence", "robbery", "no-payment", "no-condom", "stalking", "police", "other"}

// ReportIcons are the pictograms of the kinds and of the times.
var ReportIcons = map[string]string{
	"violence": "violence", "robbery": "money-taken", "no-payment": "wallet", "no-condom": "condom",
	"stalking": "watching", "police": "police", "other": "other",
	"today": "today", "yesterday": "yesterday", "week": "week",
}

// AreaIcon is the pictogram of the i-th area of the organisation's list (from
// 0): a number, so that areas are told apart by sight too.
func AreaIcon(i int) string {
	if i < 0 || i >= 9 {
		return "route"
	}
	return "area-" + strconv.Itoa(i+1)
}

// The reporting form's questions about the client, each optional: his
// phone number, his car's plate, a name he uses online. Members check a
// client against them before meeting him (package screening), once a
// moderator has confirmed each.
const (
	ClientPhone  = "client_phone"
	ClientPlate  = "client_plate"
	ClientHandle = "client_handle"
)

// clientKinds are the identifier each of those questions gives.
var clientKinds = []struct {
	question string
	kind     screening.Kind
	typ      QuestionType
	icon     string
}{
	{ClientPhone, screening.Phone, Phone, "phone"},
	{ClientPlate, screening.Plate, Plate, "car"},
	{ClientHandle, screening.Handle, Handle, "at"},
}

// HandleSites are where a client's online name can be from, each with a
// phrase "warn.site.<site>" and an icon "site-<site>".
var HandleSites = []string{"telegram", "whatsapp", "instagram", "facebook", "vk", "other"}

// checkClient says what is wrong with an answer about the client, or "".
// It only bounds what is stored: whether a number is a number in the
// organisation's country is the moderator's to see (screening.Normalize).
func checkClient(t QuestionType, s string) string {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > 64 {
		return "must be at most 64 characters"
	}
	switch t {
	case Phone:
		digits := 0
		for _, r := range s {
			switch {
			case unicode.IsDigit(r):
				digits++
			case !strings.ContainsRune(" +-().", r):
				return "a phone number has only digits, spaces, dashes, brackets and a leading +"
			}
		}
		if digits < 4 || digits > 20 {
			return "a phone number has 4 to 20 digits"
		}
	case Handle:
		site, name, _ := strings.Cut(s, "/")
		if !slices.Contains(HandleSites, site) || strings.TrimSpace(name) == "" {
			return "a name used online is written <site>/<name>, the site one of " + strings.Join(HandleSites, ", ")
		}
	}
	return ""
}

// ReportWhens are when it happened, each with a phrase "warn.when.<when>".
var ReportWhens = []string{"today", "yesterday", "week"}

// WarningDays is how long a published warning stays in the feed unless the
// organisation chose otherwise (Settings.WarningDays).
const WarningDays = 14

// Area is a part of town from the organisation's list, named in each
// language.
type Area struct {
	Code  string            `json:"code"`
	Names map[string]string `json:"names"`
}

var areaCode = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,23}$`)

// Check tidies and validates an area as staff entered it.
func (a *Area) Check() error {
	a.Code = strings.TrimSpace(a.Code)
	if !areaCode.MatchString(a.Code) {
		return Refuse(CodeInvalid, "area.code", "an area's code is up to 24 small letters, digits and dashes, such as north-market")
	}
	for lang, n := range a.Names {
		if n = strings.TrimSpace(n); n == "" {
			delete(a.Names, lang)
		} else if utf8.RuneCountInString(n) > 60 {
			return Refuse(CodeInvalid, "area.long", "%s: an area's name fits in 60 characters", "lang", lang)
		} else {
			a.Names[lang] = n
		}
	}
	if len(a.Names) == 0 {
		return Refuse(CodeInvalid, "area.noname", "give the area a name in at least one language")
	}
	return nil
}

// Name is the area's name in lang, or in any language it has one in.
func (a Area) Name(lang string) string {
	if n := a.Names[lang]; n != "" {
		return n
	}
	for _, n := range a.Names {
		return n
	}
	return a.Code
}

// WarnSurvey is the reporting form, as a survey definition of version, in
// langs, with words from text(lang, key) and the organisation's areas.
func WarnSurvey(version int, langs []string, text func(lang, key string) string, areas []Area) *Survey {
	s := &Survey{ID: WarnSurveyID, Version: version, Languages: langs, Title: "warn.title", Icon: "megaphone", Texts: map[string]map[string]string{}}
	keys := []string{"warn.title", "warn.kind", "warn.area", "warn.when", "warn.public", "warn.private"}
	kind := Question{ID: "kind", Type: Single, Text: "warn.kind", Icon: "megaphone", Required: true}
	for _, k := range ReportKinds {
		kind.Choices = append(kind.Choices, Choice{Value: k, Text: "warn.kind." + k, Icon: ReportIcons[k]})
		keys = append(keys, "warn.kind."+k)
	}
	s.Questions = append(s.Questions, kind)
	if len(areas) > 0 {
		area := Question{ID: "area", Type: Single, Text: "warn.area", Icon: "route", Required: true}
		for i, a := range areas {
			area.Choices = append(area.Choices, Choice{Value: a.Code, Text: AreaVoice(a.Code), Icon: AreaIcon(i)})
		}
		s.Questions = append(s.Questions, area)
	}
	when := Question{ID: "when", Type: Single, Text: "warn.when", Icon: "clock", Required: true}
	for _, w := range ReportWhens {
		when.Choices = append(when.Choices, Choice{Value: w, Text: "warn.when." + w, Icon: ReportIcons[w]})
		keys = append(keys, "warn.when."+w)
	}
	s.Questions = append(s.Questions, when)
	for _, c := range clientKinds {
		text := "warn." + c.question
		s.Questions = append(s.Questions, Question{ID: c.question, Type: c.typ, Text: text, Icon: c.icon})
		keys = append(keys, text)
	}
	for _, site := range HandleSites {
		keys = append(keys, "warn.site."+site)
	}
	s.Questions = append(s.Questions,
		Question{ID: "public", Type: Text, Text: "warn.public", Icon: "write"},
		Question{ID: "private", Type: Text, Text: "warn.private", Icon: "lock"},
	)
	for _, lang := range langs {
		t := map[string]string{}
		for _, k := range keys {
			t[k] = text(lang, k)
		}
		for _, a := range areas {
			t[AreaVoice(a.Code)] = a.Name(lang)
		}
		s.Texts[lang] = t
	}
	return s
}

// Report states: a new report waits for a moderator, who publishes it as a
// warning or rejects it.
const (
	ReportPending  = "pending"
	ReportApproved = "approved"
	ReportRejected = "rejected"
)

// Warning is a report and what moderation made of it. Only approved
// warnings reach members, and only their public fields: kind, area, when,
// day and the public text as the moderator left it.
type Warning struct {
	ID      string `json:"id"`
	Day     string `json:"day"` // the day the report arrived
	State   string `json:"state"`
	Kind    string `json:"kind"`
	Area    string `json:"area,omitempty"`
	When    string `json:"when"`
	Public  string `json:"public,omitempty"`
	Lang    string `json:"lang,omitempty"`    // the language the words are written in
	Private string `json:"private,omitempty"` // for staff; never published
	Expires string `json:"expires,omitempty"` // the last day an approved warning shows
	By      string `json:"by,omitempty"`      // the moderator who decided
	Decided string `json:"decided,omitempty"` // the day she decided
	// Clients are what the report says about the client; after the
	// decision, only those the moderator confirmed.
	Clients []Client `json:"clients,omitempty"`
}

// Client is one identifier of a client, as the member wrote it and, once a
// moderator confirmed it, as the offline check compares it.
type Client struct {
	Kind screening.Kind `json:"kind"`
	Raw  string         `json:"raw"`            // as written; for the moderator
	Hash []byte         `json:"hash,omitempty"` // set when confirmed: the list's entry
}

// Confirmed says whether a moderator published c.
func (c Client) Confirmed() bool { return len(c.Hash) > 0 }

// ClientIcon is the name of kind's icon, as members see it on the form.
func ClientIcon(kind screening.Kind) string {
	for _, c := range clientKinds {
		if c.kind == kind {
			return c.icon
		}
	}
	return ""
}

// ClientQuestion is the question of the reporting form that asks for kind.
func ClientQuestion(kind screening.Kind) string {
	for _, c := range clientKinds {
		if c.kind == kind {
			return c.question
		}
	}
	return ""
}

// KeepDays is how long what a report no longer needs is kept: its private
// note after the moderator's decision, and a published warning after it
// expired (then the report and its answer go).
const KeepDays = 30

// Retention says what of w may go on day today (YYYY-MM-DD): its private
// note, or all of it.
func (w *Warning) Retention(today string) (forgetNote, drop bool) {
	after := func(day string) bool {
		t, err := time.Parse(time.DateOnly, day)
		return err == nil && today > t.AddDate(0, 0, KeepDays).Format(time.DateOnly)
	}
	if w.State == ReportApproved && w.Expires != "" && after(w.Expires) {
		return false, true
	}
	return w.Private != "" && w.State != ReportPending && after(w.Decided), false
}

// WarningFrom reads a stored answer to the warn survey, given in lang.
func WarningFrom(id, day, lang string, answers Answers) Warning {
	str := func(k string) string { s, _ := answers[k].(string); return s }
	w := Warning{ID: id, Day: day, State: ReportPending, Kind: str("kind"), Area: str("area"), When: str("when"), Public: str("public"), Lang: lang, Private: str("private")}
	for _, c := range clientKinds {
		if raw := str(c.question); raw != "" {
			w.Clients = append(w.Clients, Client{Kind: c.kind, Raw: raw})
		}
	}
	return w
}
