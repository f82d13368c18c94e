package store_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"sova/server/domain"
	"sova/server/store"
)

func newKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, store.KeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

// openDB opens a real, encrypted Badger in dir; it is closed when the test
// ends (closing it earlier is fine).
func openDB(t *testing.T, dir string, key []byte) *store.DB {
	t.Helper()
	db, err := store.Open(dir, key, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func record(id, lang string, answers domain.Answers) domain.Record {
	return domain.Record{ID: id, Day: "2025-03-01", Content: &domain.Content{Survey: "needs", Version: 1, Lang: lang, Answers: answers}}
}

func id(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func TestSaveAll_Verdicts(t *testing.T) {
	yes := domain.Answers{"police": true}
	no := domain.Answers{"police": false}
	type batch struct {
		records []domain.Record
		want    []domain.Verdict
	}
	cases := []struct {
		name    string
		batches []batch
	}{
		{"new ids are accepted", []batch{
			{[]domain.Record{record(id(1), "en", yes), record(id(2), "en", no)}, []domain.Verdict{domain.Accepted, domain.Accepted}},
		}},
		{"the same content again is a duplicate", []batch{
			{[]domain.Record{record(id(1), "en", yes)}, []domain.Verdict{domain.Accepted}},
			{[]domain.Record{record(id(1), "en", yes)}, []domain.Verdict{domain.Duplicate}},
		}},
		{"other content under a stored id is a conflict", []batch{
			{[]domain.Record{record(id(1), "en", yes)}, []domain.Verdict{domain.Accepted}},
			{[]domain.Record{record(id(1), "en", no), record(id(1), "ru", yes)}, []domain.Verdict{domain.Conflict, domain.Conflict}},
		}},
		{"a day later, the same content is still a duplicate", []batch{
			{[]domain.Record{record(id(1), "en", yes)}, []domain.Verdict{domain.Accepted}},
			{[]domain.Record{{ID: id(1), Day: "2025-03-02", Content: record(id(1), "en", yes).Content}}, []domain.Verdict{domain.Duplicate}},
		}},
		{"the same id twice in one batch", []batch{
			{[]domain.Record{record(id(1), "en", yes), record(id(1), "en", yes), record(id(1), "en", no)}, []domain.Verdict{domain.Accepted, domain.Duplicate, domain.Conflict}},
		}},
		{"mixed", []batch{
			{[]domain.Record{record(id(1), "en", yes)}, []domain.Verdict{domain.Accepted}},
			{[]domain.Record{record(id(2), "en", yes), record(id(1), "en", yes), record(id(1), "en", no), record(id(3), "ru", nil)}, []domain.Verdict{domain.Accepted, domain.Duplicate, domain.Conflict, domain.Accepted}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := openDB(t, t.TempDir(), newKey(t))
			for i, b := range c.batches {
				got, err := db.SaveAll(b.records)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, b.want) {
					t.Errorf("batch %d: verdicts %v, want %v", i, got, b.want)
				}
			}
			// A conflict never overwrites: id(1) keeps its first content.
			if r, _ := db.Response(id(1)); r == nil || r.Lang != "en" || r.Answers["police"] != true || r.Day != "2025-03-01" {
				t.Errorf("id(1) holds %+v", r)
			}
		})
	}
}

// One request's records go in one transaction until Badger says it is full;
// a batch bigger than that must still be stored whole and judged right.
func TestSaveAll_BatchLargerThanOneTransaction(t *testing.T) {
	db := openDB(t, t.TempDir(), newKey(t))
	const n = 6000
	text := strings.Repeat("x", 300)
	records := make([]domain.Record, n)
	for i := range records {
		records[i] = record(id(i), "en", domain.Answers{"comments": text, "n": float64(i)})
	}
	for round, want := range []domain.Verdict{domain.Accepted, domain.Duplicate} {
		got, err := db.SaveAll(records)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range got {
			if v != want {
				t.Fatalf("round %d: record %d: verdict %v, want %v", round, i, v, want)
			}
		}
	}
	count := 0
	err := db.EachResponse(func(rid string, r *store.Response) error {
		if rid != id(count) || r.Answers["n"] != float64(count) {
			return fmt.Errorf("response %d is %s %v", count, rid, r.Answers["n"])
		}
		count++
		return nil
	})
	if err != nil || count != n {
		t.Fatalf("read back %d of %d: %v", count, n, err)
	}
}

// Two phones (or a phone and an outreach device) syncing the same id at once:
// Badger's conflict detection and the retry keep it exactly once.
func TestSaveAll_ConcurrentSavesOfOneIDAcceptItOnce(t *testing.T) {
	db := openDB(t, t.TempDir(), newKey(t))
	const writers = 16
	verdicts := make([]domain.Verdict, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			got, err := db.SaveAll([]domain.Record{record(id(1), "en", domain.Answers{"police": true}), record(id(100+w), "en", nil)})
			if err != nil {
				t.Error(err)
				return
			}
			verdicts[w] = got[0]
		})
	}
	wg.Wait()
	if n := countOf(verdicts, domain.Accepted); n != 1 {
		t.Errorf("accepted %d times: %v", n, verdicts)
	}
	if n := countOf(verdicts, domain.Duplicate); n != writers-1 {
		t.Errorf("duplicate %d times: %v", n, verdicts)
	}
}

func countOf[T comparable](s []T, v T) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

func TestStore_DataSurvivesCloseAndReopen(t *testing.T) {
	dir, key := t.TempDir(), newKey(t)
	db := openDB(t, dir, key)
	if _, err := db.SaveAll([]domain.Record{record(id(2), "ru", domain.Answers{"phone": nil, "services": []string{"condoms"}}), record(id(1), "en", domain.Answers{"police": true})}); err != nil {
		t.Fatal(err)
	}
	sv := survey("needs", 1)
	if err := db.PutSurvey(sv); err != nil {
		t.Fatal(err)
	}
	if err := db.PutSecret("response/abc", []byte("private")); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openDB(t, dir, key)
	r, err := db.Response(id(2))
	if err != nil || r == nil {
		t.Fatalf("response lost: %v", err)
	}
	if r.Survey != "needs" || r.Version != 1 || r.Lang != "ru" || r.Day != "2025-03-01" {
		t.Errorf("reopened response %+v", r)
	}
	if v, ok := r.Answers["phone"]; !ok || v != nil {
		t.Errorf("prefer not to say came back as %v (present %v)", v, ok)
	}
	var ids []string
	_ = db.EachResponse(func(id string, _ *store.Response) error { ids = append(ids, id); return nil })
	if !slices.Equal(ids, []string{id(1), id(2)}) {
		t.Errorf("responses after reopen, in id order: %v", ids)
	}
	got, err := db.FindSurvey("needs", 1)
	if err != nil || got.Title != sv.Title {
		t.Errorf("survey after reopen: %v %v", got, err)
	}
	if s, _ := db.Secret("response/abc"); string(s) != "private" {
		t.Errorf("secret after reopen: %q", s)
	}
	if again, _ := db.SaveAll([]domain.Record{record(id(1), "en", domain.Answers{"police": true})}); again[0] != domain.Duplicate {
		t.Errorf("resend after reopen: %v", again)
	}
}

func TestStore_OpenRefusesAWrongKey(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir, newKey(t))
	if _, err := db.SaveAll([]domain.Record{record(id(1), "en", nil)}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err := store.Open(dir, newKey(t), slog.New(slog.DiscardHandler)); err == nil {
		db.Close()
		t.Fatal("opened with another key")
	}
	if _, err := store.Open(t.TempDir(), []byte("short"), slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("opened with a 5-byte key")
	}
}

// Encryption at rest: neither answer text, nor a survey's words, nor a
// secret is readable in any file of the data dir, while open (write-ahead
// and value logs) or after close (tables).
func TestStore_DataDirHoldsNothingInTheClear(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir, newKey(t))
	canaries := []string{"CANARY-ANSWER-7f3a", "CANARY-SECRET-51c2", "CANARY-TITLE-9d0e"}
	long := canaries[0] + strings.Repeat(" more words", 200) // over the value threshold: the value log
	var records []domain.Record
	for i := range 200 {
		text := canaries[0]
		if i%2 == 0 {
			text = long
		}
		records = append(records, record(id(i), "en", domain.Answers{"comments": text}))
	}
	if _, err := db.SaveAll(records); err != nil {
		t.Fatal(err)
	}
	if err := db.PutSecret("response/x", []byte(canaries[1])); err != nil {
		t.Fatal(err)
	}
	sv := survey("needs", 1)
	sv.Texts["en"]["t.title"] = canaries[2]
	if err := db.PutSurvey(sv); err != nil {
		t.Fatal(err)
	}
	noCanary := func(when string) {
		t.Helper()
		files := 0
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			for _, c := range canaries {
				if bytes.Contains(b, []byte(c)) {
					t.Errorf("%s: %s holds %s in the clear", when, filepath.Base(path), c)
				}
			}
			if bytes.Contains(b, []byte(`"answers"`)) {
				t.Errorf("%s: %s holds response JSON in the clear", when, filepath.Base(path))
			}
			return nil
		})
		if err != nil || files == 0 {
			t.Fatalf("%s: walked %d files: %v", when, files, err)
		}
	}
	noCanary("while open")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	noCanary("after close")
}

func survey(id string, version int) *domain.Survey {
	return &domain.Survey{
		ID: id, Version: version, Languages: []string{"en"}, Title: "t.title", Icon: "survey",
		Questions: []domain.Question{{ID: "police", Type: domain.YesNo, Text: "t.police", Icon: "police"}},
		Texts:     map[string]map[string]string{"en": {"t.title": "Title", "t.police": "Police?"}},
	}
}

func TestSurveys_VersionsAreKeptAndNeverRewritten(t *testing.T) {
	db := openDB(t, t.TempDir(), newKey(t))
	for _, sv := range []*domain.Survey{survey("needs", 1), survey("needs", 2), survey("alerts", 1)} {
		if err := db.PutSurvey(sv); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutSurvey(survey("needs", 1)); err != nil {
		t.Errorf("putting the same definition again: %v", err)
	}
	changed := survey("needs", 1)
	changed.Questions[0].Required = true
	if err := db.PutSurvey(changed); !errors.Is(err, domain.ErrVersionExists) {
		t.Errorf("changing a stored version: %v, want ErrVersionExists", err)
	}
	if sv, _ := db.FindSurvey("needs", 1); sv.Questions[0].Required {
		t.Error("version 1 was rewritten")
	}
	if sv, err := db.LatestSurvey("needs"); err != nil || sv.Version != 2 {
		t.Errorf("latest: %v %v", sv, err)
	}
	var list []string
	for _, sv := range db.Surveys() {
		list = append(list, fmt.Sprintf("%s/%d", sv.ID, sv.Version))
	}
	if !slices.Equal(list, []string{"alerts/1", "needs/2"}) {
		t.Errorf("Surveys() = %v", list)
	}
	for _, c := range []struct {
		id      string
		version int
		code    domain.Code
	}{
		{"census", 1, domain.CodeUnknownSurvey},
		{"needs", 3, domain.CodeUnknownVersion},
		{"needs", 0, domain.CodeUnknownVersion},
	} {
		if _, err := db.FindSurvey(c.id, c.version); domain.ErrorCode(err) != c.code {
			t.Errorf("FindSurvey(%s, %d): %v, want %s", c.id, c.version, err, c.code)
		}
	}
	if _, err := db.LatestSurvey("census"); domain.ErrorCode(err) != domain.CodeUnknownSurvey {
		t.Errorf("LatestSurvey(census): %v", err)
	}
}

func TestSecrets_ByPrefix(t *testing.T) {
	db := openDB(t, t.TempDir(), newKey(t))
	for name, v := range map[string]string{"response/a": "1", "response/b": "2", "push/a": "3"} {
		if err := db.PutSecret(name, []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Secrets("response/")
	if err != nil || len(got) != 2 || string(got["response/a"]) != "1" || string(got["response/b"]) != "2" {
		t.Errorf("Secrets(response/) = %q, %v", got, err)
	}
	if s, err := db.Secret("missing"); s != nil || err != nil {
		t.Errorf("missing secret: %q %v", s, err)
	}
}

// A staff change and its audit entry are kept together or not at all.
func TestAudit_KeptWithTheChangeItRecords(t *testing.T) {
	db := openDB(t, t.TempDir(), newKey(t))
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	entry := func(action string) domain.AuditEntry {
		at = at.Add(time.Second)
		return domain.AuditEntry{Time: at, Staff: "ana", Action: action, Target: "needs v1"}
	}
	if err := db.PutDraft(survey("needs", 1), entry("survey uploaded")); err != nil {
		t.Fatal(err)
	}
	changed := survey("needs", 1)
	changed.Questions[0].Required = true
	if err := db.PutDraft(changed, entry("survey uploaded again")); !errors.Is(err, domain.ErrVersionExists) {
		t.Fatalf("changing a stored version: %v", err)
	}
	if err := db.SetState("needs", 1, domain.SurveyPublished, entry("survey published")); err != nil {
		t.Fatal(err)
	}
	log, err := db.AuditLog(10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log {
		got = append(got, e.Action)
	}
	// Newest first; the refused upload left no record.
	if want := []string{"survey published", "survey uploaded"}; !slices.Equal(got, want) {
		t.Errorf("audit log %q, want %q", got, want)
	}
	if st := db.StateOf("needs", 1); st != domain.SurveyPublished {
		t.Errorf("state %q", st)
	}
}

// Two admins demote each other at the same moment (an attack once left no
// admin, 1 time in 16): the last-admin check and the change are one
// transaction, so one of them always stays admin, whatever the timing.
func TestChangeStaff_TwoAdminsDemotingEachOtherKeepOne(t *testing.T) {
	db := openDB(t, t.TempDir(), newKey(t))
	office := &domain.Office{Repo: db, Now: time.Now}
	admin := func(n int) *domain.Staff {
		st := &domain.Staff{ID: fmt.Sprint("s", n), Login: fmt.Sprint("admin", n), Roles: []domain.Role{domain.RoleAdmin}}
		if err := db.CreateStaff(st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	// Each round, the admin left by the last one and a new one try to
	// demote each other.
	kept := admin(0)
	for round := 1; round <= 40; round++ {
		pair := [2]*domain.Staff{kept, admin(round)}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range pair {
			wg.Go(func() {
				errs[i] = office.SetRoles(pair[i].Login, pair[1-i].ID, []domain.Role{domain.RoleModerator}, false)
			})
		}
		wg.Wait()
		admins := 0
		for _, st := range pair {
			now, err := db.Staff(st.ID)
			if err != nil {
				t.Fatal(err)
			}
			if now.Has(domain.RoleAdmin) {
				admins++
				kept = now
			}
		}
		if admins != 1 || (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: %d admins left, errors %v; want one admin kept and one change refused", round, admins, errs)
		}
	}
}
