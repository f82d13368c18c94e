package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
	"sova/server/store"
)

// rawDB opens dir with Badger alone, laid out as Sova lays it out, to
// write records as another Sova left them or read what this one wrote.
func rawDB(t *testing.T, dir string, key []byte) *badger.DB {
	t.Helper()
	db, err := badger.Open(store.Options(dir, key, slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// putRaw stores key=value pairs as they stand, then closes.
func putRaw(t *testing.T, dir string, key []byte, kv ...string) {
	t.Helper()
	db := rawDB(t, dir, key)
	defer db.Close()
	if err := db.Update(func(txn *badger.Txn) error {
		for i := 0; i < len(kv); i += 2 {
			if err := txn.Set([]byte(kv[i]), []byte(kv[i+1])); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// storedFormat reads meta/format ("" when there is none) and the
// database's latest commit.
func storedFormat(t *testing.T, dir string, key []byte) (format string, latest uint64) {
	t.Helper()
	db := rawDB(t, dir, key)
	defer db.Close()
	if err := db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte("meta/format"))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		v, err := item.ValueCopy(nil)
		format = string(v)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return format, db.MaxVersion()
}

// format1 is a report and its answer exactly as Sova 502b6a4 stored them
// (server/app/testdata): the report has no language, its answer has.
var format1 = []string{
	"r/" + id(7), `{"survey":"warn","version":2,"lang":"ru","answers":{"area":"north","kind":"robbery","private":"my regular","public":"Серая машина","when":"today"},"day":"2026-12-03"}`,
	"wr/" + id(7), `{"id":"` + id(7) + `","day":"2026-12-03","state":"approved","kind":"robbery","area":"north","when":"today","public":"Серая машина","private":"my regular","expires":"2026-12-10","by":"admin"}`,
	// A report whose answer is gone: nothing tells its language.
	"wr/" + id(8), `{"id":"` + id(8) + `","day":"2026-12-03","state":"pending","kind":"police","when":"week"}`,
}

func logTo(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
}

// openLogging is openDB, keeping what Open logs.
func openLogging(t *testing.T, dir string, key []byte) (*store.DB, *bytes.Buffer) {
	t.Helper()
	log := new(bytes.Buffer)
	db, err := store.Open(dir, key, logTo(log))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, log
}

// wantCurrent fails unless the closed database in dir is stamped with
// this Sova's format.
func wantCurrent(t *testing.T, dir string, key []byte, what string) {
	t.Helper()
	if f, _ := storedFormat(t, dir, key); f != strconv.Itoa(store.FormatVersion) {
		t.Errorf("%s is stamped %q, want %d", what, f, store.FormatVersion)
	}
}

func TestUpgrade_Format1IsMigratedOnceAtOpen(t *testing.T) {
	dir, key := t.TempDir(), newKey(t)
	putRaw(t, dir, key, format1...)

	db, log := openLogging(t, dir, key)
	w, err := db.Warning(id(7))
	if err != nil || w == nil || w.Lang != "ru" || w.Public != "Серая машина" || w.Private != "my regular" || w.Expires != "2026-12-10" {
		t.Errorf("the report after the upgrade: %+v %v; want its answer's language, ru, and all else kept", w, err)
	}
	if w, err := db.Warning(id(8)); err != nil || w == nil || w.Lang != "" || w.Kind != "police" {
		t.Errorf("the report without its answer: %+v %v; want it as it was", w, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	want := `level=INFO msg="upgraded the data format" from=1 to=2 change="reports keep the language they were written in" records=1` + "\n"
	if log.String() != want {
		t.Errorf("the log says\n%s\nwant one line a migration:\n%s", log.String(), want)
	}
	wantCurrent(t, dir, key, "the upgraded database")

	// Once only: a report without a language written now stays so, and
	// the next start logs nothing.
	putRaw(t, dir, key, format1[2], format1[3])
	wantNotMigrated(t, dir, key, "a second start")
}

// wantNotMigrated opens dir and fails if that ran a migration: the report
// id(7), stored without a language, must keep none, and nothing be logged.
func wantNotMigrated(t *testing.T, dir string, key []byte, what string) {
	t.Helper()
	db, log := openLogging(t, dir, key)
	if w, _ := db.Warning(id(7)); w == nil || w.Lang != "" {
		t.Errorf("%s migrated: %+v", what, w)
	}
	if log.Len() != 0 {
		t.Errorf("%s logs %q", what, log.String())
	}
}

func TestUpgrade_NewDatabaseIsStampedCurrentAndNeverMigrated(t *testing.T) {
	dir, key := t.TempDir(), newKey(t)
	db, _ := openLogging(t, dir, key)
	// Data this Sova writes is current, even where it looks like format 1.
	if err := db.PutWarning(&domain.Warning{ID: id(7), Day: "2026-12-03", State: domain.ReportPending, Kind: "other"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveAll([]domain.Record{record(id(7), "en", domain.Answers{})}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wantCurrent(t, dir, key, "a new database")
	wantNotMigrated(t, dir, key, "the start after")
}

func TestUpgrade_NewerFormatIsRefusedAndNothingWritten(t *testing.T) {
	dir, key := t.TempDir(), newKey(t)
	newer := strconv.Itoa(store.FormatVersion + 1)
	putRaw(t, dir, key, append([]string{"meta/format", newer}, format1...)...)
	_, before := storedFormat(t, dir, key)

	_, err := store.Open(dir, key, slog.New(slog.DiscardHandler))
	want := fmt.Sprintf("written by a newer Sova (format %s); this binary reads up to %d — upgrade Sova, or restore a backup", newer, store.FormatVersion)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("opening a newer database: %v; want %q", err, want)
	}
	if f, after := storedFormat(t, dir, key); f != newer || after != before {
		t.Errorf("after the refusal the format is %q and the latest commit %d; want %s and %d, nothing written", f, after, newer, before)
	}
}

func TestUpgrade_FullDiskFailsOpenAndKeepsFormat1(t *testing.T) {
	dir, key := t.TempDir(), newKey(t)
	putRaw(t, dir, key, format1...)
	_, before := storedFormat(t, dir, key)

	_, err := store.Open(dir, key, slog.New(slog.DiscardHandler), store.KeepingFree(math.MaxUint64))
	if !errors.Is(err, domain.ErrDiskFull) {
		t.Fatalf("opening format 1 on a full disk: %v; want disk full", err)
	}
	if f, after := storedFormat(t, dir, key); f != "" || after != before {
		t.Errorf("after the failed start the format is %q and the latest commit %d; want none and %d", f, after, before)
	}
	// With room, the next start migrates.
	db := openDB(t, dir, key)
	if w, _ := db.Warning(id(7)); w == nil || w.Lang != "ru" {
		t.Errorf("the next start did not migrate: %+v", w)
	}
}

// A backup holds the data as its Sova wrote it: restoring one made before
// the format was recorded migrates it, as its data dir would have been.
func TestUpgrade_BackupFromOlderSovaIsMigratedAsItLoads(t *testing.T) {
	old, key := t.TempDir(), newKey(t)
	putRaw(t, old, key, format1...)
	var backup bytes.Buffer
	raw := rawDB(t, old, key)
	if _, err := raw.Backup(&backup, 0); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	dir := t.TempDir()
	db, log := openLogging(t, dir, key)
	if err := db.Load(&backup); err != nil {
		t.Fatal(err)
	}
	if w, _ := db.Warning(id(7)); w == nil || w.Lang != "ru" {
		t.Errorf("the restored report: %+v; want its language", w)
	}
	if !strings.Contains(log.String(), "from=1 to=2") {
		t.Errorf("the restore logs %q; want the migration", log.String())
	}

	// A backup of current data restores as it is.
	var again bytes.Buffer
	if err := db.Backup(&again); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wantCurrent(t, dir, key, "the restored database")
	db, log = openLogging(t, t.TempDir(), key)
	if err := db.Load(&again); err != nil {
		t.Fatal(err)
	}
	if log.Len() != 0 {
		t.Errorf("restoring current data logs %q", log.String())
	}
	if w, _ := db.Warning(id(7)); w == nil || w.Lang != "ru" {
		t.Errorf("the report restored again: %+v", w)
	}
}
