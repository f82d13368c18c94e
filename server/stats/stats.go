package stats

import (
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"

	"sova/server/domain"
)

// MinCount is the smallest count published other than 0: a count from 1 to
// MinCount−1 is hidden.
const MinCount = 11

// Row is one stored response as the console aggregates it.
type Row struct {
	Day     string // "YYYY-MM-DD", the UTC date of receipt
	Lang    string
	Answers domain.Answers
}

// Filter names a view. Months are "YYYY-MM" and whole: From and To are
// inclusive, "" leaves that end open. Lang "" means all languages.
type Filter struct {
	Lang string `json:"lang,omitempty"`
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

var monthPattern = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// Validate reports a malformed filter, for the handler that reads one from a
// staffer's request. View accepts any filter: a malformed one still selects
// some range, and every range is safe to show. Its refusals are the
// console's to say in the staffer's language.
func (f Filter) Validate() error {
	switch {
	case f.From != "" && !monthPattern.MatchString(f.From):
		return domain.Refuse(domain.CodeInvalid, "results.from", "from must be a month written YYYY-MM, got %q", "month", f.From)
	case f.To != "" && !monthPattern.MatchString(f.To):
		return domain.Refuse(domain.CodeInvalid, "results.to", "to must be a month written YYYY-MM, got %q", "month", f.To)
	case f.From != "" && f.To != "" && f.From > f.To:
		return domain.Refuse(domain.CodeInvalid, "results.order", "from must not be after to")
	}
	return nil
}

// Figure is one published or hidden count.
type Figure struct {
	// Count is the exact count when the figure is published, and 0 when it is
	// hidden.
	Count int `json:"count"`
	// Hidden says the figure is not published. Its own count may be
	// anything: from 1 to MinCount−1, or more or 0 where it would let such a
	// count be worked out (Answered, when fewer than MinCount skipped). So a
	// hidden figure is never shown as a small count such as "<11", which
	// would read as the wrong number.
	Hidden bool `json:"hidden,omitempty"`
}

// Label is the figure as shown: its count, or "hidden".
func (f Figure) Label() string {
	if f.Hidden {
		return "hidden"
	}
	return strconv.Itoa(f.Count)
}

// Bar is the count of one answer to a question. Value is the choice value
// (single, multiple), "true" or "false" (yesno), "1" to "5" (scale), a range
// of a number question such as "0", "1-2", "3-5" (see Values), or "null" for
// "prefer not to say".
type Bar struct {
	Value string `json:"value"`
	Figure
}

// NullValue is the bar of "prefer not to say".
const NullValue = "null"

// QuestionTable is one question's figures in a view.
type QuestionTable struct {
	ID       string              `json:"id"`
	Type     domain.QuestionType `json:"type"`
	Answered Figure              `json:"answered"`
	Bars     []Bar               `json:"bars"`
}

// Table is one view, ready to chart or export.
type Table struct {
	Filter    Filter          `json:"filter"`
	Responses Figure          `json:"responses"`
	Questions []QuestionTable `json:"questions"`
}

// Build aggregates rows (the responses to one survey version) for the view f.
// To show several views of the same rows, Compute once and call View.
func Build(s *domain.Survey, rows []Row, f Filter) *Table {
	return Compute(s, rows).View(f)
}

// Results holds the counts and the suppression decisions for every view of
// one archive. It is read-only after Compute, so safe for concurrent use.
type Results struct {
	survey *domain.Survey
	months []string // distinct months with responses, sorted
	langs  []string // distinct languages, most responses first
	figs   []figure
	qAns   []int // per question: index of its Answered figure
	rels   []relation
	// cnt[level][figure][month]: level 0 is all languages, level i ≥ 1 is
	// langs[i-1].
	cnt [][][]int
	// open[level][figure] marks the month boundaries (0..len(months)) at
	// which the figure is published; nil when it never is.
	open [][][]bool
	// Per figure: the figure before it in its chain (its total for the first
	// part; -1 for Responses), the relation it is a part of, its position
	// there, and whether it is the last part with nothing else unaccounted.
	pred, rel, pos []int
	last           []bool
	order          []int   // figures in decision order: every pred first
	passes         [][]int // month boundaries in the order they are tried
}

// figure is one line of a table: Responses, a question's Answered, or a bar.
type figure struct {
	q     int    // question index, -1 for Responses
	value string // bar value; "" for Responses and Answered
}

// relation is total = Σ parts (+ what is left when virtual).
type relation struct {
	total   int
	parts   []int // chain order
	virtual bool  // the parts do not always add up to the total
}

// Compute counts rows and decides, for every view at once, which figures are
// published.
func Compute(s *domain.Survey, rows []Row) *Results {
	r := &Results{survey: s}
	r.layout()
	r.count(rows)
	r.relate()
	r.suppress()
	return r
}

// Months lists the months that have responses, sorted.
func (r *Results) Months() []string { return slices.Clone(r.months) }

// Languages lists the languages that have responses, sorted.
func (r *Results) Languages() []string {
	l := slices.Clone(r.langs)
	slices.Sort(l)
	return l
}

// View returns the table of one view. A language or a range without
// responses gives a table of zeros.
func (r *Results) View(f Filter) *Table {
	level := 0
	if f.Lang != "" {
		level = slices.Index(r.langs, f.Lang) + 1 // 0 (not found) is fixed below
		if level == 0 {
			level = -1
		}
	}
	lo, hi := r.bounds(f)
	empty := level < 0 || lo >= hi
	figure := func(i int) Figure {
		if empty {
			return Figure{}
		}
		if o := r.open[level][i]; o != nil && o[lo] && o[hi] {
			n := 0
			for _, c := range r.cnt[level][i][lo:hi] {
				n += c
			}
			return Figure{Count: n}
		}
		return Figure{Hidden: true}
	}
	t := &Table{Filter: f, Responses: figure(0), Questions: make([]QuestionTable, len(r.survey.Questions))}
	for qi := range r.survey.Questions {
		q := &r.survey.Questions[qi]
		a := r.qAns[qi]
		qt := QuestionTable{ID: q.ID, Type: q.Type, Answered: figure(a), Bars: []Bar{}}
		for i := a + 1; i < len(r.figs) && r.figs[i].q == qi && r.figs[i].value != ""; i++ {
			qt.Bars = append(qt.Bars, Bar{Value: r.figs[i].value, Figure: figure(i)})
		}
		t.Questions[qi] = qt
	}
	return t
}

// bounds turns a filter's months into month boundaries: the view covers
// r.months[lo:hi].
func (r *Results) bounds(f Filter) (lo, hi int) {
	hi = len(r.months)
	if f.From != "" {
		lo = sort.SearchStrings(r.months, f.From)
	}
	if f.To != "" {
		hi = sort.Search(len(r.months), func(i int) bool { return r.months[i] > f.To })
	}
	return lo, hi
}

// layout lists the figures: Responses, then per question its Answered
// followed by its bars in the order of Values.
func (r *Results) layout() {
	r.figs = []figure{{q: -1}}
	r.qAns = make([]int, len(r.survey.Questions))
	for qi := range r.survey.Questions {
		r.qAns[qi] = len(r.figs)
		r.figs = append(r.figs, figure{q: qi})
		for _, v := range Values(&r.survey.Questions[qi]) {
			r.figs = append(r.figs, figure{q: qi, value: v})
		}
	}
}

// Values lists the bar values of a question in the order they are shown,
// "prefer not to say" ("null") last. A text question has none.
//
// A number question's bars are ranges derived from its bounds lo–hi
// (domain.Question.Bounds): lo alone (usually 0, "none"), then ranges whose
// upper ends lie 2, 5, 10, 20, 50, 100, … above lo, the last one ending at
// hi. For 0–7 that is "0", "1-2", "3-5", "6-7"; for 0–100 "0", "1-2", "3-5",
// "6-10", "11-20", "21-50", "51-100"; for the default 0–1000 ten bars.
// Labels are written for whole numbers; a fractional answer counts in the
// range of its distance from lo rounded up (2.5 in 0–7 counts in "3-5").
func Values(q *domain.Question) []string {
	var vs []string
	switch q.Type {
	case domain.Single, domain.Multiple:
		for _, c := range q.Choices {
			vs = append(vs, c.Value)
		}
	case domain.YesNo:
		vs = []string{"true", "false"}
	case domain.Scale:
		vs = []string{"1", "2", "3", "4", "5"}
	case domain.Number:
		vs = numberBuckets(q).Labels
	default:
		return nil
	}
	return append(vs, NullValue)
}

// count fills r.cnt from the rows.
func (r *Results) count(rows []Row) {
	monthIdx := map[string]int{}
	langRows := map[string]int{}
	for _, row := range rows {
		monthIdx[month(row.Day)] = 0
		langRows[row.Lang]++
	}
	for m := range monthIdx {
		r.months = append(r.months, m)
	}
	slices.Sort(r.months)
	for i, m := range r.months {
		monthIdx[m] = i
	}
	for l := range langRows {
		r.langs = append(r.langs, l)
	}
	slices.SortFunc(r.langs, func(a, b string) int {
		if d := langRows[b] - langRows[a]; d != 0 {
			return d
		}
		return compare(a, b)
	})
	langIdx := map[string]int{}
	for i, l := range r.langs {
		langIdx[l] = i + 1
	}

	M := len(r.months)
	r.cnt = make([][][]int, len(r.langs)+1)
	for level := range r.cnt {
		r.cnt[level] = make([][]int, len(r.figs))
		for i := range r.figs {
			r.cnt[level][i] = make([]int, M)
		}
	}
	counters := make([]*bucketer, len(r.survey.Questions))
	for qi := range r.survey.Questions {
		if q := &r.survey.Questions[qi]; q.Type == domain.Number {
			b := numberBuckets(q)
			counters[qi] = &b
		}
	}
	for _, row := range rows {
		c, m := r.cnt[langIdx[row.Lang]], monthIdx[month(row.Day)]
		c[0][m]++
		for qi := range r.survey.Questions {
			q, a := &r.survey.Questions[qi], r.qAns[qi]
			v, ok := row.Answers[q.ID]
			if !ok {
				continue
			}
			if v == nil {
				c[a][m]++
				if q.Type != domain.Text {
					c[a+1+len(q.Choices)+barCount(q, counters[qi])][m]++
				}
				continue
			}
			if q.Type == domain.Multiple {
				if chosen := choices(q, v); chosen != 0 {
					c[a][m]++
					for i := range q.Choices {
						if chosen&(1<<i) != 0 {
							c[a+1+i][m]++
						}
					}
				}
				continue
			}
			if q.Type == domain.Text {
				if s, ok := v.(string); ok && s != "" {
					c[a][m]++
				}
				continue
			}
			if i := barIndex(q, counters[qi], v); i >= 0 {
				c[a][m]++
				c[a+1+i][m]++
			}
		}
	}
	for level := 1; level < len(r.cnt); level++ {
		for i := range r.figs {
			for m, n := range r.cnt[level][i] {
				r.cnt[0][i][m] += n
			}
		}
	}
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// month is the "YYYY-MM" of a day.
func month(day string) string {
	if len(day) > 7 {
		return day[:7]
	}
	return day
}

// barCount is the number of bars before "null": choices are counted by the
// caller, so it is 0 for single and multiple.
func barCount(q *domain.Question, b *bucketer) int {
	switch q.Type {
	case domain.YesNo:
		return 2
	case domain.Scale:
		return 5
	case domain.Number:
		return len(b.Labels)
	}
	return 0
}

// barIndex is the bar of a non-null answer to a single, yesno, scale or
// number question, or -1 when the answer does not fit the question.
func barIndex(q *domain.Question, b *bucketer, v any) int {
	switch q.Type {
	case domain.Single:
		if s, ok := v.(string); ok {
			return slices.IndexFunc(q.Choices, func(c domain.Choice) bool { return c.Value == s })
		}
	case domain.YesNo:
		if t, ok := v.(bool); ok {
			if t {
				return 0
			}
			return 1
		}
	case domain.Scale:
		if f, ok := number(v); ok && f == math.Trunc(f) && f >= 1 && f <= 5 {
			return int(f) - 1
		}
	case domain.Number:
		if f, ok := number(v); ok {
			return b.Index(f)
		}
	}
	return -1
}

// choices is the set of choice indexes in a multiple-choice answer, as bits;
// 0 when the answer does not fit (not a list, empty, or an unknown value).
// A choice listed twice counts once.
func choices(q *domain.Question, v any) uint64 {
	var list []string
	switch t := v.(type) {
	case []string:
		list = t
	case []any:
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return 0
			}
			list = append(list, s)
		}
	default:
		return 0
	}
	var set uint64
	for _, s := range list {
		i := slices.IndexFunc(q.Choices, func(c domain.Choice) bool { return c.Value == s })
		if i < 0 || i >= 64 {
			return 0
		}
		set |= 1 << i
	}
	return set
}

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, !math.IsNaN(t) && !math.IsInf(t, 0)
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	}
	return 0, false
}

// bucketer sorts number answers into bars.
type bucketer struct {
	Labels []string
	lo, hi float64
	upper  []float64 // inclusive upper end of each bucket, as an offset from lo
}

// numberBuckets are the bars of a number question, as described at Values.
func numberBuckets(q *domain.Question) bucketer {
	lo, hi := q.Bounds()
	b := bucketer{lo: lo, hi: hi, upper: []float64{0}, Labels: []string{num(lo)}}
	span := math.Ceil(hi - lo)
	for base := 1.0; b.upper[len(b.upper)-1] < span; base *= 10 {
		for _, k := range []float64{2, 5, 10} {
			prev := b.upper[len(b.upper)-1]
			if prev >= span {
				break
			}
			up := math.Min(k*base, span)
			b.upper = append(b.upper, up)
			from, to := lo+prev+1, math.Min(lo+up, hi)
			if from >= to {
				b.Labels = append(b.Labels, num(to))
			} else {
				b.Labels = append(b.Labels, num(from)+"-"+num(to))
			}
		}
	}
	return b
}

// Index is the bucket of a number answer, or -1 when it is out of bounds.
func (b *bucketer) Index(v float64) int {
	if !(v >= b.lo && v <= b.hi) {
		return -1
	}
	d := math.Ceil(v - b.lo)
	i, _ := slices.BinarySearch(b.upper, d)
	return min(i, len(b.upper)-1)
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
