package main

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The files in deploy/ are copied onto servers as they are, and a setting
// Sova does not know is ignored without a word: a renamed flag would leave
// a server without backups or HTTPS and nobody told. So every SOVA_*
// variable and every -flag they name must be one that sova knows.
var deployFiles = []string{"../../deploy/sova.service", "../../deploy/sova.env.example"}

var (
	// A flag as `sova -h` lists it: "  -backup-dir string".
	helpFlag = regexp.MustCompile(`(?m)^\s+-([a-z][a-z0-9-]*)`)
	// A flag as the files mention it: a single dash at the start of a word,
	// then at least two letters (one letter is some other tool's flag, and
	// "--" is not sova's style).
	mentionedFlag = regexp.MustCompile("(?:^|[\\s`(\\[])-([a-z][a-z0-9]+(?:-[a-z0-9]+)*)")
	sovaVar       = regexp.MustCompile(`\bSOVA_[A-Z0-9_]+\b`)
)

func TestDeploy_FilesNameOnlySettingsSovaKnows(t *testing.T) {
	// The real binary's -h, as a person on the server would read it. It
	// exits 1 (flag.ErrHelp); only what it printed matters.
	out, _ := exec.Command(sovaBinary(t), "-h").CombinedOutput()
	flags := map[string]bool{}
	for _, m := range helpFlag.FindAllStringSubmatch(string(out), -1) {
		flags[m[1]] = true
	}
	if !flags["addr"] || !flags["data"] {
		t.Fatalf("sova -h lists no -addr or -data; it printed:\n%s", out)
	}
	// A variable is known if -h names it or the command reads it by name
	// (SOVA_KEY_FILE and SOVA_SALT have no flag).
	vars := map[string]bool{}
	for _, v := range sovaVar.FindAllString(string(out), -1) {
		vars[v] = true
	}
	for v := range varsReadBySource(t) {
		vars[v] = true
	}

	named := 0
	for _, file := range deployFiles {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			for _, v := range sovaVar.FindAllString(line, -1) {
				named++
				if !vars[v] {
					t.Errorf("%s:%d names %s, which sova does not read:\n\t%s", filepath.Base(file), n, v, line)
				}
			}
			for _, m := range mentionedFlag.FindAllStringSubmatch(line, -1) {
				named++
				if !flags[m[1]] {
					t.Errorf("%s:%d names -%s, which `sova -h` does not list:\n\t%s", filepath.Base(file), n, m[1], line)
				}
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	// Guard against a pattern that matches nothing.
	if named < 10 {
		t.Errorf("found only %d settings named in %v; the patterns no longer match the files", named, deployFiles)
	}
}

// varsReadBySource returns the SOVA_* names written as string literals in
// this command's own (non-test) source: those it reads from the
// environment.
func varsReadBySource(t *testing.T) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]bool{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && sovaVar.MatchString(s) && sovaVar.FindString(s) == s {
				vars[s] = true
			}
			return true
		})
	}
	if len(vars) == 0 {
		t.Fatal("found no SOVA_* variable in the command's source")
	}
	return vars
}
