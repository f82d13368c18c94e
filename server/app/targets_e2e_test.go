package app_test

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"sova/server/domain"
)

// minTarget is the smallest tap target, in CSS px, on every member page:
// Android's 48 dp and WCAG 2.5.5. Members tap with a thumb on small, cheap
// phones, often in a hurry, and a missed tap on a page they cannot read is a
// dead end.
const minTarget = 48

// tapTargets lists every visible element a member can tap that is smaller
// than minTarget either way: links, buttons, form fields, and anything with
// a voice (voice.js speaks whatever [data-say] element is tapped). It returns
// how many it measured, so that an empty page cannot pass.
const tapTargets = `((min) => {
  const small = [];
  let measured = 0;
  for (const el of document.querySelectorAll('a, button, input, select, textarea, [data-say]')) {
    if (el.getClientRects().length === 0 || getComputedStyle(el).visibility !== 'visible') continue;
    measured++;
    const r = el.getBoundingClientRect();
    if (r.width >= min && r.height >= min) continue;
    const text = (el.textContent.trim() || el.getAttribute('aria-label') || el.value || '').replace(/\s+/g, ' ').slice(0, 40);
    small.push('<' + el.localName + (el.className ? ' class="' + el.className + '"' : '') + '> "' + text + '" is ' +
      Math.round(r.width) + '×' + Math.round(r.height));
  }
  return {measured, small};
})`

type targets struct {
	Measured int      `json:"measured"`
	Small    []string `json:"small"`
}

// checkTargets measures the page as it is now; where says which page and
// screen, for the failure.
func (b *browser) checkTargets(where string) {
	b.t.Helper()
	got := eval[targets](b, tapTargets+"("+strconv.Itoa(minTarget)+")")
	if got.Measured == 0 {
		b.t.Errorf("%s: no tap target found at all", where)
	}
	for _, s := range got.Small {
		b.t.Errorf("%s: %s, under %d×%d CSS px", where, s, minTarget, minTarget)
	}
}

// Every member page, at a small phone's size, and every screen of the needs
// survey, in a left-to-right and a right-to-left language: nothing a member
// taps is smaller than 48×48 CSS px.
func TestTapTargets_MemberPagesOnASmallPhone(t *testing.T) {
	h, admin, _ := startWithAdmin(t)
	// Content on every kind of page: a warning, a service, an area, a topic.
	if err := h.app.Store().PutWarning(&domain.Warning{ID: "w1", Day: "2026-11-27", State: domain.ReportApproved,
		Kind: "robbery", Area: "north", When: "yesterday", Public: "A grey car.", Expires: "2999-01-01"}); err != nil {
		t.Fatal(err)
	}
	mustSave(t, admin, "/staff/areas", url.Values{"code": {"north"}, "name_en": {"North market"}, "name_ar": {"السوق الشمالي"}})
	mustSave(t, admin, "/staff/directory", url.Values{"category": {"hotline"}, "phone": {"+1 555 0100"}, "day0": {"on"},
		"name_en": {"Night line"}, "name_ar": {"خط الليل"}})
	mustSave(t, admin, "/staff/info/rights", url.Values{"text_en": {"You may stay silent."}, "text_ar": {"يمكنك الصمت."}, "link": {"https://org.example/"}})
	for _, lang := range []string{"en", "ar"} {
		t.Run(lang, func(t *testing.T) {
			b := newBrowser(t)
			b.do(chromedp.EmulateViewport(360, 640, chromedp.EmulateScale(2), chromedp.EmulateMobile,
				chromedp.EmulateTouch, chromedp.EmulatePortrait))
			home := "/" + lang + "/"
			for _, p := range []struct{ path, ready string }{
				{"/", `!!document.querySelector('main.picker .tile')`},
				{home, `!!document.querySelector('main.home .tile')`},
				{home + "thanks", `!!document.querySelector('main.thanks')`},
				{home + "services", `!!document.querySelector('main.services .svc')`},
				{home + "warnings", `!!document.querySelector('main.warnings article.warning:not([hidden])')`},
				{home + "info", `!!document.querySelector('main.info .tile')`},
				{home + "info/rights", `!!document.querySelector('main.info a.big')`},
			} {
				b.do(chromedp.Navigate(h.url(p.path)))
				b.wait(p.path, p.ready)
				b.checkTargets(p.path)
			}
			b.walkSurvey(h, home+"s/needs")
			b.outboxWithRefusal(h, home+"outbox")
		})
	}
}

// walkSurvey taps through the survey as a member would, checking each
// screen: first Next with no answer (so the "please answer" line shows),
// then an answer, and Next. Answering the first choice, "yes", the first
// face or +1 opens every follow-up question, so every question type shows.
func (b *browser) walkSurvey(h *harness, path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(h.url(path)))
	b.wait("the first question", `!!document.querySelector('section.q[data-q]:not([hidden])')`)
	const now = `section.q:not([hidden])`
	seen := map[string]bool{}
	for range 100 {
		id := eval[string](b, `document.querySelector('`+now+`').dataset.q || 'send'`)
		where := path + " " + id
		if id == "send" {
			b.checkTargets(where)
			if len(seen) < 6 {
				b.t.Errorf("%s: reached the send screen after %d types of question, want all 6", path, len(seen))
			}
			return
		}
		typ := eval[string](b, `document.querySelector('`+now+`').dataset.type`)
		if !seen[typ] && eval[bool](b, `document.querySelector('`+now+`').hasAttribute('data-required')`) {
			b.do(chromedp.Tap(chromedp.CSS(`footer .next`)))
			b.wait(where+" asking for an answer", `!document.querySelector('`+now+` .req').hidden`)
		}
		seen[typ] = true
		b.checkTargets(where)
		switch typ {
		case "number":
			b.do(chromedp.Tap(chromedp.CSS(now + ` .plus`)))
		case "text":
			b.do(chromedp.SendKeys(chromedp.CSS(now+` textarea`), "ok"))
		default: // the first choice: "yes" of yes/no, the saddest face
			b.do(chromedp.Tap(chromedp.CSS(now + ` button.c`)))
		}
		b.do(chromedp.Tap(chromedp.CSS(`footer .next`)))
		b.wait(where+" to give way to the next screen", `(document.querySelector('`+now+`').dataset.q || 'send') !== '`+id+`'`)
	}
	b.t.Fatalf("%s: the survey never reached its send screen", path)
}

// outboxWithRefusal opens the outbox holding one refused item, so that its
// reason and its bin show too.
func (b *browser) outboxWithRefusal(h *harness, path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(h.url(path)))
	b.wait(path, `!!document.querySelector('main.outbox') && typeof sovaOutbox === 'object'`)
	b.checkTargets(path)
	eval[int](b, `sovaOutbox.add({id: crypto.randomUUID(), survey: 'needs', version: 1, kid: '00000000deadbeef', sealed: 'AAAA'}).then(() => sovaOutbox.sync()).then(() => 1)`)
	b.wait("the refused item", `!!document.querySelector('.rejected:not([hidden]) li .remove')`)
	b.checkTargets(path + " with a refused item")
}
