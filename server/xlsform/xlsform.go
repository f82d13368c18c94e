// Package xlsform reads surveys written as XLSForm (the spreadsheets ODK and
// KoboToolbox users already write) and writes any survey version back out as
// one, so that staff build surveys in the tool they know instead of JSON.
//
// Only what a Sova survey can say is taken: one question a screen, the
// question types of domain.QuestionType, showIf, number ranges, words in
// several languages and an icon for everything. Whatever else a form says is
// refused with the cell that says it, every such cell at once, so that a
// form is fixed in one pass and nothing is ever half-imported. The read
// survey is then checked by domain.ParseSurvey, the same as an uploaded
// JSON file.
//
// Sova's additions to XLSForm, which ODK and Kobo ignore:
//   - a sova_icon column on the survey and choices sheets, and in settings
//     for the survey's tile;
//   - form_title::<Language> (<code>) in settings, the title in each
//     language, and media::audio::<Language> (<code>) there, its recording;
//   - a sova_text column on the survey, choices and settings sheets: the
//     text key of the row's words (by which the studio finds their voice),
//     where it is not the one Sova gives (<form_id>.<name>,
//     <question's key>.<choice>, <form_id>.title), so that a survey
//     uploaded as JSON keeps its keys through a form;
//   - a select_one whose list holds exactly the choices yes and no is a
//     Sova yes/no question: Sova says "yes" and "no" itself, with its icons
//     and voice, in every language;
//   - range with start=1 end=5 step=1 is Sova's 1–5 scale of faces;
//   - integer is a number question of whole numbers ("whole"), decimal one
//     that takes fractions too.
package xlsform

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The sheets of an XLSForm.
const (
	sheetSurvey   = "survey"
	sheetChoices  = "choices"
	sheetSettings = "settings"
	sheetIcons    = "icons" // Sova's, in exports and the template; ignored when read
)

// Problem is one cell Sova cannot take, said so that the person who wrote
// the form finds it: the sheet, the row as the spreadsheet numbers it, and
// the column by its header and letter. An upload that holds no form Sova
// can read (an old .xls, a zip without a form) has one Problem, with no
// sheet: it is the whole file.
type Problem struct {
	Sheet   string
	Row     int
	Column  string // the header, such as "relevant"
	Cell    string // such as "F7"; "" for a column the sheet lacks
	Message string // in English, for logs
	// Code names the reason and Args what fills its words, so that the
	// console says it in its reader's language (problem.<Code>): this
	// package's reasons are xlsform.<code>, a survey rule's (placed on its
	// cell) keep domain.Problem's code. A reason
	// about a group's condition, said on the group's row, has the
	// question's row in Args["forrow"].
	Code string
	Args map[string]string
}

func (p Problem) String() string {
	if p.Sheet == "" {
		return p.Message
	}
	where := fmt.Sprintf("sheet %s, row %d, column %s", p.Sheet, p.Row, p.Column)
	if p.Cell != "" {
		where += " (" + p.Cell + ")"
	}
	return where + ": " + p.Message
}

// Error lists every problem of one form.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return e.File + ": the form cannot be taken:\n" + strings.Join(lines, "\n")
}

// Language is what a written form says about a language besides the
// survey's own words: its name in column headers (label::Русский (ru)), and
// the words a yes/no question's choices show in ODK. The zero value writes
// the code as the name and English yes and no.
type Language struct {
	Name, Yes, No string
}

// column is one header of a sheet, split as XLSForm spells them:
// label::English (en), media::audio::English (en).
type column struct {
	index int
	head  string // as written
	base  string // lower case, without the language: "label", "media::audio"
	lang  string // the language part as written, "" if none
	code  string // the code in its brackets, "" if none
}

var langCode = regexp.MustCompile(`\(\s*([^()]*?)\s*\)\s*$`)

func parseColumn(i int, head string) column {
	c := column{index: i, head: head}
	parts := strings.Split(strings.TrimSpace(head), "::")
	n := 1
	if strings.EqualFold(strings.TrimSpace(parts[0]), "media") && len(parts) > 1 {
		n = 2 // media::audio is one column kind
	}
	for j := range min(n, len(parts)) {
		parts[j] = strings.ToLower(strings.TrimSpace(parts[j]))
	}
	c.base = strings.Join(parts[:min(n, len(parts))], "::")
	c.lang = strings.TrimSpace(strings.Join(parts[min(n, len(parts)):], "::"))
	if m := langCode.FindStringSubmatch(c.lang); m != nil {
		c.code = m[1]
	}
	// What older forms and Kobo's builder also write.
	switch c.base {
	case "audio":
		c.base = "media::audio"
	case "relevance":
		c.base = "relevant"
	case "list name":
		c.base = "list_name"
	}
	return c
}

// letter is a column's name in the spreadsheet: A, B, …, AA.
func letter(index int) string {
	s, _ := excelize.ColumnNumberToName(index + 1)
	return s
}

// langHead is a column header for a language, as Kobo writes it.
func langHead(base, code string, langs map[string]Language) string {
	return base + "::" + langName(code, langs)
}

// langName is a language as XLSForm names it: English (en).
func langName(code string, langs map[string]Language) string {
	name := langs[code].Name
	if name == "" {
		name = code
	}
	return name + " (" + code + ")"
}
