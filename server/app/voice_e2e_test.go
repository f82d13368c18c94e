package app_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"sova/internal/chrome"
	"sova/internal/testapp"
	"sova/server/domain"
)

// recordVoice is injected before any page script: it notes the URL of every
// phrase that actually starts playing (a phrase that never started and was
// replaced on its element is not noted when the next one starts).
const recordVoice = `
window.__voice = [];
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  const el = this;
  if (el.__rec) el.removeEventListener('playing', el.__rec);
  el.__rec = () => { el.__rec = null; window.__voice.push(new URL(el.currentSrc).pathname); };
  el.addEventListener('playing', el.__rec, { once: true });
  return play.call(this);
};`

// newListener is a member's phone that may play sound (the policy flag stands
// in for her first tap, which browsers require before sound; the tap path
// itself is the sound button) and notes what it plays.
func newListener(t *testing.T, extra ...chromedp.ExecAllocatorOption) *browser {
	ctx, profile := chrome.NewWithProfile(t, append(extra, chromedp.Flag("autoplay-policy", "no-user-gesture-required"))...)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: recordVoice}); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, ctx: ctx, profile: profile}
}

// played is a JS condition: a phrase under stem has started playing.
func played(stem string) string {
	return `window.__voice.some((u) => u.startsWith(` + strconv.Quote(stem+".") + `))`
}

// keepVoice taps the voice download tile on the home page, after checking
// it shows the size this phone will download, and waits until it is kept.
func (b *browser) keepVoice(h *harness) {
	b.t.Helper()
	b.visitOnline(h)
	b.wait("the voice tile", `!document.querySelector('.voice-dl').hidden && document.querySelector('.voice-dl .size').textContent !== ''`)
	size := eval[string](b, `document.querySelector('.voice-dl .size').textContent`)
	want := eval[int](b, `Math.ceil(Number(document.querySelector('.voice-dl').dataset.webm) / 1000)`)
	if n, _ := strconv.Atoi(regexp.MustCompile(`\d+`).FindString(strings.ReplaceAll(size, ",", ""))); n != want || want < 100 {
		b.t.Fatalf("the voice tile shows %q; want the Opus pack's %d KB", size, want)
	}
	// The home page keeps its own voice as it opens; the rest of the
	// language (a survey she never opened) waits for her choice.
	if eval[bool](b, `(async () => {
	  const list = await (await fetch('/en/offline.json')).json();
	  const here = document.documentElement.innerHTML;
	  for (const u of list.voice.webm) if (!here.includes(u.replace(/\.webm$/, '')) && await caches.match(u)) return true;
	  return false;
	})()`) {
		b.t.Fatal("the language's voice was downloaded before the member chose to")
	}
	b.click(".voice-dl")
	b.wait("the voice to be kept", `document.querySelector('.voice-dl').dataset.state === 'ready'`)
	missing := eval[[]string](b, `(async () => {
	  const list = await (await fetch('/en/offline.json')).json();
	  const out = [];
	  for (const u of list.voice.webm) if (!(await caches.match(u))) out.push(u);
	  return out;
	})()`)
	if len(missing) > 0 {
		b.t.Fatalf("the kept voice lacks %d files, such as %s", len(missing), missing[0])
	}
}

// click clicks the element sel selects with a DOM click, not chromedp.Click:
// its synthetic mouse press never returns on some pages (the home page's
// tiles, the studio) in this headless Chromium, while playing or recording
// sound; seen on main before these tests existed.
func (b *browser) click(sel string) {
	b.t.Helper()
	if !eval[bool](b, `(() => { const el = document.querySelector(`+strconv.Quote(sel)+`); if (el) el.click(); return !!el; })()`) {
		b.t.Fatalf("nothing to click at %s", sel)
	}
}

// mediaLog notes, for URLs under a prefix, how the page's requests were
// answered: status, whether by the service worker, and the Range asked.
type mediaLog struct {
	mu   sync.Mutex
	reqs map[network.RequestID]string // request → Range header
	got  []mediaAnswer
}

type mediaAnswer struct {
	url, rangeHdr string
	status        int64
	fromWorker    bool
}

func listenMedia(t *testing.T, ctx context.Context, prefix string) *mediaLog {
	l := &mediaLog{reqs: map[network.RequestID]string{}}
	err := chromedp.Listen(ctx, func(ev any) {
		l.mu.Lock()
		defer l.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if strings.Contains(ev.Request.URL, prefix) {
				r, _ := ev.Request.Headers["Range"].(string)
				l.reqs[ev.RequestID] = r
			}
		case *network.EventResponseReceived:
			if r, ok := l.reqs[ev.RequestID]; ok {
				l.got = append(l.got, mediaAnswer{ev.Response.URL, r, ev.Response.Status, ev.Response.FromServiceWorker})
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (l *mediaLog) answers() []mediaAnswer {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]mediaAnswer(nil), l.got...)
}

// A member sees the voice's size, keeps it, and with no signal every screen
// still talks: the prompt on arrival, the speaker's replay, each tapped
// choice. The media element gets there through Range requests that the
// service worker answers from its cache.
func TestVoice_KeptOfflineAfterShowingItsSizeAndPlayedThroughRange(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.start("")
	b := newListener(t)
	b.keepVoice(h)
	h.stop() // no signal: the voice must come from the worker's cache

	b.do(chromedp.Navigate(h.url("/en/s/needs")))
	stem := eval[string](b, `document.querySelector('section.q:not([hidden])').dataset.prompt`)
	if stem == "" {
		t.Fatal("the first question has no voice")
	}
	b.wait("the first prompt to play", played(stem))

	// The speaker replays it; a tapped choice speaks its own phrase and is
	// marked as chosen.
	eval[int](b, `window.__voice.length = 0`)
	b.click("section.q:not([hidden]) .spk")
	b.wait("the replay", played(stem))
	choice := eval[string](b, `document.querySelector('section.q:not([hidden]) button.c').dataset.say`)
	b.click("section.q:not([hidden]) button.c")
	b.wait("the choice's phrase", played(choice))
	if eval[string](b, `document.querySelector('section.q:not([hidden]) button.c').getAttribute('aria-pressed')`) != "true" {
		t.Error("the tapped choice is not shown as chosen")
	}

	// A typed number is confirmed too: by voice once typed, and by a green
	// frame.
	noted := eval[string](b, `document.querySelector('main.survey').dataset.noted`)
	if !eval[bool](b, `(async () => {
	  const main = document.querySelector('main.survey');
	  for (let n = 0; n < 100; n++) {
	    const sec = [...main.querySelectorAll('section.q')].find((s) => !s.hidden);
	    if (sec.classList.contains('send')) return false;
	    if (sec.dataset.type === 'number') {
	      const input = sec.querySelector('input');
	      input.value = '3';
	      input.dispatchEvent(new Event('input', { bubbles: true }));
	      input.dispatchEvent(new Event('change', { bubbles: true }));
	      return true;
	    }
	    const c = sec.querySelector('button.c:not([data-v=null])');
	    if (c) c.click();
	    main.querySelector('footer .next').click();
	    await new Promise((r) => setTimeout(r, 10));
	  }
	  return false;
	})()`) {
		t.Fatal("the needs survey has no number question")
	}
	b.wait("the typed number to be confirmed by voice", played(noted))
	if !eval[bool](b, `document.querySelector('section.q:not([hidden]) .choices').classList.contains('answered')`) {
		t.Error("the typed number is not shown as answered")
	}

	// A fresh media element, offline, reaches canplaythrough; every answer
	// it got came from the worker, as partial content for a Range.
	media := listenMedia(t, b.ctx, stem)
	ok := eval[bool](b, `new Promise((resolve) => {
	  const a = new Audio();
	  a.preload = 'auto';
	  a.addEventListener('canplaythrough', () => resolve(true), { once: true });
	  a.addEventListener('error', () => resolve(false), { once: true });
	  a.src = `+strconv.Quote(stem+".webm?fresh")+`;
	  a.load();
	})`)
	if !ok {
		t.Fatal("the cached voice never reached canplaythrough offline")
	}
	got := media.answers()
	var ranged int
	for _, a := range got {
		if !a.fromWorker || a.status >= 400 {
			t.Errorf("%s (Range %q): status %d, from the worker: %v", a.url, a.rangeHdr, a.status, a.fromWorker)
		}
		if a.rangeHdr != "" && a.status == http.StatusPartialContent {
			ranged++
		}
	}
	if ranged == 0 {
		t.Errorf("no Range request was answered with 206: %+v", got)
	}

	// And a Range the worker must cut exactly.
	part := eval[[]any](b, `(async () => {
	  const r = await fetch(`+strconv.Quote(stem+".webm")+`, { headers: { Range: 'bytes=4-19' } });
	  const full = new Uint8Array(await (await caches.match(`+strconv.Quote(stem+".webm")+`)).arrayBuffer());
	  const body = new Uint8Array(await r.arrayBuffer());
	  return [r.status, r.headers.get('Content-Range'), body.length, body.every((x, i) => x === full[i + 4]), full.length];
	})()`)
	if part[0].(float64) != 206 || part[1] != "bytes 4-19/"+strconv.Itoa(int(part[4].(float64))) || part[2].(float64) != 16 || part[3] != true {
		t.Errorf("Range bytes=4-19 from the worker: %v", part)
	}
}

// The language picker: each tile says its language's name in its own voice,
// in turn on arrival, and a tapped tile says it again and lights up; only a
// second tap opens that language.
func TestPicker_TilesSpeakTheirOwnNames(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.start("")
	b := newListener(t)
	b.do(chromedp.Navigate(h.url("/")))
	stems := eval[[]string](b, `[...document.querySelectorAll('.picker a.tile')].map((a) => a.dataset.say)`)
	if len(stems) < 5 || slices.Contains(stems, "") {
		t.Fatalf("picker tiles' voices: %q", stems)
	}
	b.wait("every name to be said in turn", played(stems[len(stems)-1]))
	order := eval[[]string](b, `window.__voice`)
	for i, s := range stems {
		if i >= len(order) || !strings.HasPrefix(order[i], s+".") {
			t.Fatalf("names played %q; want the tiles' in order %q", order, stems)
		}
	}

	eval[int](b, `window.__voice.length = 0`)
	ru := `.picker .tilebox[lang=ru] a.tile`
	b.do(chromedp.Click(ru))
	b.wait("the Russian tile to say its name", played(eval[string](b, `document.querySelector('`+ru+`').dataset.say`)))
	if eval[string](b, `location.pathname`) != "/" || !eval[bool](b, `document.querySelector('`+ru+`').classList.contains('chosen')`) {
		t.Fatal("the first tap left the picker, or did not light the tile")
	}
	b.do(chromedp.Click(ru))
	b.wait("the second tap to open Russian", `location.pathname === '/ru/'`)
}

// A phrase that never comes through (the signal died as it downloaded)
// must not silence the rest: after a while she sees the no-sound sign, and
// the words after it are still said, in turn.
func TestVoice_StalledPhraseShowsTheSignAndTheRestIsSaid(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.start("")
	// The picker's second tile's name hangs, on a phone that never heard it.
	res, err := http.Get(h.url("/"))
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var stems []string
	for _, m := range regexp.MustCompile(`<a class="tile" href="[^"]*" data-say="([^"]+)"`).FindAllSubmatch(html, -1) {
		stems = append(stems, string(m[1]))
	}
	if len(stems) < 3 {
		t.Fatalf("picker tiles' voices: %q", stems)
	}
	held := stems[1] + ".webm"
	h.hold.Store(held)
	b := newListener(t)
	b.do(chromedp.Navigate(h.url("/")))
	eval[bool](b, `window.__muted = false; new MutationObserver(() => { window.__muted ||= !document.querySelector('.mute').hidden; })
		.observe(document.querySelector('.mute'), { attributes: true }); true`)
	b.wait("the last name to be said", played(stems[len(stems)-1]))
	order := eval[[]string](b, `window.__voice`)
	want := append(stems[:1:1], stems[2:]...)
	for i, s := range want {
		if i >= len(order) || !strings.HasPrefix(order[i], s+".") {
			t.Fatalf("names played %q; want the tiles' in order without the held one, %q", order, want)
		}
	}
	if !eval[bool](b, `window.__muted`) {
		t.Error("the no-sound sign never showed for the phrase that did not come")
	}
}

// A translator records a phrase in the studio with the browser's microphone;
// the language's coverage grows, and a member's phone that kept the voice
// offline plays the new recording after its next update, with no signal.
func TestStudio_RecordedInTheBrowserReachesMembersAfterUpdate(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.start("")
	member := newListener(t)
	member.keepVoice(h)
	oldStem := eval[string](member, `document.querySelector('main').dataset.prompt`)
	oldVersion := h.app.Version()

	admin, adminCk := h.signUpAdmin(t)
	link := testapp.Invite(t, h.app.Handler(), adminCk, admin.CSRF(t), domain.RoleTranslator)
	// Chromium's fake microphone plays a beep, and its fake prompt allows it.
	ctx, _ := chrome.NewWithProfile(t,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true))
	tr := &browser{t: t, ctx: ctx}
	tr.signUpInBrowser(h, link, "tina")
	tr.do(chromedp.Navigate(h.url("/staff/studio/en")))
	before := eval[string](tr, `document.querySelector('.coverage').textContent`)
	const rec = `#p-home\.title button.rec`
	recBtn := `document.querySelector(` + strconv.Quote(rec) + `)`
	tr.wait("the record button", `!`+recBtn+`.hidden`)
	tr.click(rec)
	tr.wait("recording", recBtn+`.classList.contains('on')`)
	tr.wait("two seconds of speech", `/Recording… [2-9] s/.test(document.querySelector('#p-home\\.title .status').textContent)`)
	tr.click(rec)
	// The whole page, not only its start: the studio's page is long, and a
	// busy machine may still be reading it when its address has changed.
	tr.wait("the saved phrase", `location.search === '?done=home.title' && document.readyState === 'complete'`)
	after := eval[string](tr, `document.querySelector('.coverage').textContent`)
	if before == after || !strings.Contains(after, "(1 of") {
		t.Fatalf("coverage %q → %q; want one phrase recorded", before, after)
	}
	if !eval[bool](tr, `!!document.querySelector('#p-home\\.title .voice-recorded')`) {
		t.Fatalf("the studio does not show the phrase as recorded: %s", eval[string](tr, `document.querySelector("#p-home\\.title").outerHTML.slice(0, 600)`))
	}
	if h.app.Version() == oldVersion {
		t.Fatal("the recording did not make a new app version")
	}

	// The member's phone updates on its next visit, keeping the voice.
	member.do(chromedp.Navigate(h.url("/en/")))
	// The voice she heard (sova-heard) outlives versions by design.
	member.wait("the new worker with the voice kept",
		`(async () => { const k = (await caches.keys()).filter((n) => n !== 'sova-heard'); return k.length === 1 && k[0] === 'sova-`+h.app.Version()+`' && document.querySelector('.voice-dl').dataset.state === 'ready'; })()`)
	h.stop()
	eval[int](member, `window.__voice.length = 0`)
	member.do(chromedp.Navigate(h.url("/en/")))
	newStem := eval[string](member, `document.querySelector('main').dataset.prompt`)
	if newStem == oldStem {
		t.Fatalf("the home page still plays %s", oldStem)
	}
	member.wait("the new recording to play offline", played(newStem))
}
