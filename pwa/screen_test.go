package pwa_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"sova/server/screening"
)

const screenPage = `<!doctype html><meta charset="utf-8"><title>screen test</title>
<script type="module">
import * as screen from '/js/screen.js';
window.screen_ = screen;
window.hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
</script>`

// What a member types on her phone becomes the identifier the server made
// of the same words (package screening, with libphonenumber), and the same
// hash: a phone and the list must agree, or a warning never matches.
func TestScreen_PhoneAndServerAgree(t *testing.T) {
	ctx := openModulePage(t, screenPage, `typeof window.screen_?.hash === 'function'`)
	phones := map[string][]string{
		"RU": {"+7 912 345-67-89", "8 912 345 67 89", "9123456789", "8 (912) 345-67-89", "+7(912)3456789", "89123456789",
			"٨ ٩١٢ ٣٤٥ ٦٧ ٨٩", "８９１２３４５６７８９", "810 34 612 345 678", "8 800 555 35 35", "8 912", "hello", "", "+7 495 123-45-67"},
		"KZ": {"8 701 234 56 78", "+7 701 234 5678"},
		"ES": {"612 34 56 78", "+34 612-345-678", "0034 612 345 678", "(+34) 612345678", "612.345.678", "12"},
		"FR": {"06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678", "06.12.34.56.78", "+33 (0)6 12 34 56 78", "01 23 45 67 89"},
		"EG": {"010 1234 5678", "+20 10 1234 5678", "٠١٠١٢٣٤٥٦٧٨", "۰۱۰ ۱۲۳۴ ۵۶۷۸", "00201012345678"},
		"MA": {"06 12 34 56 78", "+212 6-12-34-56-78", "٠٦١٢٣٤٥٦٧٨"},
	}
	for region, ins := range phones {
		rules, err := screening.RulesFor(region)
		if err != nil {
			t.Fatal(err)
		}
		rj, _ := json.Marshal(rules)
		for _, in := range ins {
			want, err := screening.NormalizePhone(in, region)
			if err != nil {
				want = ""
			}
			inj, _ := json.Marshal(in)
			if got := evalJS[string](t, ctx, fmt.Sprintf(`screen_.normalizePhone(%s, %s)`, inj, rj)); got != want {
				t.Errorf("%s %q: the phone reads %q, the server %q", region, in, got, want)
			}
		}
	}
	if _, err := screening.RulesFor("AR"); err == nil {
		t.Error("Argentina's numbers change shape when dialled; the phone cannot read them offline")
	}

	for _, in := range []string{"А123ВС 77", "a 123 bc 77", "1234 BCD", "AB-123-CD", "أ ب ج ١٢٣", "Ж 555 Я", "ＡＢ－１２３－ＣＤ"} {
		want, _ := screening.NormalizePlate(in)
		inj, _ := json.Marshal(in)
		if got := evalJS[string](t, ctx, fmt.Sprintf(`screen_.normalizePlate(%s)`, inj)); got != want {
			t.Errorf("plate %q: the phone reads %q, the server %q", in, got, want)
		}
	}
	for _, c := range [][2]string{{"@Natasha_88", "telegram"}, {" NATASHA 88 ", "Instagram"}, {"Straße", "vk"}, {"ΣΊΣΥΦΟΣ", "vk"}, {"Наташа", "vk"}} {
		want, _ := screening.NormalizeHandle(c[0], c[1])
		js, _ := json.Marshal(c)
		if got := evalJS[string](t, ctx, fmt.Sprintf(`screen_.normalizeHandle(...%s)`, js)); got != want {
			t.Errorf("handle %q: the phone reads %q, the server %q", c, got, want)
		}
	}

	p := screening.Params{Salt: []byte("sova-screening-test-salt-0001"), Iterations: 1000, Bytes: 8}
	for _, c := range []struct {
		kind screening.Kind
		id   string
	}{{screening.Phone, "+79123456789"}, {screening.Plate, "A123BC77"}, {screening.Handle, "vk/наташа"}} {
		want, err := p.Hash(c.kind, c.id)
		if err != nil {
			t.Fatal(err)
		}
		js := fmt.Sprintf(`(async () => hex(await screen_.hash({salt: new TextEncoder().encode(%q), iterations: %d, bytes: %d}, %q, %q)))()`,
			p.Salt, p.Iterations, p.Bytes, c.kind, c.id)
		if got := evalJS[string](t, ctx, js); got != hex.EncodeToString(want) {
			t.Errorf("%s %q: the phone hashes %s, the server %x", c.kind, c.id, got, want)
		}
	}
}
