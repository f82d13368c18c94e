package xlsform_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"sova/i18n"
)

// problemCodes finds every problem code the survey rules (domain) and the
// form reader (xlsform) can give, as the console looks each up
// (problem.<code>). Codes are written as literals where a problem is made,
// so that reading the source finds them all; a code that is not a literal
// fails the test rather than going unchecked.
func problemCodes(t *testing.T) []string {
	t.Helper()
	sources := []struct {
		dir    string
		calls  map[string]int // function or method name → the code's argument
		prefix string
	}{
		{"../domain", map[string]int{"add": 1}, ""},
		{".", map[string]int{"add": 3, "because": 0, "refuseFile": 1}, "xlsform."},
	}
	var codes []string
	for _, src := range sources {
		files, _ := filepath.Glob(filepath.Join(src.dir, "*.go"))
		for _, f := range files {
			if filepath.Ext(f) != ".go" || len(f) > 8 && f[len(f)-8:] == "_test.go" {
				continue
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				var name string
				switch fn := call.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				}
				i, ok := src.calls[name]
				if !ok || len(call.Args) <= i {
					return true
				}
				lit, ok := call.Args[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Errorf("%s: a problem's code is not a literal", fset.Position(call.Pos()))
					return true
				}
				code, _ := strconv.Unquote(lit.Value)
				if !slices.Contains(codes, src.prefix+code) {
					codes = append(codes, src.prefix+code)
				}
				return true
			})
		}
	}
	if len(codes) < 60 {
		t.Fatalf("found only %d problem codes: has the way they are made changed?", len(codes))
	}
	return codes
}

// Every problem a survey upload can be refused with is said in every
// console language, so that no staffer meets the English fallback.
func TestProblemCodes_AreSaidInEveryConsoleLanguage(t *testing.T) {
	cats, err := i18n.LoadConsole()
	if err != nil {
		t.Fatal(err)
	}
	codes := problemCodes(t)
	for _, c := range cats {
		for _, code := range codes {
			if key := "problem." + code; c.T(key) == key || c.T(key) == "" {
				t.Errorf("%s: no %s", c.Lang, key)
			}
		}
	}
}
