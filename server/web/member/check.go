package member

import (
	"encoding/base64"

	"sova/server/domain"
	"sova/server/screening"
)

// checkList is /check.json: what the check page (check.js) matches a
// client against, offline. It holds no identifier, only the keyed, slow,
// truncated hashes the moderators' confirmations made, so a seized phone
// gives an attacker nothing but a costly guessing game (README, "What a
// seized phone reveals"). It is the same in every language: the page says
// each kind and area in its own words.
type checkList struct {
	// Salt, Iter and Bytes are the organisation's hash parameters (absent
	// while nothing is confirmed: the page then needs no hashing).
	Salt  string `json:"salt,omitempty"`
	Iter  int    `json:"iter,omitempty"`
	Bytes int    `json:"bytes,omitempty"`
	// Rules read a number written without + as the organisation's members
	// dial it; null where its country is unset or unreadable offline.
	Rules *screening.PhoneRules `json:"rules"`
	// W lists the warnings [kind, area, day, expires]: a phone left
	// offline drops an entry once its expiry has passed.
	W [][4]string `json:"w"`
	// H maps each hash (base64url, no padding) to its warnings' indexes in
	// W. Two identifiers may share a truncated hash, or one warning name
	// the client twice.
	H map[string][]int `json:"h"`
}

// newCheckList lists the confirmed identifiers of the live warnings.
// params is called only when there is one, so the salt already exists and
// building the site never writes.
func newCheckList(warnings []*domain.Warning, country string, params func() (screening.Params, error)) (checkList, error) {
	l := checkList{W: [][4]string{}, H: map[string][]int{}}
	if r, err := screening.RulesFor(country); country != "" && err == nil {
		l.Rules = &r
	}
	for _, w := range warnings {
		i := -1
		for _, c := range w.Clients {
			if !c.Confirmed() {
				continue
			}
			if i < 0 {
				i = len(l.W)
				l.W = append(l.W, [4]string{w.Kind, w.Area, w.Day, w.Expires})
			}
			h := base64.RawURLEncoding.EncodeToString(c.Hash)
			if n := len(l.H[h]); n == 0 || l.H[h][n-1] != i {
				l.H[h] = append(l.H[h], i)
			}
		}
	}
	if len(l.W) == 0 {
		return l, nil
	}
	p, err := params()
	if err != nil {
		return l, err
	}
	l.Salt, l.Iter, l.Bytes = base64.StdEncoding.EncodeToString(p.Salt), p.Iterations, p.Bytes
	return l, nil
}
