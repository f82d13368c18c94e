// Package listen is a member who cannot read, in a real browser: she waits
// for Sova's voice to stop before she taps, takes the first option on each
// screen, and notes everything she heard. Tests assert on what she heard (each
// prompt to its end, each answer confirmed, where her answers are after
// sending); the benchmark reports how long the survey takes her.
//
// Voice may play faster than life (Rate) to keep tests quick; what is heard,
// and in which order, is the same, and media durations are real ones.
package listen

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Rate is how much faster than life the voice plays.
const Rate = 16

// recorder runs before any page script: it logs every play, end and pause of
// every media element with its phrase and real duration, and speeds voice
// up.
const recorder = `
window.__heard = [];
window.__players = [];
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  const el = this;
  if (!el.__heard) {
    el.__heard = true;
    window.__players.push(el);
    for (const e of ['play', 'pause', 'ended']) {
      el.addEventListener(e, () => window.__heard.push({ e, u: new URL(el.currentSrc || el.src, location.href).pathname.replace(/\.(webm|mp3)$/, ''), d: el.duration }));
    }
  }
  el.defaultPlaybackRate = RATE;
  el.playbackRate = RATE;
  return play.call(this);
};`

// Script must run in every document before the page's own scripts (a
// preload script): it logs what the page plays, and speeds voice up.
var Script = "const RATE = " + strconv.Itoa(Rate) + ";" + recorder

// Install makes a Chromium tab log what it plays, from its next page on.
func Install(ctx context.Context) error {
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: Script})
	return err
}

// Eval evaluates a JS expression in the page, awaits it, and decodes its
// JSON value into out: the one thing this package asks of a browser.
type Eval func(js string, out any) error

// Chromium is the Eval of a chromedp tab.
func Chromium(ctx context.Context) Eval {
	return func(js string, out any) error {
		ctx, cancel := context.WithTimeout(ctx, 8*time.Minute) // a whole survey, on a busy machine
		defer cancel()
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js, chromedp.EvalAwaitPromise))
		if err != nil {
			return err
		}
		return json.Unmarshal(raw, out)
	}
}

// Event is one thing a media element did: "play", "pause" or "ended".
type Event struct {
	E string  `json:"e"`
	U string  `json:"u"` // the phrase's URL stem
	D float64 `json:"d"` // its real duration, in seconds
}

// Screen is what she met on one screen of a survey.
type Screen struct {
	Question string   `json:"q"`       // question id, "" for the send screen
	Prompt   string   `json:"prompt"`  // the prompt's voice stem
	Options  []string `json:"options"` // the options' stems, in the order shown
	Chose    string   `json:"chose"`   // the stem of what she tapped, or that confirmed her typing
	Heard    []Event  `json:"heard"`   // from arriving to leaving
	Missing  bool     `json:"missing"` // the "no sound" sign showed
	// Asked is set on the first required question she meets unanswered on
	// its last screen, where she first taps Next with nothing chosen: the request she then heard (Request, then
	// Way, "prefer not to say"), apart from Heard.
	Asked   []Event `json:"asked"`
	Request string  `json:"request"`
	Way     string  `json:"way"`
}

// Answer answers the survey open in the page as a member who waits for the
// voice each time, and taps "send" at the end. It returns each screen.
func Answer(eval Eval) ([]Screen, error) {
	var out []Screen
	return out, eval(answerJS, &out)
}

// Arrival waits until the page has said what it says on arrival, and returns
// what was heard since it loaded.
func Arrival(eval Eval) ([]Event, error) {
	var out []Event
	return out, eval(`(async () => { `+idleJS+` await idle(); return window.__heard; })()`, &out)
}

// idleJS waits on the condition that nothing is being said and nothing is
// about to be: the page's voice says idle, and stays so for two frames
// (a tap's handlers may queue words in the same turn). A phrase lasts
// seconds, so a voice still busy after two minutes is stuck: it throws
// with what each player was doing, rather than leave the test to its
// deadline with nothing to show.
const idleJS = `
let frames = 0, late = 0;
const frame = () => new Promise((r) => {
  const t = setTimeout(() => { late++; r(); }, 1000); // frames stopped coming
  requestAnimationFrame(() => setTimeout(() => { clearTimeout(t); frames++; r(); }));
});
const stuck = () => JSON.stringify({
  voice: document.documentElement.dataset.voice, frames, late,
  players: window.__players.map((el) => ({ src: el.currentSrc, paused: el.paused, ended: el.ended,
    t: el.currentTime, d: el.duration, ready: el.readyState, net: el.networkState, err: el.error && el.error.code })),
  last: window.__heard.slice(-8),
});
async function idle() {
  const since = Date.now();
  for (let quiet = 0; quiet < 2; ) {
    if (Date.now() - since > 120000) throw new Error('the voice never went quiet: ' + stuck());
    await frame();
    quiet = document.documentElement.dataset.voice === 'idle' ? quiet + 1 : 0;
  }
}`

const answerJS = `(async () => {
` + idleJS + `
  const main = document.querySelector('main.survey');
  const out = [];
  let from = 0; // what she heard since the page loaded, then since each Next
  let asked = false;
  for (let n = 0; n < 100; n++) {
    const sec = [...main.querySelectorAll('section.q')].find((s) => !s.hidden);
    await idle();
    const screen = { q: sec.dataset.q || '', prompt: sec.dataset.prompt,
      options: [...sec.querySelectorAll('button.c')].filter((b) => !b.hidden).map((b) => b.dataset.say), chose: '' };
    const tap = (el) => { el.click(); screen.chose = el.dataset.say; };
    if (sec.classList.contains('send')) {
      screen.heard = window.__heard.slice(from);
      screen.missing = !document.querySelector('.mute').hidden;
      out.push(screen);
      sec.querySelector('button.submit').click();
      return out;
    }
    const type = sec.dataset.type;
    const opts = [...sec.querySelectorAll('button.c:not([data-v=null])')];
    if (!asked && sec.hasAttribute('data-required') && opts.length && !opts[opts.length - 1].hidden &&
        !sec.querySelector('button.c[aria-pressed=true]')) {
      // The last screen of the first required question she has not
      // answered yet: Next, with nothing chosen, asks her for an answer.
      asked = true;
      const req = main.querySelector('footer .req');
      screen.heard = window.__heard.slice(from);
      const f = window.__heard.length;
      main.querySelector('footer .next').click();
      await idle();
      screen.asked = window.__heard.slice(f);
      screen.request = req.hidden ? '' : req.dataset.say;
      screen.way = sec.querySelector('button.c[data-v=null]').dataset.say;
      from = window.__heard.length;
    }
    const first = [...sec.querySelectorAll('button.c')].find((b) => !b.hidden);
    const field = sec.querySelector('input,textarea');
    if (field) {
      field.value = type === 'number' ? field.min || '1' : 'ok';
      field.dispatchEvent(new Event('input', { bubbles: true }));
      field.dispatchEvent(new Event('change', { bubbles: true }));
      screen.chose = main.dataset.noted;
    } else if (first.getAttribute('aria-pressed') !== 'true') {
      tap(first); // not the one she chose on this question's earlier screen
    }
    await idle();
    screen.heard = (screen.heard || []).concat(window.__heard.slice(from));
    screen.missing = !document.querySelector('.mute').hidden;
    out.push(screen);
    from = window.__heard.length;
    main.querySelector('footer .next').click();
  }
  throw new Error('the survey never reached its send screen');
})()`

// HeardToEnd reports whether stem played to its end among events.
func HeardToEnd(events []Event, stem string) bool {
	for _, e := range events {
		if e.E == "ended" && e.U == stem {
			return true
		}
	}
	return false
}

// Cut lists the phrases among events that paused before their end.
func Cut(events []Event) []string {
	var out []string
	for i, e := range events {
		if e.E != "pause" {
			continue
		}
		if i+1 < len(events) && events[i+1].E == "ended" && events[i+1].U == e.U {
			continue // a phrase ending fires pause, then ended
		}
		out = append(out, e.U)
	}
	return out
}

// Seconds is how long the phrases among events last at normal speed.
func Seconds(events []Event) float64 {
	var s float64
	for _, e := range events {
		if e.E == "ended" {
			s += e.D
		}
	}
	return s
}

// String is a short account of events, for failure messages.
func String(events []Event) string {
	out := ""
	for _, e := range events {
		out += fmt.Sprintf("%s %s; ", e.E, e.U)
	}
	return out
}
