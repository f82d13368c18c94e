package app_test

import (
	"os"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

func shot(b *browser, name string) {
	buf, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatal(err)
	}
	os.WriteFile("/tmp/ux-"+name+".png", buf, 0o644)
}

func TestZZShots(t *testing.T) {
	if os.Getenv("SHOTS") == "" {
		t.Skip()
	}
	h := newHarness(t)
	h.start("")
	b := newBrowser(t)
	chromedp.Call(b.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 780, DeviceScaleFactor: 1, Mobile: true})
	b.visitOnline(h)
	b.do(chromedp.Navigate(h.url("/" + os.Getenv("SHOTS") + "/s/needs")))
	b.wait("q", `!!document.querySelector('section.q[data-q]:not([hidden])')`)
	for i := 0; i < 30; i++ {
		id := eval[string](b, `(() => { const s=[...document.querySelectorAll('section.q')].find(s=>!s.hidden); return s.dataset.q || 'send'; })()`)
		typ := eval[string](b, `[...document.querySelectorAll('section.q')].find(s=>!s.hidden).dataset.type || 'send'`)
		if id == "send" {
			shot(b, "send")
			break
		}
		if i < 2 || typ == "scale" || typ == "number" || typ == "text" || typ == "yesno" {
			eval[int](b, `(() => { const s=[...document.querySelectorAll('section.q')].find(s=>!s.hidden); const c = s.querySelector('button.c:not([data-v=null])'); if (c && s.dataset.type !== 'number') c.click(); if (s.dataset.type==='number') s.querySelector('.plus').click(); return 1; })()`)
			shot(b, id)
		} else {
			eval[int](b, `(() => { const s=[...document.querySelectorAll('section.q')].find(s=>!s.hidden); s.querySelector('button.c').click(); return 1; })()`)
		}
		eval[int](b, `(document.querySelector('footer .next').click(), 1)`)
	}
	eval[int](b, `(document.querySelector('.submit').click(), 1)`)
	b.wait("thanks", `location.pathname.endsWith('/thanks')`)
	shot(b, "thanks")
	h.block.Store(true)
	b.do(chromedp.Navigate(h.url("/" + os.Getenv("SHOTS") + "/outbox")))
	b.wait("outbox", `!!document.querySelector('main.outbox .count').textContent`)
	shot(b, "outbox")
	b.do(chromedp.Navigate(h.url("/")))
	shot(b, "picker")
}
