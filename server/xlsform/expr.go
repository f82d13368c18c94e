package xlsform

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"sova/server/domain"
)

// The XPath that Sova's showIf and number bounds can say, and nothing more.
// Each is read and written here, side by side, so that what is written is
// what is read back.
var (
	orJoin     = regexp.MustCompile(`\s+or\s+`)
	andJoin    = regexp.MustCompile(`\s+and\s+`)
	equalsTerm = regexp.MustCompile(`^\$\{\s*([^}]*?)\s*\}\s*=\s*(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?))$`)
	selectTerm = regexp.MustCompile(`^selected\(\s*\$\{\s*([^}]*?)\s*\}\s*,\s*(?:'([^']*)'|"([^"]*)")\s*\)$`)
	boundTerm  = regexp.MustCompile(`^\.\s*(>=|<=)\s*(-?\d+(?:\.\d+)?)$`)
)

const relevantHelp = "Sova shows a question when one earlier answer is one of some values: write ${q} = 'x' or selected(${q}, 'x'), joined by or"

// readRelevant turns a relevant expression into a showIf. earlier finds a
// question asked before this one. The reason is why it cannot, if it cannot.
func readRelevant(expr string, earlier func(name string) *domain.Question) (*domain.ShowIf, reason) {
	var cond domain.ShowIf
	var on *domain.Question
	for _, term := range orJoin.Split(strings.TrimSpace(expr), -1) {
		m, selected := equalsTerm.FindStringSubmatch(term), false
		if m == nil {
			m, selected = selectTerm.FindStringSubmatch(term), true
			if m != nil {
				m = append(m, "") // no unquoted number in selected()
			}
		}
		switch {
		case m == nil && andJoin.MatchString(term):
			return nil, because("relevant.and", "Sova cannot join conditions with and. "+relevantHelp)
		case m == nil:
			return nil, because("relevant.syntax", "%q is more than Sova can say. "+relevantHelp, "expr", term)
		case on != nil && m[1] != on.ID:
			return nil, because("relevant.two_questions", "it names both ${%s} and ${%s}; Sova shows a question after one earlier question's answers only", "first", on.ID, "second", m[1])
		}
		if on = earlier(m[1]); on == nil {
			return nil, because("relevant.not_earlier", "${%s} is not a question asked before this one", "question", m[1])
		}
		cond.Question = on.ID
		quoted := m[2] + m[3]
		unquoted := m[4] != ""
		var v any = quoted
		switch on.Type {
		case domain.Number, domain.Text:
			return nil, because("relevant.type", "Sova cannot show a question after a %s answer (${%s}); only after choices, yes/no and scales", "type", on.Type, "question", on.ID)
		case domain.Multiple:
			if !selected {
				return nil, because("relevant.selected", "${%s} takes many answers: write selected(${%s}, '%s') to mean that this one was among them", "question", on.ID, "question", on.ID, "value", quoted+m[4])
			}
		case domain.YesNo:
			if quoted != "yes" && quoted != "no" {
				return nil, because("relevant.yesno", "${%s} is a yes/no question: its answers are 'yes' and 'no'", "question", on.ID)
			}
			v = quoted == "yes"
		case domain.Scale:
			v = json.Number(quoted + m[4])
		default:
			if unquoted {
				return nil, because("relevant.quotes", "put the choice in quotes: ${%s} = '%s'", "question", on.ID, "value", m[4])
			}
		}
		cond.AnyOf = append(cond.AnyOf, v)
	}
	return &cond, reason{}
}

// writeRelevant says q's showIf in XPath, so that readRelevant gives it back.
func writeRelevant(sv *domain.Survey, q *domain.Question) string {
	if q.ShowIf == nil {
		return ""
	}
	on := sv.Question(q.ShowIf.Question)
	terms := make([]string, len(q.ShowIf.AnyOf))
	for i, v := range q.ShowIf.AnyOf {
		ref := "${" + q.ShowIf.Question + "}"
		switch b, isBool := v.(bool); {
		case on != nil && on.Type == domain.Multiple:
			terms[i] = fmt.Sprintf("selected(%s, '%v')", ref, v)
		case isBool && b:
			terms[i] = ref + " = 'yes'"
		case isBool:
			terms[i] = ref + " = 'no'"
		case on != nil && on.Type == domain.Scale:
			terms[i] = fmt.Sprintf("%s = %v", ref, v)
		default:
			terms[i] = fmt.Sprintf("%s = '%v'", ref, v)
		}
	}
	return strings.Join(terms, " or ")
}

const constraintHelp = "Sova checks a number's range only: write . >= 0 and . <= 120, or either half"

// readConstraint reads a number's bounds.
func readConstraint(expr string) (lo, hi *float64, problem reason) {
	for _, term := range andJoin.Split(strings.TrimSpace(expr), -1) {
		m := boundTerm.FindStringSubmatch(term)
		if m == nil {
			return nil, nil, because("constraint.syntax", "%q is more than Sova can say. "+constraintHelp, "expr", term)
		}
		f, _ := strconv.ParseFloat(m[2], 64)
		bound := &lo
		if m[1] == "<=" {
			bound = &hi
		}
		if *bound != nil {
			return nil, nil, because("constraint.twice", "it gives the same bound twice. "+constraintHelp)
		}
		*bound = &f
	}
	if lo != nil && hi != nil && *lo > *hi {
		return nil, nil, because("constraint.order", "the smallest number (%g) is greater than the largest (%g)", "min", *lo, "max", *hi)
	}
	return lo, hi, reason{}
}

// writeConstraint says the bounds q sets, and no default it leaves, so that
// the survey read back is the same.
func writeConstraint(q *domain.Question) string {
	var terms []string
	if q.Min != nil {
		terms = append(terms, ". >= "+number(*q.Min))
	}
	if q.Max != nil {
		terms = append(terms, ". <= "+number(*q.Max))
	}
	return strings.Join(terms, " and ")
}

func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
