package firefox_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sova/internal/firefox"
	"sova/internal/probe"
)

// TestOfflineFeaturesAndPageErrors checks that the profile's prefs leave
// the features the PWA needs working on a plain http://127.0.0.1 origin
// (service workers, which must control the page, IndexedDB, Cache Storage
// and WebCrypto), that navigation, Back and Reload work, and that an
// uncaught error and an unhandled rejection both reach the log
// subscription that fails Firefox tests.
func TestOfflineFeaturesAndPageErrors(t *testing.T) {
	srv := probe.Server(t)

	b := firefox.New(t)
	b.Navigate(srv.URL + "/one")
	if got := firefox.Eval[string](b, `document.body.textContent`); got != "/one" {
		t.Fatalf("page says %q, want /one", got)
	}
	got := firefox.Eval[map[string]string](b, probe.Offline)
	for k, v := range probe.Want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}

	// A new page is controlled by the worker from its start.
	b.Navigate(srv.URL + "/two")
	b.Wait("the worker to control the page", `!!navigator.serviceWorker.controller`)
	b.Back()
	b.Wait("the first page again", `location.pathname === '/one'`)
	firefox.Eval[any](b, `window.mark = 1`)
	b.Reload()
	if firefox.Eval[any](b, `window.mark`) != nil {
		t.Error("Reload kept the old document")
	}

	// Page errors fail Firefox tests; here they are taken on purpose.
	firefox.Eval[any](b, `setTimeout(() => { throw new Error('canary-uncaught') }), Promise.reject(new Error('canary-rejected')), 0`)
	var errs []string
	for deadline := time.Now().Add(firefox.WaitTimeout); time.Now().Before(deadline); {
		if errs = append(errs, b.TakeErrors()...); len(errs) >= 2 {
			break
		}
		firefox.Eval[any](b, `new Promise((r) => setTimeout(r, 100))`) // a round trip for the log to arrive
	}
	all := strings.Join(errs, "\n")
	for _, c := range []string{"canary-uncaught", "canary-rejected"} {
		if !strings.Contains(all, c) {
			t.Errorf("page errors %q lack %s", errs, c)
		}
	}
	firefox.Eval[any](b, `console.log('canary-console', 1)`)
	if c := b.Console(); len(c) == 0 || c[len(c)-1] != "canary-console 1" {
		t.Errorf("console = %q", c)
	}

	if _, err := os.Stat(filepath.Join(b.Profile(), "prefs.js")); err != nil {
		t.Errorf("profile dir %s not used by the browser: %v", b.Profile(), err)
	}
}
