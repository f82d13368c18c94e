package app_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sova/internal/firefox"
)

// shownProbe runs in every document before Sova's scripts. At the first
// frame after each pageshow (a fresh load, or a page brought back from the
// back-forward cache) it logs whether a Sova page was there to see; its
// listener comes first, so by that frame every handler of Sova's has run.
// The time tells these lines from the copies Firefox's log replays when it
// restores a page. It also keeps every media element played, so a test can
// wait until the voice has finished and nothing is loading.
const shownProbe = `
addEventListener('pageshow', (e) => requestAnimationFrame(() => {
  const seen = document.visibilityState === 'visible' && !!document.body && getComputedStyle(document.body).display !== 'none';
  console.log('sova-frame', Date.now(), location.href, e.persisted ? 'restored' : 'loaded', seen ? 'seen' : 'hidden');
}));
window.__media = [];
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () { window.__media.push(this); return play.call(this); };`

// quiet is a JS condition: the page's voice has played and ended, and no
// media is loading: nothing holds the page out of the back-forward cache.
const quiet = `window.__media.length > 0 && window.__media.every((m) => (m.ended || m.paused) && m.networkState !== HTMLMediaElement.NETWORK_LOADING)`

// Firefox restores a page from its back-forward cache with the tab's
// sessionStorage as it was when the page was left, so the exit flag once
// read as unset there: Back after quick exit showed the Sova page visited
// before. Back must lead to the organisation's site, and no Sova page may
// be seen on the way. (The outbox is heard to its end first: a page left
// while its voice still loads is never cached, and the bug hid.)
//
// Not parallel, as the Chromium quick-exit test: beside six other browsers
// on two cores, one run in CI found the Sova page after Back complete and
// not hidden when the wait looked, then the organisation's site a moment
// later (the note of session 7 says what is still to find out).
func TestFirefox_QuickExitLeavesNothingOnBack(t *testing.T) {
	h, admin, _ := startWithAdmin(t)
	for _, how := range []struct {
		name    string
		trigger func(b *firefox.Browser)
	}{
		{"the control", func(b *firefox.Browser) { b.Click(".exit") }},
		{"Esc", func(b *firefox.Browser) { b.Press(firefox.Escape) }},
	} {
		t.Run(how.name, func(t *testing.T) {
			neutral, hits := exitTo(t, h, admin)
			b := firefox.New(t, firefox.InsecureCerts())
			b.AddPreloadScript(shownProbe)
			visitOnlineFirefox(b, h)

			// The repro: another Sova page first, so Back has one to
			// bring back from the back-forward cache.
			b.Navigate(h.url("/ru/outbox"))
			b.Wait("the outbox to be heard to its end", `location.pathname === '/ru/outbox' && `+quiet)
			b.Navigate(h.url("/en/"))
			b.Wait("the home page", `!!document.querySelector('.exit')`)
			how.trigger(b)
			b.Wait("the organisation's site", `location.origin === `+quote(neutral.URL))
			// The mark tells this document from the one Back leads to.
			back := firefox.Eval[int64](b, `window.__left = Date.now()`)
			b.Back()
			// A Sova page shown (loaded, not hidden) ends the wait at
			// once: exit.js hides a page in the same event that leaves it.
			b.Wait("a page after Back", `!window.__left && document.readyState === 'complete' && (location.origin === `+quote(neutral.URL)+
				` || getComputedStyle(document.body).display !== 'none')`)
			if firefox.Eval[string](b, `location.origin`) != strings.TrimSuffix(neutral.URL, "/") {
				t.Fatalf("after Back the tab shows %s", firefox.Eval[string](b, `location.href + ' ' + JSON.stringify(document.body.innerText.slice(0, 200))`))
			}
			if text := firefox.Eval[string](b, `document.body.innerText`); strings.Contains(text, "Sova") || !strings.Contains(text, "Sunny") {
				t.Fatalf("after Back the page says %q", text)
			}
			for _, line := range b.Console() {
				f := strings.Fields(line) // sova-frame time href restored|loaded seen|hidden
				if len(f) == 5 && f[0] == "sova-frame" && atoi(f[1]) >= back && strings.HasPrefix(f[2], h.url("/")) && f[4] == "seen" {
					t.Errorf("a Sova page was seen after Back: %s", line)
				}
			}
			if hits.Load() < 2 {
				t.Errorf("Back did not lead to the organisation's site again (%d visits)", hits.Load())
			}

			// Opening Sova again on purpose works.
			b.Navigate(h.url("/en/"))
			if firefox.Eval[bool](b, `document.documentElement.classList.contains('gone') || location.origin !== `+quote(h.url(""))) {
				t.Fatal("Sova opened again on purpose left at once")
			}
		})
	}
}

func atoi(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }

// Keeping the voice offline works in Firefox too: the tile turns ready and
// every file of the language's voice, in the codec Firefox plays, is in
// Cache Storage. The home page has spoken first, so its own phrase went
// through a media element's Range request before the download.
func TestFirefox_VoiceKeptOffline(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.start("")
	b := firefox.New(t)
	b.AddPreloadScript(shownProbe)
	visitOnlineFirefox(b, h)
	codec := firefox.Eval[string](b, `new Audio().canPlayType('audio/webm; codecs="opus"') ? 'webm' : 'mp3'`)
	b.Wait("the home page's voice to be heard to its end", quiet)
	b.Wait("the voice tile", `!document.querySelector('.voice-dl').hidden && document.querySelector('.voice-dl .size').textContent !== ''`)
	size := firefox.Eval[string](b, `document.querySelector('.voice-dl .size').textContent`)
	want := firefox.Eval[int](b, `Math.ceil(Number(document.querySelector('.voice-dl').dataset.`+codec+`) / 1000)`)
	if n, _ := strconv.Atoi(regexp.MustCompile(`\d+`).FindString(strings.ReplaceAll(size, ",", ""))); n != want || want < 100 {
		t.Fatalf("the voice tile shows %q; want the %s pack's %d KB", size, codec, want)
	}

	b.Click(".voice-dl")
	b.Wait("the download to end", `['ready', 'failed'].includes(document.querySelector('.voice-dl').dataset.state)`)
	if state := firefox.Eval[string](b, `document.querySelector('.voice-dl').dataset.state`); state != "ready" {
		t.Fatalf("the voice was not kept: the tile is %s", firefox.Eval[string](b, `JSON.stringify(document.querySelector('.voice-dl').dataset)`))
	}
	missing := firefox.Eval[[]string](b, `(async () => {
	  const list = await (await fetch('/en/offline.json')).json();
	  const out = [];
	  for (const u of list.voice.`+codec+`) if (!(await caches.match(u))) out.push(u);
	  return out;
	})()`)
	if len(missing) > 0 {
		t.Fatalf("the kept voice (%s) lacks %d files, such as %s", codec, len(missing), missing[0])
	}
}

// With no signal Firefox reloads the app from its cache, takes a whole
// survey, keeps it sealed through another reload, and sends it exactly once
// when the server is back.
func TestFirefox_OfflineSurveyArrivesExactlyOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.start("")
	b := firefox.New(t)
	visitOnlineFirefox(b, h)

	h.stop()
	b.Reload()
	b.Wait("the home page from cache", `location.pathname === '/en/' && !!document.querySelector('.voice-dl')`)

	b.Navigate(h.url("/en/s/needs"))
	b.Wait("the survey's first question", `!!document.querySelector('main.survey section.q[data-q]:not([hidden])')`)
	given := firefox.Eval[map[string]any](b, answerSurvey)
	if len(given) < 10 {
		t.Fatalf("answered only %d questions: %v", len(given), given)
	}
	b.Wait("the thank-you page", `location.pathname === '/en/thanks'`)

	b.Reload()
	b.Wait("the thank-you page from cache", `location.pathname === '/en/thanks' && !!document.querySelector('.exit')`)
	if n := firefox.Eval[int](b, queued); n != 1 {
		t.Fatalf("queued after offline reload = %d, want 1", n)
	}
	assertAbsent(t, "firefox profile", b.Profile(), canaryAnswer)

	h.start("")
	b.Navigate(h.url("/en/outbox"))
	b.Wait("the outbox to empty", queuedIs(0))
	got := h.responses()
	if len(got) != 1 {
		t.Fatalf("server holds %d responses, want 1", len(got))
	}
	want, _ := json.Marshal(given)
	for _, r := range got {
		if r.Survey != "needs" || r.Lang != "en" {
			t.Errorf("stored %s %s, want needs en", r.Survey, r.Lang)
		}
		if have, _ := json.Marshal(r.Answers); !bytes.Equal(want, have) {
			t.Errorf("stored answers\n%s\nwant\n%s", have, want)
		}
	}
}

// visitOnlineFirefox opens the home page and waits until the service worker
// reports that this language is kept for offline use.
func visitOnlineFirefox(b *firefox.Browser, h *harness) {
	b.Navigate(h.url("/en/"))
	b.Wait("offline readiness", `document.body.dataset.offline === '`+h.app.Version()+`'`)
}
