package app_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"sova/internal/testapp"
	"sova/server/domain"
)

// A member is robbed. With no signal she taps three icons and a few words;
// the report is sealed and waits like any answer, and arrives when there is
// signal. A moderator publishes it, and another member reads it offline.
func TestWarnings_ReportedOfflineModeratedAndReadOffline(t *testing.T) {
	t.Parallel()
	h, admin, adminCk := startWithAdmin(t)
	mustSave(t, admin, "/staff/areas", url.Values{"code": {"north-market"}, "name_en": {"North market"}})
	mustSave(t, admin, "/staff/areas", url.Values{"code": {"south"}, "name_en": {"South station"}})

	b := newBrowser(t)
	b.visitOnline(h)
	h.stop()
	b.do(chromedp.Navigate(h.url("/en/s/" + domain.WarnSurveyID)))
	b.wait("the reporting form", `!!document.querySelector('section.q[data-q=kind]:not([hidden])')`)
	eval[bool](b, `(async () => {
	  const main = document.querySelector('main.survey');
	  const step = async (q, fill) => {
	    const sec = main.querySelector('section.q[data-q=' + q + ']');
	    // The rest of a long list of options, on its next screens.
	    for (let n = 0; sec.hidden && n < 3; n++) {
	      main.querySelector('footer .next').click();
	      await new Promise((r) => setTimeout(r, 20));
	    }
	    if (sec.hidden) throw new Error(q + ' is not shown');
	    fill(sec);
	    main.querySelector('footer .next').click();
	    await new Promise((r) => setTimeout(r, 20));
	  };
	  const text = (v) => (sec) => { const t = sec.querySelector('textarea'); t.value = v; t.dispatchEvent(new Event('input', { bubbles: true })); };
	  await step('kind', (sec) => sec.querySelector('[data-v=robbery]').click());
	  await step('area', (sec) => sec.querySelector('[data-v=north-market]').click());
	  await step('when', (sec) => sec.querySelector('[data-v=yesterday]').click());
	  await step('public', text('Grey car, took phones'));
	  await step('private', text('my regular'));
	  main.querySelector('section.send button.submit').click();
	  return true;
	})()`)
	b.wait("the thank-you page", `location.pathname === '/en/thanks' && document.readyState === 'complete'`)
	// She learns that someone checks it before others see it.
	b.wait("the thank-you page to say a moderator checks it", `!document.querySelector('.report').hidden && document.querySelector('.body').hidden`)
	b.wait("the report queued", queuedIs(1))

	h.start("")
	b.do(chromedp.Navigate(h.url("/en/outbox")))
	b.wait("the report sent", queuedIs(0))
	all, err := h.app.Store().Warnings()
	if err != nil || len(all) != 1 || all[0].State != domain.ReportPending || all[0].Kind != "robbery" || all[0].Area != "north-market" || all[0].Private != "my regular" {
		t.Fatalf("stored reports: %+v %v", all, err)
	}

	admin.H = h.app.Handler() // the restarted server's
	link := testapp.Invite(t, h.app.Handler(), adminCk, admin.CSRF(t), domain.RoleModerator)
	mod := testapp.NewConsole(h.app.Handler())
	mod.Token = testapp.SignUp(t, h.app.Handler(), link, "mia", e2ePassword).Value
	mustSave(t, mod, "/staff/reports/"+all[0].ID+"/approve", url.Values{"public": {"A grey car; he took phones."}})

	// Another member's phone updates, then reads the warning with no signal.
	other := newBrowser(t)
	other.visitOnline(h)
	h.stop()
	other.do(chromedp.Navigate(h.url("/en/warnings")))
	other.wait("the warning offline", `!!document.querySelector('article.warning:not([hidden])')`)
	if got := eval[string](other, `document.querySelector('article.warning:not([hidden])').textContent`); !contains(got, "Robbery", "North market", "A grey car; he took phones.") || contains(got, "my regular") {
		t.Fatalf("the warning reads %q", got)
	}
	// It happened the day before it was reported, today: "yesterday", in
	// the member's language, not a date to work out.
	if got, want := eval[string](other, `document.querySelector('article.warning time').textContent`),
		eval[string](other, `new Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(-1, 'day')`); got != want {
		t.Errorf("the warning's day reads %q, want %q", got, want)
	}
	// The area filter works offline: another area hides it, all areas
	// show it again.
	pick := func(area string) {
		eval[bool](other, `(() => { const s = document.querySelector('.area-filter select'); s.value = '`+area+`'; s.dispatchEvent(new Event('change')); return true; })()`)
	}
	pick("south")
	if !eval[bool](other, `document.querySelector('article.warning').hidden && !document.querySelector('.none').hidden`) {
		t.Error("choosing another area did not hide the warning, or did not say there is none")
	}
	pick("")
	if eval[bool](other, `document.querySelector('article.warning').hidden`) {
		t.Error("all areas do not show the warning again")
	}
	// Weeks later, still offline: the phone hides what has expired, though
	// it could not update.
	if _, err := chromedp.Call(other.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: laterClock}); err != nil {
		t.Fatal(err)
	}
	other.do(chromedp.Reload())
	other.wait("the feed offline, a month later", `!!document.querySelector('main.warnings article.warning')`)
	if !eval[bool](other, `document.querySelector('article.warning').hidden && !document.querySelector('.none').hidden`) {
		t.Error("an expired warning still shows offline")
	}
}

// laterClock moves the page's clock 30 days on, as a phone left offline for
// a month would read it.
const laterClock = `(() => {
  const shift = 30 * 864e5, Real = Date;
  globalThis.Date = class extends Real {
    constructor(...a) { super(...(a.length ? a : [Real.now() + shift])); }
    static now() { return Real.now() + shift; }
  };
})();`

// contains reports whether s holds every one of subs.
func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
