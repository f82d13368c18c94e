package console_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"sova/internal/testapp"
	"sova/server/app"
	"sova/server/backup"
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

// With -backup-dir but no -backup-to, backups wait for an admin to paste a
// recipient: each waiting backup fails saying so. A wrong password or a
// malformed recipient changes nothing and says why; the right ones are
// audited, kept across a restart, and the next backup opens with the
// matching key. A recipient fixed by -backup-to cannot be changed here.
func TestBackups_AdminSetsTheRecipientInTheConsole(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "backups")
	e := testapp.OpenFixture(t, func(c *app.Config) { c.BackupDir = dir })
	admin := e.As(domain.RoleAdmin)
	page := admin.Get(t, "/staff/backups").Body.String()
	if !strings.Contains(page, "Backups wait for a recipient") || strings.Contains(page, `action="/staff/backups/now"`) {
		t.Fatalf("with no recipient the page says: %s", page)
	}
	if out, _ := e.App.BackUp(); out.Err == "" || !strings.Contains(out.Err, "no recipient yet") {
		t.Errorf("a backup with no recipient: %+v", out)
	}

	key, _ := age.GenerateX25519Identity()
	set := func(recipient, password string) *httptest.ResponseRecorder {
		return admin.Post(t, "/staff/backups/recipient", url.Values{"csrf": {admin.CSRF(t)}, "recipient": {recipient}, "password": {password}})
	}
	if rec := set(key.Recipient().String(), "not my password"); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "not your password") {
		t.Errorf("a wrong password: %d %s", rec.Code, rec.Body)
	}
	if rec := set("age1notarecipient", testapp.Password); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "give one age recipient") {
		t.Errorf("a malformed recipient: %d %s", rec.Code, rec.Body)
	}
	if out, _ := e.App.BackUp(); out.Err == "" {
		t.Fatalf("refused recipients were taken: %+v", out)
	}
	if rec := set("  "+key.Recipient().String()+"\n", testapp.Password); rec.Code != http.StatusSeeOther {
		t.Fatalf("the right recipient: %d %s", rec.Code, rec.Body)
	}
	audit := e.AuditLog(t)
	if last := audit[0]; last.Action != "backup recipient set" || last.Target != key.Recipient().String() {
		t.Errorf("audit: %+v", last)
	}

	e.Restart(t)
	out, _ := e.App.BackUp()
	if out.Err != "" {
		t.Fatalf("a backup after a restart: %+v", out)
	}
	f, err := os.Open(filepath.Join(dir, out.File))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := backup.Open(f, key); err != nil {
		t.Errorf("the backup does not open with the admin's key: %v", err)
	}

	fixed := testapp.OpenFixture(t, withBackups(t))
	admin = fixed.As(domain.RoleAdmin)
	if page := admin.Get(t, "/staff/backups").Body.String(); !strings.Contains(page, "-backup-to</code>); change it there") || strings.Contains(page, `action="/staff/backups/recipient"`) {
		t.Errorf("a fixed recipient's page: %s", page)
	}
	if rec := admin.Post(t, "/staff/backups/recipient", url.Values{"csrf": {admin.CSRF(t)}, "recipient": {key.Recipient().String()}, "password": {testapp.Password}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("changing a fixed recipient: %d", rec.Code)
	}
}

// A backup that failed for a reason of the system (here its folder cannot
// be made: a file stands in its path) is said in the admin's language,
// with the system's own words beside it for whoever runs the server.
func TestBackups_AFailureIsSaidInHerLanguage(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	key, _ := age.GenerateX25519Identity()
	e := testapp.OpenFixture(t, func(c *app.Config) {
		c.BackupDir, c.BackupTo = filepath.Join(file, "backups"), key.Recipient().String()
	})
	out, _ := e.App.BackUp()
	if out.Failed != backup.NoFolder || !strings.Contains(out.Err, "not a directory") {
		t.Fatalf("a backup into a file's path: %+v", out)
	}
	admin := e.As(domain.RoleAdmin)
	_, cats := consoleCatalogs(t)
	for _, lang := range []string{"ru", "ar"} {
		admin.Post(t, "/staff/me/lang", url.Values{"csrf": {admin.CSRF(t)}, "lang": {lang}})
		page := mainText(admin.Get(t, "/staff/backups").Body.String())
		// Nor can the folder be listed: the page says so, and still shows.
		for _, want := range []string{cats[lang].T("backups.error.folder"), cats[lang].T("backups.detail"), out.Err, cats[lang].T("backups.unlisted")} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page lacks %q:\n%s", lang, want, page)
			}
		}
	}
}
