package main

// Issue 12's figures, beside the budgets:
//   - backups: a data dir with 1,000,000 responses (stored through
//     store.SaveAll, as ingest stores them), the real sova serving on it
//     with -backup-dir: the time and size of its first backup (sova's own
//     log line), and its peak RSS meanwhile (VmHWM); then `sova restore` of
//     that file into a new dir: its time, and the size of what it made.
//   - login memory: in this process, the live heap the server still holds
//     after 100 failed logins with the largest body the login form takes
//     (8 KiB), each on its own account name and address, over what it held
//     before. Issue 12's limit: under 1 MB.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"

	"sova/server/app"
	"sova/server/domain"
	"sova/server/store"
)

const backupResponses = 1_000_000

func measureBackup(ctx context.Context, tmp string, rep *report) error {
	n := backupResponses
	if *quick {
		n /= 10
	}
	data := filepath.Join(tmp, "data-backup")
	fmt.Fprintf(os.Stderr, "bench: backups: storing %d responses …\n", n)
	if err := seedResponses(data, n); err != nil {
		return err
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return err
	}
	backups := filepath.Join(tmp, "backups")
	srv, err := startServer(ctx, tmp, "data-backup", serverOpts{args: []string{
		"-backup-dir", backups, "-backup-to", id.Recipient().String(), "-backup-every", "2s", "-backup-keep", "100"}})
	if err != nil {
		return err
	}
	defer srv.stop()
	if srv.proc == nil {
		rep.note("backups not measured in-process (-cpuprofile): run without it")
		return nil
	}
	_ = resetHWM(srv.pid)
	line := regexp.MustCompile(`msg="backed up" file=(\S+) bytes=(\d+) took=(\S+)`)
	var m []string
	for deadline := time.Now().Add(30 * time.Minute); m == nil; {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("no backup within 30 minutes:\n%s", srv.proc.Log())
		}
		m = line.FindStringSubmatch(srv.proc.Log())
		time.Sleep(200 * time.Millisecond)
	}
	mi, err := srv.memInfo()
	if err != nil {
		return err
	}
	srv.stop()
	size, _ := strconv.ParseInt(m[2], 10, 64)
	rep.info(fmt.Sprintf("backup of %d responses, while serving: time, size", n), fmt.Sprintf("%s, %s", m[3], mb(size)))
	rep.info("peak RSS (VmHWM) of sova through its backup", fmt.Sprintf("%s (just after: anonymous %s, mapped files %s)", mb(mi.hwm), mb(mi.anon), mb(mi.file)))

	idFile := filepath.Join(tmp, "backup.key")
	if err := os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600); err != nil {
		return err
	}
	restored := filepath.Join(tmp, "data-restored")
	start := time.Now()
	out, err := exec.CommandContext(ctx, *binFlag, "restore", "-identity", idFile, "-data", restored, filepath.Join(backups, m[1])).CombinedOutput()
	if err != nil {
		return fmt.Errorf("sova restore: %v\n%s", err, out)
	}
	took := time.Since(start)
	if !strings.Contains(string(out), strconv.Itoa(n)+" responses") {
		return fmt.Errorf("sova restore did not bring back %d responses:\n%s", n, out)
	}
	rep.info("restore of that backup (sova restore): time, data dir made", fmt.Sprintf("%.1f s, %s", took.Seconds(), mb(dirSize(restored))))
	return nil
}

// seedResponses makes a data dir holding n needs-survey responses, stored
// as ingest stores them (store.SaveAll, 5,000 a call).
func seedResponses(data string, n int) error {
	key := make([]byte, store.KeySize)
	rand.Read(key)
	if err := os.MkdirAll(data, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(data, "sova.key"), []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return err
	}
	db, err := store.Open(filepath.Join(data, "db"), key, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer db.Close()
	answers := domain.Answers{"phone": "smartphone", "find_clients": []any{"street", "apps"}, "police": false, "contact": true}
	for done := 0; done < n; {
		batch := make([]domain.Record, 0, 5000)
		for i := 0; i < 5000 && done+i < n; i++ {
			batch = append(batch, domain.Record{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", done+i), Day: "2026-11-01",
				Content: &domain.Content{Survey: "needs", Version: 1, Lang: "ru", Answers: answers}})
		}
		if _, err := db.SaveAll(batch); err != nil {
			return err
		}
		done += len(batch)
	}
	return nil
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// measureLoginMemory is issue 12's login figure, in this process: a heap
// is read from inside only.
func measureLoginMemory(tmp string, rep *report) error {
	a, err := app.Open(app.Config{DataDir: filepath.Join(tmp, "data-login-memory"), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer a.Close()
	h := a.Handler()
	login := func(i int) {
		form := url.Values{"login": {fmt.Sprintf("guess-%03d", i)}}
		form.Set("password", strings.Repeat("p", 8<<10-len(form.Encode())-len("&password=")))
		req := httptest.NewRequest(http.MethodPost, "/staff/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = fmt.Sprintf("192.0.2.%d:1", i%250)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	for i := range 5 { // caches and pools warm, as on a server that has run
		login(900 + i)
	}
	heap := func() int64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	before := heap()
	for i := range 100 {
		login(i)
	}
	held := heap() - before
	rep.add("I12 heap held after 100 failed logins with 8 KiB bodies", "< 1 MB", fmt.Sprintf("%.1f KB", float64(held)/1024), held < 1<<20)
	runtime.KeepAlive(a)
	return nil
}
