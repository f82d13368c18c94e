package app_test

import (
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
)

// A member, stopped on the street with no signal, finds the legal-aid
// hotline in the directory her phone kept, and its call button.
func TestDirectory_WorksOffline(t *testing.T) {
	t.Parallel()
	h, admin, _ := startWithAdmin(t)
	mustSave(t, admin, "/staff/directory", url.Values{
		"category": {"hotline"}, "phone": {"+1 555 0100"},
		"name_en": {"Night legal line"}, "about_en": {"A lawyer answers, day and night"},
	})

	b := newBrowser(t)
	b.visitOnline(h)
	h.stop()
	b.do(chromedp.Navigate(h.url("/en/services")))
	b.wait("the directory offline", `!!document.querySelector('article.svc')`)
	if got := eval[string](b, `document.querySelector('article.svc h3').textContent + ' ' + document.querySelector('article.svc a.call').getAttribute('href')`); got != "Night legal line tel:+15550100" {
		t.Fatalf("offline directory shows %q", got)
	}
}
