package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"sova/internal/testapp"
	"sova/server/domain"
)

// Nothing is kept longer than it serves: a report's private note goes 30
// days after the moderator's decision, from the report and from the answer
// it came in; a published warning goes, with its answer, 30 days after it
// expired. A report nobody decided yet keeps everything.
func TestRetention_PrivateNotesAndOldWarningsGo(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	testapp.AddArea("north", "en", "North")(t, e)
	sv, err := e.App.Store().LatestSurvey(domain.WarnSurveyID)
	if err != nil {
		t.Fatal(err)
	}
	report := func(note string) string {
		id := testapp.NewID()
		e.Sync(t, e.Phone.Item(t, id, domain.WarnSurveyID, sv.Version, "en", map[string]any{
			"kind": "robbery", "area": "north", "when": "today", "public": "Grey car", "private": note}))
		return id
	}
	published, rejected, waiting := report("canary-note-published"), report("canary-note-rejected"), report("canary-note-waiting")
	mod := e.As(domain.RoleModerator)
	csrf := mod.CSRF(t)
	for id, verb := range map[string]string{published: "approve", rejected: "reject"} {
		if rec := mod.Post(t, "/staff/reports/"+id+"/"+verb, url.Values{"csrf": {csrf}, "public": {"Grey car"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("%s: %d %.300s", verb, rec.Code, rec.Body)
		}
	}
	held := func(id string) (note string, report, answer bool) {
		w, err := e.App.Store().Warning(id)
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.App.Store().Response(id)
		if err != nil {
			t.Fatal(err)
		}
		if w != nil {
			note = w.Private
		}
		if r != nil {
			if n, _ := r.Content.Answers["private"].(string); n != "" {
				note += "|" + n
			}
		}
		return note, w != nil, r != nil
	}

	e.Clock.Advance(domain.KeepDays * 24 * time.Hour)
	e.App.Hourly()
	if note, _, _ := held(published); !strings.Contains(note, "canary") {
		t.Fatalf("the note went before its 30 days were over: %q", note)
	}

	e.Clock.Advance(25 * time.Hour)
	e.App.Hourly()
	for _, id := range []string{published, rejected} {
		if note, report, answer := held(id); note != "" || !report || !answer {
			t.Errorf("31 days after the decision: note %q, report kept %v, answer kept %v; want no note, the rest kept", note, report, answer)
		}
	}
	if note, _, _ := held(waiting); !strings.Contains(note, "canary-note-waiting|canary-note-waiting") {
		t.Errorf("a report nobody decided lost its note: %q", note)
	}

	// The warning expired after the organisation's 14 days; 30 more, and
	// it goes with its answer. The rejected report stays, without its note.
	e.Clock.Advance(14 * 24 * time.Hour)
	e.App.Hourly()
	if _, report, answer := held(published); report || answer {
		t.Errorf("30 days after it expired the warning is still kept (report %v, answer %v)", report, answer)
	}
	if _, report, answer := held(rejected); !report || !answer {
		t.Error("the rejected report went with the expired warning")
	}
	if strings.Contains(mod.Get(t, "/staff/reports").Body.String(), "canary") {
		t.Error("the moderation page still shows a deleted note")
	}

	// The audit log keeps each entry as long as the organisation chose
	// (a year unless it says otherwise; 90 days here).
	save := func() { // signed in afresh: the clock ran past any session
		t.Helper()
		admin := testapp.NewConsole(e.H)
		admin.Login(t, "admin", testapp.Password)
		rec := admin.Post(t, "/staff/settings", url.Values{"csrf": {admin.CSRF(t)}, "exit_url": {domain.DefaultExitURL}, "audit_days": {"90"}})
		if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "saved") {
			t.Fatalf("settings: %d %s %.300s", rec.Code, rec.Header().Get("Location"), rec.Body)
		}
	}
	save()
	e.App.Hourly()
	if got := e.AuditLog(t); len(got) < 3 {
		t.Fatalf("entries of 45 days ago went with a 90-day log: %d left", len(got))
	}
	e.Clock.Advance(91 * 24 * time.Hour)
	save() // one entry of today
	e.App.Hourly()
	left := e.AuditLog(t)
	if len(left) != 1 || left[0].Action != "settings changed" {
		t.Errorf("after 91 days the audit log holds %+v; want only today's entry", left)
	}
}
