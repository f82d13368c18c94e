package console_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"sova/assets"
	"sova/i18n"
	"sova/internal/testapp"
	"sova/server/domain"
	"sova/server/stats"
)

// syncNeeds sends n needs-survey responses through the sync API, built by
// answers(i), in language lang.
func syncNeeds(t *testing.T, e *testapp.Env, n int, lang string, answers func(i int) map[string]any) {
	t.Helper()
	for i := range n {
		item := e.Phone.Item(t, testapp.NewID(), "needs", 1, lang, answers(i))
		if out := e.Sync(t, item); len(out.Accepted) != 1 {
			t.Fatalf("sync: %+v", out)
		}
	}
}

// group is n people who gave the same answers in one language.
type group struct {
	n       int
	lang    string
	answers map[string]any
}

const formula = `=HYPERLINK("http://x","x")`

// seeded is the data set the results and exports are checked against: 64
// answers to the needs survey, 40 in English and 24 in Russian, all on one
// day. Built so that each rule shows:
//   - phone: 46 smartphone, 14 basic, 4 shared. The 4 are hidden, and so are
//     the 14, which would be 64 − 46 − 4 − the empty rest.
//   - bad_client: 40 yes, 14 no, 10 skipped. Answered (54) is hidden, since
//     64 − 54 would count the skipped, and must not read as a small count;
//     yes still shows, no would leave the 10 and is hidden.
//   - find_clients: street and apps 46, messengers 18, all shown.
//   - work_days: 30 answered "3", all shown.
//   - contact: 60 no, 4 "prefer not to say": Answered 64, every bar hidden.
//   - comments: 2 typed a formula, hidden as a count and defused in exports.
var seeded = []group{
	{30, "en", testapp.With("phone", "smartphone", "bad_client", true, "work_days", 3)},
	{10, "en", testapp.With("phone", "basic", "bad_client", true)},
	{14, "ru", testapp.With("phone", "smartphone", "bad_client", false, "find_clients", []string{"messengers"})},
	{4, "ru", testapp.With("phone", "basic", "find_clients", []string{"messengers"})},
	{4, "ru", testapp.With("phone", "shared", "contact", nil)},
	{2, "ru", testapp.With("comments", formula)},
}

// seed sends the seeded set through the sync API, as phones do, in batches
// as large as a phone sends.
func seed(t *testing.T, e *testapp.Env) {
	t.Helper()
	var items []domain.Sealed
	for _, g := range seeded {
		for range g.n {
			items = append(items, e.Phone.Item(t, testapp.NewID(), "needs", 1, g.lang, g.answers))
		}
	}
	for len(items) > 0 {
		n := min(len(items), domain.MaxBatch)
		if out := e.Sync(t, items[:n]...); len(out.Accepted) != n {
			t.Fatalf("sync: %+v", out)
		}
		items = items[n:]
	}
}

var (
	hid         = fmt.Sprintf("hidden for privacy (fewer than %d)", stats.MinCount)
	hidAnswered = fmt.Sprintf("hidden for privacy (fewer than %d answered, or fewer than %[1]d skipped)", stats.MinCount)
)

// consoleWords is the console's catalog in lang, for what a page or an
// export says in a staffer's language besides the survey's own words.
type consoleWords struct{ *i18n.Catalog }

func consoleIn(t *testing.T, lang string) consoleWords {
	t.Helper()
	_, cats := consoleCatalogs(t)
	if cats[lang] == nil {
		t.Fatalf("no console catalog %s", lang)
	}
	return consoleWords{cats[lang]}
}

// hidden is a hidden figure's words in this language, with the small
// numbers as digits (the languages tested here write them so): hid and
// hidAnswered in English.
func (w consoleWords) hidden(english string) string {
	key := map[string]string{hid: "results.hidden", hidAnswered: "results.hidden.answered"}[english]
	if key == "" {
		return english
	}
	return strings.ReplaceAll(w.T(key), "{min}", strconv.Itoa(stats.MinCount))
}

// wantCharts is the truth of the seeded set over all languages and months,
// worked out by hand (see seeded): per question, Answered, then each
// answer's code and figure in the order shown.
var wantCharts = map[string][]string{
	"phone":        {"64", "smartphone", "46", "basic", hid, "shared", hid, "none", hid, "null", hid},
	"bad_client":   {hidAnswered, "true", "40", "false", hid, "null", hid},
	"find_clients": {"64", "street", "46", "venue", "0", "websites", "0", "apps", "46", "messengers", "18", "social", "0", "regulars", "0", "friends", "0", "other", "0", "null", "0"},
	"work_days":    {"30", "0", "0", "1-2", "0", "3-5", "30", "6-7", "0", "null", "0"},
	"contact":      {"64", "true", hid, "false", hid, "null", hid},
	"comments":     {hidAnswered},
}

// needs is the built-in needs survey, as shipped.
func needs(t *testing.T) *domain.Survey {
	t.Helper()
	b, err := fs.ReadFile(assets.Surveys, "needs.json")
	if err != nil {
		t.Fatal(err)
	}
	var s domain.Survey
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// words names answers as a staffer reading lang should see them, from the
// survey's texts and the member app's words, independently of the console.
type words struct {
	s    *domain.Survey
	lang string
	app  *i18n.Catalog
}

func wordsIn(t *testing.T, s *domain.Survey, lang string) words {
	t.Helper()
	cats, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(cats, func(c *i18n.Catalog) bool { return c.Lang == lang })
	return words{s: s, lang: lang, app: cats[i]}
}

func (w words) question(id string) *domain.Question {
	for i := range w.s.Questions {
		if w.s.Questions[i].ID == id {
			return &w.s.Questions[i]
		}
	}
	panic("no question " + id)
}

func (w words) of(q *domain.Question, code string) string {
	switch {
	case code == "null":
		return w.app.T("answer.prefer_not")
	case q.Type == domain.YesNo:
		return map[string]string{"true": w.app.T("answer.yes"), "false": w.app.T("answer.no")}[code]
	case q.Type == domain.Scale:
		return code + " · " + w.app.T("scale."+code)
	case q.Type == domain.Number:
		return code
	}
	for _, c := range q.Choices {
		if c.Value == code {
			return w.s.Texts[w.lang][c.Text]
		}
	}
	panic("no answer " + code)
}

// chart is one question's section of the results page as a reader sees it.
type chart struct {
	title, answered string
	bars            [][2]string // words, figure
}

// charts reads the results page: question id → its chart.
func charts(t *testing.T, page string) map[string]chart {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]chart{}
	for n := range doc.Descendants() {
		if n.Data != "section" || !hasClass(n, "card") {
			continue
		}
		var c chart
		var id string
		for d := range n.Descendants() {
			switch {
			case d.Data == "h2":
				c.title = text(d)
			case d.Data == "p" && hasClass(d, "muted"):
				id, _, _ = strings.Cut(text(d), " · ")
			case d.Data == "span" && hasClass(d, "answered"):
				c.answered = text(d)
			case d.Data == "li":
				var bar [2]string
				for s := range d.Descendants() {
					if hasClass(s, "bar-label") {
						bar[0] = text(s)
					}
					if hasClass(s, "bar-value") {
						bar[1] = text(s)
					}
				}
				c.bars = append(c.bars, bar)
			}
		}
		if id != "" {
			out[id] = c
		}
	}
	return out
}

func hasClass(n *html.Node, class string) bool {
	for _, a := range n.Attr {
		if a.Key == "class" && slices.Contains(strings.Fields(a.Val), class) {
			return true
		}
	}
	return false
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// The results page, its JSON and every export agree with the seeded set cell
// by cell, in the staffer's language, with small counts hidden the same way
// everywhere and a hidden skipped count never shown as an answered one.
func TestResults_SeededSetCellByCell(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	seed(t, e)
	s := needs(t)

	var tbl stats.Table
	rec := admin.Get(t, "/staff/results/needs/1/results.json")
	if err := json.Unmarshal(rec.Body.Bytes(), &tbl); err != nil {
		t.Fatalf("results.json: %d %v", rec.Code, err)
	}
	if tbl.Responses != (stats.Figure{Count: 64}) {
		t.Errorf("responses %+v, want 64", tbl.Responses)
	}

	for _, lang := range []string{"en", "ru"} {
		t.Run("page in "+lang, func(t *testing.T) {
			if lang != "en" {
				if rec := admin.Post(t, "/staff/me/lang", url.Values{"csrf": {admin.CSRF(t)}, "lang": {lang}}); rec.Code != http.StatusSeeOther {
					t.Fatalf("choose %s: %d", lang, rec.Code)
				}
			}
			page := admin.Get(t, "/staff/results/needs/1").Body.String()
			for _, bad := range []string{"&lt;11", "<11"} {
				if strings.Contains(page, bad) {
					t.Errorf("the page says %q", bad)
				}
			}
			w, cw := wordsIn(t, s, lang), consoleIn(t, lang)
			got := charts(t, page)
			// Every question: the page says what results.json says.
			for i, qt := range tbl.Questions {
				q, c := &s.Questions[i], got[qt.ID]
				if c.title != s.Texts[lang][q.Text] {
					t.Errorf("%s: title %q, want %q", q.ID, c.title, s.Texts[lang][q.Text])
				}
				want := chart{title: c.title, answered: strconv.Itoa(qt.Answered.Count)}
				if qt.Answered.Hidden {
					want.answered = cw.hidden(hidAnswered)
				}
				for _, b := range qt.Bars {
					fig := strconv.Itoa(b.Count)
					if b.Hidden {
						fig = cw.hidden(hid)
					}
					label := w.of(q, b.Value)
					want.bars = append(want.bars, [2]string{label, fig})
				}
				if fmt.Sprint(c) != fmt.Sprint(want) {
					t.Errorf("%s:\n got %v\nwant %v", q.ID, c, want)
				}
			}
			// The questions worked out by hand: the same figures.
			for id, want := range wantCharts {
				q, c := w.question(id), got[id]
				line := []string{c.answered}
				for _, b := range c.bars {
					line = append(line, b[0], b[1])
				}
				exp := []string{cw.hidden(want[0])}
				for k := 1; k < len(want); k += 2 {
					exp = append(exp, w.of(q, want[k]), cw.hidden(want[k+1]))
				}
				if !slices.Equal(line, exp) {
					t.Errorf("%s by hand:\n got %q\nwant %q", id, line, exp)
				}
			}
		})
	}

	// The exports: the raw rows, in codes and in Russian words, the head
	// of the words in Russian too.
	ru := consoleIn(t, "ru")
	wantCodes, wantWords := expectedRows(t, e, s, codeCell), expectedRows(t, e, s, wordsIn(t, s, "ru").cell)
	wantWords[0][0], wantWords[0][1], wantWords[0][2] = ru.T("results.col.day"), ru.T("results.col.version"), ru.T("results.col.lang")
	codes := readCSV(t, admin, "/staff/results/needs/1/export.csv")
	inWords := readCSV(t, admin, "/staff/results/needs/1/export.csv?labels=ru")
	sameRows(t, "CSV in codes", codes, wantCodes)
	sameRows(t, "CSV in words", inWords, wantWords)
	for _, cell := range []string{"Своим смартфоном", "Да", "Не хочу отвечать", "Русский (ru)", "'" + formula, "На улице; В приложениях для знакомств"} {
		if !slices.ContainsFunc(inWords, func(r []string) bool { return slices.Contains(r, cell) }) {
			t.Errorf("CSV in words has no cell %q", cell)
		}
	}

	rec = admin.Get(t, "/staff/results/needs/1/export.xlsx?labels=ru")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("export.xlsx: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheetWords, sheetCodes, sheetQuestions := ru.T("results.sheet.words"), ru.T("results.sheet.codes"), ru.T("results.sheet.questions")
	if got := f.GetSheetList(); !slices.Equal(got, []string{sheetWords, sheetCodes, sheetQuestions}) {
		t.Fatalf("sheets %v", got)
	}
	sameRows(t, "XLSX Labels", sheet(t, f, sheetWords), wantWords)
	sameRows(t, "XLSX Codes", sheet(t, f, sheetCodes), wantCodes)

	// The questions sheet: every question and answer, with the counts of the
	// results page, hidden alike.
	w := wordsIn(t, s, "ru")
	col := func(name string) string { return ru.T("results.col." + name) }
	want := [][]string{
		{col("question"), col("type"), col("text"), col("answer"), col("answertext"), col("count")},
		{"", "", col("responses"), "", "", "64"},
	}
	for i, qt := range tbl.Questions {
		q := &s.Questions[i]
		ans := strconv.Itoa(qt.Answered.Count)
		if qt.Answered.Hidden {
			ans = ru.hidden(hidAnswered)
		}
		want = append(want, []string{q.ID, string(q.Type), s.Texts["ru"][q.Text], "", col("answered"), ans})
		for _, b := range qt.Bars {
			fig := strconv.Itoa(b.Count)
			if b.Hidden {
				fig = ru.hidden(hid)
			}
			label := w.of(q, b.Value)
			want = append(want, []string{"", "", "", b.Value, label, fig})
		}
	}
	got := sheet(t, f, sheetQuestions)
	if len(got) != len(want) {
		t.Fatalf("Questions: %d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], trimRight(want[i])) {
			t.Errorf("Questions row %d:\n got %q\nwant %q", i+1, got[i], want[i])
		}
	}
	// And by hand, for the questions worked out so.
	for id, hand := range wantCharts {
		at := slices.IndexFunc(got, func(r []string) bool { return len(r) > 0 && r[0] == id })
		line := []string{got[at][5]}
		for _, r := range got[at+1 : at+1+(len(hand)-1)/2] {
			line = append(line, r[3], r[5])
		}
		hand = slices.Clone(hand)
		for i := range hand {
			hand[i] = ru.hidden(hand[i])
		}
		if !slices.Equal(line, hand) {
			t.Errorf("Questions %s:\n got %q\nwant %q", id, line, hand)
		}
	}

	// No cell of any sheet is a formula, and the typed one is defused.
	for _, name := range f.GetSheetList() {
		rows, _ := f.GetRows(name)
		for r, row := range rows {
			for c := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if fm, _ := f.GetCellFormula(name, ref); fm != "" {
					t.Errorf("%s!%s is a formula: %s", name, ref, fm)
				}
			}
		}
	}

	audit := e.AuditLog(t)
	var exports []string
	for _, a := range audit {
		if strings.HasPrefix(a.Action, "export") {
			exports = append(exports, a.Action+" "+a.Target)
		}
	}
	// Newest first.
	if want := []string{"export xlsx needs v1 (64 rows)", "export csv needs v1 (64 rows)", "export csv needs v1 (64 rows)"}; !slices.Equal(exports, want) {
		t.Errorf("audited exports %q, want %q", exports, want)
	}
}

// trimRight drops the empty cells at the end of a row, as a sheet reader does.
func trimRight(r []string) []string {
	for len(r) > 0 && r[len(r)-1] == "" {
		r = r[:len(r)-1]
	}
	return r
}

// expectedRows is the export the seeded set should give: a head, then a row
// per response, cells made by cell.
func expectedRows(t *testing.T, e *testapp.Env, s *domain.Survey, cell func(q *domain.Question, v any, ok bool) string) [][]string {
	t.Helper()
	head := []string{"day", "version", "lang"}
	for i := range s.Questions {
		head = append(head, cell(&s.Questions[i], "", false))
	}
	out := [][]string{head}
	day := e.Clock.Now().UTC().Format("2006-01-02")
	for _, g := range seeded {
		// Round-trip the answers through JSON, as they travel.
		b, _ := json.Marshal(g.answers)
		var a map[string]any
		_ = json.Unmarshal(b, &a)
		row := []string{day, "1", cell(nil, g.lang, true)}
		for i := range s.Questions {
			v, ok := a[s.Questions[i].ID]
			if !ok {
				v = nil
			}
			row = append(row, cell(&s.Questions[i], v, ok))
		}
		for range g.n {
			out = append(out, row)
		}
	}
	return out
}

// codeCell is a cell in codes; with q nil, a language; with ok false and a
// string v, the question's head.
func codeCell(q *domain.Question, v any, ok bool) string {
	switch {
	case q == nil:
		return v.(string)
	case !ok:
		if v == "" {
			return q.ID
		}
		return ""
	case v == nil:
		return "null"
	}
	switch v := v.(type) {
	case []any:
		var parts []string
		for _, p := range v {
			parts = append(parts, p.(string))
		}
		return strings.Join(parts, ";")
	case string:
		if strings.HasPrefix(v, "=") {
			return "'" + v
		}
		return v
	}
	return fmt.Sprint(v)
}

// cell is a cell in words.
func (w words) cell(q *domain.Question, v any, ok bool) string {
	switch {
	case q == nil:
		return map[string]string{"en": "English (en)", "ru": "Русский (ru)"}[v.(string)]
	case !ok:
		if v == "" {
			return w.s.Texts[w.lang][q.Text]
		}
		return ""
	case v == nil:
		return w.of(q, "null")
	}
	switch v := v.(type) {
	case []any:
		var parts []string
		for _, p := range v {
			parts = append(parts, w.of(q, p.(string)))
		}
		return strings.Join(parts, "; ")
	case bool:
		return w.of(q, strconv.FormatBool(v))
	case string:
		if q.Type == domain.Text {
			return codeCell(q, v, true)
		}
		return w.of(q, v)
	}
	return fmt.Sprint(v)
}

func readCSV(t *testing.T, c *testapp.Console, path string) [][]string {
	t.Helper()
	rec := c.Get(t, path)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("%s: %d %s", path, rec.Code, rec.Header().Get("Content-Type"))
	}
	body, ok := strings.CutPrefix(body, "\uFEFF")
	if !ok {
		t.Errorf("%s starts without the UTF-8 byte order mark", path)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func sheet(t *testing.T, f *excelize.File, name string) [][]string {
	t.Helper()
	rows, err := f.GetRows(name)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// sameRows compares a head and rows cell by cell; rows of one day come in
// no set order, so both sides are sorted first.
func sameRows(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	norm := func(rows [][]string) [][]string {
		out := make([][]string, len(rows))
		for i, r := range rows {
			out[i] = trimRight(slices.Clone(r))
		}
		slices.SortFunc(out[1:], func(a, b []string) int { return slices.Compare(a, b) })
		return out
	}
	g, w := norm(got), norm(want)
	for i := range w {
		if !slices.Equal(g[i], w[i]) {
			t.Errorf("%s row %d:\n got %q\nwant %q", what, i, g[i], w[i])
			return
		}
	}
}

// The results page and its JSON show what was answered, with every count
// from 1 to 10 hidden, and no figure from which such a count follows.
func TestResults_CountsWithSmallCellsHidden(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	// 14 say "smartphone", 3 say "basic": the 3 must not show, and since
	// "answered" (17) is shown, 17−14 must not give it away either.
	syncNeeds(t, e, 17, "en", func(i int) map[string]any {
		if i < 3 {
			return testapp.With("phone", "basic")
		}
		return testapp.NeedsAnswers()
	})
	rec := admin.Get(t, "/staff/results/needs/1/results.json")
	if rec.Code != http.StatusOK {
		t.Fatalf("results.json: %d %s", rec.Code, rec.Body)
	}
	var tbl stats.Table
	if err := json.Unmarshal(rec.Body.Bytes(), &tbl); err != nil {
		t.Fatal(err)
	}
	var phone *stats.QuestionTable
	for i := range tbl.Questions {
		q := &tbl.Questions[i]
		for _, f := range append([]stats.Bar{{Figure: q.Answered}}, q.Bars...) {
			if !f.Hidden && f.Count >= 1 && f.Count < stats.MinCount {
				t.Errorf("question %s shows a count of %d", q.ID, f.Count)
			}
		}
		if q.ID == "phone" {
			phone = q
		}
	}
	if phone == nil {
		t.Fatal("no phone question in the results")
	}
	var shown, hidden []string
	for _, b := range phone.Bars {
		if b.Hidden {
			hidden = append(hidden, b.Value)
		} else if b.Count > 0 {
			shown = append(shown, b.Value)
		}
	}
	if !(phone.Answered.Hidden || len(hidden) != 1) {
		t.Errorf("phone: answered %d is shown with a single hidden bar %v: it can be subtracted", phone.Answered.Count, hidden)
	}
	if tbl.Responses.Hidden || tbl.Responses.Count != 17 {
		t.Errorf("responses = %+v, want 17 shown", tbl.Responses)
	}

	page := admin.Get(t, "/staff/results/needs/1").Body.String()
	if !strings.Contains(page, hid) || !strings.Contains(page, `class="chart"`) {
		t.Error("the results page draws no chart with hidden counts")
	}
	for _, leak := range []string{">3<", ">14<"} {
		if strings.Contains(page, leak) && phone.Answered.Hidden {
			t.Errorf("the page shows %s", leak)
		}
	}
}

// The raw export holds day, version, language and answers of every
// response, nothing that links a row to a device, and is audited.
func TestExport_RawRowsAsCSVAndJSON(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	syncNeeds(t, e, 2, "ru", func(i int) map[string]any {
		return testapp.With("comments", "=HYPERLINK(\"x\")", "work_days", 3)
	})
	rec := admin.Get(t, "/staff/results/needs/1/export.json")
	if rec.Code != http.StatusOK {
		t.Fatalf("export.json: %d", rec.Code)
	}
	var rows []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	for _, r := range rows {
		keys := []string{}
		for k := range r {
			keys = append(keys, k)
		}
		if len(keys) != 4 || r["day"] != e.Clock.Now().UTC().Format("2006-01-02") || r["version"] != 1.0 || r["lang"] != "ru" {
			t.Errorf("row %v: want exactly day, version 1, lang ru, answers", r)
		}
		ans := r["answers"].(map[string]any)
		if ans["phone"] != "smartphone" || ans["work_days"] != 3.0 {
			t.Errorf("answers %v", ans)
		}
	}

	recs := readCSV(t, admin, "/staff/results/needs/1/export.csv")
	if len(recs) != 3 || recs[0][0] != "day" || recs[0][1] != "version" || recs[0][2] != "lang" {
		t.Fatalf("csv head %v, %d lines", recs[0], len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	row := recs[1]
	if row[col["find_clients"]] != "street;apps" || row[col["police"]] != "false" || row[col["work_days"]] != "3" ||
		row[col["comments"]] != `'=HYPERLINK("x")` || row[col["police_what"]] != "" {
		t.Errorf("csv row %v", row)
	}
	audit := admin.Get(t, "/staff/audit").Body.String()
	if !strings.Contains(audit, "export csv") || !strings.Contains(audit, "export json") {
		t.Error("exports are not in the audit log")
	}
}
