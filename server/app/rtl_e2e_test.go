package app_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// Arabic pages are laid out right to left in a real browser: the page says
// dir=rtl, a prompt's icon stands to the right of its words, and the Back and
// Next arrows are mirrored so that Back points right.
func TestRTL_ArabicSurveyIsLaidOutRightToLeft(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.start("")
	b := newBrowser(t)
	b.do(chromedp.Navigate(h.url("/ar/s/needs")))
	b.wait("the first question", `!!document.querySelector('section.q[data-q]:not([hidden])')`)
	if dir := eval[string](b, `getComputedStyle(document.body).direction`); dir != "rtl" {
		t.Fatalf("direction = %q, want rtl", dir)
	}
	iconRight := eval[bool](b, `(() => {
	  const h = document.querySelector('section.q:not([hidden]) .prompt');
	  return h.querySelector('img').getBoundingClientRect().left > h.querySelector('span').getBoundingClientRect().left;
	})()`)
	if !iconRight {
		t.Error("the prompt's icon is not to the right of its words")
	}
	// On to the second question, where Back shows.
	eval[int](b, `(() => { const s = document.querySelector('section.q:not([hidden])'); s.querySelector('button.c').click(); document.querySelector('footer .next').click(); return 1; })()`)
	b.wait("the second question", `!document.querySelector('footer .back').hidden`)
	if m := eval[string](b, `getComputedStyle(document.querySelector('footer .back img')).transform`); m == "none" || m == "" {
		t.Errorf("the Back arrow is not mirrored (transform %q)", m)
	}
	// The Next button sits at the left end, where reading ends.
	nextLeft := eval[bool](b, `document.querySelector('footer .next').getBoundingClientRect().left < document.querySelector('footer .back').getBoundingClientRect().left`)
	if !nextLeft {
		t.Error("Next is not to the left of Back")
	}
}
