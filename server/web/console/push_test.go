package console_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"sova/internal/testapp"
	"sova/server/domain"
	"sova/server/screening"
)

// A published warning reaches the phones that follow its area, with the
// organisation's neutral words and nothing of the warning; a new survey
// reaches those who want surveys, and a new version of a known one does not.
func TestPush_NoticesFromModerationAndPublishing(t *testing.T) {
	t.Parallel()
	report := testapp.NewID()
	// subscribed has three phones subscribe: to warnings in the north, in
	// the south, and to surveys.
	subscribed := func(t *testing.T, e *testapp.Env) {
		testapp.AddArea("north", "en", "north")(t, e)
		testapp.AddArea("south", "en", "south")(t, e)
		e.Subscribe(t, "north", "en", domain.PushTopics{Warnings: true, Areas: []string{"north"}})
		e.Subscribe(t, "south", "ru", domain.PushTopics{Warnings: true, Areas: []string{"south"}})
		e.Subscribe(t, "surveys", "en", domain.PushTopics{Surveys: true})
	}
	// drafted has two phones subscribe, to warnings (in every area) and to
	// surveys, and the admin upload a new version of the needs survey and a
	// new survey, "health".
	drafted := func(t *testing.T, e *testapp.Env) {
		e.Subscribe(t, "warnings", "en", domain.PushTopics{Warnings: true})
		e.Subscribe(t, "surveys", "en", domain.PushTopics{Surveys: true})
		needs, _ := e.App.Store().LatestSurvey("needs")
		fresh := *needs
		fresh.ID, fresh.Version = "health", 1
		v2 := *needs
		v2.Version = needs.Version + 1
		for _, d := range []*domain.Survey{&v2, &fresh} {
			if err := e.App.Store().PutDraft(d); err != nil {
				t.Fatal(err)
			}
		}
	}
	news := published("a survey members have not seen is news", "health", 1, drafted)
	news.ExpectedNotices = map[string]string{"surveys": domain.NoticeSurvey}
	news.After = func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
		e.Flush(t)
		sg := e.Push.Received(e.Endpoint("surveys"))
		if len(sg) != 1 || !strings.Contains(string(sg[0].Payload), `"url":"/en/"`) || sg[0].Urgency != "normal" || e.Push.Requests() != 1 {
			t.Fatalf("a new survey: %d messages %v (%d in all)", len(sg), sg, e.Push.Requests())
		}
	}
	for _, s := range []testapp.Scenario{
		{
			Name: "a moderator publishes a report in the north",
			Role: domain.RoleModerator,
			URL:  "/staff/reports/" + report + "/approve",
			Form: url.Values{"public": {"canary-public-words"}},
			Before: func(t *testing.T, e *testapp.Env) {
				subscribed(t, e)
				admin := e.As(domain.RoleAdmin)
				if rec := admin.Post(t, "/staff/settings", url.Values{"csrf": {admin.CSRF(t)}, "push_text_en": {"Your notes changed"}, "disguise": {"notes"}}); rec.Code != http.StatusSeeOther {
					t.Fatalf("settings: %d %s", rec.Code, rec.Body)
				}
				sv, _ := e.App.Store().LatestSurvey(domain.WarnSurveyID)
				e.Sync(t, e.Phone.Item(t, report, domain.WarnSurveyID, sv.Version, "en", map[string]any{
					"kind": "violence", "area": "north", "when": "today", "public": "canary-public-words",
				}))
				e.Flush(t)
				if e.Push.Requests() != 0 {
					t.Fatal("a report was notified before a moderator published it")
				}
			},
			ExpectedStatus:  http.StatusSeeOther,
			ExpectedAudit:   []testapp.Audit{{Action: "warning published", Target: report}},
			ExpectedNotices: map[string]string{"north": domain.NoticeWarning},
			After: func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
				e.Flush(t)
				got := e.Push.Received(e.Endpoint("north"))
				if len(got) != 1 || e.Push.Requests() != 1 {
					t.Fatalf("north got %d messages, the push service %d; want 1 and 1", len(got), e.Push.Requests())
				}
				var p map[string]string
				if err := json.Unmarshal(got[0].Payload, &p); err != nil {
					t.Fatal(err)
				}
				if p["title"] != "Notes" || p["body"] != "Your notes changed" || p["url"] != "/en/warnings" || !strings.HasPrefix(p["icon"], "/icons/disguise-notes-192.") || p["stop"] != "Stop notifications" {
					t.Fatalf("payload %v", p)
				}
				for _, leak := range []string{"canary", "violence", "north", "Sova"} {
					if strings.Contains(strings.ToLower(string(got[0].Payload)), strings.ToLower(leak)) {
						t.Errorf("the notification says %q: %s", leak, got[0].Payload)
					}
				}
				if got[0].TTL <= 0 || got[0].Urgency != "high" || got[0].Topic == "" {
					t.Errorf("TTL %d, urgency %q, topic %q", got[0].TTL, got[0].Urgency, got[0].Topic)
				}
			},
		},
		{
			// A warning that names its client's number is published with
			// it: the offline list gains the number's hash at once, and
			// phones hear of it once, in the same neutral words, with
			// nothing of the number.
			Name: "a moderator publishes a report with the client's number confirmed",
			Role: domain.RoleModerator,
			URL:  "/staff/reports/" + report + "/approve",
			Form: url.Values{"public": {"He hit her."}, "confirm": {"phone"}},
			Before: func(t *testing.T, e *testapp.Env) {
				subscribed(t, e)
				sv, _ := e.App.Store().LatestSurvey(domain.WarnSurveyID)
				e.Sync(t, e.Phone.Item(t, report, domain.WarnSurveyID, sv.Version, "en", map[string]any{
					"kind": "violence", "area": "north", "when": "today", domain.ClientPhone: "+7 912 345-67-89",
				}))
			},
			ExpectedStatus:  http.StatusSeeOther,
			ExpectedAudit:   []testapp.Audit{{Action: "warning published", Target: report}, {Action: "identifiers confirmed", Target: report + " (1)"}},
			ExpectedNotices: map[string]string{"north": domain.NoticeWarning},
			After: func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
				e.Flush(t)
				got := e.Push.Received(e.Endpoint("north"))
				if len(got) != 1 || e.Push.Requests() != 1 {
					t.Fatalf("north got %d messages, the push service %d; want 1 and 1", len(got), e.Push.Requests())
				}
				if p := string(got[0].Payload); strings.Contains(p, "912") || strings.Contains(p, "violence") {
					t.Errorf("the notification says what the warning is: %s", p)
				}
				p, err := e.App.Store().ScreeningParams()
				if err != nil {
					t.Fatal(err)
				}
				h, _ := p.Hash(screening.Phone, "+79123456789")
				list := httptest.NewRecorder()
				e.App.Handler().ServeHTTP(list, httptest.NewRequest(http.MethodGet, "/check.json", nil))
				if body := list.Body.String(); !strings.Contains(body, base64.RawURLEncoding.EncodeToString(h)) || strings.Contains(body, "912") {
					t.Errorf("the offline list lacks the number's hash, or names it: %.500s", body)
				}
			},
		},
		published("a new version of a known survey is no news", "needs", 2, drafted),
		news,
	} {
		s.Test(t)
	}
}

// published is the admin publishing version v of a survey that before
// put in place.
func published(name, survey string, v int, before func(t *testing.T, e *testapp.Env)) testapp.Scenario {
	return testapp.Scenario{
		Name:           name,
		Role:           domain.RoleAdmin,
		URL:            fmt.Sprintf("/staff/surveys/%s/%d/publish", survey, v),
		Form:           url.Values{},
		Before:         before,
		ExpectedStatus: http.StatusSeeOther,
		ExpectedAudit:  []testapp.Audit{{Action: "survey published", Target: fmt.Sprintf("%s v%d", survey, v)}},
	}
}
