package xlsform

import (
	"archive/zip"
	"bytes"
	"io"
	"slices"
	"strconv"

	"github.com/xuri/excelize/v2"

	"sova/server/domain"
)

// yesNoList is the list a yes/no question is written with. Its dash keeps
// it from meeting a list named after a question.
const yesNoList = "yes-no"

// Options is what a written form says besides the survey.
type Options struct {
	// Langs names each language in the headers and gives the yes/no words.
	Langs map[string]Language
	// Icons, when given, are listed on a sheet of their own for whoever
	// edits the form.
	Icons []string
	// Audio names the file of each phrase's recording, by language and
	// text key, in media::audio columns: for a form that travels with its
	// recordings (WriteZip), since Read refuses a bare form naming files.
	Audio map[string]map[string]string
}

// Write writes sv as an XLSForm that Read reads back as the same survey.
func Write(w io.Writer, sv *domain.Survey, o Options) error {
	return write(w, sv, o, false)
}

// Recording is one phrase's recording to go with a written form: lang's
// voice of the text key, a file ending in Ext (".webm"), read as it is
// written.
type Recording struct {
	Lang, Key, Ext string
	Read           func() ([]byte, error)
}

// WriteZip writes sv as a form in a zip, with its recordings in the folder
// beside it that ODK keeps a form's media in, each named in the form's
// media::audio columns: what Read takes back, recordings and all, and what
// ODK and Kobo take as a form with its media. A recording is named after its
// phrase and language, one folder holding every language's, as ODK's does.
func WriteZip(w io.Writer, sv *domain.Survey, o Options, recs []Recording) error {
	name := sv.ID + "-v" + strconv.Itoa(sv.Version)
	o.Audio = map[string]map[string]string{}
	files := make([]string, len(recs))
	for i, r := range recs {
		if o.Audio[r.Lang] == nil {
			o.Audio[r.Lang] = map[string]string{}
		}
		files[i] = r.Key + "." + r.Lang + r.Ext
		o.Audio[r.Lang][r.Key] = files[i]
	}
	var form bytes.Buffer
	if err := Write(&form, sv, o); err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	put := func(name string, method uint16, data []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err == nil {
			_, err = f.Write(data)
		}
		return err
	}
	if err := put(name+".xlsx", zip.Store, form.Bytes()); err != nil { // an .xlsx is a zip already
		return err
	}
	for i, r := range recs {
		data, err := r.Read()
		if err == nil {
			err = put(name+"-media/"+files[i], zip.Store, data) // audio does not compress
		}
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

// Template writes a small example form with every column Sova reads,
// media::audio and sova_text included, and the icons there are.
func Template(w io.Writer, icons []string) error {
	langs := map[string]Language{"en": {Name: "English", Yes: "Yes", No: "No"}}
	return write(w, example(), Options{Langs: langs, Icons: icons}, true)
}

// write writes the form; every optional column is there in a template, and
// elsewhere only where the survey has something to put in it.
func write(w io.Writer, sv *domain.Survey, o Options, template bool) error {
	row := func(parts ...[]any) []any { return slices.Concat(parts...) }
	words := func(base string) []any {
		var out []any
		for _, l := range sv.Languages {
			out = append(out, langHead(base, l, o.Langs))
		}
		return out
	}
	texts := func(key string) []any {
		var out []any
		for _, l := range sv.Languages {
			out = append(out, sv.Texts[l][key])
		}
		return out
	}
	// media::audio columns, when the form names recordings.
	var audioHead []any
	if template || len(o.Audio) > 0 {
		audioHead = words("media::audio")
	}
	audio := func(key string) []any {
		if audioHead == nil {
			return nil
		}
		out := make([]any, len(sv.Languages))
		for i, l := range sv.Languages {
			if f, ok := o.Audio[l][key]; ok {
				out[i] = f
			}
		}
		return out
	}
	// sova_text columns, for text keys other than those Read gives.
	keys := keyColumns(sv, template)
	keyHead := func(sheet string) []any {
		if keys[sheet] {
			return []any{"sova_text"}
		}
		return nil
	}
	key := func(sheet, key, def string) []any {
		switch {
		case !keys[sheet]:
			return nil
		case key == def:
			return []any{nil}
		}
		return []any{key}
	}

	survey := [][]any{row([]any{"type", "name"}, words("label"), []any{"required", "relevant", "constraint", "parameters", "sova_icon"}, keyHead(sheetSurvey), audioHead)}
	choices := [][]any{row([]any{"list_name", "name"}, words("label"), []any{"sova_icon"}, keyHead(sheetChoices), audioHead)}
	yesNo := false
	for i := range sv.Questions {
		q := &sv.Questions[i]
		var typ, params string
		switch q.Type {
		case domain.Single:
			typ = "select_one " + q.ID
		case domain.Multiple:
			typ = "select_multiple " + q.ID
		case domain.YesNo:
			typ, yesNo = "select_one "+yesNoList, true
		case domain.Scale:
			typ, params = "range", "start=1 end=5 step=1"
		case domain.Number:
			typ = "decimal"
			if q.Whole {
				typ = "integer"
			}
		case domain.Text:
			typ = "text"
		}
		required := ""
		if q.Required {
			required = "yes"
		}
		survey = append(survey, row([]any{typ, q.ID}, texts(q.Text),
			[]any{required, writeRelevant(sv, q), writeConstraint(q), params, q.Icon},
			key(sheetSurvey, q.Text, questionKey(sv.ID, q.ID)), audio(q.Text)))
		for _, c := range q.Choices {
			choices = append(choices, row([]any{q.ID, c.Value}, texts(c.Text), []any{c.Icon},
				key(sheetChoices, c.Text, choiceKey(q.Text, c.Value)), audio(c.Text)))
		}
	}
	if yesNo {
		for _, v := range []string{"yes", "no"} {
			r := []any{yesNoList, v}
			for _, l := range sv.Languages {
				r = append(r, yesNoWord(o.Langs[l], v))
			}
			choices = append(choices, append(r, v)) // Sova's icons are named yes and no
		}
	}
	settings := [][]any{
		row([]any{"form_id", "version"}, words("form_title"), []any{"default_language", "sova_icon"}, keyHead(sheetSettings), audioHead),
		row([]any{sv.ID, sv.Version}, texts(sv.Title), []any{langName(sv.Languages[0], o.Langs), sv.Icon}, key(sheetSettings, sv.Title, titleKey(sv.ID)), audio(sv.Title)),
	}

	b := &book{f: excelize.NewFile()}
	defer b.f.Close()
	b.sheet(sheetSurvey, survey)
	b.sheet(sheetChoices, choices)
	b.sheet(sheetSettings, settings)
	if len(o.Icons) > 0 {
		list := [][]any{{"sova_icon"}}
		for _, ic := range o.Icons {
			list = append(list, []any{ic})
		}
		b.sheet(sheetIcons, list)
	}
	if b.err != nil {
		return b.err
	}
	_, err := b.f.WriteTo(w)
	return err
}

// keyColumns says which sheets need a sova_text column: those with a text
// key other than the one Read gives where the cell is empty.
func keyColumns(sv *domain.Survey, template bool) map[string]bool {
	has := map[string]bool{sheetSurvey: template, sheetChoices: template, sheetSettings: template || sv.Title != titleKey(sv.ID)}
	for _, q := range sv.Questions {
		has[sheetSurvey] = has[sheetSurvey] || q.Text != questionKey(sv.ID, q.ID)
		for _, c := range q.Choices {
			has[sheetChoices] = has[sheetChoices] || c.Text != choiceKey(q.Text, c.Value)
		}
	}
	return has
}

func yesNoWord(l Language, v string) string {
	switch {
	case v == "yes" && l.Yes != "":
		return l.Yes
	case v == "no" && l.No != "":
		return l.No
	case v == "yes":
		return "Yes"
	}
	return "No"
}

// book writes sheets, keeping the first error.
type book struct {
	f      *excelize.File
	err    error
	sheets int
}

func (b *book) sheet(name string, rows [][]any) {
	if b.err != nil {
		return
	}
	if b.sheets == 0 {
		b.err = b.f.SetSheetName("Sheet1", name)
	} else {
		_, b.err = b.f.NewSheet(name)
	}
	b.sheets++
	for i, r := range rows {
		if b.err == nil {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			b.err = b.f.SetSheetRow(name, cell, &r)
		}
	}
	if b.err == nil && len(rows) > 0 {
		last := letter(max(len(rows[0])-1, 0))
		b.err = b.f.SetColWidth(name, "A", last, 22)
	}
	if b.err == nil {
		// The header stays in sight while scrolling, as in ODK's own templates.
		b.err = b.f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
}

// example is the template's survey: one question of each kind Sova asks,
// with a condition and a range.
func example() *domain.Survey {
	f := func(v float64) *float64 { return &v }
	return &domain.Survey{
		ID: "example", Version: 1, Languages: []string{"en"}, Title: "example.title", Icon: "survey",
		Questions: []domain.Question{
			{ID: "find_clients", Type: domain.Multiple, Text: "example.find_clients", Icon: "clients", Required: true, Choices: []domain.Choice{
				{Value: "street", Text: "example.find_clients.street", Icon: "road"},
				{Value: "apps", Text: "example.find_clients.apps", Icon: "apps"},
				{Value: "other", Text: "example.find_clients.other", Icon: "other"},
			}},
			{ID: "phone", Type: domain.Single, Text: "example.phone", Icon: "phone", Choices: []domain.Choice{
				{Value: "own", Text: "example.phone.own", Icon: "phone"},
				{Value: "shared", Text: "example.phone.shared", Icon: "phone-shared"},
			}},
			{ID: "apps_safe", Type: domain.Scale, Text: "example.apps_safe", Icon: "safety",
				ShowIf: &domain.ShowIf{Question: "find_clients", AnyOf: []any{"apps"}}},
			{ID: "police", Type: domain.YesNo, Text: "example.police", Icon: "police", Required: true},
			{ID: "police_times", Type: domain.Number, Text: "example.police_times", Icon: "count", Min: f(1), Max: f(100), Whole: true,
				ShowIf: &domain.ShowIf{Question: "police", AnyOf: []any{true}}},
			{ID: "comments", Type: domain.Text, Text: "example.comments", Icon: "write"},
		},
		Texts: map[string]map[string]string{"en": {
			"example.title":               "Your needs",
			"example.find_clients":        "How do you find clients?",
			"example.find_clients.street": "On the street",
			"example.find_clients.apps":   "Apps",
			"example.find_clients.other":  "Another way",
			"example.phone":               "Whose phone is this?",
			"example.phone.own":           "Mine",
			"example.phone.shared":        "Shared",
			"example.apps_safe":           "How safe do you feel using apps?",
			"example.police":              "Have the police stopped you this year?",
			"example.police_times":        "How many times?",
			"example.comments":            "Anything else you want to tell us?",
		}},
	}
}
