package domain

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sova/server/screening"
)

// Repository keeps what staff change. Package store implements it. Each write
// takes the audit entries that record it and keeps them in the same
// transaction, so a change is never kept without its record. A write with no
// entry is for Sova's own content and for tests.
type Repository interface {
	// Surveys
	Versions(id string) []*Survey
	StateOf(id string, version int) SurveyState
	LatestSurvey(id string) (*Survey, error)
	PutSurvey(sv *Survey) error
	PutDraft(sv *Survey, audit ...AuditEntry) error
	SetState(id string, version int, st SurveyState, audit ...AuditEntry) error

	// Warnings and the areas they name
	Areas() ([]Area, error)
	PutArea(a Area, audit ...AuditEntry) error
	DeleteArea(code string, audit ...AuditEntry) error
	Warning(id string) (*Warning, error)
	PutWarning(w *Warning, audit ...AuditEntry) error
	// DecideReport stores a moderator's decision, deleting the answers
	// named by forget from the report's answer in the same transaction.
	DecideReport(w *Warning, forget []string, audit ...AuditEntry) error
	// ScreeningParams are the organisation's for the screening list, its
	// salt made on first use.
	ScreeningParams() (screening.Params, error)
	Warnings() ([]*Warning, error)
	// ForgetNote deletes a report's private note, from the report and from
	// the answer it came in; DropReport deletes the report and its answer.
	ForgetNote(id string) error
	DropReport(id string) error
	// DropAuditBefore deletes the audit entries older than t, and says
	// how many.
	DropAuditBefore(t time.Time) (int, error)

	// Outreach
	HasSite(code string) bool
	PutSite(s Site, audit ...AuditEntry) error
	DeleteSite(code string, audit ...AuditEntry) error
	Device(hash string) (*Device, error)
	PutDevice(hash string, d *Device, audit ...AuditEntry) error

	// The organisation's settings, services and information pages
	Settings() (Settings, error)
	PutSettings(st Settings, audit ...AuditEntry) error
	Service(id string) (*Service, error)
	PutService(svc *Service, audit ...AuditEntry) error
	DeleteService(id string, audit ...AuditEntry) error
	PutInfoPage(p *InfoPage, audit ...AuditEntry) error

	// Staff
	Staff(id string) (*Staff, error)
	AllStaff() ([]*Staff, error)
	// ChangeStaff runs change on account id (nil if there is none) and
	// every account as they are now, then stores the account and the
	// audit entry change returns, all in one transaction: what change
	// checked across accounts still holds when it is stored.
	ChangeStaff(id string, change func(st *Staff, all []*Staff) (AuditEntry, error)) error
	HasAdmin() (bool, error)
	Invite(hash string) (*Invite, error)
	PutInvite(hash string, inv *Invite, ttl time.Duration, audit ...AuditEntry) error
	UseInvite(hash string, st *Staff, audit ...AuditEntry) error
	Audit(audit ...AuditEntry) error
}

// Events hears what staff changed, so that what follows from it happens
// elsewhere: the member site is rebuilt, the organisation's words are given
// voice, members are told. Package app wires it to the site, the voice and
// push.
type Events interface {
	// SiteChanged rebuilds what members are served before it returns.
	SiteChanged() error
	// WordsChanged is SiteChanged for the organisation's own words
	// (services, information pages, areas, warnings), which are then given
	// voice in the background.
	WordsChanged() error
	// Notify tells members who asked for it; failures are the
	// notifier's to log, never the staff member's to see.
	Notify(Notice)
}

// Catalogs are the app's words in each language, as translators left them.
type Catalogs interface {
	Langs() []string
	Text(lang, key string) string
}

// Office runs what staff do: surveys, moderation, outreach, settings, the
// directory, information pages and accounts. Handlers parse a request, call
// one method and render what it returns; the rules live here.
type Office struct {
	Repo   Repository
	Events Events
	Words  Catalogs
	Now    func() time.Time
}

// InviteTTL is how long an invite link (and the first admin's setup link)
// may be used.
const InviteTTL = time.Hour

// audit is one record of by's action, stamped now.
func (o *Office) audit(by, action, target string) AuditEntry {
	return AuditEntry{Time: o.Now().UTC(), Staff: by, Action: action, Target: target}
}

// Record audits an action that changes nothing kept, such as an export.
func (o *Office) Record(by, action, target string) error {
	return o.Repo.Audit(o.audit(by, action, target))
}

// AddDraft takes a new survey or a new version of one as a draft.
func (o *Office) AddDraft(by string, sv *Survey) error { return o.AddDraftWith(by, sv, nil) }

// DraftPut keeps a draft as Repository.PutDraft does, with what came with
// it, in the same transaction.
type DraftPut func(sv *Survey, audit ...AuditEntry) error

// AddDraftWith is AddDraft for a draft that brings more than its
// definition, such as an XLSForm's recordings: ready makes that ready to
// keep (it may refuse it, and then nothing is kept) and says how to keep
// it with the draft. It runs only for a draft AddDraft would take, so
// nothing is converted for one refused here, the one place that refuses.
func (o *Office) AddDraftWith(by string, sv *Survey, ready func() (DraftPut, error)) error {
	if sv.ID == WarnSurveyID {
		return Errorf(CodeInvalid, "The id %q is Sova's own reporting form; give the survey another id.", WarnSurveyID)
	}
	err := o.putDraft(by, sv, ready)
	if errors.Is(err, ErrVersionExists) {
		return Errorf(CodeInvalid, "Version %d of %s already exists with other content. Raise \"version\" in the file and upload it again.", sv.Version, sv.ID)
	}
	return err
}

// putDraft keeps sv, with what ready makes ready if anything comes with it.
func (o *Office) putDraft(by string, sv *Survey, ready func() (DraftPut, error)) error {
	put := o.Repo.PutDraft
	if ready != nil {
		if o.versionTaken(sv) {
			return ErrVersionExists // before anything is made ready
		}
		var err error
		if put, err = ready(); err != nil {
			return err
		}
	}
	return put(sv, o.audit(by, "survey uploaded", sv.ID+" v"+strconv.Itoa(sv.Version)))
}

// versionTaken reports whether sv's version is stored with other content,
// or as other than a draft: a version members may have met never changes,
// nor does what came with it.
func (o *Office) versionTaken(sv *Survey) bool {
	for _, old := range o.Repo.Versions(sv.ID) {
		if old.Version == sv.Version {
			a, _ := json.Marshal(old)
			b, _ := json.Marshal(sv)
			return o.Repo.StateOf(sv.ID, sv.Version) != SurveyDraft || string(a) != string(b)
		}
	}
	return false
}

// SetSurveyState publishes or retires a version; members get the change
// with their next update.
func (o *Office) SetSurveyState(by, id string, version int, state SurveyState) error {
	if id == WarnSurveyID {
		return Refuse(CodeNotFound, "survey.version", "no such version")
	}
	// A survey members have not seen before is news; a new version of one
	// they know, or one coming back from retirement, is not.
	news := state == SurveyPublished && !slices.ContainsFunc(o.Repo.Versions(id), func(sv *Survey) bool {
		return o.Repo.StateOf(id, sv.Version) != SurveyDraft
	})
	if err := o.Repo.SetState(id, version, state, o.audit(by, "survey "+string(state), id+" v"+strconv.Itoa(version))); err != nil {
		return err
	}
	if err := o.Events.SiteChanged(); err != nil {
		return err
	}
	if news {
		o.Events.Notify(Notice{Kind: NoticeSurvey})
	}
	return nil
}

// EnsureWarnSurvey keeps the reporting form (WarnSurvey) published for the
// current areas and languages: a new version whenever they change. Phones
// that queued reports on an older version still send them; every version
// stays.
func (o *Office) EnsureWarnSurvey() error {
	areas, err := o.Repo.Areas()
	if err != nil {
		return err
	}
	want := WarnSurvey(0, o.Words.Langs(), o.Words.Text, areas)
	latest := 0
	for _, old := range o.Repo.Versions(WarnSurveyID) {
		latest = max(latest, old.Version)
	}
	if cur, err := o.Repo.LatestSurvey(WarnSurveyID); err == nil && cur.Version == latest && sameDefinition(cur, want) {
		return nil
	}
	want.Version = latest + 1
	return o.Repo.PutSurvey(want)
}

// sameDefinition compares two definitions but for their version.
func sameDefinition(a, b *Survey) bool {
	x, y := *a, *b
	x.Version, y.Version = 0, 0
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return string(ja) == string(jb)
}

// PutArea adds or renames an area; the reporting form gets a new version.
func (o *Office) PutArea(by string, a Area) error {
	if err := a.Check(); err != nil {
		return err
	}
	return o.areasChanged(o.Repo.PutArea(a, o.audit(by, "area saved", a.Code)))
}

// DeleteArea takes an area off the list. Warnings already made keep it.
func (o *Office) DeleteArea(by, code string) error {
	return o.areasChanged(o.Repo.DeleteArea(code, o.audit(by, "area removed", code)))
}

func (o *Office) areasChanged(err error) error {
	if err != nil {
		return err
	}
	if err := o.EnsureWarnSurvey(); err != nil {
		return err
	}
	return o.Events.WordsChanged()
}

// Decide publishes a report as a warning, with the public words as the
// moderator left them, or rejects it. Only what is approved reaches
// members, and never the private note.
//
// confirm names the kinds of identifier (screening.Kind) the moderator
// confirmed: only those of a published warning go on members' list, as
// keyed hashes; every other identifier the report gave is deleted, from
// the report and from its answer, now. So an identifier reaches the list
// only with its warning, and members hear of both in one notice.
func (o *Office) Decide(by, id string, approve bool, public string, confirm []string) error {
	w, err := o.Repo.Warning(id)
	if err != nil {
		return err
	}
	if w == nil {
		return Refuse(CodeNotFound, "report.none", "there is no report %q", "id", id)
	}
	settings, err := o.Repo.Settings()
	if err != nil {
		return err
	}
	w.By, w.Decided = by, o.Now().UTC().Format(time.DateOnly)
	// Published just now, not again (a second tab, a double submit):
	// members hear of a warning once.
	news := approve && w.State != ReportApproved
	action := "report rejected"
	if approve {
		public = strings.TrimSpace(public)
		if utf8.RuneCountInString(public) > MaxTextAnswer {
			return Refuse(CodeInvalid, "report.long", "the public words fit in %d characters", "max", MaxTextAnswer)
		}
		w.State, w.Public, action = ReportApproved, public, "warning published"
		w.Expires = o.Now().UTC().AddDate(0, 0, settings.WarningDays).Format(time.DateOnly)
	} else {
		w.State, w.Expires = ReportRejected, ""
	}
	audit := []AuditEntry{o.audit(by, action, w.ID)}
	forget, confirmed, err := o.confirmClients(w, approve, confirm, settings.Country)
	if err != nil {
		return err
	}
	if confirmed > 0 {
		// That identifiers were confirmed, never which.
		audit = append(audit, o.audit(by, "identifiers confirmed", fmt.Sprintf("%s (%d)", w.ID, confirmed)))
	}
	if err := o.Repo.DecideReport(w, forget, audit...); err != nil {
		return err
	}
	// Its public words get Sova's voice, as the organisation's own.
	if err := o.Events.WordsChanged(); err != nil {
		return err
	}
	if news {
		o.Events.Notify(Notice{Kind: NoticeWarning, Area: w.Area})
	}
	return nil
}

// confirmClients keeps of w's identifiers those the moderator confirmed
// (approving), each with its hash, and says which answers of the report go
// and how many identifiers were newly confirmed. A confirmed identifier that
// cannot be read (a number that is no number in the organisation's
// country) is refused, so that she knows it will not be checked.
func (o *Office) confirmClients(w *Warning, approve bool, confirm []string, region string) (forget []string, confirmed int, err error) {
	var keep []Client
	for _, c := range w.Clients {
		if !approve || !slices.Contains(confirm, string(c.Kind)) {
			forget = append(forget, ClientQuestion(c.Kind))
			continue
		}
		if !c.Confirmed() {
			id, err := screening.Normalize(c.Kind, c.Raw, region)
			if err != nil {
				return nil, 0, Refuse(CodeInvalid, "report.unreadable", "%q cannot be checked: it is not a %s Sova can read; leave it unticked", "value", c.Raw, "kind", c.Kind)
			}
			p, err := o.Repo.ScreeningParams()
			if err != nil {
				return nil, 0, err
			}
			if c.Hash, err = p.Hash(c.Kind, id); err != nil {
				return nil, 0, err
			}
			confirmed++
		}
		keep = append(keep, c)
	}
	w.Clients = keep
	return forget, confirmed, nil
}

// AddDevice keeps a field worker's phone under its token's hash, for the
// site she collects at.
func (o *Office) AddDevice(worker *Staff, hash, site string) error {
	if !o.Repo.HasSite(site) {
		return Refuse(CodeInvalid, "site.choose", "choose a site from the list")
	}
	return o.Repo.PutDevice(hash, &Device{StaffID: worker.ID, Created: o.Now().UTC()}, o.audit(worker.Login, "device set up", site))
}

// RevokeDevice stops a phone from syncing assisted answers (a lost phone,
// a worker who left). What it already synced stays.
func (o *Office) RevokeDevice(by, hash string) error {
	d, err := o.Repo.Device(hash)
	if err != nil {
		return err
	}
	if d == nil {
		return Refuse(CodeNotFound, "device.none", "no such device")
	}
	d.Revoked = true
	return o.Repo.PutDevice(hash, d, o.audit(by, "device revoked", hash[:min(10, len(hash))]))
}

// PutSite adds a site code to the list.
func (o *Office) PutSite(by string, s Site) error {
	if !ValidSiteCode(s.Code) {
		return Refuse(CodeInvalid, "site.code", "a site code is 1–24 lower-case letters, digits or '-', such as \"north-1\"; it must not name a person or an exact address")
	}
	return o.Repo.PutSite(s, o.audit(by, "site added", s.Code))
}

// DeleteSite takes a site code off the list. Answers keep it.
func (o *Office) DeleteSite(by, code string) error {
	return o.Repo.DeleteSite(code, o.audit(by, "site removed", code))
}

// SaveSettings keeps the organisation's settings and rebuilds the member
// app with them.
func (o *Office) SaveSettings(by string, st Settings) error {
	if err := st.Check(); err != nil {
		return err
	}
	summary := fmt.Sprintf("quick exit: %s; disguise: %s; first language: %s; phone numbers read in: %s; warnings show %d days; audit log kept %d days; notifications: %s, quiet %d-%d, %d a day",
		st.ExitURL, cmp.Or(st.Disguise, "none"), cmp.Or(st.MemberLang, "en"), cmp.Or(st.Country, "none"), st.WarningDays, st.AuditDays, st.TimeZone, st.QuietFrom, st.QuietTo, st.PushPerDay)
	if err := o.Repo.PutSettings(st, o.audit(by, "settings changed", summary)); err != nil {
		return err
	}
	return o.Events.SiteChanged()
}

// SaveService adds a service (one without an id) or replaces one; members
// get it with their next update.
func (o *Office) SaveService(by string, svc *Service) error {
	if err := svc.Check(); err != nil {
		return err
	}
	action := "service changed"
	if svc.ID == "" {
		action, svc.ID = "service added", o.newServiceID()
	} else if err := o.serviceExists(svc.ID); err != nil {
		return err
	}
	if err := o.Repo.PutService(svc, o.audit(by, action, svc.ID)); err != nil {
		return err
	}
	return o.Events.WordsChanged()
}

// DeleteService takes a service out of the directory.
func (o *Office) DeleteService(by, id string) error {
	if err := o.serviceExists(id); err != nil {
		return err
	}
	if err := o.Repo.DeleteService(id, o.audit(by, "service removed", id)); err != nil {
		return err
	}
	return o.Events.WordsChanged()
}

func (o *Office) serviceExists(id string) error {
	old, err := o.Repo.Service(id)
	if err == nil && old == nil {
		err = Refuse(CodeNotFound, "service.none", "there is no service %q", "id", id)
	}
	return err
}

// newServiceID is a time-ordered id, so the directory lists entries in the
// order they were made, with random bits so two at once do not collide.
func (o *Office) newServiceID() string {
	var r [3]byte
	rand.Read(r[:])
	return fmt.Sprintf("%011x%s", o.Now().UnixMilli(), hex.EncodeToString(r[:]))
}

// SaveInfoPage keeps one topic's page; members get it with their next
// update.
func (o *Office) SaveInfoPage(by string, p *InfoPage) error {
	if err := p.Check(); err != nil {
		return err
	}
	if err := o.Repo.PutInfoPage(p, o.audit(by, "information page changed", p.Topic)); err != nil {
		return err
	}
	return o.Events.WordsChanged()
}

// Invite keeps a one-time invite under its link token's hash, for a new
// staff member with roles. by is empty for the first admin's setup link.
func (o *Office) Invite(by string, roles []Role, lang, hash string) error {
	if len(roles) == 0 {
		return Refuse(CodeInvalid, "invite.roles", "choose at least one role for the new account")
	}
	inv := &Invite{Roles: roles, By: by, Lang: lang, Expires: o.Now().Add(InviteTTL)}
	if by == "" {
		return o.Repo.PutInvite(hash, inv, InviteTTL)
	}
	return o.Repo.PutInvite(hash, inv, InviteTTL, o.audit(by, "invite made", RolesText(roles)))
}

// LiveInvite returns the invite behind a link if it may still be used: not
// expired by the server's clock, and, for a setup link, only while there is
// no admin (links printed at earlier starts die with the first admin).
func (o *Office) LiveInvite(hash string) (*Invite, error) {
	inv, err := o.Repo.Invite(hash)
	if err != nil || inv == nil || !o.Now().Before(inv.Expires) {
		return nil, err
	}
	if inv.By == "" {
		if has, err := o.Repo.HasAdmin(); err != nil || has {
			return nil, err
		}
	}
	return inv, nil
}

// AcceptInvite makes the account inv allows, using the invite up: a link
// works once even when two people race to use it (ErrNoInvite,
// ErrLoginTaken).
func (o *Office) AcceptInvite(hash string, inv *Invite, st *Staff) error {
	if st.Lang == "" {
		st.Lang = inv.Lang
	}
	return o.Repo.UseInvite(hash, st, o.audit(st.Login, "account created", RolesText(inv.Roles)))
}

// SetRoles changes a staff member's roles or disables the account. The last
// admin cannot lose the admin role, or nobody could fix it.
//
// The last enabled admin is kept in the same transaction as the change, so
// that two admins demoting each other at once cannot leave none.
func (o *Office) SetRoles(by, id string, roles []Role, disabled bool) error {
	return o.Repo.ChangeStaff(id, func(st *Staff, all []*Staff) (AuditEntry, error) {
		if st == nil {
			return AuditEntry{}, Refuse(CodeNotFound, "account.none", "no such account")
		}
		if st.Has(RoleAdmin) && (disabled || !slices.Contains(roles, RoleAdmin)) {
			if admins := countFunc(all, func(o *Staff) bool { return o.Has(RoleAdmin) }); admins <= 1 {
				return AuditEntry{}, Refuse(CodeInvalid, "account.lastadmin", "%s is the last admin; make someone else admin first", "login", st.Login)
			}
		}
		st.Roles, st.Disabled = roles, disabled
		what := RolesText(roles)
		if disabled {
			what += " (disabled)"
		}
		return o.audit(by, "roles changed", st.Login+": "+what), nil
	})
}

// SetLang sets the console's language for account id, her own choice.
func (o *Office) SetLang(id, lang string) error {
	return o.Repo.ChangeStaff(id, func(st *Staff, _ []*Staff) (AuditEntry, error) {
		if st == nil {
			return AuditEntry{}, Refuse(CodeNotFound, "account.none", "no such account")
		}
		st.Lang = lang
		return o.audit(st.Login, "console language chosen", lang), nil
	})
}

func countFunc[T any](s []T, f func(T) bool) int {
	n := 0
	for _, v := range s {
		if f(v) {
			n++
		}
	}
	return n
}

// RolesText lists roles for people to read, as the audit log does.
func RolesText(roles []Role) string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return strings.Join(out, ", ")
}

// Forget deletes what no longer serves: audit entries older than the
// organisation keeps them (Settings.AuditDays), and what reports no longer
// need (Warning.Retention): private notes KeepDays after the decision, and
// published warnings, with their answers, KeepDays after they expired. A
// report decided before decisions were dated is dated today, and so kept
// KeepDays more. It returns how many notes and reports went.
func (o *Office) Forget() (notes, reports int, err error) {
	settings, err := o.Repo.Settings()
	if err != nil {
		return 0, 0, err
	}
	if _, err := o.Repo.DropAuditBefore(o.Now().AddDate(0, 0, -settings.KeepAudit())); err != nil {
		return 0, 0, err
	}
	all, err := o.Repo.Warnings()
	if err != nil {
		return 0, 0, err
	}
	today := o.Now().UTC().Format(time.DateOnly)
	for _, w := range all {
		if w.State != ReportPending && w.Decided == "" {
			w.Decided = today
			if err := o.Repo.PutWarning(w); err != nil {
				return notes, reports, err
			}
			continue
		}
		switch note, drop := w.Retention(today); {
		case drop:
			err = o.Repo.DropReport(w.ID)
			reports++
		case note:
			err = o.Repo.ForgetNote(w.ID)
			notes++
		}
		if err != nil {
			return notes, reports, err
		}
	}
	if reports > 0 {
		err = o.Events.WordsChanged() // the site's warnings, and their voice
	}
	return notes, reports, err
}
