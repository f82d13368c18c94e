package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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

// Subscribe, read back, change topics, stop: the API a phone uses.
func TestPush_SubscriptionLifecycle(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	testapp.AddArea("north", "en", "North")(t, e)
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
