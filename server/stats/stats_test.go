package stats

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"sova/assets"
	"sova/server/domain"
)

func ptr(x float64) *float64 { return &x }

// Counts are tested with 11 or more of everything, so nothing is hidden.
func TestBuild_CountsEveryQuestionType(t *testing.T) {
	s := &domain.Survey{ID: "t", Version: 1, Questions: []domain.Question{
		{ID: "one", Type: domain.Single, Choices: []domain.Choice{{Value: "a"}, {Value: "b"}}},
		{ID: "many", Type: domain.Multiple, Choices: []domain.Choice{{Value: "x"}, {Value: "y"}, {Value: "z"}}},
		{ID: "yn", Type: domain.YesNo},
		{ID: "face", Type: domain.Scale},
		{ID: "n", Type: domain.Number, Min: ptr(0), Max: ptr(7)},
		{ID: "words", Type: domain.Text},
	}}
	rows := join(
		some(11, "2025-03-01", "en", domain.Answers{"one": "a", "many": []string{"x", "y"}, "yn": true, "face": 5, "n": 0.0, "words": "hi"}),
		some(12, "2025-03-02", "en", domain.Answers{"one": "b", "many": []string{"y"}, "yn": false, "face": 1, "n": 2.0}),
		// JSON-decoded spellings count the same.
		some(13, "2025-03-03", "en", domain.Answers{"one": nil, "many": []any{"z", "x"}, "yn": nil, "face": 5.0, "n": 7.0, "words": nil}),
	)
	tab := Build(s, rows, Filter{})
	got := map[string]string{"R": tab.Responses.Label()}
	for _, q := range tab.Questions {
		var bars []string
		for _, b := range q.Bars {
			bars = append(bars, b.Value+":"+b.Label())
		}
		got[q.ID] = q.Answered.Label() + " " + strings.Join(bars, " ")
	}
	want := map[string]string{
		"R":     "36",
		"one":   "36 a:11 b:12 null:13",
		"many":  "36 x:24 y:23 z:13 null:0",
		"yn":    "36 true:11 false:12 null:13",
		"face":  "36 1:12 2:0 3:0 4:0 5:24 null:0",
		"n":     "36 0:11 1-2:12 3-5:0 6-7:13 null:0",
		"words": "24 ",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
}

// A skipped or hidden question is absent: not in Answered; "prefer not to
// say" is in Answered and in the "null" bar. An answer that does not fit the
// question counts as skipped.
func TestBuild_AbsentNullAndUnfitAnswers(t *testing.T) {
	s := yesno(false)
	rows := join(
		some(20, "2025-03-01", "en", domain.Answers{"q": true}),
		some(11, "2025-03-01", "en", domain.Answers{"q": nil}),
		some(15, "2025-03-01", "en", domain.Answers{}),
		some(12, "2025-03-01", "en", domain.Answers{"q": "yes"}),
	)
	tab := Build(s, rows, Filter{})
	expect(t, "Responses", tab.Responses, shown(58))
	expect(t, "Answered", answered(t, tab, "q"), shown(31))
	expect(t, "true", bar(t, tab, "q", "true"), shown(20))
	expect(t, "false", bar(t, tab, "q", "false"), shown(0))
	expect(t, "null", bar(t, tab, "q", "null"), shown(11))
}

func TestBuild_FiltersSelectWholeMonthsAndALanguage(t *testing.T) {
	s := yesno(true)
	rows := join(
		some(11, "2025-01-01", "en", yes), some(12, "2025-01-31", "ru", yes),
		some(13, "2025-02-15", "en", yes), some(14, "2025-04-30", "ru", no),
	)
	r := Compute(s, rows)
	cases := []struct {
		f    Filter
		want int
	}{
		{Filter{}, 50},
		{Filter{From: "2025-01", To: "2025-01"}, 23},
		{Filter{From: "2025-02"}, 27},
		{Filter{To: "2025-03"}, 36},
		{Filter{From: "2025-03", To: "2025-04"}, 14},
		{Filter{Lang: "en"}, 24},
		{Filter{Lang: "ru", From: "2025-01", To: "2025-02"}, 12},
	}
	for _, c := range cases {
		expect(t, fmt.Sprintf("%+v", c.f), r.View(c.f).Responses, shown(c.want))
	}
	if got := r.Months(); !slices.Equal(got, []string{"2025-01", "2025-02", "2025-04"}) {
		t.Errorf("Months() = %v", got)
	}
	if got := r.Languages(); !slices.Equal(got, []string{"en", "ru"}) {
		t.Errorf("Languages() = %v", got)
	}
}

func TestBuild_AViewWithoutResponsesIsAllZeros(t *testing.T) {
	rows := some(30, "2025-01-10", "en", yes)
	for _, f := range []Filter{{Lang: "uz"}, {From: "2025-02"}, {To: "2024-12"}, {From: "2025-03", To: "2025-01"}} {
		tab := Build(yesno(true), rows, f)
		expect(t, fmt.Sprintf("%+v Responses", f), tab.Responses, shown(0))
		expect(t, fmt.Sprintf("%+v true", f), bar(t, tab, "q", "true"), shown(0))
	}
	tab := Build(yesno(true), nil, Filter{})
	expect(t, "no rows at all", tab.Responses, shown(0))
	if len(tab.Questions) != 1 || len(tab.Questions[0].Bars) != 3 {
		t.Errorf("an empty archive still lists its questions and bars: %+v", tab.Questions)
	}
}

func TestNumberBuckets_AreDerivedFromTheBounds(t *testing.T) {
	cases := []struct {
		min, max *float64
		want     string
	}{
		{ptr(0), ptr(7), "0 1-2 3-5 6-7"},
		{ptr(0), ptr(100), "0 1-2 3-5 6-10 11-20 21-50 51-100"},
		{nil, nil, "0 1-2 3-5 6-10 11-20 21-50 51-100 101-200 201-500 501-1000"},
		{ptr(1), ptr(3), "1 2-3"},
		{ptr(0), ptr(3), "0 1-2 3"},
		{ptr(5), ptr(5), "5"},
	}
	for _, c := range cases {
		q := &domain.Question{Type: domain.Number, Min: c.min, Max: c.max}
		if got := strings.Join(numberBuckets(q).Labels, " "); got != c.want {
			t.Errorf("buckets of %g–%g = %q, want %q", deref(c.min), deref(c.max), got, c.want)
		}
	}
	b := numberBuckets(&domain.Question{Type: domain.Number, Min: ptr(0), Max: ptr(7)})
	for v, want := range map[float64]string{0: "0", 0.5: "1-2", 2: "1-2", 2.5: "3-5", 5: "3-5", 7: "6-7", 7.5: "", -1: ""} {
		got := ""
		if i := b.Index(v); i >= 0 {
			got = b.Labels[i]
		}
		if got != want {
			t.Errorf("%g goes to %q, want %q", v, got, want)
		}
	}
}

func deref(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

// A hidden figure must not carry its count anywhere a template or an
// encoder could find it.
func TestFigure_AHiddenFigureNeverCarriesItsCount(t *testing.T) {
	rows := join(some(5, "2025-01-10", "en", yes), some(30, "2025-01-10", "en", no))
	tab := Build(yesno(true), rows, Filter{})
	f := bar(t, tab, "q", "true")
	if !f.Hidden || f.Count != 0 || f.Label() != "hidden" {
		t.Fatalf("5 people: %+v %q", f, f.Label())
	}
	b, _ := json.Marshal(tab)
	if strings.Contains(string(b), `"count":5`) {
		t.Errorf("the JSON holds the hidden count: %s", b)
	}
	if !strings.Contains(string(b), `{"value":"true","count":0,"hidden":true}`) {
		t.Errorf("unexpected JSON: %s", b)
	}
}

func TestFilter_Validate(t *testing.T) {
	for _, f := range []Filter{{}, {From: "2025-01"}, {From: "2024-12", To: "2025-01", Lang: "ru"}} {
		if err := f.Validate(); err != nil {
			t.Errorf("%+v: %v", f, err)
		}
	}
	for _, f := range []Filter{{From: "2025-1"}, {To: "2025-01-03"}, {From: "2025-13"}, {From: "2025-02", To: "2025-01"}} {
		if err := f.Validate(); err == nil {
			t.Errorf("%+v: accepted", f)
		}
	}
}

// The shipped needs survey aggregates: answers that pass Check produce a
// table whose published figures add up.
func TestBuild_NeedsSurvey(t *testing.T) {
	data, err := fs.ReadFile(assets.Surveys, "needs.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := domain.ParseSurvey("needs.json", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows := realistic(s, rand.New(rand.NewPCG(3, 3)), 3000, 12, []string{"en", "ru"})
	for _, row := range rows[:50] {
		plain, _ := json.Marshal(map[string]any{"lang": row.Lang, "answers": row.Answers})
		if _, err := s.Check(plain); err != nil {
			t.Fatalf("generated answers do not pass Check: %v\n%s", err, plain)
		}
	}
	tab := Build(s, rows, Filter{})
	expect(t, "Responses", tab.Responses, shown(len(rows)))
	if len(tab.Questions) != len(s.Questions) {
		t.Fatalf("%d questions, want %d", len(tab.Questions), len(s.Questions))
	}
	for _, q := range tab.Questions {
		if q.Answered.Hidden || q.Type == domain.Multiple || q.Type == domain.Text {
			continue
		}
		sum, hiddenBars := 0, 0
		for _, b := range q.Bars {
			sum += b.Count
			if b.Hidden {
				hiddenBars++
			}
		}
		if hiddenBars == 0 && sum != q.Answered.Count {
			t.Errorf("%s: bars add up to %d, Answered %d", q.ID, sum, q.Answered.Count)
		}
	}
}

// realistic makes rows that pass Check: skewed answers, some skipped,
// "prefer not to say" now and then, conditions respected, months growing
// and languages of very different sizes.
func realistic(s *domain.Survey, rng *rand.Rand, n, months int, langs []string) []Row {
	langW := make([]float64, len(langs))
	for i := range langW {
		langW[i] = 1 / float64((i+1)*(i+1))
	}
	monthW := make([]float64, months)
	for i := range monthW {
		monthW[i] = float64(i + 5)
	}
	weights := make([][]float64, len(s.Questions))
	for i, q := range s.Questions {
		k := max(len(q.Choices), 2)
		if q.Type == domain.Scale {
			k = 5
		}
		weights[i] = skewed(rng, k)
	}
	rows := make([]Row, n)
	for r := range rows {
		ans := domain.Answers{}
		for i, q := range s.Questions {
			if !shownTo(s, &q, ans) {
				continue
			}
			u := rng.Float64()
			switch {
			case !q.Required && u < 0.1:
				continue
			case u > 0.97:
				ans[q.ID] = nil
				continue
			}
			k := pick(rng, weights[i])
			switch q.Type {
			case domain.Single:
				ans[q.ID] = q.Choices[k].Value
			case domain.Multiple:
				var chosen []string
				for j, c := range q.Choices {
					if j == k || rng.Float64() < weights[i][j]/8 {
						chosen = append(chosen, c.Value)
					}
				}
				ans[q.ID] = chosen
			case domain.YesNo:
				ans[q.ID] = k == 0
			case domain.Scale:
				ans[q.ID] = k + 1
			case domain.Number:
				lo, hi := q.Bounds()
				ans[q.ID] = float64(int(lo + (hi-lo)*rng.Float64()*rng.Float64()))
			case domain.Text:
				ans[q.ID] = "words"
			}
		}
		m := pick(rng, monthW)
		rows[r] = Row{
			Day:     fmt.Sprintf("%04d-%02d-%02d", 2024+m/12, 1+m%12, 1+rng.IntN(28)),
			Lang:    langs[pick(rng, langW)],
			Answers: ans,
		}
	}
	return rows
}

// shownTo evaluates a showIf the way the app does.
func shownTo(s *domain.Survey, q *domain.Question, ans domain.Answers) bool {
	if q.ShowIf == nil {
		return true
	}
	got, ok := ans[q.ShowIf.Question]
	if !ok || got == nil {
		return false
	}
	for _, w := range q.ShowIf.AnyOf {
		switch g := got.(type) {
		case []string:
			if slices.Contains(g, fmt.Sprint(w)) {
				return true
			}
		default:
			if fmt.Sprint(g) == fmt.Sprint(w) {
				return true
			}
		}
	}
	return false
}

// benchSurvey is 30 questions of every type, like a long needs survey.
func benchSurvey() *domain.Survey {
	s := &domain.Survey{ID: "bench", Version: 1, Languages: []string{"en", "ru", "uz", "ky", "tg"}}
	choices := func(n int) (out []domain.Choice) {
		for i := range n {
			out = append(out, domain.Choice{Value: fmt.Sprintf("c%d", i)})
		}
		return out
	}
	for i := range 30 {
		q := domain.Question{ID: fmt.Sprintf("q%02d", i)}
		switch {
		case i < 8:
			q.Type, q.Choices, q.Required = domain.Multiple, choices(5+i%5), i%2 == 0
		case i < 11:
			q.Type, q.Choices, q.Required = domain.Single, choices(4), true
		case i < 13:
			q.Type, q.Max = domain.Number, ptr(float64(7+93*(i%2)))
		case i < 15:
			q.Type = domain.Scale
		case i < 29:
			q.Type, q.Required = domain.YesNo, i%3 == 0
			if i%4 == 0 {
				q.ShowIf = &domain.ShowIf{Question: fmt.Sprintf("q%02d", i-1), AnyOf: []any{true}}
			}
		default:
			q.Type = domain.Text
		}
		s.Questions = append(s.Questions, q)
	}
	return s
}

func benchRows() (*domain.Survey, []Row) {
	s := benchSurvey()
	return s, realistic(s, rand.New(rand.NewPCG(1, 2)), 20000, 24, s.Languages)
}

// How much a realistic archive shows, for the record (go test -v).
func TestUtility_OfARealisticArchive(t *testing.T) {
	s, rows := benchRows()
	r := Compute(s, rows)
	share := func(f Filter) string {
		tab := r.View(f)
		n, shownN := 0, 0
		for _, fig := range published(tab) {
			n++
			if !fig.Hidden {
				shownN++
			}
		}
		return fmt.Sprintf("%d%%", 100*shownN/n)
	}
	m := r.Months()
	t.Logf("figures shown, 20,000 rows, 24 months, 5 languages of falling size:")
	t.Logf("  all months:  all %s, en %s, tg %s", share(Filter{}), share(Filter{Lang: "en"}), share(Filter{Lang: "tg"}))
	t.Logf("  one quarter: all %s, en %s", share(Filter{From: m[3], To: m[5]}), share(Filter{Lang: "en", From: m[3], To: m[5]}))
	t.Logf("  one month:   all %s, en %s, tg %s", share(Filter{From: m[12], To: m[12]}), share(Filter{Lang: "en", From: m[12], To: m[12]}), share(Filter{Lang: "tg", From: m[12], To: m[12]}))
	if tab := r.View(Filter{}); tab.Responses.Hidden || tab.Responses.Count != len(rows) {
		t.Errorf("Responses of everything: %+v", tab.Responses)
	}
}

// Build for one view of a realistic archive: 24 months × 5 languages × 30
// questions, 20,000 rows. Build decides every view, so this is also the cost
// of the first view a console asks for.
func BenchmarkBuild(b *testing.B) {
	s, rows := benchRows()
	f := Filter{Lang: "ru", From: "2024-04", To: "2025-03"}
	b.ReportAllocs()
	for b.Loop() {
		Build(s, rows, f)
	}
}

// View of an archive already computed.
func BenchmarkView(b *testing.B) {
	s, rows := benchRows()
	r := Compute(s, rows)
	f := Filter{Lang: "ru", From: "2024-04", To: "2025-03"}
	b.ReportAllocs()
	for b.Loop() {
		r.View(f)
	}
}
