// Package stats turns stored survey responses into the counts the console
// shows (results pages, aggregate exports and the JSON API alike) and hides
// small counts, so that no published figure tells how many people, from 1 to
// 10, gave an answer: not directly, and not by adding or subtracting other
// published figures (BRIEF rule 6).
//
// It is domain logic: it imports the domain package and the standard library
// only.
//
// # Views
//
// A staffer asks for a view (Filter): a range of whole calendar months, and one
// language or all languages. Ranges are whole months because any range of days
// would let two ranges one day apart differ by exactly one day's responses,
// which is usually a handful of people. Month ranges have the same weakness at
// a coarser grain; the rules below deal with it.
//
// A view shows Responses, and for each question Answered (how many of the
// view's responses answered it, "prefer not to say" included) and one bar per
// possible answer (Bar). Bars of single-choice, yes/no, scale and number
// questions partition Answered; bars of a multiple-choice question do not,
// because one person may choose several. Text answers are not aggregated: a
// text question shows Answered and no bars.
//
// # The guarantee
//
// Each figure is either published (its exact count) or hidden (Figure.Hidden,
// with Count zeroed so that it cannot be rendered by mistake). A hidden
// figure is not necessarily small (see the end of "How"), so it is never
// shown as "<11": "answered: <11" for a question 54 of 64 people answered
// would misread a hidden skipped count as an answered one.
// Among all views of one Compute (every month range × every language or all
// languages):
//
//  1. Directly: every published figure is 0 or at least MinCount (11).
//  2. Within a view, by complement: where a total is published, the part of it
//     that its published parts leave unaccounted is 0 or ≥ 11, and a single
//     hidden bar is never left derivable from its total. The totals and parts
//     are: Answered and the bars of a single-choice, yes/no, scale or number
//     question; Responses and Answered (the difference is the people who
//     skipped the question or were not asked it); and, for a multiple-choice
//     question, Answered and each bar (the difference is the people who
//     answered without choosing it).
//  3. Across views, by difference: for any two views W ⊂ V (W's months within
//     V's, and W's language the same as V's or V for all languages), every
//     figure published in both has V − W = 0 or ≥ 11.
//
// Pairs of views are not the only danger: two overlapping ranges minus their
// union give the months they share, and all languages minus some of them give
// the rest. So the package holds a stronger property, which its tests check
// with exact linear algebra on small random archives: for one question (and,
// for a multiple-choice question, one choice at a time), no sum or difference
// of any number of published figures, from any views, equals the number of
// people in a set of months × languages × answers when that number is 1–10.
//
// # How
//
// Compute does not judge views one by one. It decides, for each figure and
// each language (or all languages), the month boundaries at which that figure
// may be cut; the figure is published in exactly the views whose first and
// last months both fall on such boundaries. Consecutive boundaries enclose a
// block, and any combination of the figure's published values is a sum of
// whole blocks, so it suffices that every block holds 0 or ≥ 11 people.
//
// Relations between figures are chains: a total's parts are taken in a fixed
// order, most frequent first, and each part may only use boundaries its
// predecessor uses (bars within Answered, Answered within Responses, each
// language within the one before it, languages ordered by number of
// responses, within all languages). Each block of a part is checked for the
// part itself, for what the later parts leave of the total (the complement),
// for the same part in the later languages, and for the complement in the
// later languages. A part that is the last of its chain, with nothing else
// unaccounted, is derivable anyway and takes its predecessor's boundaries.
//
// When 1 to 10 people skipped a question (over all languages and months),
// its Answered is hidden in every view, and its bars form a chain under
// Responses instead of under Answered, with the skipped left unaccounted. So
// the bars that are safe still show, and none of them, with Responses, tells
// how many skipped.
//
// Boundaries are tried coarse to fine, year changes first, then quarters,
// then single months, most recent first within each pass; one is kept when
// both blocks it creates pass the checks. So what can be published lines up
// with the calendar, and recent months are the last to be merged.
//
// The result depends only on the data, never on which view was asked first:
// everything is decided in one pass of Compute, and View only reads it. The
// cost of the suppression falls mostly on short month ranges, small languages
// and rare answers. A figure may be hidden though its count is 11 or more (to
// protect a complement), or exactly 0 (where its boundaries are not
// published).
//
// # Limits
//
//   - Relations between questions are not modelled. When a question is shown
//     only to people who gave one answer to an earlier question, that bar
//     minus the later question's Answered counts the people who skipped the
//     later question.
//   - Multiple-choice bars are protected one by one against Answered. The sum
//     of all bars minus Answered counts the choices people made beyond their
//     first; with two choices that is the number of people who chose both,
//     and it is not controlled.
//   - Knowledge from outside the console (say, that one person answered on a
//     given day) is out of scope.
//
// Rows are expected to have passed domain.Survey.Check for the survey version
// they are aggregated with. An answer that does not fit its question (an
// unknown choice, a number out of range, a wrong type) is counted as if the
// question had been skipped, so that the totals stay consistent.
package stats
