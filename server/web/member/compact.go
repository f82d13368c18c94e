package member

import (
	"bytes"
	"strings"
)

// compactJS drops from a script what only its readers need: indentation,
// blank lines and lines that are wholly a comment. Budget B2 counts every
// byte a phone downloads to work offline, and the app's comments are a
// third of its scripts. Each line of code stays a line of its own, so
// automatic semicolons fall where they did; comments after code stay (a
// "//" there may be in a string or a regular expression). A file with a
// template literal over several lines, whose indentation is its content,
// is left as it is.
func compactJS(src []byte) []byte {
	lines := bytes.Split(src, []byte("\n"))
	for _, l := range lines {
		if bytes.Count(l, []byte("`"))%2 == 1 {
			return src
		}
	}
	var out bytes.Buffer
	out.Grow(len(src))
	for _, l := range lines {
		t := strings.TrimSpace(string(l))
		if t == "" || strings.HasPrefix(t, "//") ||
			(strings.HasPrefix(t, "/*") && strings.Index(t, "*/") == len(t)-2) {
			continue
		}
		out.WriteString(t)
		out.WriteByte('\n')
	}
	return out.Bytes()
}
