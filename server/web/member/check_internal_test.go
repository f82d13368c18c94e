package member

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"sova/server/domain"
	"sova/server/screening"
)

// The check's list holds what moderators confirmed of the warnings members
// see now, as hashes only: no identifier as written or normalised, nothing
// unconfirmed, nothing of a report not published or expired.
func TestCheckList_OnlyConfirmedIdentifiersOfLiveWarningsAsHashes(t *testing.T) {
	p := screening.Params{Salt: bytes.Repeat([]byte{7}, 16), Iterations: 10, Bytes: screening.Bytes}
	hashOf := func(kind screening.Kind, raw string) []byte {
		id, err := screening.Normalize(kind, raw, "RU")
		if err != nil {
			t.Fatal(err)
		}
		h, err := p.Hash(kind, id)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	const today = "2026-12-03"
	live := &domain.Warning{ID: "a", State: domain.ReportApproved, Kind: "violence", Area: "centre", Day: "2026-12-01", Expires: "2026-12-15",
		Clients: []domain.Client{
			{Kind: screening.Phone, Raw: "8 912 345-67-89", Hash: hashOf(screening.Phone, "8 912 345-67-89")},
			{Kind: screening.Plate, Raw: "А123ВС 77"}, // not confirmed
			{Kind: screening.Handle, Raw: "telegram/BadGuy", Hash: hashOf(screening.Handle, "telegram/BadGuy")},
		}}
	expired := &domain.Warning{ID: "b", State: domain.ReportApproved, Kind: "robbery", Day: "2026-10-01", Expires: "2026-10-15",
		Clients: []domain.Client{{Kind: screening.Phone, Raw: "+7 999 000-11-22", Hash: hashOf(screening.Phone, "+7 999 000-11-22")}}}
	pending := &domain.Warning{ID: "c", State: domain.ReportPending, Kind: "robbery", Day: "2026-12-02",
		Clients: []domain.Client{{Kind: screening.Phone, Raw: "+7 999 333-44-55"}}}
	rejected := &domain.Warning{ID: "d", State: domain.ReportRejected, Kind: "robbery", Day: "2026-12-02", Expires: "2026-12-30",
		Clients: []domain.Client{{Kind: screening.Phone, Raw: "+7 999 666-77-88", Hash: hashOf(screening.Phone, "+7 999 666-77-88")}}}
	noConfirmed := &domain.Warning{ID: "e", State: domain.ReportApproved, Kind: "police", Day: "2026-12-02", Expires: "2026-12-30"}

	asked := 0
	l, err := newCheckList(liveWarnings([]*domain.Warning{live, expired, pending, rejected, noConfirmed}, today), "RU",
		func() (screening.Params, error) { asked++; return p, nil })
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(l)
	for _, plain := range []string{"912", "9123456789", "3456789", "А123ВС", "A123BC", "123", "BadGuy", "badguy", "999", "robbery", "police"} {
		if strings.Contains(string(data), plain) {
			t.Errorf("the list holds %q: %s", plain, data)
		}
	}
	want := map[string][]int{
		base64.RawURLEncoding.EncodeToString(hashOf(screening.Phone, "+79123456789")):     {0},
		base64.RawURLEncoding.EncodeToString(hashOf(screening.Handle, "telegram/badguy")): {0},
	}
	if fmt.Sprint(l.H) != fmt.Sprint(want) || len(l.W) != 1 || l.W[0] != [4]string{"violence", "centre", "2026-12-01", "2026-12-15"} {
		t.Errorf("the list is %s, want hashes %v of one warning", data, want)
	}
	if l.Salt != base64.StdEncoding.EncodeToString(p.Salt) || l.Iter != 10 || l.Bytes != 4 || l.Rules == nil || l.Rules.CallingCode != "7" {
		t.Errorf("parameters or rules: %s", data)
	}

	// Nothing confirmed: no parameters needed, so none asked for (the salt
	// would be made by building the site).
	asked = 0
	if l, err := newCheckList([]*domain.Warning{noConfirmed}, "", func() (screening.Params, error) { asked++; return p, nil }); err != nil || asked != 0 || len(l.H) != 0 || l.Rules != nil {
		t.Errorf("an empty list: %+v %v, parameters asked %d times", l, err, asked)
	}
}

// B10: the list for 1,000 identifiers is at most 40 KB gzip.
func TestCheckList_ThousandIdentifiersFitB10(t *testing.T) {
	var ws []*domain.Warning
	for i := range 500 {
		w := &domain.Warning{ID: fmt.Sprint(i), State: domain.ReportApproved, Kind: []string{"violence", "robbery", "no-payment"}[i%3],
			Area: fmt.Sprintf("area-%d", i%9), Day: fmt.Sprintf("2026-11-%02d", 1+i%28), Expires: fmt.Sprintf("2026-12-%02d", 1+i%28)}
		for k := range 2 {
			h := sha256.Sum256(fmt.Appendf(nil, "%d/%d", i, k)) // as random as a real hash
			w.Clients = append(w.Clients, domain.Client{Kind: screening.Phone, Hash: h[:screening.Bytes]})
		}
		ws = append(ws, w)
	}
	p := screening.Params{Salt: bytes.Repeat([]byte{7}, 16), Iterations: screening.Iterations, Bytes: screening.Bytes}
	l, err := newCheckList(ws, "RU", func() (screening.Params, error) { return p, nil })
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(l)
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(data)
	zw.Close()
	t.Logf("B10: 1,000 identifiers: %d bytes, %d gzip", len(data), z.Len())
	if z.Len() > 40_000 {
		t.Errorf("B10: the list of 1,000 identifiers is %d bytes gzip, over 40 KB", z.Len())
	}
}
