package app_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sova/internal/testapp"
	"sova/server/domain"
)

// A member is robbed. With no signal she taps three icons and a few words;
// the report is sealed and waits like any answer, and arrives when there is
// signal. A moderator publishes it, and another member reads it offline.
func TestWarnings_ReportedOfflineModeratedAndReadOffline(t *testing.T) {
	h, admin, adminCk := startWithAdmin(t)
	mustSave(t, admin, "/staff/areas", url.Values{"code": {"north-market"}, "name_en": {"North market"}})

	b := newBrowser(t)
	b.visitOnline(h)
	h.stop()
	b.do(chromedp.Navigate(h.url("/en/s/" + domain.WarnSurveyID)))
	b.wait("the reporting form", `!!document.querySelector('section.q[data-q=kind]:not([hidden])')`)
	eval[bool](b, `(async () => {
	  const main = document.querySelector('main.survey');
	  const step = async (q, fill) => {
	    const sec = main.querySelector('section.q[data-q=' + q + ']');
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
	b.wait("the thank-you page", `location.pathname === '/en/thanks'`)
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
}

// contains reports whether s holds every one of subs.
func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
