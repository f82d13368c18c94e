package console

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"sova/server/backup"
	"sova/server/domain"
	"sova/server/https"
	"sova/server/web/edge"
)

// Backups is what the console asks of the backup job (app's), nil when
// Sova runs without -backup-dir.
type Backups interface {
	Last() backup.Outcome
	Once() backup.Outcome
	Folder() string
	Recipient() (to string, fixed bool)
	SetRecipient(to string) error
}

// Certificate is the domain's HTTPS certificate (app's), nil when Sova
// serves no domain itself.
type Certificate interface {
	Domain() string
	Expiry() (time.Time, error)
}

// certView is what the page says of the certificate.
type certView struct {
	On      bool
	Domain  string
	Expiry  time.Time // zero: none yet
	Err     string    // why it cannot be read, in the system's words
	Damaged bool      // it is kept, but is no certificate (else the store failed)
	Soon    bool      // renewal should have happened by now
}

func (s *Console) certView() certView {
	if s.cfg.Certificate == nil {
		return certView{}
	}
	v := certView{On: true, Domain: s.cfg.Certificate.Domain()}
	end, err := s.cfg.Certificate.Expiry()
	if err != nil {
		v.Err, v.Damaged = err.Error(), errors.Is(err, https.ErrDamaged)
	}
	v.Expiry = end
	// Renewal starts 30 days before the end (a third of a short
	// certificate's life): two weeks left means it has failed for two.
	v.Soon = !end.IsZero() && end.Sub(s.cfg.Now()) < 14*24*time.Hour
	return v
}

// backupFile is one kept backup, as the page lists it.
type backupFile struct {
	Name string
	Size int64
}

// backupsView is what the page shows of the backups.
type backupsView struct {
	On    bool // -backup-dir is set
	Last  backup.Outcome
	Files []backupFile
	To    string // the recipient, "" if none yet
	Fixed bool   // To comes from -backup-to
	Error string // why the recipient just given was not taken
	// Unlisted is why the folder cannot be listed, in the system's words:
	// the page still shows, and says so.
	Unlisted string
}

func (s *Console) BackupsPage(c echo.Context) error {
	return s.renderBackups(c, s.consoleView(c), http.StatusOK, "")
}

func (s *Console) renderBackups(c echo.Context, v consoleView, status int, problem string) error {
	bv := backupsView{Error: problem}
	if b := s.cfg.Backups; b != nil {
		var err error
		if bv.Files, err = s.keptBackups(); err != nil {
			bv.Unlisted = err.Error()
		}
		bv.On, bv.Last = true, b.Last()
		bv.To, bv.Fixed = b.Recipient()
	}
	return edge.Render(c, status, backupsPage(v, s.certView(), bv))
}

// SetBackupRecipient sets who can open later backups. Whoever holds that
// key reads every answer, so the admin confirms with her password, and
// the audit log keeps the recipient.
func (s *Console) SetBackupRecipient(c echo.Context) error {
	if s.cfg.Backups == nil {
		return domain.Refuse(domain.CodeNotFound, "backups.off", "backups are off: start Sova with -backup-dir")
	}
	// The login's limit applies: a stolen session must not become a way
	// to guess the password.
	me, v := current(c).staff, s.consoleView(c)
	if !s.auth.perAccount.Allow(me.Login) {
		return s.renderBackups(c, v, http.StatusTooManyRequests, v.T("login.toomany"))
	}
	ok, err := s.auth.hasher.Check(c.Request().Context(), me.Password, c.FormValue("password"))
	if err != nil {
		return err
	}
	if !ok {
		return s.renderBackups(c, v, http.StatusUnprocessableEntity, v.T("backups.badpassword"))
	}
	to := strings.TrimSpace(c.FormValue("recipient"))
	if _, err := backup.ParseRecipient(to); err != nil {
		return s.renderBackups(c, v, http.StatusUnprocessableEntity, v.T("backups.badrecipient"))
	}
	if err := s.cfg.Backups.SetRecipient(to); errors.Is(err, backup.ErrFixed) {
		return s.renderBackups(c, v, http.StatusUnprocessableEntity, v.T("backups.notchanged"))
	} else if err != nil {
		return err
	}
	if err := s.audit(c, "backup recipient set", to); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/backups")
}

func (s *Console) keptBackups() ([]backupFile, error) {
	names, err := backup.Files(s.cfg.Backups.Folder())
	var out []backupFile
	for _, n := range names {
		if info, err := os.Stat(filepath.Join(s.cfg.Backups.Folder(), n)); err == nil {
			out = append(out, backupFile{n, info.Size()})
		}
	}
	return out, err
}

// BackUpNow makes a backup at once (before an upgrade, say), and shows how
// it went.
func (s *Console) BackUpNow(c echo.Context) error {
	if s.cfg.Backups == nil {
		return domain.Refuse(domain.CodeNotFound, "backups.off", "backups are off: start Sova with -backup-dir and -backup-to")
	}
	out := s.cfg.Backups.Once()
	if err := s.audit(c, "backed up", out.File); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/backups")
}

// DownloadBackup sends the newest backup. It is encrypted to a key the
// server does not hold, yet it holds every answer: only admins get it, and
// the audit log says who did.
func (s *Console) DownloadBackup(c echo.Context) error {
	if s.cfg.Backups == nil {
		return domain.Refuse(domain.CodeNotFound, "backups.off", "backups are off")
	}
	files, err := backup.Files(s.cfg.Backups.Folder())
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return domain.Refuse(domain.CodeNotFound, "backups.none", "there is no backup yet")
	}
	if err := s.audit(c, "backup downloaded", files[0]); err != nil {
		return err
	}
	return c.Attachment(filepath.Join(s.cfg.Backups.Folder(), files[0]), files[0])
}

// backupError is why the last backup failed, in this person's language;
// a reason her catalog lacks shows in the system's words.
func (v consoleView) backupError(o backup.Outcome) string {
	if key := "backups.error." + string(o.Failed); o.Failed != "" && v.T(key) != key {
		return v.T(key)
	}
	return o.Err
}
