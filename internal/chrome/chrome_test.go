package chrome_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sova/internal/chrome"
	"sova/internal/probe"
)

// TestOfflineFeatures checks that the launch flags leave the features the PWA
// needs working on a plain http://127.0.0.1 origin: service workers (which
// must control the page), IndexedDB, Cache Storage and WebCrypto.
func TestOfflineFeatures(t *testing.T) {
	srv := probe.Server(t)

	ctx, profile := chrome.NewWithProfile(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](probe.Offline, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range probe.Want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if _, err := os.Stat(filepath.Join(profile, "Default")); err != nil {
		t.Errorf("profile dir %s not used by the browser: %v", profile, err)
	}
}

// TestPageErrorFailsTheTest checks the guard every browser test relies on: an
// uncaught exception or unhandled rejection in the page fails the test.
func TestPageErrorFailsTheTest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>t</title><script>
setTimeout(() => { throw new Error('thrown-canary'); });
Promise.reject(new Error('rejected-canary'));
</script>`))
	}))
	t.Cleanup(srv.Close)
	inner := &recorder{TB: t}
	ctx := chrome.New(inner)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise((r) => setTimeout(() => r(true), 50))`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	inner.runCleanups()
	got := strings.Join(inner.errors, "\n")
	for _, want := range []string{"thrown-canary", "rejected-canary"} {
		if !strings.Contains(got, want) {
			t.Errorf("the page's %s did not fail the test; reported:\n%s", want, got)
		}
	}
}

// recorder is a testing.TB whose errors and cleanups are kept, so that a test
// can check that another one would fail.
type recorder struct {
	testing.TB
	errors   []string
	cleanups []func()
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recorder) Failed() bool     { return len(r.errors) > 0 }
func (r *recorder) runCleanups() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}
