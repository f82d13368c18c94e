package main

// The needs survey by ear (no budget yet, reported): how long a member who
// listens to every prompt and option, and to the confirmation of each
// answer, takes to finish the needs survey, taking the first option on
// each screen, per language. Measured in headless Chromium with the voice
// sped up (internal/listen), and reported in real time: the sum of the real
// durations of everything she heard.

import (
	"context"
	"fmt"

	"github.com/chromedp/chromedp"

	"sova/internal/listen"
)

func measureListening(ctx context.Context, base string, rep *report) error {
	for _, lang := range []string{"en", "ru", "es", "fr", "ar"} {
		tab, stop, err := newChromium(ctx, chromedp.Flag("autoplay-policy", "no-user-gesture-required"))
		if err != nil {
			return err
		}
		secs, screens, err := listenThrough(tab, base+"/"+lang+"/s/needs")
		stop()
		if err != nil {
			return fmt.Errorf("the needs survey by ear in %s: %w", lang, err)
		}
		rep.info("needs survey by ear, "+lang+" (every prompt and option heard, first option taken)",
			fmt.Sprintf("%.0f s (%.1f min) over %d screens", secs, secs/60, screens))
	}
	return nil
}

func listenThrough(tab context.Context, url string) (secs float64, screens int, err error) {
	if err := listen.Install(tab); err != nil {
		return 0, 0, err
	}
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		return 0, 0, err
	}
	got, err := listen.Answer(listen.Chromium(tab))
	if err != nil {
		return 0, 0, err
	}
	for _, s := range got {
		secs += listen.Seconds(s.Heard)
	}
	return secs, len(got), nil
}
