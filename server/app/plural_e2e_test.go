package app_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sova/i18n"
)

// The words of a count are chosen twice: the page shows them from the
// browser's plural rules (plural() in pwa/js/util.js, Intl.PluralRules), and
// the voice was made on the server from x/text's (i18n.Counts). Both must
// pick the same form, or she reads "3 ответа" and hears "3 ответов". They
// agree on every count a phone can hold; from a million on, x/text's older
// CLDR lags in Spanish and French (see i18n_test.go).
func TestPlurals_PageAndVoiceChooseTheSameForm(t *testing.T) {
	t.Parallel()
	cats, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	h.start("")
	b := newBrowser(t)
	const upTo = 1100
	for _, c := range cats {
		server := make([]string, upTo)
		for n := range server {
			server[n] = i18n.PluralCategory(c.Lang, n)
		}
		want, _ := json.Marshal(server)
		b.do(chromedp.Navigate(h.url("/" + c.Lang + "/outbox")))
		b.wait("the outbox page", `!!document.querySelector('.state[data-waiting]')`)
		// The page's own plural(), from beside its app.js, given a form per
		// category that names it.
		differ := eval[[]string](b, `(async () => {
		  const { plural, lang } = await import(new URL('util.js', document.querySelector('script[src$="/app.js"]').src));
		  const forms = Object.fromEntries(['zero', 'one', 'two', 'few', 'many', 'other'].map((f) => [f, f + ' {n}']));
		  const server = `+string(want)+`;
		  const out = [];
		  server.forEach((f, n) => {
		    const page = plural(forms, n).split(' ')[0];
		    if (page !== f) out.push(lang + ' ' + n + ': page ' + page + ', voice ' + f);
		  });
		  if (lang !== `+strconv.Quote(c.Lang)+`) out.push('the page speaks ' + lang);
		  return out;
		})()`)
		if len(differ) > 0 {
			t.Errorf("%s: page and voice choose different forms at %d counts, first: %s", c.Lang, len(differ), strings.Join(differ[:min(5, len(differ))], "; "))
		}
	}
}
