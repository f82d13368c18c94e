package store_test

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"sova/server/store"
	"sova/server/voice"
)

// vlogBytes is what the value log takes on disk: blocks allocated, since
// Badger makes the file it writes sparse at twice its size.
func vlogBytes(t *testing.T, dir string) int64 {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.vlog"))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, f := range files {
		var st syscall.Stat_t
		if err := syscall.Stat(f, &st); err != nil {
			t.Fatal(err)
		}
		n += st.Blocks * 512
	}
	return n
}

func oneFile(data []byte) *store.Recording {
	return &store.Recording{Phrase: voice.Phrase{Files: []voice.File{{File: "a.opus"}}}, Data: map[string][]byte{"a.opus": data}}
}

// Deleted values give their space back: 72 MB of voice (more than one
// 64 MB value-log file), two thirds of it synthesized phrases later taken
// off the app, shrink to the third still in use once compactions have
// counted the dead values, and what is kept reads as it was written.
func TestStore_CollectGarbageGivesBackWhatWasDeleted(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 72 MB")
	}
	const mb = 1 << 20
	dir, key := t.TempDir(), newKey(t)
	db := openDB(t, dir, key)
	kept := map[string][]byte{}
	for i := range 72 {
		data := make([]byte, mb)
		rand.Read(data)
		phrase := fmt.Sprintf("p%02d", i)
		if i%3 == 0 {
			kept[phrase] = data
			if err := db.PutRecording("en", phrase, oneFile(data)); err != nil {
				t.Fatal(err)
			}
		} else if err := db.PutSpoken("en", phrase, oneFile(data)); err != nil {
			t.Fatal(err)
		}
	}
	// Each close flushes the memtable to a table of its own: two tables,
	// the values' and the deletes', which the next start compacts
	// together (NumLevelZeroTables), as a busy Sova would on its own.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openDB(t, dir, key)
	for i := range 72 {
		if i%3 != 0 {
			if err := db.DeleteSpoken("en", fmt.Sprintf("p%02d", i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before := vlogBytes(t, dir)
	db = openDB(t, dir, key)

	total := 0
	// The start's compaction, which counts the dead values, runs in the
	// background: on a busy machine (CI's browsers) it can take a while.
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		n, err := db.CollectGarbage()
		if err != nil {
			t.Fatal(err)
		}
		if total += n; total > 0 && n == 0 {
			break
		}
	}
	after := vlogBytes(t, dir)
	t.Logf("value log: %d MB before, %d MB after %d files rewritten", before/mb, after/mb, total)
	if total == 0 || after > before-40*mb {
		t.Fatalf("value log %d MB before, %d MB after collecting (%d files rewritten); want 48 MB less or so", before/mb, after/mb, total)
	}
	for phrase, want := range kept {
		if got, err := db.RecordingData("en", phrase); err != nil || !bytes.Equal(got["a.opus"], want) {
			t.Fatalf("recording %s after collecting: %d bytes, %v", phrase, len(got["a.opus"]), err)
		}
	}
	if got, err := db.SpokenData("en", "p01"); err != nil || len(got) != 0 {
		t.Errorf("a deleted phrase after collecting: %d files, %v", len(got), err)
	}
	if n, err := db.CollectGarbage(); n != 0 || err != nil {
		t.Errorf("collecting again rewrote %d files (%v); want nothing to do", n, err)
	}
}
