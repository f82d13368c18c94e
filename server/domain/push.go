package domain

import (
	"crypto/ecdh"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
)

// Push: a member may ask to be told, by a notification that says nothing
// revealing, when there is a new warning (in the areas she chose) or a new
// survey. Her subscription is the browser's push endpoint and keys, her
// language and her topics: no account, no device, no address, no time.

// Notice kinds: what a notification is about. Neither reaches the lock
// screen; they choose the page a tap opens and the message's urgency.
const (
	NoticeWarning = "warning"
	NoticeSurvey  = "survey"
)

// PushTopics are what a member wants to hear about.
type PushTopics struct {
	Warnings bool `json:"warnings"`
	// Areas limits warnings to these area codes; empty is every area.
	Areas   []string `json:"areas,omitempty"`
	Surveys bool     `json:"surveys"`
}

// Wants tells whether a notice is one the member asked for.
func (t PushTopics) Wants(n Notice) bool {
	switch n.Kind {
	case NoticeWarning:
		// A warning without an area is for everyone who follows warnings.
		return t.Warnings && (len(t.Areas) == 0 || n.Area == "" || slices.Contains(t.Areas, n.Area))
	case NoticeSurvey:
		return t.Surveys
	}
	return false
}

// PushKeys are the subscription's keys as PushSubscription.toJSON() gives
// them: base64url.
type PushKeys struct {
	P256dh string `json:"p256dh"`
	Auth   string `json:"auth"`
}

// PushSubscription is what the app sends to subscribe.
type PushSubscription struct {
	Endpoint string     `json:"endpoint"`
	Keys     PushKeys   `json:"keys"`
	Lang     string     `json:"lang"`
	Topics   PushTopics `json:"topics"`
}

// Notice is something to tell subscribers about.
type Notice struct {
	Kind string `json:"kind"`
	Area string `json:"area,omitempty"` // a warning's area
}

// Subscriber is a stored subscription and where its deliveries stand.
type Subscriber struct {
	PushSubscription
	// Origin is the https address of the Sova site she subscribed on, the
	// same for every member: the push services' contact for the operator
	// unless Settings.PushContact says otherwise.
	Origin string `json:"origin,omitempty"`
	// Pending is the kind of notice waiting to be delivered ("" none).
	// Notices wait through quiet hours and the daily cap; they are all the
	// same neutral words, so one waiting notice stands for any number.
	Pending string `json:"pending,omitempty"`
	// Since is the organisation's date of the latest notice pending: one
	// left waiting too long (PushMaxWait) is dropped unsaid.
	Since string `json:"since,omitempty"`
	// Day and Count count the notifications delivered on the
	// organisation's date Day, for the daily cap. Only the date is kept,
	// never a time.
	Day   string `json:"day,omitempty"`
	Count int    `json:"sent,omitempty"`
}

// PushMaxWait is how many days a notice may wait for quiet hours or the cap
// to let it through: it is dropped when its date is PushMaxWait days past,
// so at most that long. The feed has the news anyway.
const PushMaxWait = 2

// Add makes a notice pending on date day, and tells whether that changed
// anything. A warning outranks a survey, as it opens the warnings and is
// more urgent; the newest notice's date counts, so fresh news is never
// dropped for an old notice's wait.
func (s *Subscriber) Add(n Notice, day string) bool {
	kind := s.Pending
	if kind != NoticeWarning {
		kind = n.Kind
	}
	if kind == s.Pending && day == s.Since {
		return false
	}
	s.Pending, s.Since = kind, day
	return true
}

// Sent records what a round delivered on day: the delivery counts toward
// the cap, and the pending notice is cleared if the delivery covered it. A
// notice that arrived while it was on its way, and outranks it, stays.
func (s *Subscriber) Sent(kind, day string) {
	if s.Day != day {
		s.Day, s.Count = day, 0
	}
	s.Count++
	if s.Pending == kind || kind == NoticeWarning {
		s.Drop()
	}
}

// Drop forgets the pending notice unsaid.
func (s *Subscriber) Drop() { s.Pending, s.Since = "", "" }

// Capped tells whether the subscriber had perDay notifications on day.
func (s *Subscriber) Capped(day string, perDay int) bool {
	return s.Day == day && s.Count >= perDay
}

// ID names a subscription: the SHA-256 of its auth secret's bytes followed
// by its endpoint. It is the capability to read or end the subscription,
// so it must not be computable by the push service, which knows the
// endpoint but never the secret. Only the phone and this server can make
// it, and the endpoint never appears in a URL.
func (p *PushSubscription) ID() string {
	auth, _ := decodeB64(p.Keys.Auth)
	h := sha256.New()
	h.Write(auth)
	h.Write([]byte(p.Endpoint))
	return hex.EncodeToString(h.Sum(nil))
}

// PushHosts are the push services of the browsers members use: an endpoint
// elsewhere is refused, so the server never posts to an address a stranger
// chose (an internal service, say). A name matches itself and its
// subdomains; an operator may replace the list (SOVA_PUSH_HOSTS).
var PushHosts = []string{
	"fcm.googleapis.com",        // Chrome, Samsung Internet, Opera
	"push.services.mozilla.com", // Firefox
	"notify.windows.com",        // Edge
	"push.apple.com",            // Safari
}

// MaxEndpoint bounds an endpoint's length; real ones are under 500 bytes.
const MaxEndpoint = 1024

// Check validates a subscription as the app sent it: an https endpoint on
// one of hosts, a P-256 public key, a 16-byte secret, a known language,
// and areas from areas.
func (p *PushSubscription) Check(hosts []string, langs []string, areas []Area) error {
	u, err := url.Parse(p.Endpoint)
	if err != nil || len(p.Endpoint) > MaxEndpoint || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" {
		return Errorf(CodeInvalid, "the endpoint must be an https address of a push service")
	}
	if p.Service(hosts) == "" {
		return Errorf(CodeInvalid, "%s is not a push service this Sova sends to", u.Hostname())
	}
	key, err := decodeB64(p.Keys.P256dh)
	if err == nil {
		_, err = ecdh.P256().NewPublicKey(key)
	}
	if err != nil {
		return Errorf(CodeInvalid, "keys.p256dh must be a P-256 public key (65 bytes, base64url)")
	}
	if auth, err := decodeB64(p.Keys.Auth); err != nil || len(auth) != 16 {
		return Errorf(CodeInvalid, "keys.auth must be 16 bytes, base64url")
	}
	if !slices.Contains(langs, p.Lang) {
		return Errorf(CodeUnknownLanguage, "there is no language %q", p.Lang)
	}
	for i, code := range p.Topics.Areas {
		if !slices.ContainsFunc(areas, func(a Area) bool { return a.Code == code }) {
			return Errorf(CodeInvalid, "there is no area %q", code)
		}
		if slices.Contains(p.Topics.Areas[:i], code) {
			return Errorf(CodeInvalid, "the area %q is listed twice", code)
		}
	}
	if !p.Topics.Warnings && !p.Topics.Surveys {
		return Errorf(CodeInvalid, "choose at least one topic: warnings or surveys")
	}
	return nil
}

// Service is the entry of hosts (push services) that p's endpoint is on,
// or "" if none. Names match themselves and their subdomains; an entry
// with a port must match it exactly.
func (p *PushSubscription) Service(hosts []string) string {
	u, err := url.Parse(p.Endpoint)
	if err != nil {
		return ""
	}
	host, name := u.Host, u.Hostname()
	for _, a := range hosts {
		if strings.Contains(a, ":") {
			if host == a {
				return a
			}
		} else if (name == a || strings.HasSuffix(name, "."+a)) && (name == host || strings.HasSuffix(host, ":443")) {
			return a // the push services listen on the https port only
		}
	}
	return ""
}

// decodeB64 takes base64 as browsers and libraries write keys: URL or
// standard alphabet, padded or not.
func decodeB64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "+/") {
		return base64.RawStdEncoding.DecodeString(s)
	}
	return base64.RawURLEncoding.DecodeString(s)
}
