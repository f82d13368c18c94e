package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

// idOf is the id the phone names a subscription by.
func idOf(s pushtest.Subscription) string {
	return (&domain.PushSubscription{Endpoint: s.Endpoint, Keys: domain.PushKeys{P256dh: s.Keys.P256dh, Auth: s.Keys.Auth}}).ID()
}

func (e *consoleEnv) pushAPI(method, id string, body any) *httptest.ResponseRecorder {
	e.t.Helper()
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			e.t.Fatal(err)
		}
	}
	req := httptest.NewRequest(method, "/api/v1/push/subscriptions/"+id, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// vapidKey is the key the notifications page and the API give phones.
func (e *consoleEnv) vapidKey() string {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/push/key", nil))
	var out struct{ Key string }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Key) != 87 {
		e.t.Fatalf("push key: %d %s", rec.Code, rec.Body)
	}
	page := testapp.NewConsole(e.h).Get(e.t, "/en/notify").Body.String()
	if !strings.Contains(page, `data-key="`+out.Key+`"`) {
		e.t.Fatal("the notifications page does not carry the VAPID key")
	}
	return out.Key
}

func (e *consoleEnv) flushPush() {
	e.t.Helper()
	if _, err := e.app.Push().Flush(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	if errs := e.push.Errors(); len(errs) > 0 {
		e.t.Fatalf("the push service saw protocol violations: %v", errs)
	}
}

// Subscribe, read back, change topics, stop: the API a phone uses.
func TestPush_SubscriptionLifecycle(t *testing.T) {
	e := openConsole(t)
	e.admin.Post(t, "/staff/areas", url.Values{"csrf": {e.admin.CSRF(t)}, "code": {"north"}, "name_en": {"North"}})
	s := e.push.Subscribe(e.vapidKey())
	id := idOf(s)

	if rec := e.pushAPI(http.MethodGet, id, nil); rec.Code != http.StatusNotFound {
		t.Fatalf("before subscribing: %d", rec.Code)
	}
	if rec := e.pushAPI(http.MethodPut, id, subscription(s, "ru", domain.PushTopics{Warnings: true, Areas: []string{"north"}})); rec.Code != http.StatusCreated {
		t.Fatalf("subscribe: %d %s", rec.Code, rec.Body)
	}
	rec := e.pushAPI(http.MethodGet, id, nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"areas":["north"]`) || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("read back: %d %s", rec.Code, rec.Body)
	}
	if rec := e.pushAPI(http.MethodPut, id, subscription(s, "ru", domain.PushTopics{Surveys: true})); rec.Code != http.StatusOK {
		t.Fatalf("change topics: %d %s", rec.Code, rec.Body)
	}
	if got := e.pushAPI(http.MethodGet, id, nil).Body.String(); !strings.Contains(got, `"surveys":true`) || strings.Contains(got, "north") {
		t.Fatalf("topics not replaced: %s", got)
	}
	// The stored record holds the subscription and nothing about the
	// person: no address, no browser, no time of day, even once a
	// notification was delivered (the day's date is kept for the cap).
	if err := e.app.Push().Notify(domain.Notice{Kind: domain.NoticeSurvey}); err != nil {
		t.Fatal(err)
	}
	e.flushPush()
	sub, err := e.app.Store().Subscriber(id)
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
		if rec := e.pushAPI(http.MethodDelete, id, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("stop: %d %s", rec.Code, rec.Body)
		}
	}
	if rec := e.pushAPI(http.MethodGet, id, nil); rec.Code != http.StatusNotFound {
		t.Fatalf("after stopping: %d", rec.Code)
	}
}

// Every kind of bad subscription is refused with its reason, and nothing
// is stored.
func TestPush_BadSubscriptions(t *testing.T) {
	e := openConsole(t)
	s := e.push.Subscribe(e.vapidKey())
	good := func() map[string]any { return subscription(s, "en", domain.PushTopics{Warnings: true}) }
	with := func(k string, v any) map[string]any { m := good(); m[k] = v; return m }
	elsewhere := pushtest.New() // a push service this Sova was not told of
	defer elsewhere.Close()
	other := elsewhere.Subscribe(e.vapidKey())
	cases := []struct {
		name   string
		id     string
		body   any
		status int
		code   domain.Code
		says   string
	}{
		{"id not the subscription's", strings.Repeat("a", 64), good(), 400, domain.CodeInvalidID, "SHA-256"},
		{"id of the endpoint alone", "endpoint-only", good(), 400, domain.CodeInvalidID, "auth secret"},
		{"not JSON", "", "endpoint=x", 400, domain.CodeMalformed, "JSON"},
		{"unknown field", "", with("ip", "1.2.3.4"), 400, domain.CodeMalformed, "JSON"},
		{"plain http", "", with("endpoint", "http://"+e.push.Host()+"/push/x"), 422, domain.CodeInvalid, "https"},
		{"another host", "", subscription(other, "en", domain.PushTopics{Warnings: true}), 422, domain.CodeInvalid, "not a push service"},
		{"key not a point", "", with("keys", map[string]string{"p256dh": strings.Repeat("A", 87), "auth": s.Keys.Auth}), 422, domain.CodeInvalid, "p256dh"},
		{"short secret", "", with("keys", map[string]string{"p256dh": s.Keys.P256dh, "auth": "AAAA"}), 422, domain.CodeInvalid, "auth"},
		{"unknown language", "", with("lang", "xx"), 422, domain.CodeUnknownLanguage, "xx"},
		{"unknown area", "", with("topics", domain.PushTopics{Warnings: true, Areas: []string{"atlantis"}}), 422, domain.CodeInvalid, "atlantis"},
		{"no topic", "", with("topics", domain.PushTopics{}), 422, domain.CodeInvalid, "at least one topic"},
		{"too large", "", with("lang", strings.Repeat("x", 9000)), 413, domain.CodeTooLarge, "bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := c.id
			switch id {
			case "":
				id = idOf(s)
			case "endpoint-only": // what a push service, which knows the endpoint, could work out
				sum := sha256.Sum256([]byte(s.Endpoint))
				id = hex.EncodeToString(sum[:])
			}
			rec := e.pushAPI(http.MethodPut, id, c.body)
			var out struct {
				Error   domain.Code
				Message string
			}
			json.Unmarshal(rec.Body.Bytes(), &out)
			if rec.Code != c.status || out.Error != c.code || !strings.Contains(out.Message, c.says) {
				t.Fatalf("%d %s, want %d %s saying %q", rec.Code, rec.Body, c.status, c.code, c.says)
			}
		})
	}
	if subs, _ := e.app.Store().Subscribers(); len(subs) != 0 {
		t.Fatalf("%d bad subscriptions stored", len(subs))
	}
}

// A published warning reaches the phones that follow its area, with the
// organisation's neutral words and nothing of the warning; a new survey
// reaches those who want surveys, and a new version of a known one does not.
func TestPush_NoticesFromModerationAndPublishing(t *testing.T) {
	e := openConsole(t)
	csrf := e.admin.CSRF(t)
	for _, a := range []string{"north", "south"} {
		e.admin.Post(t, "/staff/areas", url.Values{"csrf": {csrf}, "code": {a}, "name_en": {a}})
	}
	if rec := e.admin.Post(t, "/staff/settings", url.Values{"csrf": {csrf}, "push_text_en": {"Your notes changed"}, "disguise": {"notes"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("settings: %d %s", rec.Code, rec.Body)
	}
	key := e.vapidKey()
	subscribe := func(lang string, topics domain.PushTopics) string {
		s := e.push.Subscribe(key)
		if rec := e.pushAPI(http.MethodPut, idOf(s), subscription(s, lang, topics)); rec.Code != http.StatusCreated {
			t.Fatalf("subscribe: %d %s", rec.Code, rec.Body)
		}
		return s.Endpoint
	}
	north := subscribe("en", domain.PushTopics{Warnings: true, Areas: []string{"north"}})
	south := subscribe("ru", domain.PushTopics{Warnings: true, Areas: []string{"south"}})
	surveys := subscribe("en", domain.PushTopics{Surveys: true})

	// A report in the north, published by a moderator.
	sv, _ := e.app.Store().LatestSurvey(domain.WarnSurveyID)
	id := testapp.NewID()
	item := testapp.NewPhone(t, e.h).Item(t, id, domain.WarnSurveyID, sv.Version, "en", map[string]any{
		"kind": "violence", "area": "north", "when": "today", "public": "canary-public-words",
	})
	req := httptest.NewRequest(http.MethodPost, "/api/v1/responses", bytes.NewReader(testapp.Body(item)))
	req.Header.Set("Content-Type", "application/json")
	e.h.ServeHTTP(httptest.NewRecorder(), req)
	mod := e.addStaff("mia", domain.RoleModerator)
	e.flushPush()
	if e.push.Requests() != 0 {
		t.Fatal("a report was notified before a moderator published it")
	}
	if rec := mod.Post(t, "/staff/reports/"+id+"/approve", url.Values{"csrf": {mod.CSRF(t)}, "public": {"canary-public-words"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("approve: %d", rec.Code)
	}
	e.flushPush()
	got := e.push.Received(north)
	if len(got) != 1 || len(e.push.Received(south)) != 0 || len(e.push.Received(surveys)) != 0 {
		t.Fatalf("north %d, south %d, surveys %d messages; want 1, 0, 0", len(got), len(e.push.Received(south)), len(e.push.Received(surveys)))
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

	// A survey members have not seen: news. A new version of the needs
	// survey: not.
	needs, _ := e.app.Store().LatestSurvey("needs")
	fresh := *needs
	fresh.ID, fresh.Version = "health", 1
	v2 := *needs
	v2.Version = needs.Version + 1
	for _, d := range []*domain.Survey{&v2, &fresh} {
		if err := e.app.Store().PutDraft(d); err != nil {
			t.Fatal(err)
		}
	}
	if rec := e.admin.Post(t, "/staff/surveys/needs/2/publish", url.Values{"csrf": {csrf}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", rec.Code, rec.Body)
	}
	e.flushPush()
	if n := len(e.push.Received(surveys)); n != 0 {
		t.Fatalf("a new version of a known survey notified %d times", n)
	}
	if rec := e.admin.Post(t, "/staff/surveys/health/1/publish", url.Values{"csrf": {csrf}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", rec.Code, rec.Body)
	}
	e.flushPush()
	sg := e.push.Received(surveys)
	if len(sg) != 1 || !strings.Contains(string(sg[0].Payload), `"url":"/en/"`) || sg[0].Urgency != "normal" {
		t.Fatalf("a new survey: %d messages %v", len(sg), sg)
	}
	if len(e.push.Received(north)) != 1 || len(e.push.Received(south)) != 0 {
		t.Fatal("a new survey reached warnings-only subscribers")
	}
}

// The notifications page explains in words and voice, shows what the lock
// screen will show, and offers the topics and areas.
func TestPush_NotifyPage(t *testing.T) {
	e := openConsole(t)
	e.admin.Post(t, "/staff/areas", url.Values{"csrf": {e.admin.CSRF(t)}, "code": {"north"}, "name_en": {"North"}, "name_ru": {"Север"}})
	page := testapp.NewConsole(e.h).Get(t, "/ru/notify").Body.String()
	for _, want := range []string{"Уведомления", "Есть что-то новое.", `data-topic="warnings"`, `data-topic="surveys"`, `data-area="north"`, "Север", `data-prompt="/audio/ru/notify.explain.`, "Отключить уведомления"} {
		if !strings.Contains(page, want) {
			t.Errorf("the Russian notifications page lacks %q", want)
		}
	}
	if home := testapp.NewConsole(e.h).Get(t, "/ru/").Body.String(); !strings.Contains(home, `href="/ru/notify"`) {
		t.Error("the home page has no notifications tile")
	}
}
