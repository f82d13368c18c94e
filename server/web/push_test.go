package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sova/internal/pushtest"
	"sova/internal/testapp"
	"sova/server/domain"
)

// subscription is what the app PUTs: the browser's toJSON() plus language
// and topics.
func subscription(s pushtest.Subscription, lang string, topics domain.PushTopics) map[string]any {
	return map[string]any{"endpoint": s.Endpoint, "keys": s.Keys, "lang": lang, "topics": topics, "expirationTime": nil}
}

func subscriptionURL(id string) string { return "/api/v1/push/subscriptions/" + id }

func jsonBody(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pushAPI(t *testing.T, e *testapp.Env, method, id string, body any) *httptest.ResponseRecorder {
	t.Helper()
	var data []byte
	if body != nil {
		data = jsonBody(t, body)
	}
	return e.Request(method, subscriptionURL(id), data)
}

// vapidKey is the key the notifications page and the API give phones.
func vapidKey(t *testing.T, e *testapp.Env) string {
	t.Helper()
	rec := e.Request(http.MethodGet, "/api/v1/push/key", nil)
	var out struct{ Key string }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Key) != 87 {
		t.Fatalf("push key: %d %s", rec.Code, rec.Body)
	}
	page := e.Member().Get(t, "/en/notify").Body.String()
	if !strings.Contains(page, `data-key="`+out.Key+`"`) {
		t.Fatal("the notifications page does not carry the VAPID key")
	}
	return out.Key
}

// addArea is a Before that has the admin add an area.
func addArea(code string, names ...string) func(t *testing.T, e *testapp.Env) {
	return func(t *testing.T, e *testapp.Env) {
		t.Helper()
		admin := e.As(domain.RoleAdmin)
		form := url.Values{"csrf": {admin.CSRF(t)}, "code": {code}}
		for i := 0; i+1 < len(names); i += 2 {
			form.Set("name_"+names[i], names[i+1])
		}
		if rec := admin.Post(t, "/staff/areas", form); rec.Code != http.StatusSeeOther {
			t.Fatalf("add area %s: %d %.300s", code, rec.Code, rec.Body)
		}
	}
}

// Subscribe, read back, change topics, stop: the API a phone uses.
func TestPush_SubscriptionLifecycle(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	addArea("north", "en", "North")(t, e)
	s := e.Push.Subscribe(vapidKey(t, e))
	id := testapp.SubscriptionID(s)

	if rec := pushAPI(t, e, http.MethodGet, id, nil); rec.Code != http.StatusNotFound {
		t.Fatalf("before subscribing: %d", rec.Code)
	}
	if rec := pushAPI(t, e, http.MethodPut, id, subscription(s, "ru", domain.PushTopics{Warnings: true, Areas: []string{"north"}})); rec.Code != http.StatusCreated {
		t.Fatalf("subscribe: %d %s", rec.Code, rec.Body)
	}
	rec := pushAPI(t, e, http.MethodGet, id, nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"areas":["north"]`) || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("read back: %d %s", rec.Code, rec.Body)
	}
	if rec := pushAPI(t, e, http.MethodPut, id, subscription(s, "ru", domain.PushTopics{Surveys: true})); rec.Code != http.StatusOK {
		t.Fatalf("change topics: %d %s", rec.Code, rec.Body)
	}
	if got := pushAPI(t, e, http.MethodGet, id, nil).Body.String(); !strings.Contains(got, `"surveys":true`) || strings.Contains(got, "north") {
		t.Fatalf("topics not replaced: %s", got)
	}
	// The stored record holds the subscription and nothing about the
	// person: no address, no browser, no time of day, even once a
	// notification was delivered (the day's date is kept for the cap).
	if err := e.App.Push().Notify(domain.Notice{Kind: domain.NoticeSurvey}); err != nil {
		t.Fatal(err)
	}
	e.Flush(t)
	sub, err := e.App.Store().Subscriber(id)
	if err != nil || sub == nil || sub.Day == "" {
		t.Fatal(sub, err)
	}
	raw, _ := json.Marshal(sub)
	for _, leak := range []string{"192.0.2", "Go-http-client", "agent"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("the stored subscription holds %q: %s", leak, raw)
		}
	}
	if regexp.MustCompile(`\d\d:\d\d`).Match(raw) {
		t.Errorf("the stored subscription holds a time of day: %s", raw)
	}
	for range 2 { // stopping twice is no error
		if rec := pushAPI(t, e, http.MethodDelete, id, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("stop: %d %s", rec.Code, rec.Body)
		}
	}
	if rec := pushAPI(t, e, http.MethodGet, id, nil); rec.Code != http.StatusNotFound {
		t.Fatalf("after stopping: %d", rec.Code)
	}
}

// Every kind of bad subscription is refused with its reason, and nothing
// is stored.
func TestPush_BadSubscriptions(t *testing.T) {
	t.Parallel()
	shared := testapp.Shared(t) // every row is refused
	s := shared.Push.Subscribe(vapidKey(t, shared))
	good := func() map[string]any { return subscription(s, "en", domain.PushTopics{Warnings: true}) }
	with := func(k string, v any) map[string]any { m := good(); m[k] = v; return m }
	elsewhere := pushtest.New() // a push service this Sova was not told of
	t.Cleanup(elsewhere.Close)
	other := elsewhere.Subscribe(vapidKey(t, shared))
	// The id a push service, which knows the endpoint, could work out.
	endpointOnly := sha256.Sum256([]byte(s.Endpoint))
	cases := []struct {
		name   string
		id     string
		body   any
		status int
		code   domain.Code
		says   string
	}{
		{"id not the subscription's", strings.Repeat("a", 64), good(), 400, domain.CodeInvalidID, "SHA-256"},
		{"id of the endpoint alone", hex.EncodeToString(endpointOnly[:]), good(), 400, domain.CodeInvalidID, "auth secret"},
		{"not JSON", "", "endpoint=x", 400, domain.CodeMalformed, "JSON"},
		{"unknown field", "", with("ip", "1.2.3.4"), 400, domain.CodeMalformed, "JSON"},
		{"plain http", "", with("endpoint", "http://"+shared.Push.Host()+"/push/x"), 422, domain.CodeInvalid, "https"},
		{"another host", "", subscription(other, "en", domain.PushTopics{Warnings: true}), 422, domain.CodeInvalid, "not a push service"},
		{"key not a point", "", with("keys", map[string]string{"p256dh": strings.Repeat("A", 87), "auth": s.Keys.Auth}), 422, domain.CodeInvalid, "p256dh"},
		{"short secret", "", with("keys", map[string]string{"p256dh": s.Keys.P256dh, "auth": "AAAA"}), 422, domain.CodeInvalid, "auth"},
		{"unknown language", "", with("lang", "xx"), 422, domain.CodeUnknownLanguage, "xx"},
		{"unknown area", "", with("topics", domain.PushTopics{Warnings: true, Areas: []string{"atlantis"}}), 422, domain.CodeInvalid, "atlantis"},
		{"no topic", "", with("topics", domain.PushTopics{}), 422, domain.CodeInvalid, "at least one topic"},
		{"too large", "", with("lang", strings.Repeat("x", 9000)), 413, domain.CodeTooLarge, "bytes"},
	}
	for _, c := range cases {
		if c.id == "" {
			c.id = testapp.SubscriptionID(s)
		}
		testapp.Scenario{
			Name:            c.name,
			Env:             shared,
			Method:          http.MethodPut,
			URL:             subscriptionURL(c.id),
			Body:            jsonBody(t, c.body),
			ExpectedStatus:  c.status,
			ExpectedContent: []string{apiError(c.code)},
			After: func(t *testing.T, e *testapp.Env, res *httptest.ResponseRecorder) {
				var out struct{ Message string }
				if json.Unmarshal(res.Body.Bytes(), &out); !strings.Contains(out.Message, c.says) {
					t.Errorf("%s, want a message saying %q", res.Body, c.says)
				}
				if subs, _ := e.App.Store().Subscribers(); len(subs) != 0 {
					t.Fatalf("%d bad subscriptions stored", len(subs))
				}
			},
		}.Test(t)
	}
}

// A published warning reaches the phones that follow its area, with the
// organisation's neutral words and nothing of the warning; a new survey
// reaches those who want surveys, and a new version of a known one does not.
func TestPush_NoticesFromModerationAndPublishing(t *testing.T) {
	t.Parallel()
	report := testapp.NewID()
	// subscribed has three phones subscribe: to warnings in the north, in
	// the south, and to surveys.
	subscribed := func(t *testing.T, e *testapp.Env) {
		addArea("north", "en", "north")(t, e)
		addArea("south", "en", "south")(t, e)
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

// The notifications page explains in words and voice, shows what the lock
// screen will show, and offers the topics and areas.
func TestPush_NotifyPage(t *testing.T) {
	t.Parallel()
	testapp.Scenario{
		Name:           "in Russian",
		URL:            "/ru/notify",
		Before:         addArea("north", "en", "North", "ru", "Север"),
		ExpectedStatus: http.StatusOK,
		ExpectedContent: []string{
			"Уведомления", "Есть что-то новое.", `data-topic="warnings"`, `data-topic="surveys"`, `data-area="north"`, "Север",
			`data-prompt="/audio/ru/notify.explain.`, "Отключить уведомления",
		},
		After: func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
			if home := e.Member().Get(t, "/ru/").Body.String(); !strings.Contains(home, `href="/ru/notify"`) {
				t.Error("the home page has no notifications tile")
			}
		},
	}.Test(t)
}
