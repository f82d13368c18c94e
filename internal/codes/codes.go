// Package codes finds, by reading a package's source, every code it can
// give: the string literal each call of the functions that make its
// errors passes as the code. Tests use it to prove that every code is
// translated in every catalog, without a list to keep by hand.
package codes

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// In returns, once each and in the order met, the code each call in dir's
// Go files (tests aside) of a function or method named in calls passes at
// the argument calls gives, with prefix before it. A code that is not a
// string literal fails tb: made at run time, it would escape the check.
func In(tb testing.TB, dir, prefix string, calls map[string]int) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no Go files in %s (%v)", dir, err)
	}
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			tb.Fatal(err)
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
			i, ok := calls[name]
			if !ok || len(call.Args) <= i {
				return true
			}
			lit, ok := call.Args[i].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				tb.Errorf("%s: a code is not a literal", fset.Position(call.Pos()))
				return true
			}
			code, _ := strconv.Unquote(lit.Value)
			if !slices.Contains(out, prefix+code) {
				out = append(out, prefix+code)
			}
			return true
		})
	}
	return out
}
