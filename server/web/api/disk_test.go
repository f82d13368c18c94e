package api_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"sova/internal/testapp"
	"sova/server/app"
	"sova/server/domain"
	"sova/server/store"
)

// smallDisk mounts a tmpfs of size bytes for the test: a disk that really
// fills up. Mounting needs root, as CI runs.
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("this test fills a small disk: mounting a tmpfs needs root (run the tests as root, as CI does)")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+strconv.Itoa(size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir
}

// freeOn is what the filesystem holding dir has left.
func freeOn(t *testing.T, dir string) uint64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return st.Bavail * uint64(st.Bsize)
}

// On a disk nearly full, Sova stores nothing new and says so (503
// disk_full, with when to try again), and acknowledges nothing it did not
// store; member pages and reads go on, also after a restart on the full
// disk. Once space is freed, the same answer goes through, and everything
// stored is still there after a restart. (A full disk once killed the process with SIGBUS in Badger's
// value log, and again at each start.)
func TestSync_ANearlyFullDiskRefusesWritesAndReadsGoOn(t *testing.T) {
	t.Parallel()
	const keep = 48 << 20
	dir := smallDisk(t, 160<<20)
	open := func() *app.App {
		a, err := app.Open(app.Config{DataDir: filepath.Join(dir, "data"), Log: slog.New(slog.DiscardHandler), MinFree: keep})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := open()
	h := a.Handler()
	phone := testapp.NewPhone(t, h)
	sync := func(id string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, testapp.SyncURL, strings.NewReader(string(testapp.Body(phone.Needs(t, id, testapp.NeedsAnswers())))))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := sync(idA); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), accepted(idA)) {
		t.Fatalf("with room: %d %s", rec.Code, rec.Body)
	}

	// Something else fills the disk to within the margin.
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, freeOn(t, dir)-keep+(4<<20)), 0o600); err != nil {
		t.Fatal(err)
	}
	a.Store().KeepFree(keep) // look at the disk now, not within the second
	rec := sync(idB)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), apiError(domain.CodeDiskFull)) || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("on a full disk: %d %s (Retry-After %q); want 503 disk_full with Retry-After", rec.Code, rec.Body, rec.Header().Get("Retry-After"))
	}
	reads := func(when string) {
		for _, path := range []string{"/en/", "/en/s/needs", "/api/v1/surveys", "/api/v1/keys/response"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != http.StatusOK {
				t.Errorf("GET %s %s: %d", path, when, rec.Code)
			}
		}
	}
	reads("on a full disk")

	// A restart on the full disk serves read-only.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = open()
	h = a.Handler()
	reads("after a start on a full disk")
	if rec := sync(idB); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("after a start on a full disk: %d %s; want 503", rec.Code, rec.Body)
	}

	// Space is freed: the phone's retry goes through.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	a.Store().KeepFree(keep)
	if rec := sync(idB); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), accepted(idB)) {
		t.Fatalf("after freeing space: %d %s", rec.Code, rec.Body)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = open()
	defer a.Close()
	var ids []string
	if err := a.Store().EachResponse(func(id string, _ *store.Response) error { ids = append(ids, id); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{idA, idB}) {
		t.Fatalf("after a restart the store holds %v; want %v", ids, []string{idA, idB})
	}
}
