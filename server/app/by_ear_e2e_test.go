package app_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sova/internal/chrome"
	"sova/internal/firefox"
	"sova/internal/listen"
)

// hearing bounds one listening browser: the survey is heard twice, with
// seven browsers at once on a busy machine.
const hearing = 10 * time.Minute

// phone is what the listening test asks of a browser.
type phone struct {
	navigate func(url string)
	wait     func(what, js string)
	eval     listen.Eval
}

// A member who cannot read answers the needs survey by ear, in every
// language, in Chromium and in Firefox: she waits for the voice to stop
// before each tap. Every screen's prompt and options must reach her ears to
// their end, each answer must be confirmed, and after sending she must hear
// where her answers are. Then again with no signal, on the phone that only
// answered it online before: the voice she heard then must speak offline
// now, without her downloading anything.
func TestListen_NeedsSurveyHeardToTheEndOnlineThenOffline(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "ru", "ar", "es", "fr"} {
		t.Run("chromium/"+lang, func(t *testing.T) {
			t.Parallel()
			ctx, _ := chrome.NewLong(t, hearing, chromedp.Flag("autoplay-policy", "no-user-gesture-required"))
			if err := listen.Install(ctx); err != nil {
				t.Fatal(err)
			}
			b := &browser{t: t, ctx: ctx}
			hearSurvey(t, lang, phone{
				navigate: func(url string) { b.do(chromedp.Navigate(url)) },
				wait:     b.wait,
				eval:     listen.Chromium(ctx),
			})
		})
	}
	// Firefox in the languages that differ most: one left to right, one
	// right to left with its own digits and plural forms.
	for _, lang := range []string{"en", "ar"} {
		t.Run("firefox/"+lang, func(t *testing.T) {
			t.Parallel()
			b := firefox.New(t, firefox.Long(hearing))
			b.AddPreloadScript(listen.Script)
			hearSurvey(t, lang, phone{
				navigate: b.Navigate,
				wait:     b.Wait,
				eval: func(js string, out any) error {
					return json.Unmarshal(firefox.Eval[json.RawMessage](b, js), out)
				},
			})
		})
	}
}

func hearSurvey(t *testing.T, lang string, p phone) {
	h := newHarness(t)
	h.start("")
	str := func(js string) string {
		var s string
		if err := p.eval(js, &s); err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	arrival := func() []listen.Event {
		heard, err := listen.Arrival(p.eval)
		if err != nil {
			t.Fatal(err)
		}
		return heard
	}

	p.navigate(h.url("/" + lang + "/"))
	p.wait("offline readiness", `document.body.dataset.offline === '`+h.app.Version()+`'`)
	heard := arrival()
	// Home: the greeting, then where her answers are: none wait.
	for _, stem := range []string{str(`document.querySelector('main').dataset.prompt`), str(emptyJS)} {
		if stem == "" || !listen.HeardToEnd(heard, stem) {
			t.Errorf("home: %q not heard to its end: %s", stem, listen.String(heard))
		}
	}

	answer := func(online bool) {
		t.Helper()
		p.navigate(h.url("/" + lang + "/s/needs"))
		screens, err := listen.Answer(p.eval)
		if err != nil {
			t.Fatal(err)
		}
		if len(screens) < 20 {
			t.Fatalf("only %d screens", len(screens))
		}
		// A required question she tried to pass: the request, then the
		// way on, both heard to their end.
		asked := 0
		for _, s := range screens {
			if s.Asked == nil {
				continue
			}
			asked++
			if s.Request == "" || !listen.HeardToEnd(s.Asked, s.Request) || !listen.HeardToEnd(s.Asked, s.Way) || len(listen.Cut(s.Asked)) > 0 {
				t.Errorf("%s (online %v): asked for an answer on %s, she heard: %s", lang, online, s.Question, listen.String(s.Asked))
			}
		}
		if asked != 1 {
			t.Errorf("%s: asked for an answer on %d screens, want 1", lang, asked)
		}
		for i, s := range screens {
			where := fmt.Sprintf("%s screen %d (%s, online %v)", lang, i+1, s.Question, online)
			if s.Missing {
				t.Errorf("%s: the no-sound sign showed", where)
			}
			if s.Prompt == "" || !listen.HeardToEnd(s.Heard, s.Prompt) {
				t.Errorf("%s: its prompt %q was not heard to its end: %s", where, s.Prompt, listen.String(s.Heard))
			}
			for _, o := range s.Options {
				if !listen.HeardToEnd(s.Heard, o) {
					t.Errorf("%s: option %q was not read out", where, o)
				}
			}
			if s.Question != "" && s.Chose != "" && !listen.HeardToEnd(s.Heard, s.Chose) {
				t.Errorf("%s: her answer %q was not confirmed: %s", where, s.Chose, listen.String(s.Heard))
			}
			if cut := listen.Cut(s.Heard); len(cut) > 0 {
				t.Errorf("%s: Sova cut its own words %q: %s", where, cut, listen.String(s.Heard))
			}
		}
		p.wait("the thank-you page", `location.pathname === '/`+lang+`/thanks'`)
		heard := arrival()
		for _, stem := range []string{str(`document.querySelector('main').dataset.prompt`), str(`document.querySelector('.body').dataset.say`)} {
			if stem == "" || !listen.HeardToEnd(heard, stem) {
				t.Errorf("thanks (online %v): %q not heard: %s", online, stem, listen.String(heard))
			}
		}
		if cut := listen.Cut(heard); len(cut) > 0 {
			t.Errorf("thanks (online %v): Sova cut its own words %q: %s", online, cut, listen.String(heard))
		}
		oneWaits, sent := str(`JSON.parse(document.querySelector('.state').dataset.counts)['1']`), str(`document.body.dataset.sent`)
		if online {
			// Sent at once: she hears that all went, or that one waits
			// and then the chime's "sent".
			if !listen.HeardToEnd(heard, str(emptyJS)) && !(listen.HeardToEnd(heard, oneWaits) && listen.HeardToEnd(heard, sent)) {
				t.Errorf("thanks: she did not hear that her answers were sent: %s", listen.String(heard))
			}
		} else if !listen.HeardToEnd(heard, oneWaits) {
			t.Errorf("thanks offline: she did not hear that one answer waits: %s", listen.String(heard))
		}
	}

	answer(true)
	p.wait("the answers to be sent", queuedIs(0))
	h.stop()
	answer(false)
	p.wait("one answer waiting", queuedIs(1))
}

// emptyJS is the phrase that says all answers were sent.
const emptyJS = `document.querySelector('.state .empty').dataset.say`
