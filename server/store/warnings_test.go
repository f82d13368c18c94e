package store_test

import (
	"bytes"
	"testing"

	"sova/server/domain"
	"sova/server/screening"
)

// A decision keeps the report as decided and takes the answers it no
// longer keeps out of the report's answer, with its audit entry, all of it
// surviving a restart; the rest of the answer stays.
func TestDecideReport_ForgottenAnswersLeaveTheResponse(t *testing.T) {
	dir, key := t.TempDir(), newKey(t)
	db := openDB(t, dir, key)
	answers := domain.Answers{"kind": "robbery", domain.ClientPhone: "+7 912 345-67-89", domain.ClientPlate: "A123BC77", domain.ClientHandle: "vk/someone"}
	w := domain.WarningFrom(id(1), "2026-11-27", "en", answers)
	rec := domain.Record{ID: id(1), Day: "2026-11-27", Content: &domain.Content{Survey: domain.WarnSurveyID, Version: 1, Lang: "en", Answers: answers}, Report: &w}
	if _, err := db.SaveAll([]domain.Record{rec}); err != nil {
		t.Fatal(err)
	}
	w.State, w.Clients = domain.ReportApproved, []domain.Client{{Kind: screening.Phone, Raw: "+7 912 345-67-89", Hash: []byte{1, 2, 3, 4}}}
	audit := domain.AuditEntry{Staff: "mod", Action: "identifiers confirmed", Target: id(1) + " (1)"}
	if err := db.DecideReport(&w, []string{domain.ClientPlate, domain.ClientHandle}, audit); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openDB(t, dir, key)
	r, err := db.Response(id(1))
	if err != nil || r == nil {
		t.Fatalf("the report's answer: %v", err)
	}
	for _, q := range []string{domain.ClientPlate, domain.ClientHandle} {
		if _, ok := r.Answers[q]; ok {
			t.Errorf("the answer still holds %s", q)
		}
	}
	if r.Answers["kind"] != "robbery" || r.Answers[domain.ClientPhone] == nil {
		t.Errorf("the answer lost what the decision keeps: %v", r.Answers)
	}
	got, err := db.Warning(id(1))
	if err != nil || got == nil || got.State != domain.ReportApproved || len(got.Clients) != 1 || !bytes.Equal(got.Clients[0].Hash, []byte{1, 2, 3, 4}) {
		t.Errorf("the decided report: %+v %v", got, err)
	}
	log, err := db.AuditLog(10)
	if err != nil || len(log) != 1 || log[0].Target != id(1)+" (1)" {
		t.Errorf("the audit log: %+v %v", log, err)
	}
}

// The list's salt is made once and kept: a restart (or a restored backup)
// hashes the same identifier to the same entry, so the list members hold
// still matches.
func TestScreeningParams_SaltIsMadeOnceAndKept(t *testing.T) {
	dir, key := t.TempDir(), newKey(t)
	db := openDB(t, dir, key)
	p, err := db.ScreeningParams()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Salt) != screening.SaltBytes || p.Iterations != screening.Iterations || p.Bytes != screening.Bytes {
		t.Fatalf("parameters %+v", p)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := openDB(t, dir, key).ScreeningParams()
	if err != nil || !bytes.Equal(again.Salt, p.Salt) {
		t.Errorf("the salt changed across a restart: %x, then %x (%v)", p.Salt, again.Salt, err)
	}
	if other, _ := openDB(t, t.TempDir(), newKey(t)).ScreeningParams(); bytes.Equal(other.Salt, p.Salt) {
		t.Error("two organisations share a salt")
	}
}
