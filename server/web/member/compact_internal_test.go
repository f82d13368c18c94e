package member

import "testing"

func TestCompactJS_KeepsEveryLineOfCodeAndDropsComments(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"// why\nconst a = 1; // kept: may be in a string\n\n  if (a) {\n    f('//x')\n  }\n", "const a = 1; // kept: may be in a string\nif (a) {\nf('//x')\n}\n"},
		{"/* global x */\n/* a */ b();\nc()\n", "/* a */ b();\nc()\n"},
		{"const s = `a\n  b`;\n// c\n", "const s = `a\n  b`;\n// c\n"}, // a template over lines: as it is
		{"const r = /\\/\\//;\nx\n", "const r = /\\/\\//;\nx\n"},
	} {
		if got := string(compactJS([]byte(c.in))); got != c.want {
			t.Errorf("compactJS(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
