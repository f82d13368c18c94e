package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"sova/internal/chrome"
	"sova/internal/testapp"
)

// markKey is injected before any page script: it notes when a key or a
// press arrives (listening first) and, after every handler of the page has
// run (listening last), logs how long until the page was hidden, or -1. The
// log reaches the test even as the page goes.
const markKey = `
let t0 = 0;
for (const type of ['keydown', 'pointerdown']) {
  addEventListener(type, () => { t0 = performance.now(); }, true);
  addEventListener(type, () => {
    const hidden = getComputedStyle(document.body).display === 'none';
    console.log('sova-hidden-after', hidden ? performance.now() - t0 : -1);
  }, false);
}`

// hiddenAfter collects what markKey logs.
func hiddenAfter(t *testing.T, ctx context.Context) chan float64 {
	ch := make(chan float64, 16)
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventConsoleAPICalled); ok && len(e.Args) == 2 && string(e.Args[0].Value) == `"sova-hidden-after"` {
			var ms float64
			if json.Unmarshal(e.Args[1].Value, &ms) == nil {
				select {
				case ch <- ms:
				default:
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// neutralSite is the organisation's harmless site. Its first answer is slow,
// so the test can look at the Sova page it replaces before it goes.
func neutralSite(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			time.Sleep(1500 * time.Millisecond)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>Weather</title><p>Sunny, 24°</p>`))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// exitTo has the first admin send quick exit to a fresh neutral site.
func exitTo(t *testing.T, h *harness, admin *testapp.Console) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	neutral, hits := neutralSite(t)
	mustSave(t, admin, "/staff/settings", url.Values{"exit_url": {neutral.URL + "/weather"}})
	return neutral, hits
}

// Quick exit, three ways: the page is hidden by the next frame, the
// organisation's site takes its place, and Back never shows Sova.
//
// Not parallel: "hidden within 100 ms" is the contract (issue 5), timed on
// the page's main thread, and six other browsers starving this one's
// renderer of the two cores made it 116 ms in CI. Serial, it runs before
// the package's parallel tests start.
func TestQuickExit_HidesAtOnceAndBackShowsNoSova(t *testing.T) {
	h, admin, _ := startWithAdmin(t)

	for _, how := range []struct {
		name    string
		presses int // the last one leaves
		trigger func(b *browser)
	}{
		{"the control", 1, func(b *browser) {
			// A DOM event: chromedp's synthetic press does not return once
			// the page starts to leave.
			eval[bool](b, `document.querySelector('.exit').dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }))`)
		}},
		{"Esc", 1, func(b *browser) { b.do(chromedp.KeyEvent(kb.Escape)) }},
		{"Shift three times", 3, func(b *browser) {
			b.do(chromedp.KeyEvent(kb.Shift), chromedp.KeyEvent(kb.Shift), chromedp.KeyEvent(kb.Shift))
		}},
	} {
		t.Run(how.name, func(t *testing.T) {
			neutral, hits := exitTo(t, h, admin)
			ctx, _ := chrome.NewWithProfile(t, chromedp.Flag("ignore-certificate-errors", true))
			b := &browser{t: t, ctx: ctx}
			if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: markKey}); err != nil {
				t.Fatal(err)
			}
			b.visitOnline(h)
			b.do(chromedp.Navigate(h.url("/en/s/needs")))
			b.wait("the survey", `!!document.querySelector('section.q:not([hidden])')`)

			marks := hiddenAfter(t, ctx)
			how.trigger(b)
			// The page must be hidden by the time the key's handlers are
			// done: before anything else could be painted.
			for i := 1; i <= how.presses; i++ {
				select {
				case ms := <-marks:
					if i < how.presses && ms >= 0 {
						t.Fatalf("press %d of %d already left", i, how.presses)
					}
					if i == how.presses && (ms < 0 || ms > 100) {
						t.Fatalf("hidden %.1f ms after the key (-1: not hidden); want within 100 ms", ms)
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("press %d of %d never reached the page", i, how.presses)
				}
			}
			b.wait("the organisation's site", `location.origin === `+quote(neutral.URL))

			// Back: the entry before the survey is Sova's home page; it must
			// leave again before it shows.
			b.do(chromedp.NavigateBack())
			b.wait("the organisation's site again", `location.origin === `+quote(neutral.URL)+` && document.readyState === 'complete'`)
			if text := eval[string](b, `document.body.innerText`); strings.Contains(text, "Sova") || !strings.Contains(text, "Sunny") {
				t.Fatalf("after Back the page says %q", text)
			}
			if hits.Load() < 2 {
				t.Errorf("Back did not lead to the organisation's site again (%d visits)", hits.Load())
			}

			// Opening Sova again on purpose works.
			b.do(chromedp.Navigate(h.url("/en/")))
			if eval[bool](b, `document.documentElement.classList.contains('gone') || location.origin !== `+quote(h.url(""))) {
				t.Fatal("Sova opened again on purpose left at once")
			}
		})
	}
}

func quote(s string) string { return "'" + strings.TrimSuffix(s, "/") + "'" }

// Wipe: the first tap says what will be lost, unsent answers first; the
// second erases the worker, every cache and the outbox, and leaves. Nothing
// of Sova is left in the browser, on disk either.
func TestWipe_LeavesNoSovaStorage(t *testing.T) {
	t.Parallel()
	h, admin, _ := startWithAdmin(t)
	neutral, _ := exitTo(t, h, admin)

	b := newListener(t, chromedp.Flag("ignore-certificate-errors", true))
	b.keepVoice(h)
	h.block.Store(true) // the answers cannot be sent: they wait in the outbox
	b.fillSurvey(h)
	id := eval[string](b, `sovaOutbox.all().then((a) => a.length === 1 ? a[0].id : '')`)
	if id == "" {
		t.Fatal("no answer waits in the outbox")
	}

	b.do(chromedp.Navigate(h.url("/en/")))
	b.wait("the home page", `!!document.querySelector('.wipe')`)
	unsent := eval[string](b, `document.querySelector('.wipe').dataset.unsent`)
	confirm := eval[string](b, `document.querySelector('.wipe').dataset.confirm`)
	// She hears the home page out, then taps: what follows her tap is what
	// this asserts, and a title that began before it is no part of that.
	b.wait("the home page's own words to end", `window.__voice.length > 0 && document.documentElement.dataset.voice === 'idle'`)
	eval[int](b, `window.__voice.length = 0`)
	b.click(".wipe")
	b.wait("the warning about unsent answers, then the question", played(confirm))
	order := eval[[]string](b, `window.__voice`)
	if len(order) < 2 || !strings.HasPrefix(order[0], unsent+".") {
		t.Fatalf("played %q; want the unsent answers' warning first", order)
	}
	if !eval[bool](b, `document.querySelector('.wipe').classList.contains('armed') && document.querySelector('.wipe [data-unsent]').textContent === '1'`) {
		t.Fatal("the armed wipe does not show red with the one unsent answer")
	}
	if n := eval[int](b, `sovaOutbox.all().then((a) => a.length)`); n != 1 {
		t.Fatal("one tap erased something")
	}

	b.click(".wipe")
	b.wait("the organisation's site", `location.origin === `+quote(neutral.URL))

	// Back on Sova's origin, on a page with no script: nothing is there.
	b.do(chromedp.Navigate(h.url("/healthz")))
	left := eval[[]any](b, `(async () => [
	  (await caches.keys()).length,
	  (await indexedDB.databases()).length,
	  (await navigator.serviceWorker.getRegistrations()).length,
	])()`)
	for i, what := range []string{"caches", "IndexedDB databases", "service workers"} {
		if left[i].(float64) != 0 {
			t.Errorf("%s left after the wipe: %v", what, left[i])
		}
	}
	assertAbsent(t, "the profile after a wipe", b.profile, id)
}

// A tab left open while another wiped Sova (or that wipes itself, and is
// still retrying a send as it leaves) finds the outbox gone for good: its
// retries and its "sent" notice stay quiet, with no error and no false
// "sent" said.
func TestWipe_AnotherTabsWipeLeavesThisOneQuiet(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.start("")
	b := newListener(t)
	h.block.Store(true) // one answer waits, and the tab keeps retrying
	b.fillSurvey(h)
	b.do(chromedp.Navigate(h.url("/en/")))
	b.wait("the home page's own words to end", `window.__voice.length > 0 && document.documentElement.dataset.voice === 'idle'`)
	if n := eval[int](b, `sovaOutbox.counts().then((c) => c.queued)`); n != 1 {
		t.Fatalf("%d answers wait; want 1", n)
	}
	eval[bool](b, `(async () => {
	  window.__signal = false;
	  addEventListener('sova-signal', () => { window.__signal = true; });
	  await sovaOutbox.wipe();
	  window.__voice.length = 0;
	  dispatchEvent(new Event('sova-outbox')); // as a send elsewhere would
	  dispatchEvent(new Event('online')); // a retry
	  return true;
	})()`)
	b.wait("the retry to end", `window.__signal`)
	if heard := eval[[]string](b, `window.__voice`); len(heard) > 0 {
		t.Errorf("after the wipe the tab said %q", heard)
	}
}
