package screening

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

// Numbers as members and moderators write them, in the countries of the
// organisations Sova serves: spaces, dashes, brackets, dots, national
// prefixes, international prefixes, + and digits in other scripts all give
// the one E.164 number.
func TestNormalizePhone_OneNumberHoweverItIsWritten(t *testing.T) {
	for _, c := range []struct {
		region string
		want   string
		ins    []string
	}{
		{"RU", "+79123456789", []string{"+7 912 345-67-89", "8 912 345 67 89", "9123456789", "8 (912) 345-67-89", "+7(912)3456789", "89123456789", "٨ ٩١٢ ٣٤٥ ٦٧ ٨٩", "８９１２３４５６７８９"}},
		{"RU", "+34612345678", []string{"+34 612 345 678", "810 34 612 345 678"}},
		{"ES", "+34612345678", []string{"612 34 56 78", "+34 612-345-678", "0034 612 345 678", "(+34) 612345678", "612.345.678"}},
		{"FR", "+33612345678", []string{"06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678", "06.12.34.56.78", "+33 (0)6 12 34 56 78"}},
		{"EG", "+201012345678", []string{"010 1234 5678", "+20 10 1234 5678", "٠١٠١٢٣٤٥٦٧٨", "۰۱۰ ۱۲۳۴ ۵۶۷۸", "00201012345678"}},
		{"MA", "+212612345678", []string{"06 12 34 56 78", "+212 6-12-34-56-78", "٠٦١٢٣٤٥٦٧٨"}},
	} {
		for _, in := range c.ins {
			got, err := NormalizePhone(in, c.region)
			if err != nil || got != c.want {
				t.Errorf("%s %q: %q %v; want %s", c.region, in, got, err, c.want)
			}
		}
	}
	for _, in := range []string{"", "hello", "12", "+7", "8 912"} {
		if got, err := NormalizePhone(in, "RU"); !errors.Is(err, ErrNotANumber) {
			t.Errorf("%q: %q %v; want ErrNotANumber", in, got, err)
		}
	}
}

// A plate typed in Cyrillic or Latin, with spaces, dashes and small letters,
// is one plate; letters that only look alike across scripts are folded, and
// letters of other scripts stay.
func TestNormalizePlate_FoldsLookalikesAndSigns(t *testing.T) {
	for in, want := range map[string]string{
		"А123ВС 77":   "A123BC77",
		"a 123 bc 77": "A123BC77",
		"A123BC77":    "A123BC77",
		"а-123-вс|77": "A123BC77",
		"1234 BCD":    "1234BCD",
		"AB-123-CD":   "AB123CD",
		"ab 123 cd":   "AB123CD",
		"أ ب ج ١٢٣":   "أبج123",
		"Ж 555 Я":     "Ж555Я",
		"ＡＢ－１２３－ＣＤ":   "AB123CD",
	} {
		if got, err := NormalizePlate(in); err != nil || got != want {
			t.Errorf("%q: %q %v; want %q", in, got, err, want)
		}
	}
	if _, err := NormalizePlate(" - "); !errors.Is(err, ErrEmpty) {
		t.Errorf("a plate of signs only: %v", err)
	}
}

func TestNormalizeHandle_CaseFoldedOnItsSite(t *testing.T) {
	for _, c := range []struct{ raw, site, want string }{
		{"@Natasha_88", "telegram", "telegram/natasha_88"},
		{" natasha_88 ", "Telegram", "telegram/natasha_88"},
		{"NATASHA_88", "instagram", "instagram/natasha_88"},
		{"Straße", "vk", "vk/straße"},
		{"ΣΊΣΥΦΟΣ", "vk", "vk/σίσυφοσ"},
		{"Наташа 88", "vk", "vk/наташа88"},
	} {
		if got, err := NormalizeHandle(c.raw, c.site); err != nil || got != c.want {
			t.Errorf("%q on %q: %q %v; want %q", c.raw, c.site, got, err, c.want)
		}
	}
	for _, c := range [][2]string{{"@", "vk"}, {"x", ""}} {
		if _, err := NormalizeHandle(c[0], c[1]); !errors.Is(err, ErrEmpty) {
			t.Errorf("%q: %v", c, err)
		}
	}
}

// The hash of an identifier depends on its kind, the organisation's salt
// and the iterations, is cut to the length asked, and is the same every
// time; parameters that would make a weak list are refused.
func TestParamsHash(t *testing.T) {
	p := Params{Salt: []byte("sova-screening-test-salt-0001"), Iterations: 1000, Bytes: 8}
	a, err := p.Hash(Phone, "+79123456789")
	if err != nil || len(a) != 8 {
		t.Fatalf("%x %v", a, err)
	}
	// Python's hashlib.pbkdf2_hmac and Node's crypto.pbkdf2Sync give the
	// same for "phone:+79123456789" with this salt and count.
	if got := hex.EncodeToString(a); got != "90a41ee007eed915" {
		t.Errorf("hash %s, want 90a41ee007eed915", got)
	}
	again, _ := p.Hash(Phone, "+79123456789")
	plate, _ := p.Hash(Plate, "+79123456789")
	other := p
	other.Salt = []byte("another-organisations-salt-0002")
	theirs, _ := other.Hash(Phone, "+79123456789")
	if !bytes.Equal(a, again) || bytes.Equal(a, plate) || bytes.Equal(a, theirs) {
		t.Errorf("same %x %x, another kind %x, another salt %x", a, again, plate, theirs)
	}
	for _, bad := range []Params{{Salt: p.Salt, Iterations: 1000}, {Salt: p.Salt, Bytes: 8}, {Salt: []byte("short"), Iterations: 1000, Bytes: 8}, {Salt: p.Salt, Iterations: 1000, Bytes: 33}} {
		if _, err := bad.Hash(Phone, "+79123456789"); err == nil {
			t.Errorf("%+v was taken", bad)
		}
	}
}
