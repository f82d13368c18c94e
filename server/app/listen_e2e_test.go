package app_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"sova/internal/chrome"
	"sova/internal/listen"
)

// A member who cannot read answers the needs survey by ear, in every
// language: she waits for the voice to stop before each tap. Every screen's
// prompt and options must reach her ears to their end, each answer must be
// confirmed, and after sending she must hear where her answers are. Then
// again with no signal, on the phone that only answered it online before:
// the voice she heard then must speak offline now, without her downloading
// anything.
func TestListen_NeedsSurveyHeardToTheEndOnlineThenOffline(t *testing.T) {
	for _, lang := range []string{"en", "ru", "ar", "es", "fr"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.start("")
			ctx, _ := chrome.NewWithProfile(t, chromedp.Flag("autoplay-policy", "no-user-gesture-required"))
			if err := listen.Install(ctx); err != nil {
				t.Fatal(err)
			}
			b := &browser{t: t, ctx: ctx}
			// The phrases a page says, read from the page itself.
			say := func(js string) string { return eval[string](b, js) }

			b.do(chromedp.Navigate(h.url("/" + lang + "/")))
			b.wait("offline readiness", `document.body.dataset.offline === '`+h.app.Version()+`'`)
			arrival, err := listen.Arrival(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// Home: the greeting, then where her answers are: none wait.
			for _, stem := range []string{say(`document.querySelector('main').dataset.prompt`), say(emptyJS)} {
				if stem == "" || !listen.HeardToEnd(arrival, stem) {
					t.Errorf("home: %q not heard to its end: %s", stem, listen.String(arrival))
				}
			}

			answer := func(online bool) {
				t.Helper()
				b.do(chromedp.Navigate(h.url("/" + lang + "/s/needs")))
				screens, err := listen.Answer(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(screens) < 20 {
					t.Fatalf("only %d screens", len(screens))
				}
				for i, s := range screens {
					where := fmt.Sprintf("%s screen %d (%s)", lang, i+1, s.Question)
					if s.Missing {
						t.Errorf("%s: the no-sound sign showed (online %v)", where, online)
					}
					if s.Prompt == "" || !listen.HeardToEnd(s.Heard, s.Prompt) {
						t.Errorf("%s: its prompt %q was not heard to its end (online %v): %s", where, s.Prompt, online, listen.String(s.Heard))
					}
					for _, o := range s.Options {
						if !listen.HeardToEnd(s.Heard, o) {
							t.Errorf("%s: option %q was not read out (online %v)", where, o, online)
						}
					}
					if s.Question != "" && s.Chose != "" && !listen.HeardToEnd(s.Heard, s.Chose) {
						t.Errorf("%s: her answer %q was not confirmed (online %v): %s", where, s.Chose, online, listen.String(s.Heard))
					}
					if cut := listen.Cut(s.Heard); len(cut) > 0 {
						t.Errorf("%s: Sova cut its own words %q (online %v): %s", where, cut, online, listen.String(s.Heard))
					}
				}
				b.wait("the thank-you page", `location.pathname === '/`+lang+`/thanks'`)
				heard, err := listen.Arrival(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, stem := range []string{say(`document.querySelector('main').dataset.prompt`), say(`document.querySelector('.body').dataset.say`)} {
					if stem == "" || !listen.HeardToEnd(heard, stem) {
						t.Errorf("thanks (online %v): %q not heard: %s", online, stem, listen.String(heard))
					}
				}
				oneWaits, sent := say(`JSON.parse(document.querySelector('.state').dataset.counts)['1']`), say(`document.body.dataset.sent`)
				if cut := listen.Cut(heard); len(cut) > 0 {
					t.Errorf("thanks (online %v): Sova cut its own words %q: %s", online, cut, listen.String(heard))
				}
				if online {
					// Sent at once: she hears that all went, or that one
					// waits and then the chime's "sent".
					if !listen.HeardToEnd(heard, say(emptyJS)) &&
						!(listen.HeardToEnd(heard, oneWaits) && listen.HeardToEnd(heard, sent)) {
						t.Errorf("thanks: she did not hear that her answers were sent: %s", listen.String(heard))
					}
				} else if !listen.HeardToEnd(heard, oneWaits) {
					t.Errorf("thanks offline: she did not hear that one answer waits: %s", listen.String(heard))
				}
			}

			answer(true)
			b.wait("the answers to be sent", queuedIs(0))
			h.stop()
			answer(false)
			if n := eval[int](b, queued); n != 1 {
				t.Errorf("queued offline = %d, want 1", n)
			}
		})
	}
}

// emptyJS is the phrase that says all answers were sent.
const emptyJS = `document.querySelector('.state .empty').dataset.say`
