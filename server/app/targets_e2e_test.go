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

// layoutFaults lists what a member on a small phone would meet: anything
// wider than the screen (the page then scrolls sideways, and the exit
// control goes off screen), two tap targets on top of each other (a thumb
// hits the wrong one), and words covered by an icon or a control that is not
// theirs. What floats (quick exit, the top bar, the survey's buttons at the
// bottom) is checked against what floats: the page scrolls under it, and
// the last of the page can be scrolled clear of it (checked too).
const layoutFaults = `(() => {
  const out = [];
  const vis = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility === 'visible';
  const name = (el) => '<' + el.localName + (el.className ? ' class="' + el.className + '"' : '') + '> "' +
    (el.textContent.trim() || el.getAttribute('aria-label') || '').replace(/\s+/g, ' ').slice(0, 30) + '"';
  const floats = (el) => { for (let e = el; e; e = e.parentElement) { const p = getComputedStyle(e).position; if (p === 'fixed' || p === 'sticky') return true; } return false; };
  const apart = (a, b) => floats(a) !== floats(b);
  const meet = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  const W = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > W + 1) out.push('the page is ' + document.documentElement.scrollWidth + ' px wide, the screen ' + W);
  for (const el of document.body.querySelectorAll('*')) {
    if (!vis(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > W + 1 || r.left < -1) out.push(name(el) + ' reaches ' + Math.round(r.left) + '..' + Math.round(r.right) + ' px');
  }
  const taps = [...document.querySelectorAll('a, button, input, select, textarea')].filter(vis);
  for (let i = 0; i < taps.length; i++) {
    for (let j = i + 1; j < taps.length; j++) {
      if (taps[i].contains(taps[j]) || taps[j].contains(taps[i]) || apart(taps[i], taps[j])) continue;
      if (meet(taps[i].getBoundingClientRect(), taps[j].getBoundingClientRect())) out.push(name(taps[i]) + ' and ' + name(taps[j]) + ' overlap');
    }
  }
  const covers = [...document.querySelectorAll('img, button, a')].filter(vis);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const box = t.parentElement.getBoundingClientRect();
    if (!t.textContent.trim() || !vis(t.parentElement) || box.width <= 1 || box.height <= 1) continue; // hidden but for screen readers
    const range = document.createRange();
    range.selectNodeContents(t);
    for (const r of range.getClientRects()) {
      for (const c of covers) {
        if (c.contains(t) || apart(c, t.parentElement)) continue;
        if (meet(r, c.getBoundingClientRect())) out.push('"' + t.textContent.trim().slice(0, 30) + '" is covered by ' + name(c));
      }
    }
  }
  // Scrolled to the end, the page's last words and controls clear the
  // buttons floating at the bottom.
  const nav = document.querySelector('footer.nav');
  if (nav && vis(nav)) {
    const end = document.documentElement.scrollHeight;
    const flow = [...document.querySelector('main').querySelectorAll('button, a, input, textarea')].filter((e) => vis(e) && !floats(e));
    const last = Math.max(...flow.map((e) => e.getBoundingClientRect().bottom + scrollY));
    const navTop = end - nav.getBoundingClientRect().height;
    if (last > navTop + 1) out.push('scrolled to the end, the last control (' + Math.round(last) + ' px) is under the buttons (from ' + Math.round(navTop) + ' px)');
  }
  return [...new Set(out)];
})()`

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
	for _, f := range eval[[]string](b, layoutFaults) {
		b.t.Errorf("%s: %s", where, f)
	}
}

// Every member page, at a small phone's size (360×640), and every screen of
// the needs survey, in English, Russian (long words) and Arabic (right to
// left): nothing a member taps is smaller than 48×48 CSS px, nothing is wider
// than the screen, no tap target lies on another, and no words are covered.
func TestTapTargets_MemberPagesOnASmallPhone(t *testing.T) {
	t.Parallel()
	h, admin, _ := startWithAdmin(t)
	// Content on every kind of page: a warning, a service, an area, a topic.
	if err := h.app.Store().PutWarning(&domain.Warning{ID: "w1", Day: "2026-11-27", State: domain.ReportApproved,
		Kind: "robbery", Area: "north", When: "yesterday", Public: "A grey car.", Expires: "2999-01-01"}); err != nil {
		t.Fatal(err)
	}
	mustSave(t, admin, "/staff/areas", url.Values{"code": {"north"}, "name_en": {"North market"}, "name_ru": {"Северный рынок"}, "name_ar": {"السوق الشمالي"}})
	mustSave(t, admin, "/staff/directory", url.Values{"category": {"hotline"}, "phone": {"+1 555 0100"}, "day0": {"on"},
		"name_en": {"Night line"}, "name_ru": {"Ночная линия"}, "name_ar": {"خط الليل"}})
	mustSave(t, admin, "/staff/info/rights", url.Values{"text_en": {"You may stay silent."}, "text_ru": {"Вы можете молчать."}, "text_ar": {"يمكنك الصمت."}, "link": {"https://org.example/"}})
	for _, lang := range []string{"en", "ru", "ar"} {
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
			// Next, with nothing chosen, through the rest of a long list
			// of options, until she is asked for an answer.
			for range 3 {
				b.do(chromedp.Tap(chromedp.CSS(`footer .next`)))
				if eval[bool](b, `!document.querySelector('footer .req').hidden`) {
					break
				}
			}
			b.wait(where+" asking for an answer", `!document.querySelector('footer .req').hidden`)
			if !eval[bool](b, `(() => { const r = document.querySelector('footer .req').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()`) {
				b.t.Errorf("%s: the request for an answer is out of view", where)
			}
			if !eval[bool](b, `document.querySelector('`+now+` button.c[data-v=null]').classList.contains('way')`) {
				b.t.Errorf("%s: \"prefer not to say\" is not shown as the way on", where)
			}
		}
		seen[typ] = true
		b.checkTargets(where)
		switch typ {
		case "number":
			b.do(chromedp.Tap(chromedp.CSS(now + ` .plus`)))
		case "text":
			b.do(chromedp.SendKeys(chromedp.CSS(now+` textarea`), "ok"))
		default: // the first choice: "yes" of yes/no, the saddest face
			// She scrolls back to it first: asking for an answer scrolled
			// the page down to "prefer not to say".
			eval[bool](b, `(document.querySelector('`+now+` button.c:not([hidden])').scrollIntoView({ block: 'center' }), true)`)
			b.do(chromedp.Tap(chromedp.CSS(now + ` button.c:not([hidden])`)))
		}
		// A screen is its question and the options it shows: a long list
		// of options goes on over more screens.
		screen := `(document.querySelector('` + now + `').dataset.q || 'send') + (document.querySelector('` + now + ` button.c:not([hidden])') || {}).textContent`
		before := eval[string](b, screen)
		b.do(chromedp.Tap(chromedp.CSS(`footer .next`)))
		b.wait(where+" to give way to the next screen", screen+` !== `+strconv.Quote(before))
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
