package stats

import (
	"slices"

	"sova/server/domain"
)

// safe reports whether a count may be known: 0 or at least MinCount.
func safe(n int) bool { return n == 0 || n >= MinCount }

// relate builds the relations between figures and the order of their chains
// (see the package comment): Responses = Answered + the rest, for each
// question; Answered = Σ bars for a single, yesno, scale or number question;
// Answered = bar + the rest, for each bar of a multiple-choice question;
// Responses in place of Answered when 1 to 10 people skipped it. The
// parts of a chain are taken most frequent first (over all languages and
// months), ties in the order of the table.
func (r *Results) relate() {
	n := len(r.figs)
	r.pred, r.rel, r.pos = make([]int, n), make([]int, n), make([]int, n)
	r.last = make([]bool, n)
	r.pred[0], r.rel[0] = -1, -1
	r.order = []int{0}
	total := func(i int) int {
		t := 0
		for _, c := range r.cnt[0][i] {
			t += c
		}
		return t
	}
	add := func(tot int, parts []int) {
		rest := total(tot)
		for _, p := range parts {
			rest -= total(p)
		}
		rl := relation{total: tot, parts: parts, virtual: rest != 0}
		for k, p := range parts {
			r.pred[p], r.rel[p], r.pos[p] = tot, len(r.rels), k
			if k > 0 {
				r.pred[p] = parts[k-1]
			}
			r.last[p] = k == len(parts)-1 && !rl.virtual
			r.order = append(r.order, p)
		}
		r.rels = append(r.rels, rl)
	}
	for qi := range r.survey.Questions {
		q, a := &r.survey.Questions[qi], r.qAns[qi]
		add(0, []int{a})
		var bars []int
		for i := a + 1; i < n && r.figs[i].q == qi; i++ {
			bars = append(bars, i)
		}
		// When 1 to 10 people skipped the question, Answered is hidden in
		// every view (Responses − Answered would count them). Chained to it,
		// every bar would go too, and a question 54 of 64 people answered
		// would show nothing. So its bars are counted against Responses
		// instead, with the skipped left unaccounted: each bar is then
		// checked against what it leaves of Responses, skipped included.
		of := a
		if !safe(total(0) - total(a)) {
			of = 0
		}
		switch {
		case q.Type == domain.Multiple:
			for _, b := range bars {
				add(of, []int{b})
			}
		case len(bars) > 0:
			slices.SortStableFunc(bars, func(x, y int) int { return total(y) - total(x) })
			add(of, bars)
		}
	}
}

// suppress decides r.open, level by level (all languages first, then each
// language, most responses first), each figure after its predecessor.
func (r *Results) suppress() {
	levels := len(r.cnt)
	r.splitOrder()
	r.open = make([][][]bool, levels)
	for level := range levels {
		r.open[level] = make([][]bool, len(r.figs))
		if len(r.months) == 0 {
			continue
		}
		for _, f := range r.order {
			r.open[level][f] = r.decide(level, f)
		}
	}
}

// decide returns the boundaries at which figure f is published at a level:
// nil, or a set that holds the first and the last boundary.
func (r *Results) decide(level, f int) []bool {
	K := len(r.langs)
	switch {
	case level > 0 && level == K:
		// The last language is all languages minus the others.
		return r.open[level-1][f]
	case r.last[f]:
		// The last part is its total minus the other parts.
		return r.open[level][r.pred[f]]
	}
	M := len(r.months)
	cand := make([]bool, M+1)
	for b := range cand {
		cand[b] = true
	}
	for _, o := range [][]bool{r.predOpen(level, f), r.langOpen(level, f)} {
		if o == nil {
			return nil
		}
		for b := range cand {
			cand[b] = cand[b] && o[b]
		}
	}
	checks := r.checks(level, f)
	ok := func(a, b int) bool {
		for _, p := range checks {
			if !safe(p[b] - p[a]) {
				return false
			}
		}
		return true
	}
	if !ok(0, M) {
		return nil
	}
	open := make([]bool, M+1)
	open[0], open[M] = true, true
	for _, pass := range r.passes {
		for _, b := range pass {
			if !cand[b] || open[b] {
				continue
			}
			lo, hi := b-1, b+1
			for !open[lo] {
				lo--
			}
			for !open[hi] {
				hi++
			}
			if ok(lo, b) && ok(b, hi) {
				open[b] = true
			}
		}
	}
	return open
}

// splitOrder sets r.passes: the inner month boundaries in the order decide
// tries them. Years first, then quarters, then single months, so that what
// can be published lines up with the calendar; within each pass the most
// recent first, so that recent months are the last to be merged.
func (r *Results) splitOrder() {
	r.passes = make([][]int, 3)
	for b := len(r.months) - 1; b >= 1; b-- {
		prev, next := r.months[b-1], r.months[b]
		switch {
		case len(prev) < 7 || len(next) < 7 || prev[:4] != next[:4]:
			r.passes[0] = append(r.passes[0], b)
		case quarter(prev) != quarter(next):
			r.passes[1] = append(r.passes[1], b)
		default:
			r.passes[2] = append(r.passes[2], b)
		}
	}
}

// quarter is 0–3 for a "YYYY-MM" month.
func quarter(month string) int { return (int(month[5]-'0')*10 + int(month[6]-'0') - 1) / 3 }

// predOpen is the boundaries of f's predecessor in its chain at the same
// level; all boundaries for Responses.
func (r *Results) predOpen(level, f int) []bool {
	if r.pred[f] < 0 {
		return r.all()
	}
	return r.open[level][r.pred[f]]
}

// langOpen is the boundaries of f at the previous level; all boundaries at
// the level of all languages.
func (r *Results) langOpen(level, f int) []bool {
	if level == 0 {
		return r.all()
	}
	return r.open[level-1][f]
}

func (r *Results) all() []bool {
	o := make([]bool, len(r.months)+1)
	for b := range o {
		o[b] = true
	}
	return o
}

// checks returns, as prefix sums over months, the quantities that each block
// of f's boundaries at a level must keep at 0 or ≥ MinCount: f itself; the
// rest of its total after it (the later parts, and whatever no part
// accounts for); f in the later languages; and the rest in the later
// languages. The last two are all of f and all of the rest at level 0,
// which are the first two again.
func (r *Results) checks(level, f int) [][]int {
	M := len(r.months)
	own := r.cnt[level][f]
	rest := r.rest(level, f)
	later, laterRest := make([]int, M), make([]int, M)
	for l := level + 1; l < len(r.cnt); l++ {
		lr := r.rest(l, f)
		for m := range M {
			later[m] += r.cnt[l][f][m]
			if lr != nil {
				laterRest[m] += lr[m]
			}
		}
	}
	out := [][]int{prefix(own), prefix(later)}
	if rest != nil {
		out = append(out, prefix(rest), prefix(laterRest))
	}
	return out
}

// rest is, per month, f's total minus the parts up to and including f; nil
// for Responses.
func (r *Results) rest(level, f int) []int {
	if r.rel[f] < 0 {
		return nil
	}
	rl := r.rels[r.rel[f]]
	c := r.cnt[level]
	out := slices.Clone(c[rl.total])
	for _, p := range rl.parts[:r.pos[f]+1] {
		for m, n := range c[p] {
			out[m] -= n
		}
	}
	return out
}

func prefix(v []int) []int {
	p := make([]int, len(v)+1)
	for i, n := range v {
		p[i+1] = p[i] + n
	}
	return p
}
