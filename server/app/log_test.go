package app_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"sova/server/app"
)

// An access log line holds method, route pattern, status and latency, and
// nothing that could tell who made the request or when.
func TestAccessLog_HoldsOnlyMethodRouteStatusLatency(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	a, err := app.Open(app.Config{DataDir: t.TempDir(), Log: app.NewLogger(&buf), AccessLog: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	buf.Reset()

	req := httptest.NewRequest(http.MethodGet, "/ru/s/needs?utm=canary-query", nil)
	req.RemoteAddr = "203.0.113.9:41234"
	req.Header.Set("User-Agent", "canary-agent")
	req.Header.Set("X-Forwarded-For", "198.51.100.1")
	req.Header.Set("Referer", "https://canary.example/")
	a.Handler().ServeHTTP(httptest.NewRecorder(), req)

	line := strings.TrimSpace(buf.String())
	for _, canary := range []string{"203.0.113.9", "41234", "canary", "198.51.100.1", "needs"} {
		if strings.Contains(line, canary) {
			t.Errorf("log line contains %q: %s", canary, line)
		}
	}
	var keys []string
	for _, kv := range strings.Fields(line) { // key=value, no value has spaces
		keys = append(keys, strings.SplitN(kv, "=", 2)[0])
	}
	sort.Strings(keys)
	if got := strings.Join(keys, " "); got != "latency_ms level method msg route status" {
		t.Errorf("log keys = %s\nline: %s", got, line)
	}
	if !strings.Contains(line, "route=/:lang/s/:survey ") {
		t.Errorf("route pattern missing: %s", line)
	}
}

// By default only failures are logged: a log collector would stamp each
// member request line with its time of day.
func TestAccessLog_OffByDefaultForSuccessfulRequests(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	a, err := app.Open(app.Config{DataDir: t.TempDir(), Log: app.NewLogger(&buf)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	buf.Reset()
	for _, p := range []string{"/", "/ru/", "/ru/s/needs", "/api/v1/surveys"} {
		a.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, p, nil))
	}
	if buf.Len() != 0 {
		t.Errorf("successful member requests were logged:\n%s", buf.String())
	}
}
