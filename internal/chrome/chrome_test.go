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
)

// TestOfflineFeatures checks that the launch flags leave the features the PWA
// needs working on a plain http://127.0.0.1 origin: service workers (which
// must control the page), IndexedDB, Cache Storage and WebCrypto.
func TestOfflineFeatures(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>t</title>`))
	})
	mux.HandleFunc("/sw.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write([]byte(`
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', e => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', e => {
  if (new URL(e.request.url).pathname === '/from-sw') e.respondWith(new Response('sw'));
});`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	ctx, profile := chrome.NewWithProfile(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`(async () => {
  const out = {};
  await navigator.serviceWorker.register('/sw.js');
  await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) {
    await new Promise(r => navigator.serviceWorker.addEventListener('controllerchange', r, {once: true}));
  }
  out.sw = await (await fetch('/from-sw')).text();

  const db = await new Promise((res, rej) => {
    const q = indexedDB.open('t', 1);
    q.onupgradeneeded = () => q.result.createObjectStore('s');
    q.onsuccess = () => res(q.result);
    q.onerror = () => rej(q.error);
  });
  await new Promise((res, rej) => {
    const tx = db.transaction('s', 'readwrite');
    tx.objectStore('s').put('idb', 'k');
    tx.oncomplete = res; tx.onerror = () => rej(tx.error);
  });
  out.idb = await new Promise((res, rej) => {
    const q = db.transaction('s').objectStore('s').get('k');
    q.onsuccess = () => res(q.result); q.onerror = () => rej(q.error);
  });

  const c = await caches.open('t');
  await c.put('/x', new Response('cache'));
  out.cache = await (await c.match('/x')).text();

  out.subtle = typeof crypto.subtle.deriveBits;
  out.secure = String(isSecureContext);
  return out;
})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"sw": "sw", "idb": "idb", "cache": "cache", "subtle": "function", "secure": "true"}
	for k, v := range want {
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
