package domain

import (
	"regexp"
	"time"
)

// Assisted marks a response that a field worker collected for someone, on
// her own phone, at one of the organisation's sites. It names the worker
// and the site, and nothing about the person who answered.
type Assisted struct {
	Worker string `json:"worker"` // the field worker's staff id
	Site   string `json:"site"`   // a site code from the organisation's list
}

// Device is a field worker's phone, allowed to sync assisted responses
// until an admin revokes it. Only its token's hash is stored.
type Device struct {
	StaffID string    `json:"staff"`
	Created time.Time `json:"created"`
	Revoked bool      `json:"revoked,omitempty"`
}

// Site is a place where outreach happens, by a short code.
type Site struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

var siteCode = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,23}$`)

// ValidSiteCode reports whether code may name a site.
func ValidSiteCode(code string) bool { return siteCode.MatchString(code) }

// CheckAssisted decides whether an assisted item may be taken: it must come
// from a live device of the worker it names, for a known site.
func CheckAssisted(a *Assisted, device *Device, hasSite func(string) bool) error {
	switch {
	case device == nil || device.Revoked:
		return Errorf(CodeUnauthorized, "assisted answers need this phone's outreach token, and it is missing or was revoked")
	case device.StaffID != a.Worker:
		return Errorf(CodeUnauthorized, "these assisted answers name another field worker than this phone's")
	case !hasSite(a.Site):
		return Errorf(CodeUnknownSite, "site %q is not on the organisation's list", a.Site)
	}
	return nil
}
