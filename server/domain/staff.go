package domain

import (
	"errors"
	"slices"
	"time"
)

// Role is what a staff member may do. A person may hold several; each route
// of the console names the one it needs (least privilege).
type Role string

const (
	RoleAdmin       Role = "admin"       // surveys, results, exports, staff, devices
	RoleModerator   Role = "moderator"   // safety warnings (later)
	RoleFieldWorker Role = "fieldworker" // outreach devices, assisted surveys
	RoleTranslator  Role = "translator"  // texts and voice (later)
)

// Roles lists every role, in the order the console shows them.
var Roles = []Role{RoleAdmin, RoleModerator, RoleFieldWorker, RoleTranslator}

// Staff is an organisation's worker with a console account. Staff are not
// members: their accounts are named, and their actions are audited.
type Staff struct {
	ID       string `json:"id"`
	Login    string `json:"login"`
	Roles    []Role `json:"roles"`
	Password string `json:"password"` // argon2id, PHC string format
	Disabled bool   `json:"disabled,omitempty"`
	// Lang is the console's language for this person (a console catalog's
	// code); empty follows her browser.
	Lang string `json:"lang,omitempty"`
}

// Has reports whether the staff member holds role r.
func (s *Staff) Has(r Role) bool { return s != nil && !s.Disabled && slices.Contains(s.Roles, r) }

// Session is a signed-in staff member's server-side session. Only the hash
// of its cookie token is stored.
type Session struct {
	StaffID  string    `json:"staff"`
	CSRF     string    `json:"csrf"` // the token every console form must carry
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"lastSeen"`
}

// Invite is a one-time link to make a staff account with the given roles.
// The first admin's setup link is an invite too.
type Invite struct {
	Roles   []Role    `json:"roles"`
	By      string    `json:"by,omitempty"`   // the admin who made it; empty for the setup link
	Lang    string    `json:"lang,omitempty"` // the new account's console language; empty: the browser's
	Expires time.Time `json:"expires"`
}

// ErrLoginTaken is returned when a new account's login is in use.
var ErrLoginTaken = errors.New("that login name is taken")

// ErrNoInvite is returned for a used, expired or unknown invite.
var ErrNoInvite = errors.New("this link was already used or has expired")

// CommandLine stands for the staff member in an entry made from the
// command line, where nobody is signed in.
const CommandLine = "(command line)"

// AuditEntry records one staff action. It never holds member data.
type AuditEntry struct {
	Time   time.Time `json:"time"`
	Staff  string    `json:"staff"` // login, or CommandLine
	Action string    `json:"action"`
	Target string    `json:"target,omitempty"`
}
