package xlsform

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"sova/server/domain"
)

// list is one list of the choices sheet, its rows read once however many
// questions use it.
type list struct {
	name    string
	rows    []choice
	checked bool
}

type choice struct {
	n     int // the spreadsheet's row
	row   []string
	value string
	key   string // its sova_text; "" for the key each question gives it
	texts map[string]string
	icon  string
	audio []Audio // Key set per question
}

// yesNo reports whether the list is exactly yes and no: a Sova yes/no
// question, the way ODK users write one.
func (l *list) yesNo() bool {
	return len(l.rows) == 2 && l.rows[0].value != l.rows[1].value &&
		(l.rows[0].value == "yes" || l.rows[0].value == "no") &&
		(l.rows[1].value == "yes" || l.rows[1].value == "no")
}

func (r *reader) readChoices() {
	r.lists = map[string]*list{}
	if r.choices = r.sheet(sheetChoices); r.choices == nil {
		return
	}
	ln, name := r.choices.col("list_name"), r.choices.col("name")
	if ln.index < 0 || name.index < 0 {
		r.add(sheetChoices, 1, lacking("list_name"), "choices.columns", "the choices sheet needs a list_name and a name column")
		return
	}
	r.choiceLabels = r.langCols(r.choices, "label")
	r.choiceAudio = r.langCols(r.choices, "media::audio")
	for _, l := range r.langs {
		if _, ok := r.choiceLabels[l]; !ok {
			r.add(sheetChoices, 1, lacking("label::"+l), "choices.no_label", "there is no label column in %s: each choice needs words in every language of the survey", "lang", l)
		}
	}
	for i, row := range r.choices.rows[1:] {
		if blank(row) {
			continue // as ODK does
		}
		c := choice{n: i + 2, row: row, value: cell(row, name)}
		l := r.lists[cell(row, ln)]
		if l == nil {
			l = &list{name: cell(row, ln)}
			r.lists[l.name] = l
		}
		l.rows = append(l.rows, c)
	}
}

// checkList reads a used list's rows once, reporting their problems. An
// unused list is passed over, as ODK does.
func (r *reader) checkList(l *list) {
	if l.checked {
		return
	}
	l.checked = true
	name := r.choices.col("name")
	seen := map[string]int{}
	for i := range l.rows {
		c := &l.rows[i]
		if r.name(r.choices, c.n, name, c.value, "choice") {
			if was, ok := seen[c.value]; ok {
				r.add(sheetChoices, c.n, name, "choices.twice", "the list %s has %q on row %d too", "list", l.name, "value", c.value, "row", was)
			}
			seen[c.value] = c.n
		}
		c.key = textKey(r.choices, c.row, "")
		c.texts = r.words(r.choices, c.n, c.row, r.choiceLabels)
		c.icon = r.icon(r.choices, c.n, c.row, "choice")
		c.audio = r.recordings(r.choices, c.n, c.row, r.choiceAudio)
		r.refuseColumns(r.choices, c.n, c.row)
	}
}

// group is an open begin_group, whose relevant its questions take.
type group struct {
	row      int
	relevant string
}

// readQuestions reads the survey sheet's rows in order, groups flattened.
func (r *reader) readQuestions(sv *domain.Survey) []Audio {
	s := r.survey
	typ := s.col("type")
	r.audioCols = r.langCols(s, "media::audio")
	r.rowOf, r.listOf = map[string]int{}, map[string]*list{}
	var groups []group
	var audio []Audio
	for i, row := range s.rows[1:] {
		n := i + 2
		if blank(row) {
			continue // as ODK does
		}
		kind := strings.Fields(strings.ToLower(cell(row, typ)))
		if len(kind) == 0 {
			r.add(sheetSurvey, n, typ, "type.none", "the row has no type")
			continue
		}
		switch begin := strings.Join(kind, "_"); begin {
		case "begin_group", "begin_repeat":
			if begin == "begin_repeat" {
				r.add(sheetSurvey, n, typ, "type.repeat", "Sova has no repeats: ask each question once")
			}
			groups = append(groups, r.openGroup(n, row, groups))
			continue
		case "end_group", "end_repeat":
			if len(groups) == 0 {
				r.add(sheetSurvey, n, typ, "group.end", "this ends a group that was never begun")
			} else {
				groups = groups[:len(groups)-1]
			}
			continue
		}
		audio = append(audio, r.question(sv, n, row, kind, groups)...)
	}
	for _, g := range groups {
		r.add(sheetSurvey, g.row, typ, "group.open", "this group is never ended: add an end_group row")
	}
	return audio
}

// question reads one question's row into sv, with the recordings of its
// words and its choices' words.
func (r *reader) question(sv *domain.Survey, n int, row []string, kind []string, groups []group) []Audio {
	s, name := r.survey, r.survey.col("name")
	earlier := func(id string) *domain.Question {
		if _, ok := r.rowOf[id]; !ok {
			return nil
		}
		return sv.Question(id)
	}
	q, l := r.questionType(n, row, kind)
	q.ID = cell(row, name)
	if q.Type == "" || !r.name(s, n, name, q.ID, "question") {
		r.broken[q.ID] = true // a condition on it says nothing new
		return nil
	}
	q.Text = textKey(s, row, questionKey(sv.ID, q.ID))
	switch was, dup := r.rowOf[q.ID]; {
	case dup:
		r.add(sheetSurvey, n, name, "name.twice", "the name %q is also on row %d: each question needs its own", "name", q.ID, "row", was)
	case q.Text == questionKey(sv.ID, q.ID) && q.Text == sv.Title:
		r.add(sheetSurvey, n, name, "name.title", "the survey's title goes by this name: choose another")
	}
	r.rowOf[q.ID], r.listOf[q.ID] = n, l
	r.say(sv, s, n, q.Text, r.words(s, n, row, r.labels))
	q.Icon = r.icon(s, n, row, "question")
	q.Required = r.required(n, row)
	if c := s.col("constraint"); q.Type == domain.Number && cell(row, c) != "" {
		var why reason
		if q.Min, q.Max, why = readConstraint(cell(row, c)); why.msg != "" {
			r.put(sheetSurvey, n, c, why)
		}
	}
	q.ShowIf = r.relevant(n, row, groups, earlier)
	audio := r.keyed(r.recordings(s, n, row, r.audioCols), q.Text, s, n, r.audioCols)
	if l != nil && q.Type != domain.YesNo {
		for _, c := range l.rows {
			key := cmp.Or(c.key, choiceKey(q.Text, c.value))
			q.Choices = append(q.Choices, domain.Choice{Value: c.value, Text: key, Icon: c.icon})
			r.say(sv, r.choices, c.n, key, c.texts)
			audio = append(audio, r.keyed(c.audio, key, r.choices, c.n, r.choiceAudio)...)
		}
	}
	sv.Questions = append(sv.Questions, q)
	return audio
}

// keyed gives a row's recordings their phrase's key. A phrase said in two
// places (a shared sova_text) has one recording in each language: the same
// file again is that one, and another file is refused.
func (r *reader) keyed(audio []Audio, key string, s *sheet, n int, cols map[string]column) []Audio {
	var out []Audio
	for _, a := range audio {
		switch was, ok := r.voiced[a.Lang+"/"+key]; {
		case !ok:
			r.voiced[a.Lang+"/"+key] = a.File
			a.Key = key
			out = append(out, a)
		case was != a.File:
			r.add(s.name, n, cols[a.Lang], "audio.twice", "these words are recorded in %s already: name that file here too, or give the words their own key in sova_text", "file", was)
		}
	}
	return out
}

// openGroup reads a begin_group row. Its label is a section's title, which
// one question a screen has no place for, and is passed over; its relevant
// passes to the questions in it, and cannot be joined with another.
func (r *reader) openGroup(n int, row []string, open []group) group {
	c := r.survey.col("relevant")
	g := group{row: n, relevant: cell(row, c)}
	for _, o := range open {
		switch {
		case o.relevant == "":
		case g.relevant != "":
			r.add(sheetSurvey, n, c, "group.relevant_twice", "this group and the group on row %d both have a relevant: Sova cannot join conditions, so give each question one", "row", o.row)
		default:
			g = o
		}
	}
	r.refuseColumns(r.survey, n, row)
	return g
}

// questionType reads the type column: the question's type, and for a
// select, its list. A row Sova cannot ask has no type.
func (r *reader) questionType(n int, row []string, kind []string) (domain.Question, *list) {
	var q domain.Question
	s := r.survey
	typ := s.col("type")
	switch kind[0] {
	case "select_one", "select_multiple":
		if len(kind) != 2 {
			r.add(sheetSurvey, n, typ, "select.list", "write %s and the name of its list, and nothing else (for or_other, add a choice named other)", "type", kind[0])
			return q, nil
		}
		l := r.lists[kind[1]]
		if l == nil {
			switch {
			case r.choices == nil:
				r.add(sheetSurvey, n, typ, "select.no_choices", "there is no list %q because the form has no choices sheet", "list", kind[1])
			case len(r.lists) == 0:
				r.add(sheetSurvey, n, typ, "select.no_lists", "there is no list %q in the choices sheet", "list", kind[1])
			default:
				r.add(sheetSurvey, n, typ, "select.unknown", "there is no list %q in the choices sheet (its lists: %s)", "list", kind[1], "lists", strings.Join(slices.Sorted(maps.Keys(r.lists)), ", "))
			}
			return q, nil
		}
		q.Type = domain.Single
		switch {
		case kind[0] == "select_multiple":
			q.Type = domain.Multiple
		case l.yesNo():
			q.Type = domain.YesNo // its words and icons are Sova's own
		}
		if q.Type != domain.YesNo {
			r.checkList(l)
		}
		r.refuseColumns(s, n, row, "constraint", "parameters")
		return q, l
	case "integer", "decimal":
		q.Type, q.Whole = domain.Number, kind[0] == "integer"
		r.refuseColumns(s, n, row, "parameters")
	case "text":
		q.Type = domain.Text
		r.refuseColumns(s, n, row, "constraint", "parameters")
	case "range":
		if c := s.col("parameters"); !isScale(cell(row, c)) {
			r.add(sheetSurvey, n, c, "type.range", "Sova's scale is 1 to 5, shown as faces: write start=1 end=5 step=1")
			return q, nil
		}
		q.Type = domain.Scale
		r.refuseColumns(s, n, row, "constraint")
	default:
		why, ok := refusedTypes[kind[0]]
		if !ok {
			why = because("type.unknown", "Sova cannot ask a %s question: it asks select_one, select_multiple, integer, decimal, text and range (1 to 5)", "type", kind[0])
		}
		r.put(sheetSurvey, n, typ, why)
	}
	return q, nil
}

// refusedTypes are question types Sova will not ask, with why. Anything
// else it does not know is refused with the list of what it does.
var refusedTypes = func() map[string]reason {
	why := map[string]reason{
		"note":      because("type.note", "Sova has no screens without a question: put these words in a question's label, or delete the row"),
		"calculate": because("type.calculate", "Sova does not calculate: delete the row"),
	}
	for _, c := range []struct {
		why   reason
		types []string
	}{
		{because("type.place", "Sova never asks where a member is"), []string{"geopoint", "geotrace", "geoshape", "start-geopoint"}},
		{because("type.media", "Sova never takes pictures, voice or files from a member"), []string{"image", "audio", "background-audio", "video", "file", "barcode"}},
		{because("type.time", "Sova never keeps when a member answered, only the day it arrived: delete the row"), []string{"start", "end", "today", "audit", "date", "time", "datetime"}},
		{because("type.identity", "Sova never keeps anything that could identify a member or her phone: delete the row"), []string{"deviceid", "phonenumber", "simserial", "subscriberid", "username", "email"}},
	} {
		for _, t := range c.types {
			why[t] = c.why
		}
	}
	return why
}()

// isScale reports whether range parameters make Sova's 1–5 scale. Omitted
// ones take ODK's defaults (start=1 end=10 step=1).
func isScale(params string) bool {
	p := map[string]string{"start": "1", "end": "10", "step": "1"}
	for _, kv := range strings.FieldsFunc(params, func(r rune) bool { return r == ' ' || r == ';' || r == ',' }) {
		k, v, _ := strings.Cut(kv, "=")
		p[strings.ToLower(k)] = v
	}
	return len(p) == 3 && p["start"] == "1" && p["end"] == "5" && p["step"] == "1"
}

// required reads yes, true, TRUE(), 1 and their noes, as ODK does.
func (r *reader) required(n int, row []string) bool {
	c := r.survey.col("required")
	switch strings.ToLower(strings.TrimSuffix(strings.ReplaceAll(cell(row, c), " ", ""), "()")) {
	case "yes", "true", "1", "y":
		return true
	case "", "no", "false", "0", "n":
		return false
	}
	r.add(sheetSurvey, n, c, "required.value", "write yes or no: Sova cannot make a question required only sometimes")
	return false
}

var refs = regexp.MustCompile(`\$\{\s*([^}]*?)\s*\}`)

// relevant reads the row's relevant, or that of the group it is in.
func (r *reader) relevant(n int, row []string, groups []group, earlier func(string) *domain.Question) *domain.ShowIf {
	c := r.survey.col("relevant")
	expr, at := cell(row, c), n
	if len(groups) > 0 {
		if g := groups[len(groups)-1]; g.relevant != "" {
			if expr != "" {
				r.add(sheetSurvey, n, c, "relevant.group_twice", "this question and its group (row %d) both have a relevant: Sova cannot join conditions", "row", g.row)
				return nil
			}
			expr, at = g.relevant, g.row
		}
	}
	if expr == "" || slices.ContainsFunc(refs.FindAllStringSubmatch(expr, -1), func(m []string) bool { return r.broken[m[1]] }) {
		return nil
	}
	cond, why := readRelevant(expr, earlier)
	if why.msg != "" {
		if at != n {
			// Said on the group's row: the reason names the question's.
			why.msg = fmt.Sprintf("for the question on row %d: %s", n, why.msg)
			why.args = maps.Clone(why.args)
			if why.args == nil {
				why.args = map[string]string{}
			}
			why.args["forrow"] = strconv.Itoa(n)
		}
		r.put(sheetSurvey, at, c, why)
	}
	return cond
}
