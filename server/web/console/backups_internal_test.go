package console

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"strconv"
	"strings"
	"testing"

	"sova/i18n"
)

// Every reason the backup package gives a failure (its Failure constants)
// is said in every console language, so that an admin never meets the
// system's words alone.
func TestBackupFailures_AreSaidInEveryConsoleLanguage(t *testing.T) {
	file, err := parser.ParseFile(token.NewFileSet(), "../../backup/backup.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	ast.Inspect(file, func(n ast.Node) bool {
		if spec, ok := n.(*ast.ValueSpec); ok {
			if typ, ok := spec.Type.(*ast.Ident); ok && typ.Name == "Failure" {
				for _, v := range spec.Values {
					if lit, ok := v.(*ast.BasicLit); ok {
						s, _ := strconv.Unquote(lit.Value)
						reasons = append(reasons, s)
					}
				}
			}
		}
		return true
	})
	if len(reasons) < 6 {
		t.Fatalf("found only %v: has the way failures are named changed?", reasons)
	}
	cats, err := i18n.LoadConsole()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cats {
		for _, r := range reasons {
			if key := "backups.error." + r; c.T(key) == key {
				t.Errorf("%s: no %s", c.Lang, key)
			}
		}
	}
}

// A certificate that cannot be read is said in her language, the kept
// one that is damaged apart from the database that failed, with the
// system's words beside it for whoever runs the server.
func TestCertSection_SaysWhyTheCertificateCannotBeRead(t *testing.T) {
	cats, err := i18n.LoadConsole()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cats {
		if c.Lang != "ru" && c.Lang != "ar" {
			continue
		}
		v := consoleView{cat: c}
		for _, tc := range []struct {
			cert certView
			key  string
		}{
			{certView{On: true, Domain: "sova.example.org", Err: "the kept certificate is damaged: x509: malformed certificate", Damaged: true}, "backups.cert.damaged"},
			{certView{On: true, Domain: "sova.example.org", Err: "https: stopped"}, "backups.cert.unreadable"},
		} {
			var b bytes.Buffer
			if err := certSection(v, tc.cert).Render(context.Background(), &b); err != nil {
				t.Fatal(err)
			}
			page := html.UnescapeString(b.String())
			for _, want := range []string{v.Tf(tc.key, "domain", "sova.example.org"), v.T("backups.detail"), ">" + tc.cert.Err + "</code>"} {
				if !strings.Contains(page, want) {
					t.Errorf("%s: %q lacks %q", c.Lang, page, want)
				}
			}
		}
	}
}
