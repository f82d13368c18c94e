package console

import (
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/labstack/echo/v4"

	"sova/server/backup"
	"sova/server/domain"
	"sova/server/web/edge"
)

// Backups is what the console asks of the backup job (app's), nil when
// Sova runs without -backup-dir.
type Backups interface {
	Last() backup.Outcome
	Once() backup.Outcome
	Folder() string
}

// Certificate is the domain's HTTPS certificate (app's), nil when Sova
// serves no domain itself.
type Certificate interface {
	Domain() string
	Expiry() (time.Time, error)
}

// certView is what the page says of the certificate.
type certView struct {
	On     bool
	Domain string
	Expiry time.Time // zero: none yet
	Err    string
	Soon   bool // renewal should have happened by now
}

func (s *Console) certView() certView {
	if s.cfg.Certificate == nil {
		return certView{}
	}
	v := certView{On: true, Domain: s.cfg.Certificate.Domain()}
	end, err := s.cfg.Certificate.Expiry()
	if err != nil {
		v.Err = err.Error()
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

func (s *Console) BackupsPage(c echo.Context) error {
	if s.cfg.Backups == nil {
		return edge.Render(c, http.StatusOK, backupsPage(s.consoleView(c), s.certView(), false, backup.Outcome{}, nil))
	}
	files, err := s.keptBackups()
	if err != nil {
		return err
	}
	return edge.Render(c, http.StatusOK, backupsPage(s.consoleView(c), s.certView(), true, s.cfg.Backups.Last(), files))
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
		return domain.Errorf(domain.CodeNotFound, "backups are off: start Sova with -backup-dir and -backup-to")
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
		return domain.Errorf(domain.CodeNotFound, "backups are off")
	}
	files, err := backup.Files(s.cfg.Backups.Folder())
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return domain.Errorf(domain.CodeNotFound, "there is no backup yet")
	}
	if err := s.audit(c, "backup downloaded", files[0]); err != nil {
		return err
	}
	return c.Attachment(filepath.Join(s.cfg.Backups.Folder(), files[0]), files[0])
}
