package https

import (
	"strings"
	"testing"
)

// A domain no CA would certify stops Sova at start, saying what to write.
func TestNew_RefusesWhatNoCAWouldCertify(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "empty",
		"https://sova.example.org": "bare name",
		"sova.example.org:443":     "bare name",
		"*.example.org":            "bare name",
		"203.0.113.9":              "not an address",
		"sova":                     "has a dot",
		"sova.example.org/app":     "bare name",
	} {
		if _, err := New(Config{Domain: in}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("-domain %q: %v; want an error saying %q", in, err, want)
		}
	}
	c, err := New(Config{Domain: "Sova.Example.org."})
	if err != nil || c.Domain() != "sova.example.org" {
		t.Errorf("a name in capitals with the root's dot: %v %v", c, err)
	}
}
