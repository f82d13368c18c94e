package store

import (
	"errors"

	"github.com/dgraph-io/badger/v4"
)

// gcFilesPerCall bounds one CollectGarbage: each file rewritten is read
// whole (up to 64 MB, decrypted) and its live half written again, so four
// take seconds on a small VM's disk, not minutes, and an hourly call
// catches up with the garbage of a busy week within a day.
const gcFilesPerCall = 4

// CollectGarbage gives back the disk space of deleted and replaced values
// (dropped reports, forgotten notes, replaced recordings, expired
// sessions): values live in Badger's value log (WithValueThreshold), which
// only grows until a file of it is rewritten without its dead values. It
// rewrites at most gcFilesPerCall files, each at least half dead, and says
// how many. Badger learns which values are dead as compactions drop what
// pointed to them, and never rewrites the file being written, so space
// comes back some time after a delete, not at once.
func (s *DB) CollectGarbage() (rewritten int, err error) {
	for rewritten < gcFilesPerCall {
		// A rewrite writes the live values again before the old file
		// goes: on a nearly full disk that write is refused like any.
		if err := s.space.room(); err != nil {
			return rewritten, err
		}
		switch err := s.db.RunValueLogGC(0.5); {
		case errors.Is(err, badger.ErrNoRewrite), errors.Is(err, badger.ErrRejected):
			return rewritten, nil // nothing worth rewriting, or a collection already running
		case err != nil:
			return rewritten, err
		}
		rewritten++
	}
	return rewritten, nil
}
