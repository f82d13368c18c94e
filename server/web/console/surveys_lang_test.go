package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"
	htmlesc "html"

	"sova/internal/testapp"
	"sova/server/domain"
)

// The surveys and results pages speak Russian and Arabic through and
// through: the page's language and direction, and no English word in what
// the console itself says. What comes from the survey (its id, its
// questions' ids, the texts its authors wrote) and from the uploaded form
// (its sheets' and columns' names) is the survey's, not the console's;
// names such as XLSForm or Excel are the same in every language.
func TestSurveysAndResults_SpeakTheStaffersLanguage(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	seed(t, e)
	s := needs(t)
	// Words that are no language's: the survey's ids and codes, names, and
	// the settings column a new version raises.
	own := []string{"needs", "XLSForm", "KoboToolbox", "ODK", "Excel", "XLSX", "CSV", "JSON", "Sova",
		"results.json", "assets/surveys/README.md", "media::audio", "English", "xlsx", "zip", "json", "«version»"}
	for _, q := range s.Questions {
		own = append(own, q.ID)
	}
	own = append(own, s.Languages...)
	// The longest first, so that police_what goes whole before police.
	slices.SortFunc(own, func(a, b string) int { return len(b) - len(a) })
	latin := regexp.MustCompile(`[A-Za-z]{2,}`)

	// A new version 1 of needs, other than the stored one: refused as a
	// version that exists. And a form with a mistake: refused by cell.
	exists := needsForm(t, func(b *excelize.File) {
		b.SetCellStr("settings", "A2", "needs")
		heads, _ := b.GetRows("survey")
		for i, h := range heads[0] {
			if strings.HasPrefix(h, "label::") {
				cell, _ := excelize.CoordinatesToCellName(i+1, 2)
				b.SetCellStr("survey", cell, heads[1][i]+"?")
				break
			}
		}
	})
	bad := needsForm(t, func(b *excelize.File) { b.SetCellStr("survey", "A6", "calculate") })

	for _, tc := range []struct{ lang, dir, responses string }{
		{"ru", "ltr", "64"},
		{"ar", "rtl", "٦٤"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			if rec := admin.Post(t, "/staff/me/lang", url.Values{"csrf": {admin.CSRF(t)}, "lang": {tc.lang}}); rec.Code != http.StatusSeeOther {
				t.Fatalf("choose %s: %d", tc.lang, rec.Code)
			}
			cw := consoleIn(t, tc.lang)
			pages := map[string]*struct {
				status int
				body   string
			}{}
			get := func(name, path string) {
				rec := admin.Get(t, path)
				pages[name] = &struct {
					status int
					body   string
				}{rec.Code, rec.Body.String()}
			}
			get("surveys", "/staff/surveys")
			get("results", "/staff/results")
			get("results of needs", "/staff/results/needs/1")
			for name, data := range map[string][]byte{"version exists": exists, "form refused": bad} {
				rec := admin.PostFile(t, "/staff/surveys", url.Values{"csrf": {admin.CSRF(t)}}, "definition", "needs.xlsx", data)
				pages[name] = &struct {
					status int
					body   string
				}{rec.Code, rec.Body.String()}
			}
			for name, p := range pages {
				want := http.StatusOK
				if name == "version exists" || name == "form refused" {
					want = http.StatusUnprocessableEntity
				}
				if p.status != want {
					t.Errorf("%s: status %d, want %d", name, p.status, want)
					continue
				}
				doc, err := html.Parse(strings.NewReader(p.body))
				if err != nil {
					t.Fatal(err)
				}
				for n := range doc.Descendants() {
					if n.Type == html.ElementNode && n.Data == "html" {
						if lang, dir := attr(n, "lang"), attr(n, "dir"); lang != tc.lang || dir != tc.dir {
							t.Errorf("%s: <html lang=%q dir=%q>", name, lang, dir)
						}
					}
					if n.Type != html.TextNode || surveysOwn(n) {
						continue
					}
					rest := n.Data
					for _, w := range own {
						rest = strings.ReplaceAll(rest, w, "")
					}
					if m := latin.FindString(rest); m != "" {
						t.Errorf("%s: %q is English in %q", name, m, strings.TrimSpace(n.Data))
					}
				}
			}
			// The figures are the staffer's: her digits, her words for a
			// hidden one, and why a form was refused.
			results := pages["results of needs"].body
			if !strings.Contains(results, "<strong>"+tc.responses+"</strong>") {
				t.Errorf("results: no %s responses", tc.responses)
			}
			if want := strings.ReplaceAll(cw.T("results.hidden"), "{min}", consoleNum(tc.lang, 11)); !strings.Contains(results, want) {
				t.Errorf("results: nothing says %q", want)
			}
			if want := consoleNum(tc.lang, 1); !strings.Contains(pages["version exists"].body, strings.NewReplacer("{version}", want, "{id}", "needs").Replace(cw.T("surveys.exists"))) {
				t.Errorf("a version that exists is refused in other words:\n%s", pages["version exists"].body)
			}
			if !strings.Contains(pages["form refused"].body, "<th>"+cw.T("surveys.cell.problem")+"</th>") {
				t.Error("the refused form's table has no heads in the staffer's language")
			}
		})
	}
}

// surveysOwn reports whether a text is the survey's or the form's rather
// than the console's: a chart's question and answers, a language's own
// name, a refused form's cell (its sheet, column and, for now, the reason,
// which xlsform writes in English).
func surveysOwn(n *html.Node) bool {
	inTD := false
	for p := n.Parent; p != nil; p = p.Parent {
		switch {
		case p.Data == "td":
			inTD = true
		case inTD && hasClass(p, "problem"),
			p.Data == "h2", p.Data == "option" && attr(p, "value") != "", hasClass(p, "bar-label"),
			p.Data == "header", p.Data == "code":
			return true
		}
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// consoleNum is n in the digits of lang: Arabic-Indic for Arabic.
func consoleNum(lang string, n int) string {
	s := strconv.Itoa(n)
	if lang != "ar" {
		return s
	}
	return strings.Map(func(r rune) rune { return '٠' + (r - '0') }, s)
}

// A refused XLSForm says why each cell was refused, and a refused JSON
// file why each rule was broken, in the staffer's language: the sheet,
// row and column beside the reason, and the file and question before it.
func TestSurveys_RefusalsSpeakTheStaffersLanguage(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	form := needsForm(t, func(b *excelize.File) { b.SetCellStr("survey", "A6", "calculate") })
	definition := []byte(`{"id":"Bad","version":1,"languages":["en"],"title":"t","icon":"sova","texts":{"en":{"t":"T","q":"Q"}},
		"questions":[{"id":"q","type":"text","text":"q","icon":"sova","min":1}]}`)
	for _, lang := range []string{"ru", "ar"} {
		t.Run(lang, func(t *testing.T) {
			if rec := admin.Post(t, "/staff/me/lang", url.Values{"csrf": {admin.CSRF(t)}, "lang": {lang}}); rec.Code != http.StatusSeeOther {
				t.Fatalf("choose %s: %d", lang, rec.Code)
			}
			cw := consoleIn(t, lang)
			rec := admin.PostFile(t, "/staff/surveys", url.Values{"csrf": {admin.CSRF(t)}}, "definition", "needs.xlsx", form)
			want := "<td>survey</td><td>" + consoleNum(lang, 6) + "</td><td>type</td><td>" + htmlesc.EscapeString(cw.T("problem.xlsform.type.calculate")) + "</td>"
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), want) {
				t.Errorf("XLSForm: %d, the reply lacks %s:\n%s", rec.Code, want, rec.Body.String())
			}
			rec = admin.PostFile(t, "/staff/surveys", url.Values{"csrf": {admin.CSRF(t)}}, "definition", "old.xls", []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1})
			if want := htmlesc.EscapeString(cw.T("problem.xlsform.file.xls")); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), want) {
				t.Errorf("an old .xls: %d, the reply lacks %s:\n%s", rec.Code, want, rec.Body.String())
			}
			rec = admin.PostFile(t, "/staff/surveys", url.Values{"csrf": {admin.CSRF(t)}}, "definition", "bad.json", definition)
			for _, want := range []string{
				"bad.json: " + strings.ReplaceAll(cw.T("problem.survey.id"), "{id}", "Bad"),
				"bad.json: " + strings.ReplaceAll(cw.T("surveys.problem.question"), "{question}", "q") + ": " + cw.T("problem.question.minmax_type"),
			} {
				if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), htmlesc.EscapeString(want)) {
					t.Errorf("JSON: %d, the reply lacks %s:\n%s", rec.Code, want, rec.Body.String())
				}
			}
			// A file that is not JSON: where, and what stands there, in
			// her words and digits rather than encoding/json's.
			rec = admin.PostFile(t, "/staff/surveys", url.Values{"csrf": {admin.CSRF(t)}}, "definition", "broken.json", []byte("{\n  \"id\": \"x\",\n  \"required\" true\n}"))
			want = "broken.json: " + strings.NewReplacer("{line}", consoleNum(lang, 3), "{column}", consoleNum(lang, 14), "{char}", "t").Replace(cw.T("problem.json.syntax"))
			if body := rec.Body.String(); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, htmlesc.EscapeString(want)) || strings.Contains(body, "invalid character") {
				t.Errorf("broken JSON: %d, the reply lacks %s:\n%s", rec.Code, want, body)
			}
		})
	}
}
