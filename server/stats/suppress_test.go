package stats

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sova/server/domain"
)

// ---- small hand-made archives, one rule at a time ----

// yesno is a survey of one yes/no question "q".
func yesno(required bool) *domain.Survey {
	return &domain.Survey{ID: "t", Version: 1, Languages: []string{"en", "ru", "uz"},
		Questions: []domain.Question{{ID: "q", Type: domain.YesNo, Required: required}}}
}

// some returns n rows received on day in lang with the given answers.
func some(n int, day, lang string, answers domain.Answers) []Row {
	out := make([]Row, n)
	for i := range out {
		out[i] = Row{Day: day, Lang: lang, Answers: answers}
	}
	return out
}

func join(parts ...[]Row) []Row { return slices.Concat(parts...) }

func bar(t *testing.T, tab *Table, q, value string) Figure {
	t.Helper()
	for _, qt := range tab.Questions {
		if qt.ID != q {
			continue
		}
		for _, b := range qt.Bars {
			if b.Value == value {
				return b.Figure
			}
		}
	}
	t.Fatalf("no bar %s=%s", q, value)
	return Figure{}
}

func answered(t *testing.T, tab *Table, q string) Figure {
	t.Helper()
	for _, qt := range tab.Questions {
		if qt.ID == q {
			return qt.Answered
		}
	}
	t.Fatalf("no question %s", q)
	return Figure{}
}

func shown(n int) Figure { return Figure{Count: n} }

var hidden = Figure{Hidden: true}

func expect(t *testing.T, what string, got, want Figure) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %s, want %s", what, got.Label(), want.Label())
	}
}

var (
	yes = domain.Answers{"q": true}
	no  = domain.Answers{"q": false}
)

func TestRule1_CountsFrom1To10AreHiddenAnd0AndFrom11Shown(t *testing.T) {
	for _, n := range []int{0, 1, 5, 10, 11, 12} {
		rows := join(some(n, "2025-01-03", "en", yes), some(20, "2025-01-04", "en", no),
			some(20, "2025-01-05", "en", domain.Answers{"q": nil}))
		tab := Build(yesno(true), rows, Filter{})
		want := shown(n)
		if !safe(n) {
			want = hidden
		}
		expect(t, fmt.Sprintf("yes with %d people", n), bar(t, tab, "q", "true"), want)
		expect(t, "no with 20", bar(t, tab, "q", "false"), shown(20))
		expect(t, "Answered", answered(t, tab, "q"), shown(40+n))
	}
}

// yes 25, no 5: hiding "no" alone would leave it as Answered − yes, so yes
// goes too, and Answered stays.
func TestRule2_AHiddenBarIsNeverLeftDerivableFromItsTotal(t *testing.T) {
	rows := join(some(25, "2025-01-03", "en", yes), some(5, "2025-01-03", "en", no))
	tab := Build(yesno(true), rows, Filter{})
	expect(t, "Responses", tab.Responses, shown(30))
	expect(t, "Answered", answered(t, tab, "q"), shown(30))
	expect(t, "no", bar(t, tab, "q", "false"), hidden)
	expect(t, "yes", bar(t, tab, "q", "true"), hidden)
}

// Two small bars together are safe to leave unaccounted: the big one shows.
func TestRule2_SmallBarsHideTogetherWhenTheirSumIsSafe(t *testing.T) {
	rows := join(some(30, "2025-01-03", "en", yes), some(6, "2025-01-03", "en", no),
		some(7, "2025-01-03", "en", domain.Answers{"q": nil}))
	tab := Build(yesno(true), rows, Filter{})
	expect(t, "yes", bar(t, tab, "q", "true"), shown(30))
	expect(t, "no", bar(t, tab, "q", "false"), hidden)
	expect(t, "null", bar(t, tab, "q", "null"), hidden)
}

// 30 responses, 25 answered: Answered would tell that 5 skipped.
func TestRule2_SkippedCountIsProtected(t *testing.T) {
	rows := join(some(25, "2025-01-03", "en", yes), some(5, "2025-01-03", "en", domain.Answers{}))
	tab := Build(yesno(false), rows, Filter{})
	expect(t, "Responses", tab.Responses, shown(30))
	expect(t, "Answered", answered(t, tab, "q"), hidden)
	expect(t, "yes, whose total is hidden", bar(t, tab, "q", "true"), hidden)
}

// 64 responses, 54 answered: Answered would tell that 10 skipped, so it is
// hidden, but the bars need not all go with it. Only the smallest, which
// would leave the 10 as Responses minus the others, is hidden.
func TestRule2_ASmallSkippedCountHidesAnsweredNotEveryBar(t *testing.T) {
	rows := join(some(40, "2025-01-03", "en", yes), some(14, "2025-01-03", "en", no),
		some(10, "2025-01-03", "en", domain.Answers{}))
	tab := Build(yesno(false), rows, Filter{})
	expect(t, "Responses", tab.Responses, shown(64))
	expect(t, "Answered", answered(t, tab, "q"), hidden)
	expect(t, "yes", bar(t, tab, "q", "true"), shown(40))
	expect(t, "no, which would leave the skipped", bar(t, tab, "q", "false"), hidden)

	s := &domain.Survey{ID: "t", Version: 1, Questions: []domain.Question{{ID: "m", Type: domain.Multiple,
		Choices: []domain.Choice{{Value: "x"}, {Value: "y"}}}}}
	rows = join(some(40, "2025-01-03", "en", domain.Answers{"m": []string{"x"}}),
		some(14, "2025-01-03", "en", domain.Answers{"m": []string{"y"}}),
		some(10, "2025-01-03", "en", domain.Answers{}))
	tab = Build(s, rows, Filter{})
	expect(t, "multiple: Answered", answered(t, tab, "m"), hidden)
	expect(t, "multiple: x", bar(t, tab, "m", "x"), shown(40))
	expect(t, "multiple: y", bar(t, tab, "m", "y"), shown(14))
}

// 40 answered, 35 chose x: bar x would tell that 5 did not.
func TestRule2_MultipleChoiceComplementIsProtected(t *testing.T) {
	s := &domain.Survey{ID: "t", Version: 1, Questions: []domain.Question{{ID: "m", Type: domain.Multiple,
		Choices: []domain.Choice{{Value: "x"}, {Value: "y"}}}}}
	rows := join(some(35, "2025-01-03", "en", domain.Answers{"m": []string{"x", "y"}}),
		some(5, "2025-01-03", "en", domain.Answers{"m": []string{"y"}}))
	tab := Build(s, rows, Filter{})
	expect(t, "Answered", answered(t, tab, "m"), shown(40))
	expect(t, "x", bar(t, tab, "m", "x"), hidden)
	expect(t, "y (everyone)", bar(t, tab, "m", "y"), shown(40))
}

// January 20, February 5: January alone would be January–February minus 5.
func TestRule3_MonthInsideARangeIsNotRevealedByDifference(t *testing.T) {
	rows := join(some(20, "2025-01-10", "en", yes), some(5, "2025-02-10", "en", yes))
	r := Compute(yesno(true), rows)
	expect(t, "Jan–Feb", r.View(Filter{From: "2025-01", To: "2025-02"}).Responses, shown(25))
	expect(t, "Jan", r.View(Filter{From: "2025-01", To: "2025-01"}).Responses, hidden)
	expect(t, "Feb", r.View(Filter{From: "2025-02", To: "2025-02"}).Responses, hidden)
}

// January 20, February 5, March 20: publishing Jan–Feb, Feb–Mar and Jan–Mar
// would give February as 25 + 25 − 45, though no two of them differ by 5.
func TestRule3_OverlappingRangesDoNotRevealTheMonthTheyShare(t *testing.T) {
	rows := join(some(20, "2025-01-10", "en", yes), some(5, "2025-02-10", "en", yes), some(20, "2025-03-10", "en", yes))
	r := Compute(yesno(true), rows)
	view := func(from, to string) Figure { return r.View(Filter{From: from, To: to}).Responses }
	jf, fm, jm := view("2025-01", "2025-02"), view("2025-02", "2025-03"), view("2025-01", "2025-03")
	expect(t, "Jan–Mar", jm, shown(45))
	if !jf.Hidden && !fm.Hidden {
		t.Errorf("Jan–Feb %s and Feb–Mar %s both shown with Jan–Mar %s", jf.Label(), fm.Label(), jm.Label())
	}
	expect(t, "Feb", view("2025-02", "2025-02"), hidden)
}

// ru 40, en 30, uz 5: en shown would give uz as all − ru − en.
func TestRule3_ALanguageIsNotRevealedByAllMinusTheOthers(t *testing.T) {
	rows := join(some(40, "2025-01-10", "ru", yes), some(30, "2025-01-10", "en", yes), some(5, "2025-01-10", "uz", yes))
	r := Compute(yesno(true), rows)
	expect(t, "all", r.View(Filter{}).Responses, shown(75))
	expect(t, "ru", r.View(Filter{Lang: "ru"}).Responses, shown(40))
	expect(t, "uz", r.View(Filter{Lang: "uz"}).Responses, hidden)
	expect(t, "en", r.View(Filter{Lang: "en"}).Responses, hidden)
}

// The same answers give the same tables, whichever views were asked before
// and in whichever order the rows come.
func TestDecisionsDoNotDependOnWhichViewIsAskedFirst(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	a := randomArchive(rng, 5, 3, 200)
	filters := a.filters()
	want := map[Filter]string{}
	r := Compute(a.s, a.rows)
	for _, f := range filters {
		want[f] = fmt.Sprint(*r.View(f))
	}
	for range 5 {
		rng.Shuffle(len(filters), func(i, j int) { filters[i], filters[j] = filters[j], filters[i] })
		rows := slices.Clone(a.rows)
		rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		r := Compute(a.s, rows)
		for _, f := range filters[:10] {
			if got := fmt.Sprint(*r.View(f)); got != want[f] {
				t.Fatalf("view %+v differs:\n%s\n%s", f, got, want[f])
			}
			if got := fmt.Sprint(*Build(a.s, rows, f)); got != want[f] {
				t.Fatalf("Build %+v differs from View", f)
			}
		}
	}
}

// ---- random archives ----

type archive struct {
	s      *domain.Survey
	rows   []Row
	months []string // every month of the archive's span, some without rows
	langs  []string
}

func propertySurvey() *domain.Survey {
	f := func(x float64) *float64 { return &x }
	ch := func(vs ...string) (out []domain.Choice) {
		for _, v := range vs {
			out = append(out, domain.Choice{Value: v})
		}
		return out
	}
	return &domain.Survey{ID: "p", Version: 1, Languages: []string{"en", "ru", "uz"}, Questions: []domain.Question{
		{ID: "kind", Type: domain.Single, Required: true, Choices: ch("a", "b", "c")},
		{ID: "many", Type: domain.Multiple, Choices: ch("x", "y", "z")},
		{ID: "ok", Type: domain.YesNo, ShowIf: &domain.ShowIf{Question: "kind", AnyOf: []any{"a"}}},
		{ID: "feel", Type: domain.Scale},
		{ID: "days", Type: domain.Number, Min: f(0), Max: f(7)},
		{ID: "note", Type: domain.Text},
	}}
}

// skewed returns n weights, a few of them large, so that small cells are
// common.
func skewed(rng *rand.Rand, n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		e := rng.ExpFloat64()
		w[i] = e * e * e
	}
	return w
}

func pick(rng *rand.Rand, w []float64) int {
	t := 0.0
	for _, x := range w {
		t += x
	}
	u := rng.Float64() * t
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	return len(w) - 1
}

func randomArchive(rng *rand.Rand, maxMonths, maxLangs, maxRows int) archive {
	a := archive{s: propertySurvey()}
	y, m := 2024, 10+rng.IntN(3)
	for range 1 + rng.IntN(maxMonths) {
		a.months = append(a.months, fmt.Sprintf("%04d-%02d", y, m))
		if m++; m > 12 {
			y, m = y+1, 1
		}
	}
	a.langs = []string{"en", "ru", "uz"}[:1+rng.IntN(maxLangs)]
	monthW, langW := skewed(rng, len(a.months)), skewed(rng, len(a.langs))
	type dist struct {
		absent, null float64
		w            []float64
	}
	qs := a.s.Questions
	d := make([]dist, len(qs))
	for i, q := range qs {
		n := len(q.Choices)
		switch q.Type {
		case domain.YesNo:
			n = 2
		case domain.Scale:
			n = 5
		case domain.Number:
			n = 8
		}
		d[i] = dist{absent: rng.Float64() * 0.5, null: rng.Float64() * 0.3, w: skewed(rng, max(n, 1))}
		if q.Required {
			d[i].absent = 0
		}
	}
	for range rng.IntN(maxRows + 1) {
		ans := domain.Answers{}
		for i, q := range qs {
			if q.ShowIf != nil && ans[q.ShowIf.Question] != "a" {
				continue
			}
			u := rng.Float64()
			if u < d[i].absent {
				continue
			}
			if u < d[i].absent+d[i].null {
				ans[q.ID] = nil
				continue
			}
			k := pick(rng, d[i].w)
			switch q.Type {
			case domain.Single:
				ans[q.ID] = q.Choices[k].Value
			case domain.Multiple:
				var chosen []string
				for j, c := range q.Choices {
					if j == k || rng.IntN(3) == 0 {
						chosen = append(chosen, c.Value)
					}
				}
				ans[q.ID] = chosen
			case domain.YesNo:
				ans[q.ID] = k == 0
			case domain.Scale:
				ans[q.ID] = k + 1
			case domain.Number:
				ans[q.ID] = float64(k)
			case domain.Text:
				ans[q.ID] = "words"
			}
		}
		day := fmt.Sprintf("%s-%02d", a.months[pick(rng, monthW)], 1+rng.IntN(28))
		a.rows = append(a.rows, Row{Day: day, Lang: a.langs[pick(rng, langW)], Answers: ans})
	}
	return a
}

// filters lists every view a staffer can ask for: open or bounded ends at
// every month of the span, all languages, each language, and one with no
// responses.
func (a archive) filters() []Filter {
	ends := append([]string{""}, a.months...)
	var out []Filter
	for _, lang := range append([]string{"", "zz"}, a.langs...) {
		for _, from := range ends {
			for _, to := range ends {
				if from == "" || to == "" || from <= to {
					out = append(out, Filter{Lang: lang, From: from, To: to})
				}
			}
		}
	}
	return out
}

var daysLabel = []string{"0", "1-2", "1-2", "3-5", "3-5", "3-5", "6-7", "6-7"}

// leaves is what one row contributes to question q, computed here
// independently of the package: the bar values, or nil when it did not
// answer.
func leaves(q domain.Question, v any, present bool) []string {
	if !present {
		return nil
	}
	if v == nil {
		return []string{"null"}
	}
	switch q.Type {
	case domain.Single:
		return []string{v.(string)}
	case domain.Multiple:
		return v.([]string)
	case domain.YesNo:
		return []string{strconv.FormatBool(v.(bool))}
	case domain.Scale:
		return []string{strconv.Itoa(v.(int))}
	case domain.Number:
		return []string{daysLabel[int(v.(float64))]}
	}
	return []string{""} // text: answered, no bar
}

func (a archive) in(f Filter, row Row) bool {
	m := row.Day[:7]
	return (f.Lang == "" || f.Lang == row.Lang) && (f.From == "" || m >= f.From) && (f.To == "" || m <= f.To)
}

// truth counts a view the plain way. Keys: "R", "A/q", "B/q/value".
func (a archive) truth(f Filter) map[string]int {
	out := map[string]int{}
	for _, row := range a.rows {
		if !a.in(f, row) {
			continue
		}
		out["R"]++
		for _, q := range a.s.Questions {
			v, ok := row.Answers[q.ID]
			ls := leaves(q, v, ok)
			if ls == nil {
				continue
			}
			out["A/"+q.ID]++
			for _, l := range ls {
				if l != "" {
					out["B/"+q.ID+"/"+l]++
				}
			}
		}
	}
	return out
}

func published(t *Table) map[string]Figure {
	out := map[string]Figure{"R": t.Responses}
	for _, q := range t.Questions {
		out["A/"+q.ID] = q.Answered
		for _, b := range q.Bars {
			out["B/"+q.ID+"/"+b.Value] = b.Figure
		}
	}
	return out
}

type view struct {
	f     Filter
	pub   map[string]Figure
	truth map[string]int
}

// within reports whether w's months are within v's and its language is v's
// or v is for all languages.
func within(w, v Filter) bool {
	return (v.Lang == "" || v.Lang == w.Lang) &&
		(v.From == "" || (w.From != "" && w.From >= v.From)) &&
		(v.To == "" || (w.To != "" && w.To <= v.To))
}

func TestSuppression_NoSmallFigureDirectOrByDifference(t *testing.T) {
	const datasets = 250
	for seed := uint64(1); seed <= datasets; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x5ca1ab1e))
		a := randomArchive(rng, 5, 3, 160)
		if err := checkArchive(a); err != nil {
			t.Fatalf("seed %d (%d rows, %d months, %d languages): %v", seed, len(a.rows), len(a.months), len(a.langs), err)
		}
	}
}

func checkArchive(a archive) error {
	r := Compute(a.s, a.rows)
	var views []view
	for _, f := range a.filters() {
		views = append(views, view{f: f, pub: published(r.View(f)), truth: a.truth(f)})
	}
	for _, v := range views {
		// Rule 1, and published figures are true.
		for k, fig := range v.pub {
			switch {
			case fig.Hidden && fig.Count != 0:
				return fmt.Errorf("%+v %s: hidden but carries %d", v.f, k, fig.Count)
			case !fig.Hidden && fig.Count != v.truth[k]:
				return fmt.Errorf("%+v %s: shows %d, truly %d", v.f, k, fig.Count, v.truth[k])
			case !fig.Hidden && !safe(fig.Count):
				return fmt.Errorf("%+v %s: shows %d", v.f, k, fig.Count)
			}
		}
		// Rule 2.
		for _, q := range a.s.Questions {
			ans := v.pub["A/"+q.ID]
			if ans.Hidden {
				continue
			}
			if !v.pub["R"].Hidden && !safe(v.truth["R"]-ans.Count) {
				return fmt.Errorf("%+v %s: Responses − Answered = %d", v.f, q.ID, v.truth["R"]-ans.Count)
			}
			var hid []string
			sum := 0
			for _, val := range Values(&q) {
				k := "B/" + q.ID + "/" + val
				if !v.pub[k].Hidden {
					if q.Type == domain.Multiple && !safe(ans.Count-v.pub[k].Count) {
						return fmt.Errorf("%+v %s: Answered − %s = %d", v.f, q.ID, val, ans.Count-v.pub[k].Count)
					}
					continue
				}
				hid = append(hid, val)
				sum += v.truth[k]
			}
			if q.Type == domain.Multiple {
				continue
			}
			if len(hid) == 1 {
				return fmt.Errorf("%+v %s: the only hidden bar %s is Answered minus the others", v.f, q.ID, hid[0])
			}
			if !safe(sum) {
				return fmt.Errorf("%+v %s: hidden bars %v add up to %d", v.f, q.ID, hid, sum)
			}
		}
	}
	// Rule 3: every pair of nested views.
	for _, v := range views {
		for _, w := range views {
			if v.f == w.f || !within(w.f, v.f) {
				continue
			}
			for k, fv := range v.pub {
				if fw := w.pub[k]; !fv.Hidden && !fw.Hidden && !safe(fv.Count-fw.Count) {
					return fmt.Errorf("%s: %+v shows %d and %+v shows %d", k, v.f, fv.Count, w.f, fw.Count)
				}
			}
		}
	}
	// Beyond pairs: all languages minus the languages shown, and two
	// overlapping ranges minus their union.
	byFilter := map[Filter]view{}
	for _, v := range views {
		byFilter[v.f] = v
	}
	for _, v := range views {
		if v.f.Lang != "" {
			continue
		}
		for k, all := range v.pub {
			if all.Hidden {
				continue
			}
			rest, hid := all.Count, 0
			for _, l := range a.langs {
				f := v.f
				f.Lang = l
				if fl := byFilter[f].pub[k]; fl.Hidden {
					hid++
				} else {
					rest -= fl.Count
				}
			}
			if hid == 1 || !safe(rest) {
				return fmt.Errorf("%+v %s: all languages minus the shown ones leaves %d in %d hidden", v.f, k, rest, hid)
			}
		}
	}
	for _, lang := range append([]string{""}, a.langs...) {
		for i, from1 := range a.months {
			for _, from2 := range a.months[i+1:] {
				for j, to1 := range a.months {
					if to1 < from2 {
						continue
					}
					for _, to2 := range a.months[j+1:] {
						v1, v2 := byFilter[Filter{lang, from1, to1}], byFilter[Filter{lang, from2, to2}]
						u := byFilter[Filter{lang, from1, to2}]
						for k, fu := range u.pub {
							f1, f2 := v1.pub[k], v2.pub[k]
							if !fu.Hidden && !f1.Hidden && !f2.Hidden && !safe(f1.Count+f2.Count-fu.Count) {
								return fmt.Errorf("%s in %q: %s..%s + %s..%s − %s..%s = %d", k, lang, from1, to1, from2, to2, from1, to2, f1.Count+f2.Count-fu.Count)
							}
						}
					}
				}
			}
		}
	}
	return nil
}

// ---- the strong property, by linear algebra ----

// An attacker who sees every published figure of every view knows every
// linear combination of them. For each question (for a multiple-choice
// question, each choice with its complement) this test builds the space of
// cells month × language × answer, the published figures as vectors in it,
// and checks that no set of months × languages × answers whose count is 1–10
// lies in their span.
func TestSuppression_NoSmallCountInTheSpanOfPublishedFigures(t *testing.T) {
	const datasets = 100
	for seed := uint64(1); seed <= datasets; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0xa0d17))
		a := randomArchive(rng, 3, 3, 90)
		if err := auditArchive(a); err != nil {
			t.Fatalf("seed %d (%d rows, %d months, %d languages): %v", seed, len(a.rows), len(a.months), len(a.langs), err)
		}
	}
}

// space is one question's cells: leaf names, and how to find a row's leaf.
type space struct {
	name   string
	q      domain.Question
	leaves []string             // the last is "NA": not answered
	leaf   func(row Row) int    // index into leaves
	fig    func(k string) []int // leaves of a published figure; nil if not in this space
}

func spaces(s *domain.Survey) []space {
	var out []space
	for _, q := range s.Questions {
		if q.Type == domain.Multiple {
			for _, c := range Values(&q) {
				sp := space{name: q.ID + "/" + c, q: q, leaves: []string{c, "not " + c, "NA"}}
				sp.leaf = func(row Row) int {
					v, ok := row.Answers[q.ID]
					ls := leaves(q, v, ok)
					switch {
					case ls == nil:
						return 2
					case slices.Contains(ls, c):
						return 0
					}
					return 1
				}
				sp.fig = func(k string) []int {
					switch k {
					case "R":
						return []int{0, 1, 2}
					case "A/" + q.ID:
						return []int{0, 1}
					case "B/" + q.ID + "/" + c:
						return []int{0}
					}
					return nil
				}
				out = append(out, sp)
			}
			continue
		}
		ls := append(Values(&q), "NA")
		if q.Type == domain.Text {
			ls = []string{"", "NA"}
		}
		sp := space{name: q.ID, q: q, leaves: ls}
		sp.leaf = func(row Row) int {
			v, ok := row.Answers[q.ID]
			l := leaves(q, v, ok)
			switch {
			case l == nil:
				return len(ls) - 1
			case q.Type == domain.Text:
				return 0 // answered, "prefer not to say" included
			}
			return slices.Index(ls, l[0])
		}
		sp.fig = func(k string) []int {
			switch k {
			case "R":
				all := make([]int, len(ls))
				for i := range all {
					all[i] = i
				}
				return all
			case "A/" + q.ID:
				ans := make([]int, len(ls)-1)
				for i := range ans {
					ans[i] = i
				}
				return ans
			}
			if v, ok := strings.CutPrefix(k, "B/"+q.ID+"/"); ok {
				return []int{slices.Index(ls, v)}
			}
			return nil
		}
		out = append(out, sp)
	}
	return out
}

func auditArchive(a archive) error {
	r := Compute(a.s, a.rows)
	months := r.Months() // cells exist for months with rows only
	nm, nl := len(months), len(a.langs)
	for _, sp := range spaces(a.s) {
		nv := len(sp.leaves)
		dim := nm * nl * nv
		cell := func(m, l, v int) int { return (m*nl+l)*nv + v }
		counts := make([]int, dim)
		for _, row := range a.rows {
			counts[cell(slices.Index(months, row.Day[:7]), slices.Index(a.langs, row.Lang), sp.leaf(row))]++
		}
		var basis span
		for _, f := range a.filters() {
			var ms, ls []int
			for i, m := range months {
				if (f.From == "" || m >= f.From) && (f.To == "" || m <= f.To) {
					ms = append(ms, i)
				}
			}
			for i, l := range a.langs {
				if f.Lang == "" || f.Lang == l {
					ls = append(ls, i)
				}
			}
			for k, fig := range published(r.View(f)) {
				vs := sp.fig(k)
				if fig.Hidden || vs == nil {
					continue
				}
				vec := make([]uint64, dim)
				for _, m := range ms {
					for _, l := range ls {
						for _, v := range vs {
							vec[cell(m, l, v)] = 1
						}
					}
				}
				basis.add(vec)
			}
		}
		for mset := 1; mset < 1<<nm; mset++ {
			for lset := 1; lset < 1<<nl; lset++ {
				for vset := 1; vset < 1<<nv; vset++ {
					vec, n := make([]uint64, dim), 0
					for m := range nm {
						for l := range nl {
							for v := range nv {
								if mset&(1<<m) != 0 && lset&(1<<l) != 0 && vset&(1<<v) != 0 {
									vec[cell(m, l, v)] = 1
									n += counts[cell(m, l, v)]
								}
							}
						}
					}
					if !safe(n) && basis.has(vec) {
						return fmt.Errorf("%s: %d people in months %s × languages %s × answers %s follow from published figures",
							sp.name, n, pickNames(months, mset), pickNames(a.langs, lset), pickNames(sp.leaves, vset))
					}
				}
			}
		}
	}
	return nil
}

func pickNames(names []string, set int) []string {
	var out []string
	for i, n := range names {
		if set&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// span is a basis in echelon form over the integers modulo a prime, enough
// to decide exactly whether a 0/1 vector is a rational combination of others
// (with overwhelming likelihood for these small integer matrices).
type span struct {
	rows  [][]uint64
	pivot []int
}

const prime = 2147483647

func (s *span) reduce(v []uint64) []uint64 {
	v = slices.Clone(v)
	for i, row := range s.rows {
		if c := v[s.pivot[i]]; c != 0 {
			for j := range v {
				v[j] = (v[j] + (prime-c)*row[j]) % prime
			}
		}
	}
	return v
}

func (s *span) add(v []uint64) {
	v = s.reduce(v)
	p := slices.IndexFunc(v, func(x uint64) bool { return x != 0 })
	if p < 0 {
		return
	}
	inv := pow(v[p], prime-2)
	for j := range v {
		v[j] = v[j] * inv % prime
	}
	s.rows, s.pivot = append(s.rows, v), append(s.pivot, p)
}

func (s *span) has(v []uint64) bool {
	return !slices.ContainsFunc(s.reduce(v), func(x uint64) bool { return x != 0 })
}

func pow(b, e uint64) uint64 {
	r := uint64(1)
	for ; e > 0; e >>= 1 {
		if e&1 == 1 {
			r = r * b % prime
		}
		b = b * b % prime
	}
	return r
}

// ---- the decisions' own invariants ----

// Every figure's boundaries, forced ones included, nest in its predecessor's
// and in the previous level's, and every block passes every check.
func TestSuppression_BoundariesNestAndEveryBlockIsSafe(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0xb10c))
		a := randomArchive(rng, 8, 3, 400)
		r := Compute(a.s, a.rows)
		M := len(r.months)
		for level := range r.open {
			for f, o := range r.open[level] {
				if o == nil {
					continue
				}
				where := fmt.Sprintf("seed %d level %d figure %d %+v", seed, level, f, r.figs[f])
				if !o[0] || !o[M] {
					t.Fatalf("%s: boundaries %v miss an end", where, o)
				}
				for _, outer := range [][]bool{r.predOpen(level, f), r.langOpen(level, f)} {
					for b := range o {
						if o[b] && (outer == nil || !outer[b]) {
							t.Fatalf("%s: boundary %d not in its predecessor's", where, b)
						}
					}
				}
				checks := r.checks(level, f)
				prev := 0
				for b := 1; b <= M; b++ {
					if !o[b] {
						continue
					}
					for i, p := range checks {
						if !safe(p[b] - p[prev]) {
							t.Fatalf("%s: block %d..%d holds %d in check %d", where, prev, b, p[b]-p[prev], i)
						}
					}
					prev = b
				}
			}
		}
	}
}
