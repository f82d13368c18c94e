// Package app wires Sova together: it opens the data directory (making keys
// on first start), imports the built-in content, builds the web server and
// runs it until told to stop. One struct starts and stops everything; main
// only turns flags into a Config.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sova/assets"
	"sova/i18n"
	"sova/pwa"
	"sova/server/backup"
	"sova/server/domain"
	"sova/server/https"
	"sova/server/push"
	"sova/server/seal"
	"sova/server/store"
	"sova/server/studio"
	"sova/server/voice"
	"sova/server/web"
	"sova/server/web/console"

	"filippo.io/age"
)

// Config is how an operator sets Sova up.
type Config struct {
	Addr    string // listen address, such as localhost:8080
	DataDir string // Badger and, by default, its key live here
	// KeyFile holds the encryption-at-rest key. Default: <DataDir>/sova.key.
	// Keep it elsewhere (a secrets mount) so a copied data dir is unreadable.
	KeyFile string
	Salt    string // forces a new app version; see web.Config.Salt
	Log     *slog.Logger
	// BusyAfter is how long a sync batch may wait for its turn before the
	// server answers 503 busy; zero means web's default.
	BusyAfter time.Duration
	// Now is the clock (tests move it to expire sessions); nil is time.Now.
	Now func() time.Time
	// AccessLog logs every request, not only failures (see web.Config).
	AccessLog bool
	// PushHosts are the push services subscriptions may point at
	// (default domain.PushHosts); PushClient sends to them (default: a
	// client with timeouts). Tests point both at a local push service.
	PushHosts  []string
	PushClient *http.Client
	// TrustedProxies are reverse proxies whose X-Forwarded-For the login
	// limiter believes (see web.Config).
	TrustedProxies []netip.Prefix
	// MinFree is how many bytes must stay free on the data dir's disk:
	// below it every write is refused with disk_full (store.KeepFree).
	// 0 turns the check off.
	MinFree uint64
	// BackupDir, if set, receives an encrypted backup every BackupEvery
	// (default a day), of which the BackupKeep newest (default 7) are
	// kept. BackupTo is the age recipient (age1…) they are encrypted to.
	BackupDir   string
	BackupTo    string
	BackupEvery time.Duration
	BackupKeep  int
	// Domain, if set, is served over HTTPS on Addr (default :443) with
	// certificates from the ACME CA at ACMEURL (default Let's Encrypt),
	// and plain HTTP on HTTPAddr (default :80) answers the CA's challenges
	// and redirects. ACMEClient talks to the CA (tests trust their own).
	Domain     string
	ACMEURL    string
	HTTPAddr   string
	ACMEClient *http.Client
}

// keyFile is where the encryption-at-rest key lives: KeyFile, or in the
// data dir.
func (c Config) keyFile() string {
	if c.KeyFile != "" {
		return c.KeyFile
	}
	return filepath.Join(c.DataDir, "sova.key")
}

// dbDir is Badger's folder in the data dir.
func (c Config) dbDir() string { return filepath.Join(c.DataDir, "db") }

// App is a running Sova.
type App struct {
	cfg       Config
	backups   *backup.Job  // nil without a BackupDir
	certs     *https.Certs // nil without a Domain
	office    *domain.Office
	db        *store.DB
	web       *web.Server
	studio    *studio.Studio
	push      *push.Dispatcher
	speak     chan struct{} // the organisation's words changed: give them voice
	setupLink string
	Ready     chan string // receives the listen address once serving (for tests)
}

// Open prepares everything: data dir, keys, content, web server.
func Open(cfg Config) (*App, error) {
	if cfg.Log == nil {
		cfg.Log = NewLogger(os.Stderr)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.KeyFile = cfg.keyFile()
	if cfg.Addr == "" {
		cfg.Addr = "localhost:8080"
		if cfg.Domain != "" {
			cfg.Addr = ":443"
		}
	}
	if cfg.HTTPAddr == "" {
		cfg.HTTPAddr = ":80"
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	key, err := loadOrMakeKey(cfg.KeyFile)
	if err != nil {
		return nil, err
	}
	// The free-space floor holds from the first write, the format's
	// migrations included: on a full disk, a start that needs no write
	// serves read-only, and one that needs a write fails cleanly.
	db, err := store.Open(cfg.dbDir(), key, cfg.Log, store.KeepingFree(cfg.MinFree))
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, db: db, Ready: make(chan string, 1), speak: make(chan struct{}, 1)}
	if err := a.setupBackups(); err != nil {
		db.Close()
		return nil, err
	}
	if cfg.Domain != "" {
		a.certs, err = https.New(https.Config{Domain: cfg.Domain, DirectoryURL: cfg.ACMEURL, Store: db, Client: cfg.ACMEClient, Log: cfg.Log})
		if err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := a.setup(); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) setup() error {
	ring, err := loadOrMakeResponseKey(a.db)
	if err != nil {
		return fmt.Errorf("response key: %w", err)
	}
	if err := importSurveys(a.db, assets.Surveys); err != nil {
		return err
	}
	cats, err := i18n.Load()
	if err != nil {
		return err
	}
	a.studio = studio.New(a.db, assets.Audio, cats, a.db.Surveys, a.cfg.Now)
	a.settleDraftVoice() // before the site is first built, so that it speaks with it
	vapid, err := push.LoadOrMakeKeys(a.db)
	if err != nil {
		return err
	}
	// What staff change reaches the site, the voice and push through
	// a's events (events.go), all made below before the first request.
	office := &domain.Office{Repo: a.db, Events: (*events)(a), Words: a.studio, Now: a.cfg.Now}
	a.office = office
	if err := office.EnsureWarnSurvey(); err != nil {
		return err
	}
	a.web, err = web.New(web.Config{
		Store: a.db, Keys: ring, Studio: a.studio, Office: office,
		Icons: assets.Icons, PWA: pwa.Files, Worker: pwa.Worker,
		Log: a.cfg.Log, Salt: a.cfg.Salt, BusyAfter: a.cfg.BusyAfter, Now: a.cfg.Now, AccessLog: a.cfg.AccessLog,
		PushKey: vapid.Public(), PushHosts: a.cfg.PushHosts, TrustedProxies: a.cfg.TrustedProxies,
		Backups: a.consoleBackups(), Certificate: a.consoleCertificate(),
	})
	if err != nil {
		return err
	}
	// The words, icons and pages of a notification are the site's.
	a.push = push.NewDispatcher(push.Config{
		Store: a.db, Sender: push.NewSender(vapid, a.cfg.PushClient), Now: a.cfg.Now, Log: a.cfg.Log,
		Compose: a.web.PushPayload,
	})
	// No admin yet: there is no default password, only a one-time link,
	// printed when the server is listening.
	if has, err := a.db.HasAdmin(); err != nil || has {
		return err
	}
	a.setupLink, err = a.web.NewSetupLink()
	if errors.Is(err, domain.ErrDiskFull) {
		// Serve what there is; the link waits for space and a restart.
		a.cfg.Log.Warn("no admin yet, and the disk is too full to make the setup link: free some space, then restart Sova")
		return nil
	}
	return err
}

// SetupLink is the path of the first admin's one-time setup link, or "" once
// an admin exists.
func (a *App) SetupLink() string { return a.setupLink }

// Handler is the app's HTTP handler.
func (a *App) Handler() http.Handler { return a.web.Handler() }

// Version is the member app's current version (its service worker cache).
func (a *App) Version() string { return a.web.Version() }

// Hourly is what Run does each hour: the site stops showing warnings that
// expired, private notes and old warnings are deleted once they serve no
// more (domain.Office.Forget), the voice that came with drafts is settled
// (settleDraftVoice), and the disk space of what was deleted is given
// back. Failures are logged; the next hour tries again.
func (a *App) Hourly() {
	if err := a.web.RefreshWarnings(); err != nil {
		a.cfg.Log.Error("refreshing warnings", "err", err)
	}
	if a.settleDraftVoice() {
		if err := a.web.Rebuild(); err != nil {
			a.cfg.Log.Error("rebuilding the site with the voice of published surveys", "err", err)
		}
	}
	notes, reports, err := a.office.Forget()
	if err != nil {
		a.cfg.Log.Error("deleting what reports no longer need", "err", err)
	}
	if notes+reports > 0 {
		a.cfg.Log.Info("deleted what reports no longer need", "private_notes", notes, "reports", reports)
	}
	// What was deleted leaves the disk only when its value-log file is
	// rewritten. On a nearly full disk a rewrite cannot happen, and the
	// disk-full refusals already say so.
	if files, err := a.db.CollectGarbage(); err != nil && !errors.Is(err, domain.ErrDiskFull) {
		a.cfg.Log.Error("giving back deleted data's space", "err", err)
	} else if files > 0 {
		a.cfg.Log.Info("gave back deleted data's space", "value_log_files_rewritten", files)
	}
}

// settleDraftVoice makes the voice that came with published survey
// versions members', and drops the voice no draft can speak any more
// (store.SettleDraftVoice), and says whether members' voice changed.
// Publishing moves a version's voice in its own transaction, so what is
// left is voice an older Sova left waiting (it moved it only when the
// site was next built, which a full disk could refuse) and that of drafts
// uploaded under a newer published version. At start, so that nothing
// waits for ever; hourly, for what a full disk refused then.
func (a *App) settleDraftVoice() bool {
	taken, dropped, err := a.db.SettleDraftVoice()
	if err != nil && !errors.Is(err, domain.ErrDiskFull) {
		a.cfg.Log.Error("settling the voice that came with surveys", "err", err)
	}
	if taken+dropped > 0 {
		a.cfg.Log.Info("settled the voice that came with surveys", "recordings_taken", taken, "recordings_dropped", dropped)
	}
	return taken > 0
}

// RefreshWarnings rebuilds the member app when a warning it shows has
// expired (Run calls it hourly; tests call it after moving the clock).
func (a *App) RefreshWarnings() error { return a.web.RefreshWarnings() }

// SpeakContent gives the organisation's changed words Sova's voice and
// rebuilds the site if any changed (Run does it at start and after each
// change; tests call it).
func (a *App) SpeakContent(ctx context.Context) error {
	changed, err := a.studio.SpeakContent(ctx)
	if changed {
		err = errors.Join(err, a.web.Rebuild())
	}
	return err
}

// speakLoop voices the organisation's words at start (words saved while
// espeak-ng was missing, or by an older Sova) and whenever staff change
// them. Without espeak-ng it says so once.
func (a *App) speakLoop(ctx context.Context) {
	warned := false
	for {
		err := a.SpeakContent(ctx)
		var missing *voice.MissingToolsError
		switch {
		case errors.As(err, &missing):
			if !warned {
				a.cfg.Log.Warn("the organisation's own words (services, information pages, areas) get no voice until translators record them", "err", err)
				warned = true
			}
		case err != nil && ctx.Err() == nil:
			a.cfg.Log.Error("giving voice to the organisation's words", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-a.speak:
		}
	}
}

// Push delivers notifications (Run does it in rounds; tests call Flush).
func (a *App) Push() *push.Dispatcher { return a.push }

// Studio is the translators' studio (voice packs, texts, coverage).
func (a *App) Studio() *studio.Studio { return a.studio }

// Audit records an action taken from the command line, where no staff
// member is signed in.
func (a *App) Audit(action, target string) error {
	return a.db.Audit(domain.AuditEntry{Time: time.Now().UTC(), Staff: domain.CommandLine, Action: action, Target: target})
}

// Store is the app's database, for tests and tools that check what was kept.
func (a *App) Store() *store.DB { return a.db }

// Close closes the database. Call it after the server has stopped.
func (a *App) Close() error {
	if a.certs != nil {
		a.certs.Stop()
	}
	return a.db.Close()
}

// NewLogger logs text lines without a timestamp: the time of a member's
// request must not be kept, and operators' log collectors add their own
// receive time if they want one for server events.
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// loadOrMakeKey reads the at-rest key (64 hex characters), making it with
// mode 0600 on first start.
func loadOrMakeKey(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, store.KeySize)
		rand.Read(key)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		// O_EXCL: two processes starting at once must not make two keys.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("key file: %w", err)
		}
		_, err = f.WriteString(hex.EncodeToString(key) + "\n")
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return key, err
	}
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) != store.KeySize {
		return nil, fmt.Errorf("key file %s must hold %d hex characters", path, 2*store.KeySize)
	}
	return key, nil
}

// loadOrMakeResponseKey loads every HPKE response key, making the first on
// first start. Old keys stay, so items sealed to them still open.
func loadOrMakeResponseKey(db *store.DB) (*seal.Ring, error) {
	all, err := db.Secrets("response/")
	if err != nil {
		return nil, err
	}
	current, err := db.Secret("response-current")
	if err != nil {
		return nil, err
	}
	if current == nil {
		if len(all) > 0 {
			// Keys without the pointer to the current one: never paper
			// over it with a new key, which would strand every phone's queue.
			return nil, fmt.Errorf("the data has %d response keys but no current-key record; restore it from a backup", len(all))
		}
		k, err := seal.GenerateKey()
		if err != nil {
			return nil, err
		}
		// The key and the pointer to it are written together.
		if err := db.PutSecrets(map[string][]byte{"response/" + k.Kid(): k.Private(), "response-current": []byte(k.Kid())}); err != nil {
			return nil, err
		}
		return seal.NewRing(k), nil
	}
	var cur *seal.Key
	var older []*seal.Key
	for name, priv := range all {
		k, err := seal.ParseKey(priv)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if k.Kid() == string(current) {
			cur = k
		} else {
			older = append(older, k)
		}
	}
	if cur == nil {
		return nil, fmt.Errorf("current response key %s is missing", current)
	}
	return seal.NewRing(cur, older...), nil
}

// iconSet tells the survey validator which icons exist.
type iconSet struct{ fsys fs.FS }

func (s iconSet) HasIcon(name string) bool {
	_, err := fs.Stat(s.fsys, name+".svg")
	return err == nil
}

// importSurveys validates and stores the built-in surveys. A built-in file
// changed without a new version number stops the start, because answers
// already stored against that version would change meaning.
func importSurveys(db *store.DB, fsys fs.FS) error {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return err
	}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sv, err := domain.ParseSurvey("assets/surveys/"+name, data, iconSet{assets.Icons})
		if err != nil {
			return err
		}
		err = db.PutSurvey(sv)
		if errors.Is(err, domain.ErrVersionExists) {
			// A release may correct a built-in version's words; its
			// questions, and so what its answers mean, must stay.
			if old, verr := db.Version(sv.ID, sv.Version); verr == nil && old.SameQuestions(sv) {
				err = db.ReplaceWords(sv)
			}
		}
		if err != nil {
			return fmt.Errorf("assets/surveys/%s: %w", name, err)
		}
	}
	return nil
}

// setupBackups checks the backup settings before anything else starts, so
// that a wrong recipient stops Sova at once rather than a day later.
func (a *App) setupBackups() error {
	c := &a.cfg
	if c.BackupDir == "" {
		if c.BackupTo != "" {
			return errors.New("-backup-to needs -backup-dir: where to keep the backups")
		}
		return nil
	}
	if c.BackupEvery <= 0 {
		c.BackupEvery = 24 * time.Hour
	}
	if c.BackupKeep <= 0 {
		c.BackupKeep = 7
	}
	job, err := backup.NewJob(a.db, c.BackupDir, c.BackupTo, c.BackupKeep, c.Now, c.Log)
	if err != nil {
		return fmt.Errorf("-backup-to: %w", err)
	}
	if to, _ := job.Recipient(); to == "" {
		c.Log.Warn("backups wait for a recipient: an admin sets one on the console's Backups page, or start Sova with -backup-to")
	}
	a.backups = job
	return nil
}

// consoleBackups is the backup job for the console: a nil interface, not
// a nil *backup.Job, when backups are off.
func (a *App) consoleBackups() console.Backups {
	if a.backups == nil {
		return nil
	}
	return a.backups
}

// consoleCertificate is the HTTPS certificate for the console, a nil
// interface when Sova serves no domain itself.
func (a *App) consoleCertificate() console.Certificate {
	if a.certs == nil {
		return nil
	}
	return a.certs
}

// BackUp makes a backup now; ok is false when no backup dir is set.
func (a *App) BackUp() (out backup.Outcome, ok bool) {
	if a.backups == nil {
		return out, false
	}
	return a.backups.Once(), true
}

// Restore makes a new data dir from an encrypted backup: a new encryption
// key (at cfg.KeyFile, or in the dir) and everything the backup held. It
// returns how much of each kind came back. Sova then starts on the dir. A
// backup that does not open leaves nothing behind.
func Restore(cfg Config, from io.Reader, ids ...age.Identity) (kinds map[string]int, err error) {
	dbDir := cfg.dbDir()
	if entries, err := os.ReadDir(dbDir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s already holds a database: restore into a new, empty data dir", cfg.DataDir)
	}
	snapshot, err := backup.Open(from, ids...)
	if err != nil {
		return nil, err
	}
	cfg.KeyFile = cfg.keyFile()
	_, keyErr := os.Stat(cfg.KeyFile)
	defer func() {
		if err != nil { // a half-restored dir must not pass for a whole one
			os.RemoveAll(dbDir)
			if keyErr != nil {
				os.Remove(cfg.KeyFile)
			}
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, err
	}
	key, err := loadOrMakeKey(cfg.KeyFile)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(dbDir, key, cfg.Log, store.KeepingFree(cfg.MinFree))
	if err != nil {
		return nil, err
	}
	if err := db.Load(snapshot); err != nil {
		db.Close()
		return nil, fmt.Errorf("the backup is damaged: %w", err)
	}
	kinds, err = db.Kinds()
	return kinds, errors.Join(err, db.Close())
}
