package xlsform

import (
	"io"
	"slices"

	"github.com/xuri/excelize/v2"

	"sova/server/domain"
)

// yesNoList is the list a yes/no question is written with. Its dash keeps
// it from meeting a list named after a question.
const yesNoList = "yes-no"

// Write writes sv as an XLSForm that Read reads back as the same survey.
// langs names each language in the headers and gives the yes/no words;
// icons, when given, are listed on a sheet of their own for whoever edits
// the form.
func Write(w io.Writer, sv *domain.Survey, langs map[string]Language, icons []string) error {
	return write(w, sv, langs, icons, false)
}

// Template writes a small example form with every column Sova reads,
// media::audio included, and the icons there are.
func Template(w io.Writer, icons []string) error {
	langs := map[string]Language{"en": {Name: "English", Yes: "Yes", No: "No"}}
	return write(w, example(), langs, icons, true)
}

func write(w io.Writer, sv *domain.Survey, langs map[string]Language, icons []string, media bool) error {
	words := func(base string) []any {
		var out []any
		for _, l := range sv.Languages {
			out = append(out, langHead(base, l, langs))
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
	var audio []any // empty cells under media::audio, in the template
	if media {
		audio = make([]any, len(sv.Languages))
	}
	row := func(parts ...[]any) []any { return slices.Concat(parts...) }

	head := row([]any{"type", "name"}, words("label"), []any{"required", "relevant", "constraint", "parameters", "sova_icon"})
	if media {
		head = append(head, words("media::audio")...)
	}
	survey := [][]any{head}
	choices := [][]any{row([]any{"list_name", "name"}, words("label"), []any{"sova_icon"})}
	if media {
		choices[0] = append(choices[0], words("media::audio")...)
	}
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
			[]any{required, writeRelevant(sv, q), writeConstraint(q), params, q.Icon}, audio))
		for _, c := range q.Choices {
			choices = append(choices, row([]any{q.ID, c.Value}, texts(c.Text), []any{c.Icon}, audio))
		}
	}
	if yesNo {
		for _, v := range []string{"yes", "no"} {
			r := []any{yesNoList, v}
			for _, l := range sv.Languages {
				r = append(r, yesNoWord(langs[l], v))
			}
			choices = append(choices, append(r, v)) // Sova's icons are named yes and no
		}
	}
	settings := [][]any{
		row([]any{"form_id", "version"}, words("form_title"), []any{"default_language", "sova_icon"}),
		row([]any{sv.ID, sv.Version}, texts(sv.Title), []any{langName(sv.Languages[0], langs), sv.Icon}),
	}

	b := &book{f: excelize.NewFile()}
	defer b.f.Close()
	b.sheet(sheetSurvey, survey)
	b.sheet(sheetChoices, choices)
	b.sheet(sheetSettings, settings)
	if len(icons) > 0 {
		list := [][]any{{"sova_icon"}}
		for _, ic := range icons {
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
