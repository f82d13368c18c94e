package console_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"sova/internal/testapp"
	"sova/server/app"
	"sova/server/domain"
)

// An admin sees how the last backup went, backs up now (before an upgrade,
// say), and downloads the newest: each step audited, and the file is the
// encrypted backup itself. Without -backup-dir the page says how to turn
// backups on.
func TestBackups_PageBackUpNowAndDownload(t *testing.T) {
	t.Parallel()
	off := testapp.OpenFixture(t)
	if page := off.As(domain.RoleAdmin).Get(t, "/staff/backups"); page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "-backup-dir") {
		t.Fatalf("backups off: %d %s", page.Code, page.Body)
	}

	e := testapp.OpenFixture(t, withBackups(t))
	admin := e.As(domain.RoleAdmin)
	if page := admin.Get(t, "/staff/backups").Body.String(); !strings.Contains(page, "No backup since Sova started") {
		t.Fatalf("before any backup the page says: %s", page)
	}
	if rec := admin.Post(t, "/staff/backups/now", map[string][]string{"csrf": {admin.CSRF(t)}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("back up now: %d %s", rec.Code, rec.Body)
	}
	page := admin.Get(t, "/staff/backups").Body.String()
	if !strings.Contains(page, "worked: sova-") || !strings.Contains(page, "Download the newest backup") {
		t.Fatalf("after backing up the page says: %s", page)
	}
	rec := admin.Get(t, "/staff/backups/latest")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "age-encryption.org/v1") || !strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %q (%.40q)", rec.Code, rec.Header().Get("Content-Disposition"), rec.Body)
	}
	var actions []string
	for _, a := range e.AuditLog(t) {
		actions = append(actions, a.Action)
	}
	if got := strings.Join(actions, ","); !strings.Contains(got, "backed up") || !strings.Contains(got, "backup downloaded") {
		t.Errorf("audit log: %s; want the backup and the download", got)
	}
}

// withBackups turns backups on, into a folder of the test's, to a key it
// makes.
func withBackups(t *testing.T) func(*app.Config) {
	key, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "backups")
	return func(c *app.Config) { c.BackupDir, c.BackupTo = dir, key.Recipient().String() }
}
