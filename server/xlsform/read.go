package xlsform

import (
	"archive/zip"
	"bytes"
	"io"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"sova/server/domain"
)

// maxUnzip bounds what an upload may unpack to: a form is tens of
// kilobytes, and the upload itself at most a megabyte, but a zip's sizes
// may lie.
const maxUnzip = 32 << 20

// Form is a form as read: the survey, and the recordings that came with it
// in a zip (media::audio columns).
type Form struct {
	Survey *domain.Survey
	Audio  []Audio
}

// Audio is one recording named by a media::audio cell: the phrase it
// speaks, and the file as it came.
type Audio struct {
	Lang, Key, File string
	Data            []byte
}

// Read reads an XLSForm, or a zip holding one beside the audio files its
// media::audio cells name. name is the uploaded file's, for messages. A form
// Sova cannot take fully is refused with an *Error listing every cell; one
// that reads but breaks a survey rule, with those rules' problems placed on
// the cells they came from.
func Read(name string, data []byte, assets domain.Assets) (*Form, error) {
	book, media, err := open(name, data)
	if err != nil {
		return nil, err
	}
	defer book.Close()
	r := &reader{assets: assets, book: book, media: media, refused: map[string]map[int]bool{}, broken: map[string]bool{}, said: map[string]phrase{}, voiced: map[string]string{}}
	sv, audio := r.read()
	if !r.unreadable {
		// Even beside other problems, the survey's own rules may find
		// more: listed now, they need no second upload.
		r.check(name, sv)
	}
	if len(r.probs) > 0 {
		return nil, &Error{File: name, Problems: r.probs}
	}
	return &Form{Survey: sv, Audio: audio}, nil
}

// open finds the workbook, alone or in a zip with its media. name is the
// upload's, for messages.
func open(name string, data []byte) (*excelize.File, map[string][]byte, error) {
	if bytes.HasPrefix(data, []byte{0xd0, 0xcf, 0x11, 0xe0}) {
		return nil, nil, refuseFile(name, "file.xls", "this is an old Excel file (.xls): save it as .xlsx and upload that")
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, refuseFile(name, "file.kind", "this is not an .xlsx file, nor a .zip holding one")
	}
	xlsx, media := data, map[string][]byte(nil)
	if !slices.ContainsFunc(zr.File, func(f *zip.File) bool { return f.Name == "xl/workbook.xml" }) {
		xlsx, media = nil, map[string][]byte{}
		for _, f := range zr.File {
			base := path.Base(f.Name)
			if f.FileInfo().IsDir() || strings.HasPrefix(f.Name, "__MACOSX/") || strings.HasPrefix(base, ".") {
				continue // what macOS adds when it zips a folder
			}
			b, err := readZipped(name, f)
			if err != nil {
				return nil, nil, err
			}
			switch {
			case strings.EqualFold(path.Ext(base), ".xlsx") && xlsx != nil:
				return nil, nil, refuseFile(name, "file.zip_forms", "the zip holds more than one .xlsx file; put one form in it")
			case strings.EqualFold(path.Ext(base), ".xlsx"):
				xlsx = b
			default:
				media[base] = b
			}
		}
		if xlsx == nil {
			return nil, nil, refuseFile(name, "file.zip_no_form", "the zip holds no .xlsx form")
		}
	}
	book, err := excelize.OpenReader(bytes.NewReader(xlsx), excelize.Options{UnzipSizeLimit: maxUnzip})
	if err != nil {
		return nil, nil, refuseFile(name, "file.unreadable", "the spreadsheet cannot be read (%v); save it again as .xlsx", "detail", err)
	}
	return book, media, nil
}

func readZipped(name string, f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, refuseFile(name, "file.zipped", "%s in the zip cannot be read (%v): make the zip again", "file", f.Name, "detail", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxUnzip+1))
	switch {
	case err != nil:
		return nil, refuseFile(name, "file.zipped", "%s in the zip cannot be read (%v): make the zip again", "file", f.Name, "detail", err)
	case len(b) > maxUnzip:
		return nil, refuseFile(name, "file.zipped_large", "%s in the zip is larger than %d MB: a form and its recordings are much smaller", "file", f.Name, "mb", maxUnzip>>20)
	}
	return b, nil
}

// refuseFile refuses an upload as a whole: it holds no form Sova can read,
// so there is no cell to name. Its code is a literal, as add's.
func refuseFile(name, code, format string, pairs ...any) *Error {
	msg, args := domain.Worded(format, pairs...)
	return &Error{File: name, Problems: []Problem{{Code: "xlsform." + code, Args: args, Message: msg}}}
}

// sheet is one sheet's cells. rows[i] is the spreadsheet's row i+1, so
// rows[0] is the header.
type sheet struct {
	name string
	cols []column
	rows [][]string
}

func (s *sheet) find(base string) []column {
	var out []column
	for _, c := range s.cols {
		if c.base == base {
			out = append(out, c)
		}
	}
	return out
}

// col is the sheet's first column of base, or one it lacks (index -1).
func (s *sheet) col(base string) column {
	if cs := s.find(base); len(cs) > 0 {
		return cs[0]
	}
	return column{index: -1, head: base, base: base}
}

func cell(row []string, c column) string {
	if c.index < 0 || c.index >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[c.index])
}

func blank(row []string) bool {
	return !slices.ContainsFunc(row, func(s string) bool { return strings.TrimSpace(s) != "" })
}

type reader struct {
	assets domain.Assets
	book   *excelize.File
	media  map[string][]byte // files beside the form in its zip; nil for a bare form
	probs  []Problem
	// unreadable is set when too little could be read (no survey sheet,
	// no language) for the survey's own rules to say anything useful.
	unreadable bool

	langs       []string // codes, in the order of the survey sheet's label columns
	defaultLang string

	settings, survey, choices *sheet
	settingsRow               []string
	lists                     map[string]*list
	// The columns of each language: the survey sheet's labels (which say
	// what the languages are), and the choices sheet's.
	labels, audioCols, choiceLabels, choiceAudio map[string]column
	// Where each question came from, to place the survey rules' problems.
	rowOf   map[string]int   // question id → survey row
	listOf  map[string]*list // question id → its choices
	refused map[string]map[int]bool
	broken  map[string]bool // names of questions refused
	// Every text key read, where its words came from, and each recording's
	// file by language and key: two phrases may share a key only saying
	// the same.
	said   map[string]phrase
	voiced map[string]string
}

type phrase struct {
	sheet string
	row   int
	words map[string]string
}

// add refuses a cell. code is a literal (a test finds every one in the
// source and checks the console's catalogs say it); pairs are each a name
// and its value, the values filling format's verbs in order.
func (r *reader) add(sh string, row int, c column, code, format string, pairs ...any) {
	msg, args := domain.Worded(format, pairs...)
	r.put(sh, row, c, reason{code: "xlsform." + code, msg: msg, args: args})
}

// reason is why a cell is refused, before it is placed.
type reason struct {
	code, msg string
	args      map[string]string
}

// because is a reason, worded as add words one. Its code is this
// package's (xlsform.<code>); a survey rule's problem keeps the domain's.
func because(code, format string, pairs ...any) reason {
	msg, args := domain.Worded(format, pairs...)
	return reason{code: "xlsform." + code, msg: msg, args: args}
}

// put refuses a cell, once however many times it is read (a choice list
// two questions ask is read for each).
func (r *reader) put(sh string, row int, c column, why reason) {
	p := Problem{Sheet: sh, Row: row, Column: c.head, Code: why.code, Args: why.args, Message: why.msg}
	if c.index >= 0 {
		p.Cell = letter(c.index) + strconv.Itoa(row)
	}
	if slices.ContainsFunc(r.probs, func(q Problem) bool { return q.String() == p.String() }) {
		return
	}
	r.probs = append(r.probs, p)
	if r.refused[sh] == nil {
		r.refused[sh] = map[int]bool{}
	}
	r.refused[sh][row] = true
}

// lacking is a column a sheet does not have, named for messages.
func lacking(head string) column { return column{index: -1, head: head} }

// sheet reads the sheet named name in any case, or nil.
func (r *reader) sheet(name string) *sheet {
	for _, n := range r.book.GetSheetList() {
		if !strings.EqualFold(strings.TrimSpace(n), name) {
			continue
		}
		// Raw values: a version 2024051501 must not come as 2.02405E+09,
		// nor a TRUE cell as anything but 1.
		rows, _ := r.book.GetRows(n, excelize.Options{RawCellValue: true})
		if len(rows) == 0 {
			rows = [][]string{nil}
		}
		s := &sheet{name: name, rows: rows}
		for i, h := range rows[0] {
			if strings.TrimSpace(h) != "" {
				s.cols = append(s.cols, parseColumn(i, h))
			}
		}
		return s
	}
	return nil
}

// langOf is the language code of a column (label::English (en)); a column
// with none is in the default language.
func (r *reader) langOf(sh string, c column) (string, bool) {
	code := c.code
	switch {
	case c.lang == "" && r.defaultLang == "":
		r.add(sh, 1, c, "language.none", "%s has no language: name the column %s::English (en), with the language's code in brackets, or say default_language in the settings sheet", "column", c.head, "base", c.base)
		return "", false
	case c.lang == "":
		code = r.defaultLang
	case code == "" && domain.ValidLanguage(c.lang):
		code = c.lang // label::ru
	case code == "":
		r.add(sh, 1, c, "language.no_code", "the language has no code: write %s::%s (xx), with its code, such as en or ru, in brackets", "base", c.base, "lang", c.lang)
		return "", false
	}
	if !domain.ValidLanguage(code) {
		r.add(sh, 1, c, "language.code", "%q is not a language code such as en, ru or pt-BR", "code", code)
		return "", false
	}
	return code, true
}

// langCols finds the columns of base in each of the survey's languages,
// reporting once a header that names no language or another one.
func (r *reader) langCols(s *sheet, base string) map[string]column {
	out := map[string]column{}
	for _, c := range s.find(base) {
		code, ok := r.langOf(s.name, c)
		switch {
		case !ok:
		case !slices.Contains(r.langs, code):
			r.add(s.name, 1, c, "language.not_in_survey", "the survey sheet has no label column in %s, so neither can this sheet", "lang", code)
		case out[code].head != "":
			r.add(s.name, 1, c, "language.twice", "%s is also for %s", "column", out[code].head, "lang", code)
		default:
			out[code] = c
		}
	}
	return out
}

// read reads the whole form into a survey, and the recordings with it.
func (r *reader) read() (*domain.Survey, []Audio) {
	sv := &domain.Survey{Texts: map[string]map[string]string{}}
	r.readSettings(sv)
	if r.survey = r.sheet(sheetSurvey); r.survey == nil {
		r.add(sheetSurvey, 1, lacking("type"), "sheet.no_survey", "there is no survey sheet: the form's questions go on a sheet named survey")
		r.unreadable = true
		return sv, nil
	}
	r.labels = map[string]column{}
	for _, c := range r.survey.find("label") {
		code, ok := r.langOf(sheetSurvey, c)
		switch {
		case !ok:
		case slices.Contains(r.langs, code):
			r.add(sheetSurvey, 1, c, "label.twice", "another label column is also for %s", "lang", code)
		default:
			r.langs = append(r.langs, code)
			r.labels[code] = c
		}
	}
	if len(r.langs) == 0 {
		if len(r.survey.find("label")) == 0 {
			r.add(sheetSurvey, 1, lacking("label"), "label.none", "there is no label column: add label::English (en), one for each language")
		}
		r.unreadable = true
		return sv, nil
	}
	sv.Languages = r.langs
	for _, l := range r.langs {
		sv.Texts[l] = map[string]string{}
	}
	title := r.readTitle(sv)
	r.readChoices()
	return sv, append(title, r.readQuestions(sv)...)
}

func (r *reader) readSettings(sv *domain.Survey) {
	if r.settings = r.sheet(sheetSettings); r.settings == nil {
		r.add(sheetSettings, 2, lacking("form_id"), "sheet.no_settings", "there is no settings sheet: add one with form_id, version, form_title and sova_icon")
		return
	}
	s := r.settings
	if len(s.rows) > 1 {
		r.settingsRow = s.rows[1]
	}
	row := r.settingsRow
	if c := s.col("default_language"); cell(row, c) != "" {
		v := cell(row, c)
		if m := langCode.FindStringSubmatch(v); m != nil {
			v = m[1]
		}
		if !domain.ValidLanguage(v) {
			r.add(sheetSettings, 2, c, "settings.default_language", "write the language with its code in brackets, such as English (en)")
			v = ""
		}
		r.defaultLang = v
	}
	c := s.col("form_id")
	switch sv.ID = cell(row, c); {
	case sv.ID == "":
		r.add(sheetSettings, 2, c, "settings.no_id", "the survey needs an id: lower-case letters, digits, _ and -; keep it the same in every version")
	case !domain.ValidSurveyID(sv.ID):
		r.add(sheetSettings, 2, c, "settings.id", "%q cannot be a survey's id: use 1–40 lower-case letters, digits, _ and -", "id", sv.ID)
	}
	c = s.col("version")
	v, err := strconv.Atoi(cell(row, c))
	if err != nil || v < 1 {
		r.add(sheetSettings, 2, c, "settings.version", "the version must be a whole number from 1, such as 1 or 2024051501: Sova keeps each answer with the version it answered")
	}
	sv.Version = v
	sv.Icon = r.icon(s, 2, row, "")
}

// readTitle takes form_title in each language, and its recordings.
func (r *reader) readTitle(sv *domain.Survey) []Audio {
	s := r.settings
	if s == nil {
		s = &sheet{name: sheetSettings} // its absence is said already
	}
	cols := r.langCols(s, "form_title")
	sv.Title = textKey(s, r.settingsRow, titleKey(sv.ID))
	words := map[string]string{}
	for _, l := range r.langs {
		c, ok := cols[l]
		if !ok {
			c = lacking("form_title::" + l)
		}
		if words[l] = cell(r.settingsRow, c); words[l] == "" {
			r.add(sheetSettings, 2, c, "settings.no_title", "the survey's title has no words in %s: its tile needs them in every language", "lang", l)
		}
	}
	r.say(sv, s, 2, sv.Title, words)
	audio := r.langCols(s, "media::audio")
	return r.keyed(r.recordings(s, 2, r.settingsRow, audio), sv.Title, s, 2, audio)
}

// The text keys of a form's phrases where its sova_text cells name none.
// A survey uploaded as JSON may have others, which a written form keeps in
// sova_text so that reading it back keeps them too.
func titleKey(id string) string               { return id + ".title" }
func questionKey(id, name string) string      { return id + "." + name }
func choiceKey(question, value string) string { return question + "." + value }

// textKey is a row's sova_text, or def where it names none.
func textKey(s *sheet, row []string, def string) string {
	if key := cell(row, s.col("sova_text")); key != "" {
		return key
	}
	return def
}

// say files a phrase's words under its key. Two phrases may share a key (a
// choice list that two questions ask, one sova_text given twice) only with
// the same words, or one would say the other's.
func (r *reader) say(sv *domain.Survey, s *sheet, n int, key string, words map[string]string) {
	was, ok := r.said[key]
	switch {
	case !ok:
		r.said[key] = phrase{sheet: s.name, row: n, words: words}
		for lang, text := range words {
			sv.Texts[lang][key] = text
		}
	case !maps.Equal(was.words, words) && !r.refused[s.name][n]:
		r.add(s.name, n, s.col("sova_text"), "text.twice", "the text key %q is also on sheet %s, row %d, with other words: give each its own key in sova_text, or the same words", "key", key, "sheet", was.sheet, "row", was.row)
	}
}

// icon reads and checks a sova_icon cell: the survey tile's (what ""), a
// question's or a choice's.
func (r *reader) icon(s *sheet, n int, row []string, what string) string {
	c := s.col("sova_icon")
	name := cell(row, c)
	const missing = "%s needs an icon: name one of Sova's icons (the template's icons sheet lists them)"
	switch {
	case name == "" && what == "":
		r.add(s.name, n, c, "icon.missing_tile", missing, "what", "the survey's tile")
	case name == "" && what == "choice":
		r.add(s.name, n, c, "icon.missing_choice", missing, "what", "the choice")
	case name == "":
		r.add(s.name, n, c, "icon.missing_question", missing, "what", "the question")
	case r.assets != nil && !r.assets.HasIcon(name):
		r.add(s.name, n, c, "icon.unknown", "Sova has no icon %q (the template's icons sheet lists them)", "icon", name)
	}
	return name
}

// words reads a row's labels, one a language.
func (r *reader) words(s *sheet, n int, row []string, labels map[string]column) map[string]string {
	out := map[string]string{}
	for _, l := range r.langs {
		c, ok := labels[l]
		if !ok {
			continue // the sheet lacks the column: said once, on its header
		}
		text := cell(row, c)
		switch {
		case text == "":
			r.add(s.name, n, c, "words.none", "there are no words in %s: a member reads and hears them", "lang", l)
		case strings.Contains(text, "${"):
			r.add(s.name, n, c, "words.reference", "Sova cannot show an earlier answer in the words (${…}): write them without it")
		}
		out[l] = text
	}
	return out
}

// recordings reads a row's media::audio cells: the files of a phrase.
func (r *reader) recordings(s *sheet, n int, row []string, cols map[string]column) []Audio {
	var out []Audio
	for _, l := range r.langs {
		c, ok := cols[l]
		file := cell(row, c)
		if !ok || file == "" {
			continue
		}
		data, found := r.media[file]
		switch {
		case r.media == nil:
			r.add(s.name, n, c, "audio.not_zip", "%s is not in the upload: upload a .zip holding the form and its audio files", "file", file)
		case !found:
			r.add(s.name, n, c, "audio.missing", "%s is not in the zip", "file", file)
		default:
			out = append(out, Audio{Lang: l, File: file, Data: data})
		}
	}
	return out
}

// name checks a question's or choice's name.
func (r *reader) name(s *sheet, n int, c column, name, what string) bool {
	switch {
	case name == "" && what == "choice":
		r.add(s.name, n, c, "name.none_choice", "the %s has no name", "what", what)
	case name == "":
		r.add(s.name, n, c, "name.none_question", "the %s has no name", "what", what)
	case strings.ContainsAny(name, " \t"):
		r.add(s.name, n, c, "name.space", "the name %q has a space: use _ instead, as in %s", "name", name, "suggestion", strings.Join(strings.Fields(strings.ToLower(name)), "_"))
	case !domain.ValidName(name):
		r.add(s.name, n, c, "name.invalid", "the name %q cannot be used: names are 1–40 lower-case letters, digits and _, and start with a letter or digit", "name", name)
	default:
		return true
	}
	return false
}

// refusedColumns are XLSForm columns whose content Sova cannot carry, with
// why. Other columns Sova does not know (appearance, Kobo's $kuid) change
// nothing a member meets, and are passed over, as ODK does.
var refusedColumns = func() map[string]reason {
	why := map[string]reason{}
	for _, c := range []struct {
		why   reason
		bases []string
	}{
		{because("column.hint", "Sova has no hints: a member hears the label of each screen, so put what matters there"), []string{"hint", "guidance_hint"}},
		{because("column.message", "Sova says its own message, in every language and aloud"), []string{"constraint_message", "required_message"}},
		{because("column.default", "Sova never fills in an answer for a member"), []string{"default"}},
		{because("column.calculation", "Sova does not calculate"), []string{"calculation", "trigger"}},
		{because("column.choice_filter", "Sova cannot filter choices by earlier answers"), []string{"choice_filter"}},
		{because("column.read_only", "every question Sova asks can be answered"), []string{"read_only"}},
		{because("column.repeat_count", "Sova has no repeats"), []string{"repeat_count"}},
		{because("column.image", "Sova shows its own icons (sova_icon column), not pictures"), []string{"image", "media::image", "big-image", "media::big-image"}},
		{because("column.video", "Sova plays no video"), []string{"video", "media::video"}},
	} {
		for _, b := range c.bases {
			why[b] = c.why
		}
	}
	return why
}()

// refuseColumns refuses every filled cell of a row that Sova cannot carry,
// and those of the columns in also, which the row's type gives no meaning.
func (r *reader) refuseColumns(s *sheet, n int, row []string, also ...string) {
	for _, c := range s.cols {
		if cell(row, c) == "" {
			continue
		}
		if why, ok := refusedColumns[c.base]; ok {
			r.put(s.name, n, c, why)
		} else if slices.Contains(also, c.base) {
			r.add(s.name, n, c, "column.unread", "Sova reads no %s on a question of this type", "column", c.base)
		}
	}
}
