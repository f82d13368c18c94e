package app_test

import (
	"bytes"
	"encoding/binary"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"sova/internal/chrome"
	"sova/internal/listen"
	"sova/server/domain"
	"sova/server/screening"
)

// The client's number in the forms a member may meet it.
const (
	checkTyped  = "8 912 345-67-89"
	checkArabic = "٨ ٩١٢ ٣٤٥ ٦٧ ٨٩"
	checkShared = "Call me +7 912 345-67-89 tonight"
)

// checkDigits are what must never be found on the phone: the number's
// digits in every form they could be kept in.
var checkDigits = []string{"9123456789", "912 345", "912-345", "9 1 2 3", "٩١٢٣٤٥"}

// A member checks a client offline: the number she types (in English,
// Russian and Arabic, at a small phone's size) or shares from another app
// finds the two warnings about him, said and shown; another number finds
// nothing, said with its caveat; a month later, still offline, the
// warnings have expired and match no more. The number is in no file of the
// browser's profile, no URL of its history and no response it received.
func TestCheck_TypedAndSharedNumbersFindTheirWarningsOffline(t *testing.T) {
	t.Parallel()
	h, admin, _ := startWithAdmin(t)
	mustSave(t, admin, "/staff/areas", url.Values{"code": {"centre"}, "name_en": {"Centre"}, "name_ru": {"Центр"}, "name_ar": {"الوسط"}})
	db := h.app.Store()
	st, err := db.Settings()
	if err != nil {
		t.Fatal(err)
	}
	st.Country = "RU"
	if err := db.PutSettings(st); err != nil {
		t.Fatal(err)
	}
	p, err := db.ScreeningParams()
	if err != nil {
		t.Fatal(err)
	}
	hash := func(kind screening.Kind, raw string) []byte {
		id, err := screening.Normalize(kind, raw, "RU")
		if err != nil {
			t.Fatal(err)
		}
		sum, err := p.Hash(kind, id)
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	day := func(d int) string { return time.Now().UTC().AddDate(0, 0, d).Format(time.DateOnly) }
	for _, w := range []*domain.Warning{
		{ID: "w1", State: domain.ReportApproved, Kind: "violence", Area: "centre", When: "today", Day: day(-2), Expires: day(12),
			Clients: []domain.Client{{Kind: screening.Phone, Raw: "+7 912 345 67 89", Hash: hash(screening.Phone, "+7 912 345 67 89")}}},
		{ID: "w2", State: domain.ReportApproved, Kind: "no-payment", When: "today", Day: day(-20), Expires: day(5),
			Clients: []domain.Client{{Kind: screening.Phone, Raw: "89123456789", Hash: hash(screening.Phone, "89123456789")},
				{Kind: screening.Plate, Raw: "А123ВС77", Hash: hash(screening.Plate, "А123ВС77")}}},
	} {
		if err := db.PutWarning(w); err != nil {
			t.Fatal(err)
		}
	}
	h.stop()
	h.start("") // the site is rebuilt with them, as a moderator's decision does

	ctx, profile := chrome.NewWithProfile(t, chromedp.Flag("autoplay-policy", "no-user-gesture-required"))
	b := &browser{t: t, ctx: ctx, profile: profile}
	if err := listen.Install(b.ctx); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.EmulateViewport(360, 640, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	received := watchResponses(t, b)
	for _, lang := range []string{"en", "ru", "ar"} {
		b.do(chromedp.Navigate(h.url("/" + lang + "/")))
		b.wait(lang+" kept offline", `document.body.dataset.offline === '`+h.app.Version()+`'`)
		// She opened the check once with signal: its voice is kept.
		b.do(chromedp.Navigate(h.url("/" + lang + "/check")))
		b.wait(lang+" check's voice kept", `(async () => {
		  const stems = [...new Set(document.documentElement.innerHTML.match(/\/audio\/[^"'&\s\\]+\.[0-9a-f]{8}/g))];
		  for (const s of stems) if (!(await caches.match(s + '.webm'))) return false;
		  return stems.length > 20;
		})()`)
	}
	// The home page leads to the check, with its own icon and voice.
	b.do(chromedp.Navigate(h.url("/en/")))
	b.wait("home", `document.readyState === 'complete'`)
	if !eval[bool](b, `!!document.querySelector('a.tile[href$="/check"] img[src*="/icons/check-client."]') && !!document.querySelector('a.tile[href$="/check"] + .spk[data-say]')`) {
		t.Error("home has no check tile with its icon and voice")
	}
	h.stop()

	for lang, typed := range map[string]string{"en": checkTyped, "ru": checkTyped, "ar": checkArabic} {
		b.do(chromedp.Navigate(h.url("/" + lang + "/check")))
		b.wait(lang+" check offline", `!!document.querySelector('main.check') && document.readyState === 'complete'`)
		typeNumber(b, typed)
		found(t, b, lang)
		if w := eval[int](b, `document.documentElement.scrollWidth`); w > 360 {
			t.Errorf("%s: the check is %d px wide on a 360 px phone", lang, w)
		}
		if t.Failed() || os.Getenv("SOVA_SHOTS") != "" {
			b.screenshot("check-" + lang)
		}
		// She heard each digit as she typed it.
		if !eval[bool](b, `(() => { const d = JSON.parse(document.querySelector('input.tel').dataset.digits); const played = __heard.filter((h) => h.e === 'play').map((h) => h.u); return [8, 9, 1, 2, 3].every((n) => played.includes(d[n])); })()`) {
			t.Errorf("%s: the digits she typed were not said back", lang)
		}
	}

	// Another number: nothing known, and never "safe" alone.
	b.do(chromedp.Navigate(h.url("/en/check")))
	b.wait("the check offline", `!!document.querySelector('main.check') && document.readyState === 'complete'`)
	typeNumber(b, "+7 900 000-00-00")
	b.wait("nothing known, said to its end", `(() => { const p = document.querySelector('.result p.none'); return !p.hidden && __heard.some((h) => h.e === 'ended' && h.u === p.dataset.say); })()`)
	if got := eval[string](b, `document.querySelector('.result[role=status]').innerText`); !strings.Contains(got, "Nothing known about this number. That does not mean he is safe.") {
		t.Errorf("another number reads %q", got)
	}

	// Shared from another app: the OS posts it to the share target. Here a
	// form stands in for the OS; it is not Sova's, so it must not leave the
	// number in the profile itself (autofill, the page's saved form state).
	b.do(chromedp.Navigate(h.url("/en/")))
	b.wait("home offline", `document.readyState === 'complete'`)
	eval[bool](b, `(() => {
	  const f = document.createElement('form');
	  f.method = 'post'; f.enctype = 'multipart/form-data'; f.action = '/en/check/share'; f.autocomplete = 'off';
	  const i = document.createElement('input'); i.name = 'text'; i.value = '`+checkShared+`';
	  f.append(i); document.body.append(f); f.submit(); return true;
	})()`)
	b.wait("the check, filled in from the share", `location.pathname === '/en/check' && !!document.querySelector('main.check') && document.querySelector('input.tel').value !== ''`)
	found(t, b, "en")
	// The shared words went to the worker in a POST, never into a URL.
	hist, err := chromedp.Call(b.ctx, page.GetNavigationHistory, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range hist.Entries {
		if strings.Contains(e.URL, "912") || strings.Contains(e.URL, "share") || strings.Contains(e.URL, "?") {
			t.Errorf("the history holds %s", e.URL)
		}
	}

	// A month on, still offline: both warnings have expired.
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: laterClock}); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Navigate(h.url("/en/check")))
	b.wait("the check a month later", `!!document.querySelector('main.check') && document.readyState === 'complete'`)
	typeNumber(b, checkTyped)
	b.wait("an expired warning matches no more", `!document.querySelector('.result p.none').hidden`)

	b.do(chromedp.Navigate(h.url("/en/")))
	b.wait("home", `document.readyState === 'complete'`)
	for _, d := range checkDigits {
		assertAbsent(t, "browser profile", b.profile, d)
		assertAbsent(t, "browser profile (UTF-16)", b.profile, utf16le(d))
		for _, r := range received() {
			if strings.Contains(r, d) {
				t.Errorf("a response the phone received holds %q: %.200s", d, r)
			}
		}
	}
}

// typeNumber types s into the check's keypad as a finger does, one
// character at a time, and taps "check".
func typeNumber(b *browser, s string) {
	b.t.Helper()
	eval[bool](b, `(async (s) => {
	  const t = document.querySelector('input.tel');
	  t.value = '';
	  for (const ch of s) {
	    t.value += ch;
	    t.dispatchEvent(new Event('input', { bubbles: true }));
	    await new Promise((r) => setTimeout(r, 30));
	  }
	  document.querySelector('button.go').click();
	  return true;
	})(`+jsString(s)+`)`)
}

// found waits until the two warnings are shown and every word of the
// result was heard to its end: how many, then each one's kind, area and
// when.
func found(t *testing.T, b *browser, lang string) {
	t.Helper()
	b.waitOr(lang+": two warnings found, said to the end", `(() => {
	  const m = document.querySelector('main.check');
	  if (document.querySelector('.result p.found').hidden || document.querySelectorAll('.hits li').length !== 2) return false;
	  const d = (k) => JSON.parse(m.dataset[k]);
	  // The area's name is the organisation's: its voice comes once made.
	  const want = [d('counts')['2'], d('kinds').violence.v, d('ago').week.v, d('kinds')['no-payment'].v, d('ago').month.v];
	  if (d('areas').centre.v) want.push(d('areas').centre.v);
	  const ended = __heard.filter((h) => h.e === 'ended').map((h) => h.u);
	  return want.every((w) => w && ended.includes(w));
	})()`, `JSON.stringify({shown: document.querySelector('.result').innerText, heard: __heard.slice(-12)})`)
	got := eval[string](b, `document.querySelector('.result[role=status]').innerText`)
	want := map[string][]string{
		"en": {"2 warnings about him", "Violence", "Centre", "This week", "He did not pay", "This month"},
		"ru": {"2 предупреждения о нём", "Насилие", "Центр", "На этой неделе", "Не заплатил", "В этом месяце"},
		"ar": {"تَحْذيران", "الوسط", "هذا الأُسْبوع", "هذا الشَّهْر"},
	}[lang]
	if !contains(got, want...) {
		t.Errorf("%s: the result reads %q, want %q", lang, got, want)
	}
}

// watchResponses records the body of every response the page received.
func watchResponses(t *testing.T, b *browser) func() []string {
	var mu sync.Mutex
	var ids []network.RequestID
	if err := chromedp.Listen(b.ctx, func(ev any) {
		if e, ok := ev.(*network.EventLoadingFinished); ok {
			mu.Lock()
			ids = append(ids, e.RequestID)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		got := append([]network.RequestID(nil), ids...)
		mu.Unlock() // the listener waits on it, and the browser's answers on the listener
		var out []string
		for _, id := range got {
			if r, err := chromedp.Call(b.ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id}); err == nil {
				out = append(out, string(r.Body))
			}
		}
		return out
	}
}

func utf16le(s string) string {
	var buf bytes.Buffer
	for _, u := range utf16.Encode([]rune(s)) {
		binary.Write(&buf, binary.LittleEndian, u)
	}
	return buf.String()
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
