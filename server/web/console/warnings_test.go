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

// A member reports, a moderator publishes, members read it until it
// expires; the private note and unapproved reports never reach them.
func TestWarnings_ReportModerateAndExpire(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	csrf := admin.CSRF(t)
	if rec := admin.Post(t, "/staff/areas", url.Values{"csrf": {csrf}, "code": {"north-market"}, "name_en": {"North market"}, "name_ru": {"Северный рынок"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("add area: %d %.300s", rec.Code, rec.Body)
	}
	mod := e.As(domain.RoleModerator)
	const days = 3 // the organisation's choice
	if rec := admin.Post(t, "/staff/settings", url.Values{"csrf": {csrf}, "exit_url": {domain.DefaultExitURL}, "warning_days": {"3"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("settings: %d", rec.Code)
	}

	// The reporting form has a version with the area; members reach it.
	sv, err := e.App.Store().LatestSurvey(domain.WarnSurveyID)
	if err != nil || sv.Question("area") == nil || len(sv.Question("area").Choices) != 1 {
		t.Fatalf("the reporting form: %+v %v", sv, err)
	}
	member := e.Member()
	if body := member.Get(t, "/en/s/warn").Body.String(); !strings.Contains(body, "North market") || !strings.Contains(body, "He refused a condom") {
		t.Fatal("the reporting form lacks the area or a kind")
	}
	if body := member.Get(t, "/en/").Body.String(); !strings.Contains(body, `href="/en/s/warn"`) || !strings.Contains(body, `href="/en/warnings"`) {
		t.Fatal("the home page has no tiles to warn or read warnings")
	}
	if strings.Contains(admin.Get(t, "/staff/results").Body.String(), "/staff/results/warn/") {
		t.Error("reports are listed among survey results")
	}
	if rec := admin.Get(t, "/staff/results/warn/1/export.csv"); rec.Code != http.StatusNotFound {
		t.Errorf("reports can be exported raw: %d", rec.Code)
	}

	// A member's phone seals a report, as it seals answers.
	id := testapp.NewID()
	item := e.Phone.Item(t, id, domain.WarnSurveyID, sv.Version, "en", map[string]any{
		"kind": "robbery", "area": "north-market", "when": "yesterday",
		"public": "Grey car, took phones", "private": "it was my regular, canary-private-note",
	})
	if out := e.Sync(t, item); len(out.Accepted) != 1 {
		t.Fatalf("sync: %+v", out)
	}

	// Waiting: moderators see it, members do not.
	if body := member.Get(t, "/en/warnings").Body.String(); strings.Contains(body, "Grey car") || !strings.Contains(body, "No warnings now.") {
		t.Fatalf("an unapproved report reached members: %s", member.Get(t, "/en/warnings").Body.String())
	}
	queue := mod.Get(t, "/staff/reports").Body.String()
	if !strings.Contains(queue, "Waiting: 1") || !strings.Contains(queue, "canary-private-note") || !strings.Contains(queue, "North market") {
		t.Fatalf("the moderator's queue: %.1000s", queue)
	}

	// Published, with the public words edited.
	mcsrf := mod.CSRF(t)
	if rec := mod.Post(t, "/staff/reports/"+id+"/approve", url.Values{"csrf": {mcsrf}, "public": {"A grey car; he took phones."}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("approve: %d %.300s", rec.Code, rec.Body)
	}
	feed := member.Get(t, "/en/warnings").Body.String()
	for _, want := range []string{"Robbery", "North market", "A grey car; he took phones.", `data-area="north-market"`, `data-when="yesterday"`} {
		if !strings.Contains(feed, want) {
			t.Errorf("the feed lacks %q", want)
		}
	}
	if strings.Contains(feed, "canary-private-note") || strings.Contains(feed, "Grey car, took phones") {
		t.Error("the feed shows the private note or the unedited words")
	}
	if ru := member.Get(t, "/ru/warnings").Body.String(); !strings.Contains(ru, "Северный рынок") || !strings.Contains(ru, "Ограбление") {
		t.Error("the Russian feed lacks the warning")
	}

	// Expiry: after the chosen days it leaves the feed at the next refresh.
	e.Clock.Advance(days * 24 * time.Hour)
	if err := e.App.RefreshWarnings(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(member.Get(t, "/en/warnings").Body.String(), "A grey car") {
		t.Error("the warning left a day early")
	}
	e.Clock.Advance(24 * time.Hour)
	if err := e.App.RefreshWarnings(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(member.Get(t, "/en/warnings").Body.String(), "A grey car") {
		t.Error("an expired warning is still in the feed")
	}
}
