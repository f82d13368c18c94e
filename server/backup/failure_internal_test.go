package backup

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"
)

// What the system says of the disk or the folder outranks the step a
// backup failed at: it is what an admin can act on. (A full disk or a
// folder Sova may not write cannot be made here, where tests run as root.)
func TestFailure_SaysTheDiskOrTheFolderBeforeTheStep(t *testing.T) {
	full := &fs.PathError{Op: "write", Path: "sova-x.sova.age", Err: syscall.ENOSPC}
	for _, tc := range []struct {
		step Failure
		err  error
		want Failure
	}{
		{NotWritten, fmt.Errorf("badger: %w", full), DiskFull},
		{NotPruned, full, DiskFull},
		{NoFolder, &fs.PathError{Op: "mkdir", Path: "/srv/backups", Err: syscall.EACCES}, NoAccess},
		{NotWritten, &fs.PathError{Op: "rename", Path: "x", Err: syscall.EPERM}, NoAccess},
		{NoFolder, &fs.PathError{Op: "mkdir", Path: "/srv/backups", Err: syscall.ENOTDIR}, NoFolder},
		{NotWritten, errors.New("age: short write"), NotWritten},
	} {
		if got := failure(tc.step, tc.err); got != tc.want {
			t.Errorf("%s at %s: %s, want %s", tc.err, tc.step, got, tc.want)
		}
	}
}
