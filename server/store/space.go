package store

import (
	"sync/atomic"
	"syscall"
	"time"

	"sova/server/domain"
)

// space keeps writes off a disk that is nearly full. Badger writes through
// memory-mapped files: on a full disk a write faults (SIGBUS) and the
// process dies, member pages with it, and dies again replaying at the next
// start. So below a margin every write is refused with disk_full (503),
// nothing is acknowledged that is not stored, and reads go on.
type space struct {
	dir  string
	keep atomic.Uint64 // bytes that must stay free; 0 turns the check off
	// The free space is looked up at most once a second: the margin is
	// far larger than what a second of writes can take.
	checked atomic.Int64 // unix nanoseconds
	low     atomic.Bool
}

// KeepFree makes every write fail with domain.ErrDiskFull while the data
// dir's filesystem has fewer than bytes free; 0 turns the check off. The
// next write looks at the disk anew.
func (s *DB) KeepFree(bytes uint64) {
	s.space.keep.Store(bytes)
	s.space.checked.Store(0)
}

// room is nil while a write may go ahead.
func (sp *space) room() error {
	keep := sp.keep.Load()
	if keep == 0 {
		return nil
	}
	if now := time.Now().UnixNano(); now-sp.checked.Load() >= int64(time.Second) {
		sp.checked.Store(now)
		var st syscall.Statfs_t
		if err := syscall.Statfs(sp.dir, &st); err == nil {
			sp.low.Store(st.Bavail*uint64(st.Bsize) < keep)
		}
	}
	if sp.low.Load() {
		return domain.ErrDiskFull
	}
	return nil
}
