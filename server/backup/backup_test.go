package backup_test

import (
	"bytes"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"sova/internal/testapp"
	"sova/server/app"
	"sova/server/backup"
	"sova/server/domain"
	"sova/server/store"
)

func TestMain(m *testing.M) { os.Exit(testapp.Main(m)) }

// A running Sova is backed up, encrypted, and restored into a new data dir
// with a new key: Sova starts there with everything back (answers, staff
// who can log in, areas, subscriptions, its keys), and the backup file
// reads as nothing to anyone without the identity.
func TestBackup_RestoredIntoANewDirHasEverythingBack(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	const canary = "Canary-Market-7781"
	testapp.AddArea("canary", "en", canary)(t, e)
	e.Subscribe(t, "nadia", "en", domain.PushTopics{Warnings: true})
	id := testapp.NewID()
	e.Sync(t, e.Phone.Needs(t, id, testapp.NeedsAnswers()))
	before, err := e.App.Store().Kinds()
	if err != nil {
		t.Fatal(err)
	}

	key, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	job, err := backup.NewJob(e.App.Store(), dir, key.Recipient().String(), 2, e.Clock.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	out := job.Once()
	if out.Err != "" || out.Size == 0 {
		t.Fatalf("backup: %+v", out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, out.File))
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{canary, "admin", "needs", id} {
		if bytes.Contains(raw, []byte(plain)) {
			t.Errorf("the backup holds %q in the clear", plain)
		}
	}

	// Another identity opens nothing, and leaves nothing behind.
	other, _ := age.GenerateX25519Identity()
	wrong := filepath.Join(t.TempDir(), "data")
	if _, err := app.Restore(app.Config{DataDir: wrong, Log: slog.New(slog.DiscardHandler)}, bytes.NewReader(raw), other); err == nil {
		t.Fatal("a backup opened with another identity")
	}
	if _, err := os.Stat(filepath.Join(wrong, "db")); err == nil {
		t.Error("a failed restore left a database behind")
	}

	fresh := filepath.Join(t.TempDir(), "data")
	got, err := app.Restore(app.Config{DataDir: fresh, Log: slog.New(slog.DiscardHandler)}, bytes.NewReader(raw), key)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, before) || got["push subscriptions"] == 0 || got["responses"] == 0 || got["areas"] == 0 {
		t.Errorf("restored %v; the server held %v", got, before)
	}
	if _, err := app.Restore(app.Config{DataDir: fresh, Log: slog.New(slog.DiscardHandler)}, bytes.NewReader(raw), key); err == nil {
		t.Error("a second restore into the same dir was not refused")
	}

	a := testapp.OpenDir(t, fresh)
	var r *store.Response
	if err := a.Store().EachResponse(func(got string, resp *store.Response) error {
		if got == id {
			r = resp
		}
		return nil
	}); err != nil || r == nil {
		t.Fatalf("the answer %s is not back (%v)", id, err)
	}
	if rec := testapp.NewConsole(a.Handler()).Login(t, "admin", testapp.Password); rec.Code != http.StatusSeeOther {
		t.Errorf("the admin cannot log in on the restored server: %d", rec.Code)
	}
	if a.SetupLink() != "" {
		t.Error("the restored server asks for a first admin")
	}
}

// Backups beyond Keep are removed, oldest first; each is whole under its
// name.
func TestBackup_KeepsTheNewest(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	key, _ := age.GenerateX25519Identity()
	dir := t.TempDir()
	job, err := backup.NewJob(e.App.Store(), dir, key.Recipient().String(), 2, e.Clock.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var made []string
	for range 3 {
		made = append(made, job.Once().File)
		e.Clock.Advance(24 * time.Hour)
	}
	files, err := backup.Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0] != made[2] || files[1] != made[1] {
		t.Fatalf("kept %v; want the two newest of %v", files, made)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("the backup dir holds %d files; want only the 2 backups", len(entries))
	}
}

// A backup that fails says why in a word the console translates (Failed),
// and keeps the system's words for the log: a folder that cannot be made,
// and a recipient nobody set yet.
func TestBackup_FailureSaysWhy(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	key, _ := age.GenerateX25519Identity()
	quiet := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		dir, to string
		want    backup.Failure
	}{
		{filepath.Join(file, "backups"), key.Recipient().String(), backup.NoFolder},
		{t.TempDir(), "", backup.NoRecipient},
	} {
		job, err := backup.NewJob(e.App.Store(), tc.dir, tc.to, 2, e.Clock.Now, quiet)
		if err != nil {
			t.Fatal(err)
		}
		if out := job.Once(); out.Failed != tc.want || out.Err == "" {
			t.Errorf("into %s: %+v, want %s", tc.dir, out, tc.want)
		}
	}
}
