// Package store keeps Sova's data in an embedded, encrypted Badger database:
// survey definitions, responses (exactly once, keyed by id), and the server's
// own secrets. It implements the storage interfaces of package domain.
//
// Badger is tuned here for a small machine (budget B5: about 100 MB resident
// when idle) and for durability: every write is synced before it returns, so
// an acknowledged response survives a crash.
package store

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// KeySize is the length of the encryption-at-rest key: AES-256.
const KeySize = 32

// DB is the open database.
type DB struct {
	db      *badger.DB
	surveys surveyCache
	space   space
	log     *slog.Logger
	saltMu  sync.Mutex // one screening salt, though two first decisions race
}

// An OpenOption sets the database up before Open reads or writes it.
type OpenOption func(*DB)

// KeepingFree is KeepFree from the start, so that a migration Open runs
// is refused on a nearly full disk like any other write.
func KeepingFree(bytes uint64) OpenOption { return func(s *DB) { s.KeepFree(bytes) } }

// Open opens (or creates) the database in dir, encrypted with key, and
// brings data an older Sova wrote up to this one's format (format.go).
func Open(dir string, key []byte, log *slog.Logger, opts ...OpenOption) (*DB, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("store: encryption key must be %d bytes, got %d", KeySize, len(key))
	}
	db, err := badger.Open(Options(dir, key, log))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	s := &DB{db: db, space: space{dir: dir}, log: log}
	for _, o := range opts {
		o(s)
	}
	if err := s.upgrade(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.loadSurveys(); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: load surveys: %w", err)
	}
	return s, nil
}

// Options are the Badger options Open uses. They are exported for tools
// that must lay a data dir out exactly as Sova would (the benchmark seeds
// 100,000 push subscriptions in one write batch); Sova itself opens its
// database only through Open.
func Options(dir string, key []byte, log *slog.Logger) badger.Options {
	return badger.DefaultOptions(dir).
		WithEncryptionKey(key).
		WithEncryptionKeyRotationDuration(30 * 24 * time.Hour).
		// Acknowledged means on disk: Badger does not sync by default.
		WithSyncWrites(true).
		WithDetectConflicts(true).
		// Badger's defaults (64 MB memtables ×5, 256 MB block cache, 1 GB
		// value-log files) suit big servers and take ~576 MB; an NGO runs
		// Sova on a small VM (budget B5: 100 MB resident idle, 150 MB under
		// the ingest benchmark). A memtable costs its size twice over: the
		// skiplist's arena on the heap and its write-ahead log, mapped. With
		// values in the value log (below) a 4 MB memtable still holds tens
		// of thousands of keys: one response is one key.
		WithMemTableSize(4 << 20).
		WithNumMemtables(2). // one taking writes, one being flushed
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(4).
		WithBaseTableSize(2 << 20).
		// Encryption needs a block cache > 0. Ingest reads almost no
		// blocks (a new id misses in the bloom filters), so 8 MB is
		// enough for the console's scans to reuse what they just read.
		WithBlockCacheSize(8 << 20).
		// Table indexes and bloom filters, decrypted: a miss here costs a
		// decryption on every lookup, so it stays larger than the LSM's
		// few tables need.
		WithIndexCacheSize(8 << 20).
		// A single value must fit in one file: 64 MB leaves room for the
		// largest recording (voice.RecordingLimits, 8 MB). Smaller files
		// would not lower the resident set: the pages written stay
		// mapped whatever the file size.
		WithValueLogFileSize(64 << 20).
		// Responses (a few hundred bytes) go to the value log once and the
		// LSM tree holds only keys: otherwise every flush and compaction
		// decrypts, re-encrypts and rewrites every answer, which costs both
		// memory (B5) and latency spikes (B4).
		WithValueThreshold(64).
		WithNumCompactors(2).
		WithCompression(options.None). // responses are sealed-size JSON; CPU matters more
		WithLogger(badgerLog{log})
}

// Close flushes and closes the database.
func (s *DB) Close() error { return s.db.Close() }

// update runs fn in a read-write transaction, retrying when a concurrent
// transaction touched the same keys: the retry re-reads, so its verdicts stay
// right.
func (s *DB) update(fn func(txn *badger.Txn) error) error {
	if err := s.space.room(); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		err := s.db.Update(fn)
		if !errors.Is(err, badger.ErrConflict) || attempt == 20 {
			return err
		}
	}
}

func (s *DB) get(key []byte) ([]byte, error) {
	var val []byte
	err := s.db.View(func(txn *badger.Txn) error {
		it, err := txn.Get(key)
		if err != nil {
			return err
		}
		val, err = it.ValueCopy(nil)
		return err
	})
	return val, err
}

// prefixScan calls fn for each key under prefix, in key order.
func (s *DB) prefixScan(prefix []byte, fn func(key, val []byte) error) error {
	return s.db.View(func(txn *badger.Txn) error { return eachUnder(txn, prefix, fn) })
}

// badgerLog sends Badger's own messages to slog. Badger logs nothing about
// requests, only about files and compactions; its info chatter is dropped.
type badgerLog struct{ l *slog.Logger }

func (b badgerLog) Errorf(f string, a ...any)   { b.l.Error(fmt.Sprintf(f, a...), "from", "badger") }
func (b badgerLog) Warningf(f string, a ...any) { b.l.Warn(fmt.Sprintf(f, a...), "from", "badger") }
func (badgerLog) Infof(string, ...any)          {}
func (badgerLog) Debugf(string, ...any)         {}

// Backup writes a consistent snapshot of everything stored, as it is at
// the call, to w, while writes go on: Badger's backup stream, whose values
// are decrypted, so the caller must encrypt it (package backup does).
func (s *DB) Backup(w io.Writer) error {
	st := s.db.NewStream()
	st.LogPrefix = "backup"
	// Each reader holds a 32 MB buffer: Badger's default of 8 readers
	// took sova to 632 MB resident backing up a million responses, 2 to
	// 367 MB (most of it the value log's pages, mapped as they are read),
	// and 1 saves no more but takes half as long again (bench -backup).
	st.NumGo = 2
	_, err := st.Backup(w, 0)
	return err
}

// Load reads a Backup stream into this database, which should be new,
// and brings what it held up to this Sova's format, as Open would have.
func (s *DB) Load(r io.Reader) error {
	// Open stamped the new database with the current format. A backup made
	// by an older Sova holds no stamp, so the new one would outlive the
	// load and its data would pass for current, never migrated. Dropped,
	// not deleted: Load keeps each record's version, and a backup's own
	// stamp may be older than a tombstone written now.
	if err := s.db.DropPrefix([]byte(formatKey)); err != nil {
		return err
	}
	if err := s.db.Load(r, 256); err != nil {
		return err
	}
	return s.upgrade()
}

// Kinds counts what is stored by kind, as a person would name it: what a
// restore brought back.
func (s *DB) Kinds() (map[string]int, error) {
	names := map[string]string{
		responsePrefix: "responses", staffPrefix: "staff accounts", surveyPrefix: "survey versions",
		recordingPrefix: "recordings", subscriberPrefix: "push subscriptions", warningPrefix: "warnings",
		servicePrefix: "directory entries", infoPrefix: "information pages", areaPrefix: "areas",
		devicePrefix: "outreach devices", sitePrefix: "outreach sites", auditPrefix: "audit entries",
		secretPrefix: "server keys", textPrefix: "translations",
	}
	out := map[string]int{}
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := string(it.Item().Key())
			if i := strings.IndexByte(k, '/'); i >= 0 {
				if name, ok := names[k[:i+1]]; ok {
					out[name]++
				}
			}
		}
		return nil
	})
	return out, err
}
