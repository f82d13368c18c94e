package api_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"sova/internal/testapp"
	"sova/server/app"
	"sova/server/domain"
	"sova/server/web/api"
)

// What an outside attack on 502b6a4 found in the API, each kept from coming
// back.

// The sync API takes JSON only: a page on another site can make a browser
// post text/plain or a form without asking Sova first, never JSON. Nothing
// of such a body is judged or stored.
func TestSync_TakesJSONOnly(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	body := testapp.Body(e.Phone.Needs(t, idA, testapp.NeedsAnswers()))
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/json-seq", "text/json"} {
		rec := e.Request(http.MethodPost, testapp.SyncURL, body, "Content-Type", ct)
		if rec.Code != http.StatusUnsupportedMediaType || !strings.Contains(rec.Body.String(), apiError(domain.CodeUnsupportedType)) {
			t.Errorf("Content-Type %q: %d %s; want 415 unsupported_type", ct, rec.Code, rec.Body)
		}
	}
	if ids := storedIDs(t, e); len(ids) != 0 {
		t.Fatalf("stored %v from bodies that were not JSON", ids)
	}
	rec := e.Request(http.MethodPost, testapp.SyncURL, body, "Content-Type", "Application/JSON; charset=utf-8")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), accepted(idA)) {
		t.Fatalf("application/json with a charset: %d %s; want 200 and accepted", rec.Code, rec.Body)
	}
}

// Names match as the API spells them, in their case, and once: encoding/json
// took "ID" for "id", and of a name given twice kept the last.
func TestSync_DecodesStrictly(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	it := e.Phone.Needs(t, idA, testapp.NeedsAnswers())
	item := string(jsonBody(t, it))
	for _, c := range []struct{ name, body string }{
		{"a name given twice in an item", `{"responses":[` + strings.Replace(item, `{"id":`, `{"id":"`+idB+`","id":`, 1) + `]}`},
		{"responses given twice", `{"responses":[],"responses":[` + item + `]}`},
		{"something after the JSON", `{"responses":[` + item + `]} {}`},
	} {
		rec := e.Request(http.MethodPost, testapp.SyncURL, []byte(c.body))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), apiError(domain.CodeMalformed)) {
			t.Errorf("%s: %d %s; want 400 malformed", c.name, rec.Code, rec.Body)
		}
	}
	upper := strings.Replace(item, `"survey":`, `"Survey":`, 1)
	rec := e.Request(http.MethodPost, testapp.SyncURL, []byte(`{"responses":[`+upper+`]}`))
	if got := outcome(t, rec); len(got.Rejected) != 1 || got.Rejected[0].ID != idA || got.Rejected[0].Error != domain.CodeMalformed {
		t.Errorf(`an item with "Survey" for "survey": %s; want it rejected as malformed`, rec.Body)
	}
	if ids := storedIDs(t, e); len(ids) != 0 {
		t.Fatalf("stored %v", ids)
	}
}

// New subscriptions are limited a minute per push service: a flood of
// made-up ones on one service leaves room for members whose browsers use
// another (the limit was one for all, and a real member got 503 after 295
// fakes). A refusal is not logged: each line would stamp the time of a
// member's visit.
func TestPush_NewSubscriptionsLimitedPerService(t *testing.T) {
	t.Parallel()
	var log testapp.Log
	e := testapp.OpenFixture(t, func(c *app.Config) {
		c.PushHosts = append(c.PushHosts, "fcm.googleapis.com", "push.services.mozilla.com")
		c.Log = slog.New(slog.NewTextHandler(&log, nil))
	})
	key := vapidKey(t, e)
	subscribe := func(host string, n int) int {
		s := e.Push.Subscribe(key)
		s.Endpoint = fmt.Sprintf("https://%s/send/%d", host, n)
		return pushAPI(t, e, http.MethodPut, testapp.SubscriptionID(s), subscription(s, "en", domain.PushTopics{Warnings: true})).Code
	}
	for i := range api.MaxNewSubscriptions {
		if code := subscribe("fcm.googleapis.com", i); code != http.StatusCreated {
			t.Fatalf("fake %d: %d; want 201", i+1, code)
		}
	}
	if code := subscribe("fcm.googleapis.com", -1); code != http.StatusServiceUnavailable {
		t.Fatalf("one more on the flooded service: %d; want 503", code)
	}
	if code := subscribe("updates.push.services.mozilla.com", 0); code != http.StatusCreated {
		t.Fatalf("a member on another push service: %d; want 201", code)
	}
	e.Clock.Advance(61 * time.Second)
	if code := subscribe("fcm.googleapis.com", -2); code != http.StatusCreated {
		t.Fatalf("a minute later on the flooded service: %d; want 201", code)
	}
	if got := log.String(); strings.Contains(got, "503") || strings.Contains(got, "subscriptions") {
		t.Errorf("the refusal was logged: %s", got)
	}
}
