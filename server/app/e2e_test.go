package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sova/i18n"
	"sova/internal/chrome"
	"sova/internal/pushtest"
	"sova/internal/testapp"
	"sova/server/app"
	"sova/server/store"
)

// Canaries: none of these may appear in the data dir, the server's output or
// (for the answer) the browser's storage.
const (
	canaryUA     = "SovaCanaryAgent/7.3 (canary-ua-5e1f)"
	canaryIP     = "198.51.100.77"
	canaryAnswer = "zebra-canary-answer-8841"
)

// harness runs the real app on real Badger behind a real HTTP server that
// can be stopped and restarted on the same address: a phone's "no signal".
type harness struct {
	t    *testing.T
	dir  string
	addr string
	log  testapp.Log
	app  *app.App
	srv  *http.Server
	push *pushtest.Service // set before start: the push service Sova sends to

	block atomic.Bool  // answer sync with 503: up, but failing
	cut   atomic.Int32 // commit, then drop the connection before replying
	hold  atomic.Value // string: a path whose requests never get an answer (a link gone dead)
	posts atomic.Int32 // sync requests seen
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, dir: t.TempDir()}
	t.Cleanup(h.stop)
	return h
}

func (h *harness) start(salt string) {
	h.t.Helper()
	cfg := app.Config{DataDir: h.dir, Salt: salt, Log: slog.New(slog.NewTextHandler(&h.log, nil))}
	if h.push != nil {
		testapp.WithPush(h.push)(&cfg)
	}
	a, err := app.Open(cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	addr := h.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var ln net.Listener
	for i := 0; i < 50; i++ { // the old socket may linger a moment
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		h.t.Fatal(err)
	}
	h.addr, h.app = ln.Addr().String(), a
	h.srv = &http.Server{Handler: h.wrap(a.Handler())}
	go h.srv.Serve(ln)
}

func (h *harness) stop() {
	if h.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h.srv.Shutdown(ctx)
	h.srv.Close()
	h.app.Close()
	h.srv, h.app = nil, nil
}

// wrap plays a proxy that adds a forwarded-for header to every request, and
// injects the failures the tests ask for.
func (h *harness) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("X-Forwarded-For", canaryIP)
		r.Header.Set("X-Real-IP", canaryIP)
		if held, _ := h.hold.Load().(string); held != "" && r.URL.Path == held {
			<-r.Context().Done()
			return
		}
		if r.Method == http.MethodPost && r.URL.Path == "/api/v1/responses" {
			h.posts.Add(1)
			if h.block.Load() {
				http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
				return
			}
			if h.cut.Load() > 0 {
				h.cut.Add(-1)
				next.ServeHTTP(httptest.NewRecorder(), r) // the server commits...
				panic(http.ErrAbortHandler)               // ...and the reply is lost
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (h *harness) url(p string) string { return "http://" + h.addr + p }

func (h *harness) responses() map[string]*store.Response {
	out := map[string]*store.Response{}
	err := h.app.Store().EachResponse(func(id string, r *store.Response) error {
		out[id] = r
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

type browser struct {
	t       *testing.T
	ctx     context.Context
	profile string
}

func newBrowser(t *testing.T) *browser {
	ctx, profile := chrome.NewWithProfile(t, chromedp.UserAgent(canaryUA))
	return &browser{t: t, ctx: ctx, profile: profile}
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

func eval[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// wait polls a JS condition until it is true.
func (b *browser) wait(what, js string) {
	b.t.Helper()
	b.waitOr(what, js, "")
}

// waitOr is wait that, on timeout, reports what the JS expression explain
// says about the page's state.
func (b *browser) waitOr(what, js, explain string) {
	b.t.Helper()
	if b.poll(45*time.Second, js) {
		return
	}
	if explain != "" {
		state, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](explain, chromedp.EvalAwaitPromise))
		b.t.Fatalf("timed out waiting for %s (%s %v)", what, state, err)
	}
	b.t.Fatalf("timed out waiting for %s", what)
}

// poll reports whether the JS condition came true within d.
func (b *browser) poll(d time.Duration, js string) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return true
		}
		time.Sleep(200 * time.Millisecond)
	}
	return false
}

const queued = `(async () => (await sovaOutbox.counts()).queued)()`

// queuedIs is a JS condition: exactly n items wait in the outbox.
func queuedIs(n int) string {
	return `(async () => (await sovaOutbox.counts()).queued === ` + strconv.Itoa(n) + `)()`
}

// answerSurvey answers every question the way a member taps: the first
// choices she sees, "yes" (to open follow-ups), a face, +2 on numbers, the
// canary in the text box, and "prefer not to say" on the second question. A
// question whose options go on over more screens is answered on its first.
// It returns what it answered, by question id.
const answerSurvey = `(async () => {
  const main = document.querySelector('main.survey');
  const given = {};
  for (let n = 0; n < 200; n++) {
    const sec = [...main.querySelectorAll('section.q')].find((s) => !s.hidden);
    if (sec.classList.contains('send')) { sec.querySelector('button.submit').click(); return given; }
    const id = sec.dataset.q, type = sec.dataset.type;
    const choices = [...sec.querySelectorAll('button.c:not([data-v=null])')].filter((b) => !b.hidden);
    if (id in given) { /* the same question's next options */ }
    else if (n === 1) { sec.querySelector('button.c[data-v=null]').click(); given[id] = null; }
    else if (type === 'single') { choices[0].click(); given[id] = choices[0].dataset.v; }
    else if (type === 'multiple') { choices[0].click(); choices[1].click(); given[id] = [choices[0].dataset.v, choices[1].dataset.v]; }
    else if (type === 'yesno') { sec.querySelector('[data-v=true]').click(); given[id] = true; }
    else if (type === 'scale') { sec.querySelector('[data-v="4"]').click(); given[id] = 4; }
    else if (type === 'number') { const p = sec.querySelector('.plus'); p.click(); p.click(); given[id] = Number(sec.querySelector('input').value); }
    else if (type === 'text') { const t = sec.querySelector('textarea'); t.value = '` + canaryAnswer + `'; t.dispatchEvent(new Event('input', {bubbles: true})); given[id] = t.value; }
    main.querySelector('footer .next').click();
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the survey never reached its send screen');
})()`

func (b *browser) fillSurvey(h *harness) map[string]any {
	b.t.Helper()
	b.do(chromedp.Navigate(h.url("/en/s/needs")))
	b.wait("the survey's first question", `!!document.querySelector('section.q[data-q]:not([hidden])')`)
	given := eval[map[string]any](b, answerSurvey)
	// The page itself, not only its address: the outbox's script runs once
	// the document is read, which a busy machine may not have done yet.
	b.wait("the thank-you page", `location.pathname === '/en/thanks' && document.readyState !== 'loading' && typeof sovaOutbox === 'object'`)
	return given
}

// visit opens the home page and waits until the service worker reports
// that this language is cached for offline use.
func (b *browser) visitOnline(h *harness) {
	b.do(chromedp.Navigate(h.url("/en/")))
	b.wait("offline readiness", `document.body.dataset.offline === '`+h.app.Version()+`'`)
}

func TestOffline_SurveyAnsweredOfflineArrivesExactlyOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.start("")
	b := newBrowser(t)

	// 1. First visit, online.
	b.visitOnline(h)

	// 2. No signal: the app still opens.
	h.stop()
	b.do(chromedp.Reload())
	b.wait("the home page from cache", `!!document.querySelector('main.home .tiles a.tile')`)

	// 3. Answer the needs survey offline.
	given := b.fillSurvey(h)
	if len(given) < 10 {
		t.Fatalf("answered only %d questions: %v", len(given), given)
	}

	// 4. Reload offline: the item is still queued, and unreadable.
	b.do(chromedp.Reload())
	b.wait("the thank-you page from cache", `!!document.querySelector('main.thanks')`)
	if n := eval[int](b, queued); n != 1 {
		t.Fatalf("queued after offline reload = %d, want 1", n)
	}
	assertAbsent(t, "browser profile", b.profile, canaryAnswer)

	// 5. Signal returns: exactly one copy arrives, with the right answers.
	h.start("")
	b.do(chromedp.Navigate(h.url("/en/outbox")))
	b.wait("the outbox to empty", queuedIs(0))
	got := h.responses()
	if len(got) != 1 {
		t.Fatalf("server holds %d responses, want 1", len(got))
	}
	for _, r := range got {
		if r.Survey != "needs" || r.Version != 1 || r.Lang != "en" {
			t.Errorf("stored %s v%d %s, want needs v1 en", r.Survey, r.Version, r.Lang)
		}
		want, _ := json.Marshal(given)
		have, _ := json.Marshal(r.Answers)
		if !bytes.Equal(want, have) {
			t.Errorf("stored answers\n%s\nwant\n%s", have, want)
		}
		if _, err := time.Parse("2006-01-02", r.Day); err != nil {
			t.Errorf("day %q is not a date", r.Day)
		}
	}
	// The page redraws after the outbox tells it of the send, a moment after
	// the store itself is empty: wait for what she sees, not for the store.
	b.wait("the outbox page to say everything was sent", `!document.querySelector('main.outbox .empty').hidden`)

	// Privacy: no canary, and no client address, anywhere the server wrote.
	h.stop()
	for _, c := range []string{canaryUA, canaryIP, "127.0.0.1", canaryAnswer} {
		assertAbsent(t, "data dir", h.dir, c)
		if strings.Contains(h.log.String(), c) {
			t.Errorf("server output contains %q", c)
		}
	}
	assertAbsent(t, "browser profile", b.profile, canaryAnswer)
}

func TestOffline_SyncCutAfterCommitStillStoresOneCopy(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.start("")
	b := newBrowser(t)
	b.visitOnline(h)

	h.cut.Store(1)
	b.fillSurvey(h)
	b.wait("the outbox to empty after a retry", queuedIs(0))
	if h.cut.Load() != 0 {
		t.Fatal("the cut-off was never exercised")
	}
	if n := h.posts.Load(); n < 2 {
		t.Fatalf("sync requests = %d, want a cut one and a retried one", n)
	}
	if n := len(h.responses()); n != 1 {
		t.Fatalf("server holds %d responses, want exactly 1", n)
	}
}

func TestOffline_WorkerUpdateKeepsQueuedItems(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.start("v1")
	b := newBrowser(t)
	b.visitOnline(h)
	v1 := h.app.Version()

	h.block.Store(true) // the server is reachable but refuses to take them
	b.fillSurvey(h)
	b.fillSurvey(h)
	b.wait("two queued items", queuedIs(2))

	// A new release: different version, same data.
	h.stop()
	h.start("v2")
	v2 := h.app.Version()
	if v1 == v2 {
		t.Fatal("the salt did not change the version")
	}
	b.do(chromedp.Navigate(h.url("/en/")))
	// The voice she heard (sova-heard) outlives versions by design.
	b.waitOr("the new worker to take over and drop the old cache",
		`(async () => { const k = (await caches.keys()).filter((n) => n !== 'sova-heard'); return k.length === 1 && k[0] === 'sova-`+v2+`'; })()`,
		`(async () => { const r = await navigator.serviceWorker.getRegistration(); const s = (w) => w ? w.state : '-';
		  return JSON.stringify({ caches: await caches.keys(), installing: s(r && r.installing), waiting: s(r && r.waiting), active: s(r && r.active),
		    controller: !!navigator.serviceWorker.controller }); })()`)
	if n := eval[int](b, queued); n != 2 {
		t.Fatalf("queued after the update = %d, want 2", n)
	}

	h.block.Store(false)
	b.do(chromedp.Reload())
	b.wait("the outbox to empty", queuedIs(0))
	if n := len(h.responses()); n != 2 {
		t.Fatalf("server holds %d responses, want 2", n)
	}
}

// assertAbsent fails if any file under dir contains s.
func assertAbsent(t *testing.T, what, dir, s string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err == nil && bytes.Contains(data, []byte(s)) {
			t.Errorf("%s: %s contains %q", what, p, s)
		}
		return nil
	})
}

func TestOutbox_RefusedItemStaysWithItsReasonUntilRemoved(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.start("")
	b := newBrowser(t)
	b.visitOnline(h)
	cats, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	reason := cats[slices.IndexFunc(cats, func(c *i18n.Catalog) bool { return c.Lang == "en" })].T("error.unknown_key")

	// An item sealed to a key this server does not have (say, a wiped
	// server): it can never be accepted, and must not vanish either.
	b.do(chromedp.Navigate(h.url("/en/outbox")))
	eval[int](b, `sovaOutbox.add({id: crypto.randomUUID(), survey: 'needs', version: 1, kid: '00000000deadbeef', sealed: 'AAAA'}).then(() => sovaOutbox.sync())`)
	shows := `document.querySelector('.rejected li .why')?.textContent === ` + strconv.Quote(reason)
	b.wait("the refusal and its reason on the outbox page", shows)

	b.do(chromedp.Reload())
	b.wait("the refusal to survive a reload", shows)
	if n := eval[int](b, `sovaOutbox.all().then((a) => a.filter((i) => i.state === 'rejected' && i.error === 'unknown_key').length)`); n != 1 {
		t.Fatalf("refused items kept = %d, want 1", n)
	}

	// Removing takes two taps on the bin: the first only arms it. DOM
	// clicks: a mouse click aimed where the bin was can miss it when the
	// layout moves in between (the sound button showing at the top).
	b.click(".rejected .remove")
	b.wait("the bin to turn red after one tap", `document.querySelector('.rejected .remove').classList.contains('armed')`)
	if n := eval[int](b, `sovaOutbox.all().then((a) => a.length)`); n != 1 {
		t.Fatal("one tap removed the item")
	}
	b.click(".rejected .remove")
	b.waitOr("the item to be removed", `sovaOutbox.all().then((a) => a.length === 0)`,
		`sovaOutbox.all().then((a) => JSON.stringify({ items: a.length, armed: [...document.querySelectorAll('.rejected .remove')].map((b) => b.className), offline: document.body.className }))`)
	b.wait("the outbox to say all is sent", `!document.querySelector('main.outbox .empty').hidden`)
}
