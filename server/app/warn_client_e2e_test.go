package app_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"sova/server/domain"
	"sova/server/screening"
)

// A member reports a client with his number typed on the keypad (each
// digit said back), his plate, and his name on Telegram picked by its
// tile: the report arrives with the three as she wrote them, for the
// moderator to confirm.
func TestWarnForm_ClientNumberPlateAndHandleArrive(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.start("")
	b := newBrowser(t)
	b.visitOnline(h)
	b.do(chromedp.Navigate(h.url("/en/s/" + domain.WarnSurveyID)))
	b.wait("the reporting form", `!!document.querySelector('section.q[data-q=kind]:not([hidden])')`)
	eval[bool](b, `(async () => {
	  const main = document.querySelector('main.survey');
	  const pause = () => new Promise((r) => setTimeout(r, 20));
	  const type = async (input, s) => {
	    for (const ch of s) { input.value += ch; input.dispatchEvent(new Event('input', { bubbles: true })); await pause(); }
	  };
	  for (let n = 0; n < 40; n++) {
	    const sec = [...main.querySelectorAll('section.q')].find((s) => !s.hidden);
	    if (sec.classList.contains('send')) { sec.querySelector('button.submit').click(); return true; }
	    const q = sec.dataset.q;
	    if (q === 'kind') sec.querySelector('[data-v=robbery]').click();
	    if (q === 'when') sec.querySelector('[data-v=today]').click();
	    if (q === 'client_phone') await type(sec.querySelector('input.tel'), '+7 (912) 345-67-89');
	    if (q === 'client_plate') await type(sec.querySelector('input.plate'), 'а123вс 77');
	    if (q === 'client_handle') {
	      sec.querySelector('button.site[data-site=telegram]').click();
	      await type(sec.querySelector('input.handle'), '@BadGuy');
	    }
	    main.querySelector('footer .next').click();
	    await pause();
	  }
	  throw new Error('the form never reached its send screen');
	})()`)
	b.wait("the thank-you page", `location.pathname === '/en/thanks' && document.readyState === 'complete' && typeof sovaOutbox === 'object'`)
	b.wait("the report sent", queuedIs(0))
	all, err := h.app.Store().Warnings()
	if err != nil || len(all) != 1 {
		t.Fatalf("stored reports: %+v %v", all, err)
	}
	got := map[screening.Kind]string{}
	for _, c := range all[0].Clients {
		got[c.Kind] = c.Raw
	}
	if got[screening.Phone] != "+7 (912) 345-67-89" || got[screening.Plate] != "а123вс 77" || got[screening.Handle] != "telegram/@BadGuy" {
		t.Errorf("the report names the client as %v", got)
	}
}
