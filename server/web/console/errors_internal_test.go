package console

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sova/i18n"
	"sova/server/domain"
)

// errorKeys finds every key a domain.Error can carry, with the names of
// its values, by reading the server's source: keys and names are literals
// where an error is made (domain.Refuse), so that reading finds them all;
// one that is not a literal fails the test rather than going unchecked.
func errorKeys(t *testing.T) map[string][]string {
	t.Helper()
	keys := map[string][]string{}
	literal := func(fset *token.FileSet, e ast.Expr, what string) (string, bool) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			t.Errorf("%s: an error's %s is not a literal", fset.Position(e.Pos()), what)
			return "", false
		}
		s, _ := strconv.Unquote(lit.Value)
		return s, true
	}
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || !isRefuse(call.Fun) {
				return true
			}
			if len(call.Args) < 3 || (len(call.Args)-3)%2 != 0 {
				t.Errorf("%s: Refuse takes a code, a key, a format and pairs", fset.Position(call.Pos()))
				return true
			}
			key, ok := literal(fset, call.Args[1], "key")
			if !ok {
				return true
			}
			names := []string{}
			for i := 3; i < len(call.Args); i += 2 {
				if name, ok := literal(fset, call.Args[i], "value's name"); ok {
					names = append(names, name)
				}
			}
			slices.Sort(names)
			if had, ok := keys[key]; ok && !slices.Equal(had, names) {
				t.Errorf("%s: error.%s is given %v here and %v elsewhere", fset.Position(call.Pos()), key, names, had)
			}
			keys[key] = names
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) < 40 {
		t.Fatalf("found only %d error keys: has the way errors are made changed?", len(keys))
	}
	return keys
}

// isRefuse reports whether fn is domain.Refuse (Refuse inside domain).
func isRefuse(fn ast.Expr) bool {
	switch fn := fn.(type) {
	case *ast.Ident:
		return fn.Name == "Refuse"
	case *ast.SelectorExpr:
		pkg, ok := fn.X.(*ast.Ident)
		return ok && pkg.Name == "domain" && fn.Sel.Name == "Refuse"
	}
	return false
}

// Every sentence a domain error can be said by is in every console
// catalog, with one {place} for each value the error carries and no
// other, so that no staff member meets the English fallback or a place
// left unfilled.
func TestErrorKeys_AreSaidInEveryConsoleLanguage(t *testing.T) {
	cats, err := i18n.LoadConsole()
	if err != nil {
		t.Fatal(err)
	}
	place := regexp.MustCompile(`\{([a-z]+)\}`)
	for key, names := range errorKeys(t) {
		for _, c := range cats {
			text := c.T("error." + key)
			if text == "error."+key || text == "" {
				t.Errorf("%s: no error.%s", c.Lang, key)
				continue
			}
			got := []string{}
			for _, m := range place.FindAllStringSubmatch(text, -1) {
				got = append(got, m[1])
			}
			slices.Sort(got)
			if got = slices.Compact(got); !slices.Equal(got, names) {
				t.Errorf("%s: error.%s fills %v; the error gives %v", c.Lang, key, got, names)
			}
		}
	}
}

// An error is said from its key and values: numbers in the reader's
// digits, a role by its name; without a sentence in her catalog it shows
// as the domain wrote it.
func TestSay_FillsTheSentenceFromTheErrorsValues(t *testing.T) {
	cats, err := i18n.LoadConsole()
	if err != nil {
		t.Fatal(err)
	}
	views := map[string]consoleView{}
	for _, c := range cats {
		views[c.Lang] = consoleView{cat: c}
	}
	long := domain.Refuse(domain.CodeInvalid, "info.long", "%s: the page is %d characters long; at most %d fit", "lang", "ru", "length", 12345, "max", 10000)
	filled := func(lang, length, max string) string {
		return strings.NewReplacer("{lang}", "ru", "{length}", length, "{max}", max).Replace(views[lang].T("error.info.long"))
	}
	for _, tc := range []struct {
		lang string
		err  error
		want string
	}{
		{"ru", domain.Refuse(domain.CodeForbidden, "role", "this page needs the %s role", "role", domain.RoleFieldWorker), "Для этой страницы нужна роль «аутрич-работник»."},
		{"ru", long, filled("ru", "12\u00a0345", "10\u00a0000")},
		{"ar", long, filled("ar", "١٢٬٣٤٥", "١٠٬٠٠٠")},
		{"en", long, "ru: the page is 12,345 characters long; at most 10,000 fit."},
		{"ru", domain.Refuse(domain.CodeInvalid, "no.such.sentence", "as %s wrote it", "who", "the domain"), "as the domain wrote it"},
		{"ru", domain.Errorf(domain.CodeInvalid, "no key at all"), "no key at all"},
		{"en", domain.Refuse(domain.CodeInvalid, "settings.words", "%s: the notification's words fit in %d characters", "lang", "{max}", "max", 40),
			"{max}: the notification's words fit in 40 characters."},
		{"ru", errors.New("not a domain error"), "not a domain error"},
	} {
		if got := views[tc.lang].Say(tc.err); got != tc.want {
			t.Errorf("%s: %v says %q, want %q", tc.lang, tc.err, got, tc.want)
		}
	}
}
