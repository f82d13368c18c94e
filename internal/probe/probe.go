// Package probe holds what the browser tests ask of a browser before
// anything else: that the features Sova's phone app stands on work under
// the test's launch flags, on a plain http://127.0.0.1 origin. One probe for
// every browser the tests drive (internal/chrome, internal/firefox).
package probe

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Server serves the probe's origin until the test ends: any page (an HTML
// document that says its path) and /sw.js, a worker that takes control at
// once and answers /from-sw with "sw".
func Server(tb testing.TB) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>t</title><p>` + r.URL.Path))
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
	tb.Cleanup(srv.Close)
	return srv
}

// Offline is a script for a page of [Server]'s: it registers the worker and waits until it
// controls the page, then uses IndexedDB, Cache Storage and WebCrypto's
// ECDH, and resolves with what each gave. A browser is fit when the result
// equals [Want].
const Offline = `(async () => {
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

  const key = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  out.subtle = String((await crypto.subtle.deriveBits({ name: 'ECDH', public: key.publicKey }, key.privateKey, 256)).byteLength);
  out.secure = String(isSecureContext);
  return out;
})()`

// Want is what Offline resolves with in a fit browser.
var Want = map[string]string{"sw": "sw", "idb": "idb", "cache": "cache", "subtle": "32", "secure": "true"}
