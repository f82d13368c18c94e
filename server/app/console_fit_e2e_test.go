package app_test

import (
	_ "embed"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sova/internal/testapp"
	"sova/server/domain"
	"sova/server/screening"
)

// axe is axe-core, vendored for tests only (testdata/axe/README.md).
//
//go:embed testdata/axe/axe.min.js
var axe string

// consoleFaults lists what does not fit a 360 px screen: any element that
// reaches past either edge, unless it sits in something that scrolls
// sideways by itself (a wide table in its own box), and a page wider than
// the screen.
const consoleFaults = `(() => {
  // The screen's width, not innerWidth: a phone widens the layout to
  // whatever overflows it, and then shrinks everything to fit.
  const W = screen.width;
  const out = [];
  const scrolls = (el) => { for (let e = el.parentElement; e; e = e.parentElement) { const o = getComputedStyle(e).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
  const name = (el) => '<' + el.localName + (el.className ? ' class="' + el.className + '"' : '') + '> "' +
    (el.textContent.trim() || el.getAttribute('name') || '').replace(/\s+/g, ' ').slice(0, 40) + '"';
  for (const el of document.body.querySelectorAll('*')) {
    if (!el.getClientRects().length || scrolls(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > W + 1 || r.left < -1) out.push(name(el) + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right) + ' px');
  }
  if (innerWidth > W || document.documentElement.scrollWidth > W + 1) out.push('the page is ' + Math.max(innerWidth, document.documentElement.scrollWidth) + ' px wide on a ' + W + ' px screen');
  return out;
})()`

// axeSerious runs axe-core on the page and lists its serious and critical
// findings.
const axeSerious = `axe.run(document, {resultTypes: ['violations']}).then((r) =>
  r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ' (' + v.impact + '): ' + v.help + ' — ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')))`

// The console's main pages, in Russian (long words) and Arabic (right to
// left), on a small phone (360×640): nothing reaches past the screen's
// edges (wide tables scroll inside their own box), and axe-core finds no
// serious or critical accessibility fault.
func TestConsole_MainPagesFitASmallPhoneInRussianAndArabic(t *testing.T) {
	t.Parallel()
	h, admin, ck := startWithAdmin(t)
	mustSave(t, admin, "/staff/areas", url.Values{"code": {"north"}, "name_en": {"North market"}, "name_ru": {"Северный рынок"}, "name_ar": {"السوق الشمالي"}})
	mustSave(t, admin, "/staff/directory", url.Values{"category": {"hotline"}, "phone": {"+1 555 0100"}, "day0": {"on"},
		"name_en": {"Night line"}, "name_ru": {"Ночная линия"}, "name_ar": {"خط الليل"}})
	if err := h.app.Store().PutWarning(&domain.Warning{ID: "w1", Day: "2026-11-27", State: domain.ReportPending,
		Kind: "robbery", Area: "north", When: "yesterday", Public: "A grey car.", Private: "my regular", Lang: "en",
		// Each kind of identifier: a number Sova cannot read (no country
		// is set), and a long name without a space that must not widen
		// the page.
		Clients: []domain.Client{{Kind: screening.Phone, Raw: "8 912 345 67 89"},
			{Kind: screening.Plate, Raw: "а123вс 777"}, {Kind: screening.Handle, Raw: "instagram/a_very_long_online_name_without_any_space_at_all_xx"}}}); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"ru", "ar"} {
		t.Run(lang, func(t *testing.T) {
			link := testapp.Invite(t, h.app.Handler(), ck, admin.CSRF(t), domain.Roles...)
			b := newBrowser(t)
			b.do(chromedp.EmulateViewport(360, 640, chromedp.EmulateScale(2), chromedp.EmulateMobile,
				chromedp.EmulateTouch, chromedp.EmulatePortrait))
			b.signUpInBrowser(h, link, "staff-"+lang)
			b.do(chromedp.Navigate(h.url("/staff/")))
			b.wait("the console home", `document.readyState === 'complete'`)
			b.do(chromedp.SetValue(`header select[name=lang]`, lang), chromedp.Submit(`header select[name=lang]`))
			b.wait("the console in "+lang, `document.documentElement.lang === '`+lang+`'`)
			for _, p := range []string{"/staff/", "/staff/surveys", "/staff/results", "/staff/people", "/staff/audit",
				"/staff/backups", "/staff/settings", "/staff/areas", "/staff/directory", "/staff/info", "/staff/reports",
				"/staff/devices", "/staff/outreach", "/staff/studio", "/staff/studio/" + lang} {
				b.do(chromedp.Navigate(h.url(p)))
				b.wait(p, `document.readyState === 'complete' && document.documentElement.lang === '`+lang+`'`)
				for _, f := range eval[[]string](b, consoleFaults) {
					t.Errorf("%s %s: %s", lang, p, f)
				}
				eval[bool](b, axe+"\n;true")
				for _, f := range eval[[]string](b, axeSerious) {
					t.Errorf("%s %s: %s", lang, p, f)
				}
				if t.Failed() || os.Getenv("SOVA_SHOTS") != "" {
					b.screenshot("console-" + lang + strings.ReplaceAll(p, "/", "-"))
				}
			}
		})
	}
}

// screenshot keeps the whole page as a PNG under $TMPDIR/sova-shots, to
// look at when a layout test fails (or always, with SOVA_SHOTS=1).
func (b *browser) screenshot(name string) {
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		b.t.Logf("screenshot: %v", err)
		return
	}
	dir := filepath.Join(os.TempDir(), "sova-shots")
	os.MkdirAll(dir, 0o755)
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err == nil {
		b.t.Logf("screenshot: %s", file)
	}
}
