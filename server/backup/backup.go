// Package backup makes encrypted, consistent snapshots of a running Sova,
// and restores them into a new data dir.
//
// A backup is Badger's backup stream of everything stored (responses, keys,
// staff, surveys, recordings, settings, subscriptions), encrypted with age
// to a recipient whose identity the server never holds: a stolen backup,
// or a seized server with its backups, opens for nobody but the holder of
// that identity (`sova backup-key` makes one).
package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"filippo.io/age"

	"sova/server/store"
)

// Suffix ends every backup's file name.
const Suffix = ".sova.age"

// Write writes db's snapshot to w, encrypted to to.
func Write(db *store.DB, to age.Recipient, w io.Writer) error {
	enc, err := age.Encrypt(w, to)
	if err != nil {
		return err
	}
	if err := db.Backup(enc); err != nil {
		return err
	}
	return enc.Close()
}

// Open checks that one of ids opens the backup r, and returns its snapshot
// for store.DB.Load.
func Open(r io.Reader, ids ...age.Identity) (io.Reader, error) {
	dec, err := age.Decrypt(r, ids...)
	if err != nil {
		return nil, fmt.Errorf("this backup does not open with that identity: %w", err)
	}
	return dec, nil
}

// Outcome is how the last backup went, for the console and the log.
type Outcome struct {
	Time time.Time // when it finished
	File string    // its file name, in Dir
	Size int64     // bytes
	Err  string    // "" if it worked; else the system's words, for the log and whoever runs the server
	// Failed says why in a word the console translates; "" if it worked.
	Failed Failure
}

// Failure is why a backup failed, as far as an admin can act on it.
type Failure string

const (
	NoRecipient Failure = "norecipient" // nobody set the recipient yet
	DiskFull    Failure = "diskfull"    // the folder's disk is full
	NoAccess    Failure = "permission"  // Sova may not write in the folder
	NoFolder    Failure = "folder"      // the folder cannot be made or opened
	NotWritten  Failure = "write"       // the snapshot could not be written or kept
	NotPruned   Failure = "prune"       // the backup is kept, but older ones are not removed
)

// failure is why err failed a backup at step: what the system says of the
// disk or the folder tells an admin more than the step does.
func failure(step Failure, err error) Failure {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return DiskFull
	case errors.Is(err, fs.ErrPermission):
		return NoAccess
	}
	return step
}

// Job backs up a running server into Dir: every Every, and on demand.
type Job struct {
	DB   *store.DB
	Dir  string
	Keep int // how many backups to keep, newest first
	Now  func() time.Time
	Log  *slog.Logger

	fixed bool       // the recipient is -backup-to's, not the console's
	mu    sync.Mutex // one backup at a time; guards last, to and toText
	last  Outcome
	to    age.Recipient // nil until one is set
	// toText is to as the admin or operator wrote it.
	toText string
}

// recipientSecret is where the store keeps the recipient set in the
// console. It is public, but a changed one would send every later backup
// to someone else: it lives with the server's keys.
const recipientSecret = "backup-recipient"

// NewJob prepares backups into dir, keeping the keep newest. to is the
// recipient given at start (-backup-to), which the console cannot change;
// without one, the recipient an admin set in the console is used, and
// until there is one each backup fails, saying why.
func NewJob(db *store.DB, dir, to string, keep int, now func() time.Time, log *slog.Logger) (*Job, error) {
	j := &Job{DB: db, Dir: dir, Keep: keep, Now: now, Log: log, fixed: to != ""}
	if to == "" {
		kept, err := db.Secret(recipientSecret)
		if err != nil {
			return nil, err
		}
		to = string(kept)
	}
	if to == "" {
		return j, nil
	}
	r, err := ParseRecipient(to)
	if err != nil {
		return nil, err
	}
	j.to, j.toText = r, to
	return j, nil
}

// ParseRecipient reads one age recipient (age1…, as `sova backup-key`
// prints it).
func ParseRecipient(text string) (age.Recipient, error) {
	rs, err := age.ParseRecipients(strings.NewReader(text))
	if err == nil && len(rs) != 1 {
		err = fmt.Errorf("found %d", len(rs))
	}
	if err != nil {
		return nil, fmt.Errorf("give one age recipient, starting age1 (sova backup-key makes one): %v", err)
	}
	return rs[0], nil
}

// Recipient is the recipient backups are encrypted to ("" if none yet),
// and whether it was fixed at start by -backup-to.
func (j *Job) Recipient() (to string, fixed bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.toText, j.fixed
}

// SetRecipient makes later backups encrypt to text, and keeps it for the
// next start. A recipient fixed by -backup-to cannot be changed here.
func (j *Job) SetRecipient(text string) error {
	text = strings.TrimSpace(text)
	if j.fixed {
		return ErrFixed
	}
	r, err := ParseRecipient(text)
	if err != nil {
		return err
	}
	j.mu.Lock() // after any backup under way
	defer j.mu.Unlock()
	if err := j.DB.PutSecret(recipientSecret, []byte(text)); err != nil {
		return err
	}
	j.to, j.toText = r, text
	return nil
}

// ErrFixed refuses a change to the recipient -backup-to set.
var ErrFixed = errors.New("the recipient is set by -backup-to when Sova starts: change it there")

// ErrNoRecipient is a backup's failure before an admin set the recipient.
var ErrNoRecipient = errors.New("no recipient yet: an admin sets one on the console's Backups page (or start Sova with -backup-to)")

// Folder is where the backups are kept.
func (j *Job) Folder() string { return j.Dir }

// Last is the outcome of the latest backup, zero if none ran yet.
func (j *Job) Last() Outcome {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.last
}

// Run backs up every every until ctx is done. A failure is logged and kept
// for the console, and never stops the server.
func (j *Job) Run(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			j.Once()
		}
	}
}

// Once makes a backup now, then removes all but the Keep newest.
func (j *Job) Once() Outcome {
	j.mu.Lock()
	defer j.mu.Unlock()
	name := "sova-" + j.Now().UTC().Format("20060102T150405Z") + Suffix
	start := time.Now()
	var size int64
	step, err := NoRecipient, ErrNoRecipient
	if j.to != nil {
		size, step, err = j.write(name)
	}
	if err == nil {
		step, err = NotPruned, j.prune()
	}
	j.last = Outcome{Time: j.Now().UTC(), File: name, Size: size}
	if err != nil {
		j.last.Err, j.last.Failed = err.Error(), failure(step, err)
		j.Log.Error("backup failed", "file", name, "err", err)
	} else {
		j.Log.Info("backed up", "file", name, "bytes", size, "took", time.Since(start).Round(10*time.Millisecond))
	}
	return j.last
}

// write writes the backup beside its final name and renames it there once
// it is whole and synced: a file under a backup's name is a whole backup.
// A failure says at which step.
func (j *Job) write(name string) (int64, Failure, error) {
	if err := os.MkdirAll(j.Dir, 0o700); err != nil {
		return 0, NoFolder, err
	}
	tmp, err := os.CreateTemp(j.Dir, ".partial-*")
	if err != nil {
		return 0, NoFolder, err
	}
	defer os.Remove(tmp.Name()) // gone once renamed; else a failure's leftovers
	err = Write(j.DB, j.to, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	info, serr := tmp.Stat()
	if cerr := tmp.Close(); err == nil {
		err = errors.Join(serr, cerr)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(j.Dir, name))
	}
	if err == nil {
		err = syncDir(j.Dir)
	}
	if err != nil {
		return 0, NotWritten, err
	}
	return info.Size(), "", nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Files lists the backups in dir, newest first.
func Files(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	var out []string
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, "sova-") && strings.HasSuffix(n, Suffix) && e.Type().IsRegular() {
			out = append(out, n)
		}
	}
	slices.Sort(out) // the names sort by time
	slices.Reverse(out)
	return out, err
}

func (j *Job) prune() error {
	files, err := Files(j.Dir)
	if err != nil || len(files) <= j.Keep {
		return err
	}
	for _, f := range files[max(j.Keep, 1):] {
		if err := os.Remove(filepath.Join(j.Dir, f)); err != nil {
			return err
		}
	}
	return nil
}
