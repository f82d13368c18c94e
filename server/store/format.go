package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
)

// The data format's version is kept under meta/format, as decimal text.
// Open brings older data up to FormatVersion by running, in order, each
// migration it lacks, and refuses data newer than it knows: a release that
// changes what its records mean adds a migration here, so every data dir,
// however old, reads as this release writes.
const formatKey = "meta/format"

// A migration brings the data from one format to the next. It runs in the
// same transaction as the stamp of the new format, so it is applied whole
// or not at all (a crash, an error or a full disk leave the old format and
// the next start tries again), and exactly once. One transaction holds
// some 6,500 writes (Badger's limit for 4 MB memtables): a migration
// writes only the records it must change.
type migration struct {
	what string // said in the log
	run  func(txn *badger.Txn) (changed int, err error)
}

// migrations[i] brings format i+1 to i+2. Format 1 is what Sova wrote
// before it recorded a format (up to 502b6a4).
var migrations = [...]migration{
	{"reports keep the language they were written in", reportLangs},
}

// FormatVersion is the data format this Sova writes, and the newest it
// reads.
const FormatVersion = len(migrations) + 1

// upgrade stamps a new database with FormatVersion, or brings an older
// one's data up to it. Data newer than this binary is refused before
// anything is written: an older Sova would misread it, or write records
// the newer one misreads in turn.
func (s *DB) upgrade() error {
	from, empty, err := s.format()
	switch {
	case err != nil:
		return fmt.Errorf("store: reading the data format: %w", err)
	case from > FormatVersion:
		return fmt.Errorf("store: %s was written by a newer Sova (format %d); this binary reads up to %d — upgrade Sova, or restore a backup", s.space.dir, from, FormatVersion)
	case from == 0 && empty:
		return s.update(func(txn *badger.Txn) error { return setFormat(txn, FormatVersion) })
	case from == 0:
		from = 1
	}
	for v := from; v < FormatVersion; v++ {
		m := migrations[v-1]
		var n int
		err := s.update(func(txn *badger.Txn) (err error) {
			if n, err = m.run(txn); err != nil {
				return err
			}
			return setFormat(txn, v+1)
		})
		if err != nil {
			return fmt.Errorf("store: upgrading the data from format %d to %d (%s): %w", v, v+1, m.what, err)
		}
		s.log.Info("upgraded the data format", "from", v, "to", v+1, "change", m.what, "records", n)
	}
	return nil
}

// format reads the stored format; 0 means none is stored, and then empty
// tells a new database from one an older Sova wrote.
func (s *DB) format() (version int, empty bool, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(formatKey))
		if errors.Is(err, badger.ErrKeyNotFound) {
			it := txn.NewIterator(badger.IteratorOptions{})
			defer it.Close()
			it.Rewind()
			empty = !it.Valid()
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			version, err = strconv.Atoi(string(v))
			if err != nil || version < 1 {
				return fmt.Errorf("unreadable format %q", v)
			}
			return nil
		})
	})
	return version, empty, err
}

func setFormat(txn *badger.Txn, version int) error {
	return txn.Set([]byte(formatKey), []byte(strconv.Itoa(version)))
}

// reportLangs (format 1 to 2) gives each report the language of the answer
// it came in. Sova kept a report's language only from 6190a92 on, and a
// warning without one is never voiced: domain.ContentPhrases offers its
// public words for recording and synthesis only in the language they were
// written in, so a member who cannot read hears nothing of it, and members
// reading another language are not told that it is in another. A report
// whose answer is gone stays as it was: nothing tells its language.
func reportLangs(txn *badger.Txn) (int, error) {
	var todo []*domain.Warning
	err := eachUnder(txn, []byte(warningPrefix), func(_, v []byte) error {
		w := new(domain.Warning)
		if err := json.Unmarshal(v, w); err != nil {
			return err
		}
		if w.Lang == "" {
			todo = append(todo, w)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, w := range todo {
		var r Response
		switch err := getJSON(txn, responsePrefix+w.ID, &r); {
		case errors.Is(err, badger.ErrKeyNotFound) || err == nil && r.Lang == "":
			continue
		case err != nil:
			return changed, err
		}
		w.Lang = r.Lang
		if err := setJSON(txn, warningPrefix+w.ID, w, 0); err != nil {
			return changed, err
		}
		changed++
	}
	return changed, nil
}
