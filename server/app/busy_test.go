package app_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"sova/server/app"
)

// When every ingest slot is taken (here by phones whose uploads stall), the
// next batch is told "busy" with a Retry-After instead of piling up in
// memory; once a slot frees, batches go through again.
func TestSync_OverloadAnswersBusyWithRetryAfter(t *testing.T) {
	a, err := app.Open(app.Config{DataDir: t.TempDir(), Log: slog.New(slog.DiscardHandler), BusyAfter: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()

	slots := 4 * runtime.GOMAXPROCS(0)
	var stalled []*io.PipeWriter
	done := make(chan struct{}, slots)
	for range slots {
		pr, pw := io.Pipe()
		stalled = append(stalled, pw)
		go func() {
			defer func() { done <- struct{}{} }()
			res, err := http.Post(srv.URL+"/api/v1/responses", "application/json", pr)
			if err == nil {
				res.Body.Close()
			}
		}()
		pw.Write([]byte(`{"responses":[`)) // the handler now holds a slot, reading
	}
	time.Sleep(300 * time.Millisecond)

	res, err := http.Post(srv.URL+"/api/v1/responses", "application/json", strings.NewReader(`{"responses":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || !strings.Contains(string(b), `"busy"`) {
		t.Fatalf("overloaded: status %d, Retry-After %q, body %s", res.StatusCode, res.Header.Get("Retry-After"), b)
	}

	stalled[0].Write([]byte(`]}`))
	stalled[0].Close()
	<-done
	res, err = http.Post(srv.URL+"/api/v1/responses", "application/json", strings.NewReader(`{"responses":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("after a slot freed: status %d", res.StatusCode)
	}
	for _, pw := range stalled[1:] {
		pw.CloseWithError(io.ErrUnexpectedEOF)
	}
	for range slots - 1 {
		<-done
	}
}
