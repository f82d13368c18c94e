package console

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"sova/server/domain"
	"sova/server/stats"
)

// exportRow is one raw response as exported: nothing that links rows to a
// device or to each other (no id, no time, rows in random id order).
type exportRow struct {
	Day     string         `json:"day"`
	Version int            `json:"version"`
	Lang    string         `json:"lang"`
	Answers domain.Answers `json:"answers"`
}

// Export gives admins the raw rows, as CSV, XLSX or JSON, and audits it.
//
// CSV holds codes, or with ?labels= the questions and answers in words
// (the language named, if the survey has it, else the staffer's own). XLSX
// holds both, on a sheet each, and a third describing every question and
// its choices with the counts of the results page, hidden as there.
func (s *Console) Export(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		sv, rows, err := s.versionRows(c)
		if err != nil {
			return err
		}
		if err := s.audit(c, "export "+format, fmt.Sprintf("%s v%d (%d rows)", sv.ID, sv.Version, len(rows))); err != nil {
			return err
		}
		// Rows come in id order, which is random: it says nothing about
		// when they arrived. Sort by day so the file reads naturally.
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Day < rows[j].Day })
		name := fmt.Sprintf("%s-v%d.%s", sv.ID, sv.Version, format)
		h := c.Response().Header()
		h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
		h.Set("Cache-Control", "no-store")
		l := s.labels(sv, s.labelLang(c, sv))
		v := s.exportView(c, l.lang)
		switch format {
		case "json":
			out := make([]exportRow, len(rows))
			for i, r := range rows {
				out[i] = exportRow{Day: r.Day, Version: sv.Version, Lang: r.Lang, Answers: r.Answers}
			}
			return c.JSON(http.StatusOK, out)
		case "xlsx":
			h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			c.Response().WriteHeader(http.StatusOK)
			return writeXLSX(c.Response(), v, l, rows, stats.Compute(sv, rows).View(stats.Filter{}))
		}
		h.Set("Content-Type", "text/csv; charset=utf-8")
		c.Response().WriteHeader(http.StatusOK)
		return writeCSV(c.Response(), table{v: v, l: l, words: c.QueryParam("labels") != ""}, rows)
	}
}

// exportView speaks the console's words of an export (column heads, sheet
// names, "hidden for privacy") in the language of its labels when the
// console has that language, else in the staffer's own.
func (s *Console) exportView(c echo.Context, lang string) consoleView {
	v := s.consoleView(c)
	if cat := s.words.byCode[lang]; cat != nil {
		v.cat = cat
	}
	return v
}

// labelLang is the language an export's words are in: the one ?labels=
// names when the survey has it, else the staffer's own.
func (s *Console) labelLang(c echo.Context, sv *domain.Survey) string {
	if l := c.QueryParam("labels"); slices.Contains(sv.Languages, l) {
		return l
	}
	return s.staffLang(c)
}

// table lays raw rows out as cells, with codes or in words. A cell is a
// string, an int or a float64; strings are made safe only when written
// (safeCell), in one place for CSV and XLSX. In codes, the head is codes
// too (day, version, lang and the question ids), the same in every
// language, for scripts that read it.
type table struct {
	v     consoleView
	l     labels
	words bool
}

func (t table) head() []any {
	head := []any{"day", "version", "lang"}
	if t.words {
		head = []any{t.v.T("results.col.day"), t.v.T("results.col.version"), t.v.T("results.col.lang")}
	}
	for i := range t.l.sv.Questions {
		q := &t.l.sv.Questions[i]
		if t.words {
			head = append(head, t.l.question(q))
		} else {
			head = append(head, q.ID)
		}
	}
	return head
}

func (t table) row(r stats.Row) []any {
	lang := r.Lang
	if t.words {
		lang = t.l.language(r.Lang)
	}
	rec := []any{r.Day, t.l.sv.Version, lang}
	for i := range t.l.sv.Questions {
		rec = append(rec, t.answer(&t.l.sv.Questions[i], r.Answers))
	}
	return rec
}

// answer is one answer as a cell: empty when absent (skipped or not shown);
// "null", or "prefer not to say" in words; choices joined by ";" (by "; "
// in words); a number as a number.
func (t table) answer(q *domain.Question, a domain.Answers) any {
	v, ok := a[q.ID]
	switch {
	case !ok:
		return ""
	case v == nil:
		if t.words {
			return t.l.value(q, stats.NullValue)
		}
		return stats.NullValue
	}
	switch v := v.(type) {
	case float64:
		if q.Type == domain.Scale && t.words {
			return t.l.value(q, strconv.FormatFloat(v, 'f', -1, 64))
		}
		return v
	case bool:
		if t.words {
			return t.l.value(q, strconv.FormatBool(v))
		}
		return strconv.FormatBool(v)
	case string:
		if t.words && q.Type != domain.Text {
			return t.l.value(q, v)
		}
		return v
	case []string, []any:
		var parts []string
		for _, p := range asList(v) {
			if t.words {
				p = t.l.value(q, p)
			}
			parts = append(parts, p)
		}
		if t.words {
			return strings.Join(parts, "; ")
		}
		return strings.Join(parts, ";")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func asList(v any) []string {
	if l, ok := v.([]string); ok {
		return l
	}
	var out []string
	for _, p := range v.([]any) {
		out = append(out, fmt.Sprint(p))
	}
	return out
}

// writeCSV writes a UTF-8 byte order mark first: without it Excel reads the
// file in the computer's legacy code page, and Cyrillic or Arabic turns to
// mojibake.
func writeCSV(out io.Writer, t table, rows []stats.Row) error {
	if _, err := io.WriteString(out, "\uFEFF"); err != nil {
		return err
	}
	w := csv.NewWriter(out)
	write := func(cells []any) {
		rec := make([]string, len(cells))
		for i, c := range cells {
			rec[i] = csvText(c)
		}
		w.Write(rec)
	}
	write(t.head())
	for _, r := range rows {
		write(t.row(r))
	}
	w.Flush()
	return w.Error()
}

func csvText(cell any) string {
	switch v := safeCell(cell).(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

// safeCell defuses a string cell a spreadsheet would run as a formula
// (csvSafe). Numbers are Sova's own and stay numbers.
func safeCell(cell any) any {
	if s, ok := cell.(string); ok {
		return csvSafe(s)
	}
	return cell
}

// csvSafe defuses a typed answer that a spreadsheet would run as a formula:
// one that starts with a formula sign, in its ASCII or full-width form,
// even after spaces or line breaks (spreadsheets skip them), or with a tab
// or carriage return.
func csvSafe(s string) string {
	first, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(s, unicode.IsSpace))
	if strings.ContainsRune("=+-@＝＋－＠", first) || strings.HasPrefix(s, "\t") || strings.HasPrefix(s, "\r") {
		return "'" + s
	}
	return s
}

// writeXLSX writes the workbook: the rows in words, the rows in codes, and
// the questions with their choices and counts (tab: all languages, all
// months). Every string goes in as an inline string, never as a formula, and
// through safeCell, since people copy cells into other sheets.
func writeXLSX(out io.Writer, v consoleView, l labels, rows []stats.Row, tab *stats.Table) error {
	// Sheet names in the export's language.
	sheetWords, sheetCodes, sheetQuestions := v.T("results.sheet.words"), v.T("results.sheet.codes"), v.T("results.sheet.questions")
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheetWords); err != nil {
		return err
	}
	for _, name := range []string{sheetCodes, sheetQuestions} {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	for _, sh := range []struct {
		name string
		t    table
	}{{sheetWords, table{v: v, l: l, words: true}}, {sheetCodes, table{v: v, l: l}}} {
		lines := [][]any{sh.t.head()}
		for _, r := range rows {
			lines = append(lines, sh.t.row(r))
		}
		if err := streamSheet(f, sh.name, lines); err != nil {
			return err
		}
	}
	if err := streamSheet(f, sheetQuestions, questionLines(v, l, tab)); err != nil {
		return err
	}
	_, err := f.WriteTo(out)
	return err
}

// streamSheet writes lines to a sheet through excelize's stream writer,
// which keeps a large export on disk rather than in memory.
func streamSheet(f *excelize.File, sheet string, lines [][]any) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, line := range lines {
		cells := make([]any, len(line))
		for j, c := range line {
			if c != "" { // an empty cell stays blank, not an empty string
				cells[j] = safeCell(c)
			}
		}
		ref, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := sw.SetRow(ref, cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// questionLines describe the survey: for each question its id, type and
// text and how many answered, then each answer's code, words and count.
// Counts are the results page's, over all languages and months, and a
// hidden one says so, as there.
func questionLines(v consoleView, l labels, tab *stats.Table) [][]any {
	count := func(f stats.Figure) any {
		if f.Hidden {
			return hiddenText(v)
		}
		return f.Count
	}
	lines := [][]any{
		{v.T("results.col.question"), v.T("results.col.type"), v.T("results.col.text"), v.T("results.col.answer"), v.T("results.col.answertext"), v.T("results.col.count")},
		{"", "", v.T("results.col.responses"), "", "", count(tab.Responses)},
	}
	for i := range l.sv.Questions {
		q, qt := &l.sv.Questions[i], tab.Questions[i]
		answered := any(qt.Answered.Count)
		if qt.Answered.Hidden {
			answered = answeredText(v, qt.Answered)
		}
		lines = append(lines, []any{q.ID, string(q.Type), l.question(q), "", v.T("results.col.answered"), answered})
		for _, b := range qt.Bars {
			lines = append(lines, []any{"", "", "", b.Value, l.value(q, b.Value), count(b.Figure)})
		}
	}
	return lines
}
