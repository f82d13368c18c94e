package xlsform_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sova/assets"
	"sova/internal/testapp"
	"sova/server/domain"
	"sova/server/xlsform"
)

// icons is Sova's own icon set, as the server checks surveys against.
type icons struct{}

func (icons) HasIcon(name string) bool {
	_, err := fs.Stat(assets.Icons, name+".svg")
	return err == nil
}

// form is a workbook written in a test: sheet → rows of cells. A cell
// "bool:true" is a boolean cell and "num:12" a number, as Excel and
// LibreOffice save TRUE and 12 typed into a cell.
type form map[string][][]string

func (f form) xlsx(t testing.TB) []byte {
	t.Helper()
	b := excelize.NewFile()
	defer b.Close()
	first := true
	for _, name := range []string{"survey", "choices", "settings"} {
		rows, ok := f[name]
		if !ok {
			continue
		}
		if first {
			b.SetSheetName("Sheet1", name)
			first = false
		} else {
			b.NewSheet(name)
		}
		for i, row := range rows {
			for j, v := range row {
				ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
				var err error
				switch {
				case strings.HasPrefix(v, "bool:"):
					err = b.SetCellBool(name, ref, v == "bool:true")
				case strings.HasPrefix(v, "num:"):
					n, _ := strconv.Atoi(v[4:])
					err = b.SetCellInt(name, ref, int64(n))
				case v != "":
					err = b.SetCellStr(name, ref, v)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// set puts v in a sheet's row (numbered as the spreadsheet does) under the
// column with header col, adding the column if the sheet lacks it.
func (f form) set(sheet string, row int, col, v string) form {
	rows := f[sheet]
	j := slices.Index(rows[0], col)
	if j < 0 {
		rows[0] = append(rows[0], col)
		j = len(rows[0]) - 1
	}
	for len(rows) < row {
		rows = append(rows, nil)
	}
	for len(rows[row-1]) <= j {
		rows[row-1] = append(rows[row-1], "")
	}
	rows[row-1][j] = v
	f[sheet] = rows
	return f
}

// kobo is a form of the kind Kobo's form builder exports and ODK users
// share: two languages, a group with a condition, an empty row, Kobo's
// own columns, required written three ways, and a yes/no list.
func kobo() form {
	return form{
		"survey": {
			{"type", "name", "label::English (en)", "label::Русский (ru)", "required", "relevant", "constraint", "appearance", "parameters", "sova_icon", "$kuid"},
			{"begin_group", "work", "Your work", "Ваша работа", "", "", "", "field-list", "", "", "k1"},
			{"select_multiple find", "find_clients", "How do you find clients?", "Как вы находите клиентов?", "bool:true", "", "", "minimal", "", "clients", "k2"},
			{},
			{"integer", "work_days", "How many days a week do you work?", "Сколько дней в неделю вы работаете?", "yes", "", ". >= 0 and . <= 7", "", "", "week", "k3"},
			{"end_group", "", "", "", "", "", "", "", "", "", "k4"},
			{"select_one yn", "police", "Have the police stopped you?", "Вас останавливала полиция?", "num:1", "", "", "", "", "police", "k5"},
			{"begin group", "police_group", "", "", "", "${police} = 'yes'", "", "", "", "", "k6"},
			{"decimal", "police_times", "How many times?", "Сколько раз?", "TRUE()", "", ". >= 1", "", "", "count", "k7"},
			{"select_one help", "police_help", "Did anyone help?", "Вам кто-то помог?", "false", "", "", "", "", "lawyer", "k8"},
			{"end group", "", "", "", "", "", "", "", "", "", "k9"},
			{"range", "apps_safe", "How safe are apps?", "Насколько безопасны приложения?", "", "selected(${find_clients}, 'apps') or selected(${find_clients}, \"websites\")", "", "rating", "start=1 end=5 step=1", "safety", "k10"},
			{"select_one help", "help_who", "Who helped?", "Кто помог?", "", "${police_help} = 'friend' or ${police_help} = 'lawyer'", "", "", "", "friends", "k11"},
			{"text", "comments", "Anything else?", "Что-нибудь ещё?", "no", "", "", "multiline", "", "write", "k12"},
		},
		"choices": {
			{"list_name", "name", "label::English (en)", "label::Русский (ru)", "sova_icon"},
			{"find", "street", "Street", "Улица", "road"},
			{"find", "apps", "Apps", "Приложения", "apps"},
			{"find", "websites", "Websites", "Сайты", "websites"},
			{"yn", "yes", "Yes", "Да"},
			{"yn", "no", "No", "Нет"},
			{},
			{"help", "friend", "A friend", "Подруга", "friends"},
			{"help", "lawyer", "A lawyer", "Юрист", "lawyer"},
			{"help", "nobody", "Nobody", "Никто", "none"},
			{"unused", "x y", "", "", ""}, // an unused list is not read, as in ODK
		},
		"settings": {
			{"form_title", "form_title::Русский (ru)", "form_id", "version", "default_language", "sova_icon", "style"},
			{"Needs 2025", "Нужды 2025", "needs2025", "num:2025031001", "English (en)", "survey", "pages"},
		},
	}
}

func TestRead_KoboFormBecomesTheSurveyItSays(t *testing.T) {
	t.Parallel()
	f, err := xlsform.Read("needs.xlsx", kobo().xlsx(t), icons{})
	if err != nil {
		t.Fatal(err)
	}
	sv := f.Survey
	if sv.ID != "needs2025" || sv.Version != 2025031001 || sv.Icon != "survey" || !slices.Equal(sv.Languages, []string{"en", "ru"}) {
		t.Fatalf("survey = %s v%d %s %v", sv.ID, sv.Version, sv.Icon, sv.Languages)
	}
	if sv.Texts["ru"][sv.Title] != "Нужды 2025" || sv.Texts["en"][sv.Title] != "Needs 2025" {
		t.Errorf("title = %q / %q", sv.Texts["en"][sv.Title], sv.Texts["ru"][sv.Title])
	}
	var got []string
	for _, q := range sv.Questions {
		line := fmt.Sprintf("%s %s required=%v", q.ID, q.Type, q.Required)
		if q.Whole {
			line += " whole"
		}
		if q.Min != nil || q.Max != nil {
			lo, hi := q.Bounds()
			line += fmt.Sprintf(" %g..%g", lo, hi)
		}
		if q.ShowIf != nil {
			line += fmt.Sprintf(" if %s in %v", q.ShowIf.Question, q.ShowIf.AnyOf)
		}
		for _, c := range q.Choices {
			line += " " + c.Value + ":" + c.Icon
		}
		got = append(got, line)
	}
	want := []string{
		"find_clients multiple required=true street:road apps:apps websites:websites",
		"work_days number required=true whole 0..7",
		"police yesno required=true",
		"police_times number required=true 1..1000 if police in [true]",
		"police_help single required=false if police in [true] friend:friends lawyer:lawyer nobody:none",
		"apps_safe scale required=false if find_clients in [apps websites]",
		"help_who single required=false if police_help in [friend lawyer] friend:friends lawyer:lawyer nobody:none",
		"comments text required=false",
	}
	if !slices.Equal(got, want) {
		t.Errorf("questions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if w := sv.Texts["ru"]["needs2025.police_help.lawyer"]; w != "Юрист" {
		t.Errorf("a choice's Russian words = %q", w)
	}
	// integer takes whole numbers only, as in ODK; decimal fractions too.
	answers := func(a string) error {
		_, err := sv.Check([]byte(`{"lang":"ru","answers":{"find_clients":["street"],` + a + `}}`))
		return err
	}
	var de *domain.Error
	if err := answers(`"work_days":2.5,"police":false`); !errors.As(err, &de) || de.Question != "work_days" || de.Code != domain.CodeInvalidAnswer {
		t.Errorf("2.5 days a week: %v, want refused", err)
	}
	if err := answers(`"work_days":3,"police":true,"police_times":2.5`); err != nil {
		t.Errorf("3 days a week, stopped 2.5 times: %v", err)
	}
}

// want is one problem a bad form must be refused with.
type want struct {
	sheet  string
	row    int
	column string
	says   string
}

func TestRead_RefusesWhatSovaCannotSayCellByCell(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(form) form
		want []want
	}{
		{"a typo in a list's name", func(f form) form {
			return f.set("survey", 3, "type", "select_multiple fnd")
		}, []want{{"survey", 3, "type", `no list "fnd" in the choices sheet (its lists: find, help, unused, yn)`}}},
		{"a label column with no language", func(f form) form {
			f["survey"][0][2] = "label"
			return f.set("settings", 2, "default_language", "")
		}, []want{
			{"survey", 1, "label", "has no language"},
			{"settings", 1, "form_title", "has no language"},
			{"choices", 1, "label::English (en)", "the survey sheet has no label column in en"},
		}},
		{"no choices sheet", func(f form) form {
			delete(f, "choices")
			return f
		}, []want{
			{"survey", 3, "type", `no list "find" because the form has no choices sheet`},
			{"survey", 7, "type", `no list "yn"`},
			{"survey", 10, "type", `no list "help"`},
			{"survey", 13, "type", `no list "help"`},
		}},
		{"two questions with one name", func(f form) form {
			return f.set("survey", 14, "name", "police_times")
		}, []want{{"survey", 14, "name", `"police_times" is also on row 9`}}},
		{"two choices with one name", func(f form) form {
			return f.set("choices", 9, "name", "friend")
		}, []want{{"choices", 9, "name", `"friend" on row 8 too`}}},
		{"relevant joined by and", func(f form) form {
			return f.set("survey", 14, "relevant", "${police} = 'yes' and ${police_help} = 'friend'")
		}, []want{{"survey", 14, "relevant", "cannot join conditions with and"}}},
		{"relevant with a comparison", func(f form) form {
			return f.set("survey", 12, "relevant", "${work_days} > 3")
		}, []want{{"survey", 12, "relevant", "is more than Sova can say"}}},
		{"relevant with a function", func(f form) form {
			return f.set("survey", 12, "relevant", "count-selected(${find_clients}) >= 2")
		}, []want{{"survey", 12, "relevant", "is more than Sova can say"}}},
		{"relevant on a later question", func(f form) form {
			return f.set("survey", 3, "relevant", "${police} = 'yes'")
		}, []want{{"survey", 3, "relevant", "${police} is not a question asked before this one"}}},
		{"= on a select_multiple", func(f form) form {
			return f.set("survey", 12, "relevant", "${find_clients} = 'apps'")
		}, []want{{"survey", 12, "relevant", "selected(${find_clients}, 'apps')"}}},
		{"a choice that is not in the list", func(f form) form {
			return f.set("survey", 14, "relevant", "${police_help} = 'frend'")
		}, []want{{"survey", 14, "relevant", "showIf value frend cannot be an answer"}}},
		{"a question in a conditional group with its own condition", func(f form) form {
			return f.set("survey", 9, "relevant", "${police} = 'no'")
		}, []want{{"survey", 9, "relevant", "its group (row 8) both have a relevant"}}},
		{"a calculate row", func(f form) form {
			f["survey"] = slices.Insert(f["survey"], 4, []string{"calculate", "score", "", "", "", "", "", "", "", "", "k", "${work_days} * 2"})
			f["survey"][0] = append(f["survey"][0], "calculation")
			return f
		}, []want{{"survey", 5, "type", "does not calculate"}}},
		{"a repeat", func(f form) form {
			f["survey"][7][0] = "begin_repeat"
			f["survey"][10][0] = "end_repeat"
			return f
		}, []want{{"survey", 8, "type", "no repeats"}}},
		{"spaces in names", func(f form) form {
			f.set("survey", 5, "name", "work days")
			return f.set("choices", 3, "name", "mobile apps")
		}, []want{
			{"survey", 5, "name", `"work days" has a space: use _ instead, as in work_days`},
			{"choices", 3, "name", `"mobile apps" has a space`},
			{"survey", 12, "relevant", "showIf value apps cannot be an answer"},
		}},
		{"capitals in a name", func(f form) form {
			return f.set("survey", 14, "name", "Comments")
		}, []want{{"survey", 14, "name", `"Comments" cannot be used`}}},
		{"Kobo's start, end and deviceid rows", func(f form) form {
			f["survey"] = slices.Insert(f["survey"], 1, []string{"start", "start"}, []string{"end", "end"}, []string{"deviceid", "deviceid"})
			return f
		}, []want{
			{"survey", 2, "type", "only the day it arrived"},
			{"survey", 3, "type", "only the day it arrived"},
			{"survey", 4, "type", "could identify a member or her phone"},
		}},
		{"a note", func(f form) form {
			f["survey"] = slices.Insert(f["survey"], 1, []string{"note", "welcome", "Welcome", "Добро пожаловать"})
			return f
		}, []want{{"survey", 2, "type", "no screens without a question"}}},
		{"a hint", func(f form) form {
			return f.set("survey", 5, "hint::English (en)", "Count the days")
		}, []want{{"survey", 5, "hint::English (en)", "no hints"}}},
		{"a words missing in one language", func(f form) form {
			f.set("survey", 14, "label::Русский (ru)", "")
			return f.set("choices", 2, "label::English (en)", "")
		}, []want{
			{"survey", 14, "label::Русский (ru)", "no words in ru"},
			{"choices", 2, "label::English (en)", "no words in en"},
		}},
		{"an icon Sova does not have", func(f form) form {
			f.set("survey", 14, "sova_icon", "pencil")
			return f.set("choices", 8, "sova_icon", "")
		}, []want{
			{"survey", 14, "sova_icon", `no icon "pencil"`},
			{"choices", 8, "sova_icon", "the choice needs an icon"},
		}},
		{"a constraint beyond a range", func(f form) form {
			return f.set("survey", 5, "constraint", ". >= 0 and . <= 7 and . != 3")
		}, []want{{"survey", 5, "constraint", `". != 3" is more than Sova can say`}}},
		{"an integer no whole number answers", func(f form) form {
			return f.set("survey", 5, "constraint", ". >= 0.2 and . <= 0.8")
		}, []want{{"survey", 5, "constraint", "no whole number lies between min (0.2) and max (0.8)"}}},
		{"a range that is not 1 to 5", func(f form) form {
			return f.set("survey", 12, "parameters", "start=0 end=10")
		}, []want{{"survey", 12, "parameters", "start=1 end=5 step=1"}}},
		{"required only sometimes", func(f form) form {
			return f.set("survey", 14, "required", "${police} = 'yes'")
		}, []want{{"survey", 14, "required", "write yes or no"}}},
		{"or_other", func(f form) form {
			return f.set("survey", 10, "type", "select_one help or_other")
		}, []want{
			{"survey", 10, "type", "for or_other, add a choice named other"},
		}},
		{"a Kobo version and no id", func(f form) form {
			f.set("settings", 2, "version", "vXk9pLq2")
			return f.set("settings", 2, "form_id", "")
		}, []want{
			{"settings", 2, "form_id", "needs an id"},
			{"settings", 2, "version", "whole number from 1"},
		}},
		{"no Russian title", func(f form) form {
			return f.set("settings", 2, "form_title::Русский (ru)", "")
		}, []want{{"settings", 2, "form_title::Русский (ru)", "no words in ru"}}},
		{"a language without its code", func(f form) form {
			f["survey"][0][3] = "label::Russian"
			return f
		}, []want{
			{"survey", 1, "label::Russian", "has no code"},
			{"settings", 1, "form_title::Русский (ru)", "no label column in ru"},
			{"choices", 1, "label::Русский (ru)", "no label column in ru"},
		}},
		{"an answer piped into the words", func(f form) form {
			return f.set("survey", 9, "label::English (en)", "You said ${police}. How many times?")
		}, []want{{"survey", 9, "label::English (en)", "earlier answer"}}},
		{"one text key for other words", func(f form) form {
			f.set("survey", 3, "sova_text", "common.clients")
			return f.set("survey", 5, "sova_text", "common.clients")
		}, []want{{"survey", 5, "sova_text", `the text key "common.clients" is also on sheet survey, row 3, with other words`}}},
		{"a choice's text key that is a question's", func(f form) form {
			return f.set("choices", 2, "sova_text", "needs2025.comments")
		}, []want{{"survey", 14, "sova_text", `the text key "needs2025.comments" is also on sheet choices, row 2`}}},
		{"audio named but not sent", func(f form) form {
			return f.set("survey", 14, "media::audio::Русский (ru)", "comments_ru.mp3")
		}, []want{{"survey", 14, "media::audio::Русский (ru)", "upload a .zip"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := xlsform.Read("form.xlsx", c.edit(kobo()).xlsx(t), icons{})
			assertProblems(t, err, c.want)
		})
	}
}

// assertProblems checks that err lists exactly the wanted problems, each on
// its sheet, row and column.
func assertProblems(t *testing.T, err error, wants []want) {
	t.Helper()
	var xe *xlsform.Error
	if !errors.As(err, &xe) {
		t.Fatalf("err = %v, want the problems of the form", err)
	}
	var lines []string
	for _, p := range xe.Problems {
		lines = append(lines, p.String())
		if p.Sheet == "" || p.Row < 1 || p.Column == "" {
			t.Errorf("%q does not say its sheet, row and column", p)
		}
	}
	for _, w := range wants {
		if !slices.ContainsFunc(xe.Problems, func(p xlsform.Problem) bool {
			return p.Sheet == w.sheet && p.Row == w.row && p.Column == w.column && strings.Contains(p.Message, w.says)
		}) {
			t.Errorf("no problem at %s row %d %s saying %q", w.sheet, w.row, w.column, w.says)
		}
	}
	if len(xe.Problems) != len(wants) || t.Failed() {
		t.Errorf("problems:\n%s", strings.Join(lines, "\n"))
	}
}

// A form with many mistakes is refused with all of them at once, not one
// per upload.
func TestRead_ListsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	f := kobo()
	f.set("survey", 3, "type", "select_multiple fnd")
	f.set("survey", 5, "name", "work days")
	f.set("survey", 14, "hint::English (en)", "Anything at all")
	f.set("choices", 8, "sova_icon", "gavel")
	f.set("settings", 2, "version", "")
	f["survey"] = append(f["survey"], []string{"geopoint", "where"})
	_, err := xlsform.Read("form.xlsx", f.xlsx(t), icons{})
	assertProblems(t, err, []want{
		{"survey", 3, "type", `no list "fnd"`},
		{"survey", 5, "name", "has a space"},
		{"survey", 14, "hint::English (en)", "no hints"},
		{"survey", 15, "type", "never asks where"},
		{"choices", 8, "sova_icon", `no icon "gavel"`},
		{"settings", 2, "version", "whole number"},
	})
}

func TestRead_LabelWithoutLanguageTakesTheDefault(t *testing.T) {
	t.Parallel()
	f := kobo()
	f["survey"][0][2] = "label"
	f["choices"][0][2] = "Label"
	_, err := xlsform.Read("form.xlsx", f.xlsx(t), icons{})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRead_ZipBringsItsRecordings(t *testing.T) {
	t.Parallel()
	f := kobo()
	f.set("survey", 14, "media::audio::Русский (ru)", "comments_ru.mp3")
	f.set("choices", 2, "media::audio::English (en)", "street.mp3")
	got, err := xlsform.Read("needs.zip", testapp.Zip(t, map[string][]byte{
		"needs/form.xlsx": f.xlsx(t), "needs/comments_ru.mp3": []byte("ID3 ru"), "needs/street.mp3": []byte("ID3 en"),
		"__MACOSX/needs/._form.xlsx": []byte("junk"),
	}), icons{})
	if err != nil {
		t.Fatal(err)
	}
	var audio []string
	for _, a := range got.Audio {
		audio = append(audio, a.Lang+" "+a.Key+" "+a.File+" "+string(a.Data))
	}
	slices.Sort(audio)
	if w := []string{"en needs2025.find_clients.street street.mp3 ID3 en", "ru needs2025.comments comments_ru.mp3 ID3 ru"}; !slices.Equal(audio, w) {
		t.Errorf("audio = %q, want %q", audio, w)
	}
}

// An upload that holds no form Sova can read is refused as a whole, with a
// code the console says in the staffer's language.
func TestRead_RefusesWhatIsNoForm(t *testing.T) {
	t.Parallel()
	form := kobo().xlsx(t)
	// A zip whose one file was damaged after zipping: its checksum fails.
	var damaged bytes.Buffer
	zw := zip.NewWriter(&damaged)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "needs.xlsx", Method: zip.Store})
	w.Write(form)
	zw.Close()
	broken := damaged.Bytes()
	broken[len(broken)/2] ^= 0xff
	for _, c := range []struct {
		name string
		data []byte
		code string
	}{
		{"notes.txt", []byte("type,name,label\ntext,a,A\n"), "xlsform.file.kind"},
		{"empty.xlsx", nil, "xlsform.file.kind"},
		{"old.xls", []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, "xlsform.file.xls"},
		{"two.zip", testapp.Zip(t, map[string][]byte{"needs.xlsx": form, "needs (1).xlsx": form}), "xlsform.file.zip_forms"},
		{"audio.zip", testapp.Zip(t, map[string][]byte{"media/street.mp3": []byte("ID3")}), "xlsform.file.zip_no_form"},
		{"saved-badly.xlsx", testapp.Zip(t, map[string][]byte{"xl/workbook.xml": []byte("<workbook")}), "xlsform.file.unreadable"},
		{"damaged.zip", broken, "xlsform.file.zipped"},
	} {
		_, err := xlsform.Read(c.name, c.data, icons{})
		var xe *xlsform.Error
		if !errors.As(err, &xe) || len(xe.Problems) != 1 || xe.Problems[0].Code != c.code || xe.Problems[0].Sheet != "" || xe.File != c.name {
			t.Errorf("%s: err = %#v, want the whole file refused with %s", c.name, err, c.code)
		}
	}
}

// Every survey Sova ships goes out as XLSForm and comes back the same.
func TestWrite_BuiltInSurveysComeBackTheSame(t *testing.T) {
	t.Parallel()
	names, _ := fs.Glob(assets.Surveys, "*.json")
	if len(names) == 0 {
		t.Fatal("no built-in surveys")
	}
	for _, name := range names {
		data, _ := fs.ReadFile(assets.Surveys, name)
		sv, err := domain.ParseSurvey(name, data, icons{})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		langs := map[string]xlsform.Language{"ru": {Name: "Русский", Yes: "Да", No: "Нет"}}
		if err := xlsform.Write(&buf, sv, xlsform.Options{Langs: langs, Icons: []string{"survey", "yes"}}); err != nil {
			t.Fatal(err)
		}
		back, err := xlsform.Read(name+".xlsx", buf.Bytes(), icons{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// Its keys are those a form gives, and no recordings go with it:
		// the form has no column for either.
		book, _ := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
		for _, sheet := range []string{"survey", "choices", "settings"} {
			rows, _ := book.GetRows(sheet)
			if slices.ContainsFunc(rows[0], func(h string) bool { return h == "sova_text" || strings.HasPrefix(h, "media::") }) {
				t.Errorf("%s: the %s sheet has a column it needs not: %q", name, sheet, rows[0])
			}
		}
		if !reflect.DeepEqual(back.Survey, sv) {
			a, b := fmt.Sprintf("%#v", sv), fmt.Sprintf("%#v", back.Survey)
			i := 0
			for i < min(len(a), len(b)) && a[i] == b[i] {
				i++
			}
			t.Errorf("%s came back otherwise, from …%s\nnot …%s", name, b[max(0, i-80):min(len(b), i+200)], a[max(0, i-80):min(len(a), i+200)])
		}
	}
}

// clinicJSON is a survey as staff upload it in Sova's JSON format, its
// text keys named as its writer chose, one shared by two questions' choices.
const clinicJSON = `{
  "id": "clinic", "version": 3, "languages": ["en", "es"], "title": "clinic_title", "icon": "clinic",
  "questions": [
    {"id": "visits", "type": "number", "text": "q_visits", "icon": "count", "required": true, "min": 0, "max": 52, "whole": true},
    {"id": "spend", "type": "number", "text": "q_spend", "icon": "money", "min": 0, "max": 99.5},
    {"id": "treated", "type": "single", "text": "q_treated", "icon": "clinic", "choices": [
      {"value": "well", "text": "a_well", "icon": "face-5"},
      {"value": "badly", "text": "a_badly", "icon": "face-1"},
      {"value": "other", "text": "a_other", "icon": "other"}]},
    {"id": "again", "type": "multiple", "text": "q_again", "icon": "hiv", "showIf": {"question": "treated", "anyOf": ["well"]}, "choices": [
      {"value": "testing", "text": "a_testing", "icon": "hiv"},
      {"value": "other", "text": "a_other", "icon": "other"}]},
    {"id": "late", "type": "yesno", "text": "clinic.late", "icon": "clock"}
  ],
  "texts": {
    "en": {"clinic_title": "The clinic", "q_visits": "How many times did you go this year?", "q_spend": "How much did you pay, in dollars?",
      "q_treated": "How were you treated?", "a_well": "Well", "a_badly": "Badly", "a_other": "Something else",
      "q_again": "What would you go back for?", "a_testing": "Testing", "clinic.late": "Did you wait long?"},
    "es": {"clinic_title": "La clínica", "q_visits": "¿Cuántas veces fue este año?", "q_spend": "¿Cuánto pagó, en dólares?",
      "q_treated": "¿Cómo la trataron?", "a_well": "Bien", "a_badly": "Mal", "a_other": "Otra cosa",
      "q_again": "¿Para qué volvería?", "a_testing": "Pruebas", "clinic.late": "¿Esperó mucho?"}
  }
}`

// A survey uploaded as JSON goes out as XLSForm and comes back the same:
// its own text keys (in sova_text, only where they are not the ones a form
// gives), its whole numbers (integer) and its fractions (decimal).
func TestWrite_JSONSurveyKeepsItsTextKeysAndWholeNumbers(t *testing.T) {
	t.Parallel()
	sv, err := domain.ParseSurvey("clinic.json", []byte(clinicJSON), icons{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := xlsform.Write(&buf, sv, xlsform.Options{Langs: map[string]xlsform.Language{"es": {Name: "Español", Yes: "Sí", No: "No"}}}); err != nil {
		t.Fatal(err)
	}
	back, err := xlsform.Read("clinic.xlsx", buf.Bytes(), icons{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Survey, sv) {
		t.Errorf("came back otherwise:\n%+v\nnot\n%+v", back.Survey, sv)
	}
	book, _ := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	column := func(sheet, head string) []string {
		rows, _ := book.GetRows(sheet)
		j := slices.Index(rows[0], head)
		if j < 0 {
			t.Fatalf("%s has no %s column: %q", sheet, head, rows[0])
		}
		var out []string
		for _, r := range rows[1:] {
			out = append(out, strings.Join(r[j:min(j+1, len(r))], ""))
		}
		return out
	}
	if got, want := column("survey", "type"), []string{"integer", "decimal", "select_one treated", "select_multiple again", "select_one yes-no"}; !slices.Equal(got, want) {
		t.Errorf("types %q, want %q", got, want)
	}
	if got, want := column("survey", "sova_text"), []string{"q_visits", "q_spend", "q_treated", "q_again", ""}; !slices.Equal(got, want) {
		t.Errorf("survey's sova_text %q, want %q: the yes/no question's key is the one a form gives", got, want)
	}
	if got := column("settings", "sova_text"); !slices.Equal(got, []string{"clinic_title"}) {
		t.Errorf("settings' sova_text %q", got)
	}
}

// A survey goes out with its recordings as a zip, the form's media::audio
// columns naming each file, and comes back as the same survey with the
// same recordings, each of its phrase and language.
func TestWriteZip_FormAndRecordingsComeBackTogether(t *testing.T) {
	t.Parallel()
	sv, err := domain.ParseSurvey("clinic.json", []byte(clinicJSON), icons{})
	if err != nil {
		t.Fatal(err)
	}
	var recs []xlsform.Recording
	for _, r := range [][2]string{{"en", "q_visits"}, {"es", "q_visits"}, {"en", "a_other"}, {"es", "clinic_title"}} {
		data := []byte("webm " + r[0] + " " + r[1])
		recs = append(recs, xlsform.Recording{Lang: r[0], Key: r[1], Ext: ".webm", Read: func() ([]byte, error) { return data, nil }})
	}
	var buf bytes.Buffer
	if err := xlsform.WriteZip(&buf, sv, xlsform.Options{}, recs); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if want := []string{"clinic-v3.xlsx", "clinic-v3-media/q_visits.en.webm", "clinic-v3-media/q_visits.es.webm", "clinic-v3-media/a_other.en.webm", "clinic-v3-media/clinic_title.es.webm"}; !slices.Equal(names, want) {
		t.Errorf("the zip holds %q, want %q", names, want)
	}
	back, err := xlsform.Read("clinic-v3.zip", buf.Bytes(), icons{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Survey, sv) {
		t.Errorf("came back otherwise:\n%+v\nnot\n%+v", back.Survey, sv)
	}
	var got []string
	for _, a := range back.Audio {
		got = append(got, a.Lang+" "+a.Key+" "+a.File+": "+string(a.Data))
	}
	slices.Sort(got)
	want := []string{
		"en a_other a_other.en.webm: webm en a_other",
		"en q_visits q_visits.en.webm: webm en q_visits",
		"es clinic_title clinic_title.es.webm: webm es clinic_title",
		"es q_visits q_visits.es.webm: webm es q_visits",
	}
	if !slices.Equal(got, want) {
		t.Errorf("recordings:\n%q\nwant\n%q", got, want)
	}
	// The form alone names them too, in Kobo's headers.
	form, _ := zr.File[0].Open()
	book, err := excelize.OpenReader(form)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := book.GetRows("survey")
	if j := slices.Index(rows[0], "media::audio::es (es)"); j < 0 || rows[1][j] != "q_visits.es.webm" {
		t.Errorf("the survey sheet does not name q_visits's Spanish recording: %q %q", rows[0], rows[1])
	}
}

func TestRead_ASharedListWithItsOwnKeysIsOnePhrase(t *testing.T) {
	t.Parallel()
	f := kobo()
	f.set("choices", 9, "sova_text", "common.lawyer")
	f.set("choices", 9, "media::audio::English (en)", "lawyer.mp3")
	data := testapp.Zip(t, map[string][]byte{"needs.xlsx": f.xlsx(t), "lawyer.mp3": []byte("ID3 lawyer")})
	got, err := xlsform.Read("needs.zip", data, icons{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"police_help", "help_who"} {
		if c := got.Survey.Question(id).Choices[1]; c.Text != "common.lawyer" {
			t.Errorf("%s's lawyer says %q", id, c.Text)
		}
	}
	if len(got.Audio) != 1 || got.Audio[0].Key != "common.lawyer" || got.Survey.Texts["ru"]["common.lawyer"] != "Юрист" {
		t.Errorf("audio %+v, words %q", got.Audio, got.Survey.Texts["ru"]["common.lawyer"])
	}
	f.set("choices", 8, "sova_text", "common.lawyer")
	f.set("choices", 8, "label::English (en)", "A lawyer")
	f.set("choices", 8, "label::Русский (ru)", "Юрист")
	f.set("choices", 8, "media::audio::English (en)", "friend.mp3")
	_, err = xlsform.Read("needs.zip", testapp.Zip(t, map[string][]byte{"needs.xlsx": f.xlsx(t), "lawyer.mp3": nil, "friend.mp3": nil}), icons{})
	assertProblems(t, err, []want{{"choices", 9, "media::audio::English (en)", "recorded in friend.mp3 already"}})
}

func TestTemplate_IsAFormSovaTakes(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := xlsform.Template(&buf, []string{"alert", "apps"}); err != nil {
		t.Fatal(err)
	}
	f, err := xlsform.Read("template.xlsx", buf.Bytes(), icons{})
	if err != nil {
		t.Fatal(err)
	}
	types := map[domain.QuestionType]bool{}
	for _, q := range f.Survey.Questions {
		types[q.Type] = true
	}
	if len(types) != 6 {
		t.Errorf("the template asks %v, not every type", types)
	}
	book, _ := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	rows, _ := book.GetRows("survey")
	for _, col := range []string{"type", "name", "label::English (en)", "required", "relevant", "constraint", "parameters", "sova_icon", "sova_text", "media::audio::English (en)"} {
		if !slices.Contains(rows[0], col) {
			t.Errorf("the template has no %s column: %q", col, rows[0])
		}
	}
	if icons, _ := book.GetRows("icons"); len(icons) != 3 || icons[2][0] != "apps" {
		t.Errorf("icons sheet = %q", icons)
	}
}
