package main

// These tests run the real sova binary as a child process, because what they
// check is what only a process has: its flags and environment, its files,
// its signals, and what survives when it is killed.

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"sova/internal/loadgen"
	"sova/internal/sovaproc"
	"sova/internal/testapp"
	"sova/server/backup"
	"sova/server/domain"
	"sova/server/store"
	"sova/server/voice"
)

var binDir string // where sovaBinary built the command, removed by TestMain

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildSova builds the command once per test run.
var buildSova = sync.OnceValues(func() (string, error) {
	var err error
	if binDir, err = os.MkdirTemp("", "sova-test-bin-"); err != nil {
		return "", err
	}
	return sovaproc.Build(context.Background(), binDir)
})

func sovaBinary(t *testing.T) string {
	t.Helper()
	bin, err := buildSova()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// startSova starts the binary with args and extra environment (SOVA_*
// variables of the test's own environment are dropped) and waits until it
// says where it listens. It is killed when the test ends, if still running.
func startSova(t *testing.T, env []string, args ...string) *sovaproc.Proc {
	t.Helper()
	p, err := sovaproc.Start(sovaBinary(t), args, append(childEnv(), env...), 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	return p
}

// childEnv is this process's environment without its SOVA_* variables, so
// that only what a test sets reaches the child.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SOVA_") {
			env = append(env, kv)
		}
	}
	return env
}

// stop sends SIGTERM and returns the exit code.
func stop(t *testing.T, p *sovaproc.Proc) int {
	t.Helper()
	code, err := p.Term(40 * time.Second)
	if err != nil {
		t.Fatalf("sova did not stop within 40 s of SIGTERM:\n%s", p.Log())
	}
	return code
}

// checkNoErrorsLogged fails the test for every line the server logged at
// level ERROR; prefix says when.
func checkNoErrorsLogged(t *testing.T, p *sovaproc.Proc, prefix string) {
	t.Helper()
	for _, line := range p.ErrorLines() {
		t.Errorf("%sserver logged: %s", prefix, line)
	}
}

func newClient() *http.Client {
	return &http.Client{
		Timeout:   15 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true},
	}
}

func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func fetchKid(t *testing.T, p *sovaproc.Proc) string {
	t.Helper()
	c := newClient()
	defer c.CloseIdleConnections()
	_, kid, err := loadgen.FetchKey(context.Background(), c, p.URL())
	if err != nil {
		t.Fatalf("response key: %v\n%s", err, p.Log())
	}
	return kid
}

// batchLog is what the durability test's clients learn, shared by all of them.
type batchLog struct {
	mu      sync.Mutex
	acked   map[string]loadgen.Item // every id the server acknowledged
	full    [][]loadgen.Item        // batches acknowledged item by item in full
	pending [][]loadgen.Item        // batches sent but not answered: a phone resends them
	sent    map[string]bool         // every id ever sent
	errs    []string
}

func (l *batchLog) takePending() []loadgen.Item {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pending) == 0 {
		return nil
	}
	b := l.pending[len(l.pending)-1]
	l.pending = l.pending[:len(l.pending)-1]
	return b
}

// record files the server's answer to batch. Every item must be accepted or
// duplicate: the generator makes only valid items and never reuses an id
// with other content.
func (l *batchLog) record(batch []loadgen.Item, out *domain.Outcome, resent bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	want := map[string]loadgen.Item{}
	for _, it := range batch {
		want[it.Sealed.ID] = it
	}
	answered := 0
	for _, list := range [][]string{out.Accepted, out.Duplicate} {
		for _, id := range list {
			it, ok := want[id]
			if !ok {
				l.errs = append(l.errs, "server acknowledged id "+id+", which the batch does not hold")
				continue
			}
			l.acked[id] = it
			answered++
		}
	}
	if !resent && len(out.Duplicate) > 0 {
		l.errs = append(l.errs, "a fresh batch came back with duplicates")
	}
	for _, r := range out.Rejected {
		l.errs = append(l.errs, "rejected "+r.ID+": "+string(r.Error)+": "+r.Message)
	}
	if answered != len(batch) || len(out.Rejected) > 0 {
		l.errs = append(l.errs, "a batch was not answered item by item in full")
		return
	}
	l.full = append(l.full, batch)
}

// TestDurability_AcknowledgedSurvivesSIGKILL kills the server again and again
// while four clients sync, and then checks that every id it ever
// acknowledged is stored with its content (BRIEF rule 8, "Nothing lost").
// Batches that got no answer before a kill are resent after the restart, as
// the phone's outbox does, and must come back accepted or duplicate, never as
// a conflict.
func TestDurability_AcknowledgedSurvivesSIGKILL(t *testing.T) {
	const (
		rounds    = 15
		clients   = 4
		batchSize = 50
	)
	start := time.Now()
	deadline := start.Add(40 * time.Second)
	dir := t.TempDir()
	sv, err := loadgen.Needs()
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"SOVA_DATA=" + dir}
	var gen *loadgen.Gen
	var kid string
	l := &batchLog{acked: map[string]loadgen.Item{}, sent: map[string]bool{}}
	// Sealing (under -race here) costs more than the server's ingest, so
	// two producers seal batches all along, also while the server restarts,
	// and the clients only post: that keeps requests in flight at each kill.
	batches := make(chan []loadgen.Item, 64)
	prodCtx, stopProducers := context.WithCancel(context.Background())
	var producers sync.WaitGroup
	defer func() { stopProducers(); producers.Wait() }()
	startProducers := func() {
		for range 2 {
			producers.Add(1)
			go func() {
				defer producers.Done()
				for prodCtx.Err() == nil {
					items, err := gen.Items(batchSize)
					if err != nil {
						l.mu.Lock()
						l.errs = append(l.errs, err.Error())
						l.mu.Unlock()
						return
					}
					select {
					case batches <- items:
					case <-prodCtx.Done():
						return
					}
				}
			}()
		}
	}
	cutOff, inFlight := 0, 0 // batches without an answer; of them, sent before the kill
	for round := 0; round < rounds && time.Now().Before(deadline); round++ {
		p := startSova(t, env, "-addr", "127.0.0.1:0")
		if round == 0 {
			c := newClient()
			pub, k, err := loadgen.FetchKey(context.Background(), c, p.URL())
			if err != nil {
				t.Fatal(err)
			}
			gen, kid = loadgen.New(pub, k, sv), k
			startProducers()
		} else if k := fetchKid(t, p); k != kid {
			t.Fatalf("round %d: the response key changed after a restart: %s, was %s", round, k, kid)
		}
		// Have batches ready, so that the kill finds clients posting rather
		// than waiting for the sealers (a busy machine seals slowly).
		for wait := time.Now(); len(batches) < 16 && time.Since(wait) < 5*time.Second; {
			time.Sleep(10 * time.Millisecond)
		}
		ackedBefore := len(l.acked)
		c := newClient()
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var roundCut, roundInFlight int
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; n < 1000 && ctx.Err() == nil; n++ {
					batch, resent := l.takePending(), true
					if batch == nil {
						resent = false
						select {
						case batch = <-batches:
						case <-ctx.Done():
							return
						}
					}
					l.mu.Lock()
					for _, it := range batch {
						l.sent[it.Sealed.ID] = true
					}
					l.mu.Unlock()
					out, err := loadgen.Post(ctx, c, p.URL(), loadgen.Body(batch))
					if err != nil {
						// Cut off by the kill: the phone keeps the batch.
						l.mu.Lock()
						var se *loadgen.StatusError
						if errors.As(err, &se) {
							l.errs = append(l.errs, "sync: "+se.Error())
						}
						l.pending = append(l.pending, batch)
						roundCut++
						if !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, context.Canceled) {
							roundInFlight++
						}
						l.mu.Unlock()
						return
					}
					l.record(batch, out, resent)
				}
			}()
		}
		time.Sleep(time.Duration(50+rand.IntN(351)) * time.Millisecond)
		p.Kill()
		cancel()
		wg.Wait()
		c.CloseIdleConnections()
		l.mu.Lock()
		cutOff += roundCut
		inFlight += roundInFlight
		t.Logf("round %2d: %5d ids acknowledged; %d batches cut off, %d of them in flight", round, len(l.acked)-ackedBefore, roundCut, roundInFlight)
		errs := l.errs
		l.mu.Unlock()
		if len(errs) > 0 {
			t.Fatalf("round %d:\n%s\nserver log:\n%s", round, strings.Join(errs, "\n"), p.Log())
		}
		checkNoErrorsLogged(t, p, fmt.Sprintf("round %d: ", round))
	}
	stopProducers()
	producers.Wait()
	if len(l.acked) < 200 || inFlight == 0 {
		t.Fatalf("the test did too little to mean anything: %d ids acknowledged, %d batches cut off by a kill while in flight", len(l.acked), inFlight)
	}

	// After the last kill: resend what was cut off, then everything that
	// was acknowledged; the latter must all be duplicates now, whether sent
	// as the same bytes or sealed afresh.
	p := startSova(t, env, "-addr", "127.0.0.1:0")
	if k := fetchKid(t, p); k != kid {
		t.Fatalf("the response key changed after a restart")
	}
	c := newClient()
	ctx := context.Background()
	for b := l.takePending(); b != nil; b = l.takePending() {
		out, err := loadgen.Post(ctx, c, p.URL(), loadgen.Body(b))
		if err != nil {
			t.Fatalf("resend cut-off batch: %v", err)
		}
		l.record(b, out, true)
	}
	if len(l.errs) > 0 {
		t.Fatalf("resending cut-off batches:\n%s", strings.Join(l.errs, "\n"))
	}
	dups := 0
	for i, b := range l.full {
		body := loadgen.Body(b)
		if i%10 == 0 { // some sealed afresh: other bytes, the same content
			again := make([]loadgen.Item, len(b))
			for j, it := range b {
				if again[j], err = gen.Reseal(it); err != nil {
					t.Fatal(err)
				}
			}
			body = loadgen.Body(again)
		}
		out, err := loadgen.Post(ctx, c, p.URL(), body)
		if err != nil {
			t.Fatalf("resend acknowledged batch: %v", err)
		}
		if len(out.Accepted) > 0 || len(out.Rejected) > 0 || len(out.Duplicate) != len(b) {
			t.Fatalf("resent acknowledged batch: want %d duplicates only, got %d accepted, %d duplicate, %d rejected %v",
				len(b), len(out.Accepted), len(out.Duplicate), len(out.Rejected), out.Rejected)
		}
		dups += len(out.Duplicate)
	}
	c.CloseIdleConnections()
	if code := stop(t, p); code != 0 {
		t.Fatalf("sova exited with %d on SIGTERM:\n%s", code, p.Log())
	}
	checkNoErrorsLogged(t, p, "")

	// Open the data dir in-process and look at what is really stored.
	a := testapp.OpenDir(t, dir)
	missing := 0
	for id, it := range l.acked {
		r, err := a.Store().Response(id)
		switch {
		case err != nil:
			t.Fatalf("read %s: %v", id, err)
		case r == nil:
			missing++
			if missing <= 10 {
				t.Errorf("acknowledged id %s is not stored", id)
			}
		case r.Survey != "needs" || r.Version != sv.Version:
			t.Errorf("%s is stored as %s v%d, want needs v%d", id, r.Survey, r.Version, sv.Version)
		case !r.Content.Equal(it.Content):
			t.Errorf("%s is stored with other content than was sent", id)
		case r.Day == "":
			t.Errorf("%s is stored without its day", id)
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged ids are lost", missing, len(l.acked))
	}
	stored := 0
	err = a.Store().EachResponse(func(id string, _ *store.Response) error {
		stored++
		if !l.sent[id] {
			t.Errorf("stored id %s was never sent", id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if stored != len(l.acked) {
		t.Errorf("%d responses stored, %d acknowledged: after resending every cut-off batch they must match", stored, len(l.acked))
	}
	t.Logf("%d ids acknowledged and all stored; %d batches cut off by kills (%d in flight); %d resent as duplicates; %s",
		len(l.acked), cutOff, inFlight, dups, time.Since(start).Round(time.Millisecond))
}

// TestServe_GracefulShutdownOnSIGTERM sends SIGTERM while a batch is half
// uploaded: the server must finish that request (its items are acknowledged
// and stored), then exit 0 and close its port.
func TestServe_GracefulShutdownOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	p := startSova(t, nil, "-addr", "127.0.0.1:0", "-data", dir)
	c := newClient()
	pub, kid, err := loadgen.FetchKey(context.Background(), c, p.URL())
	if err != nil {
		t.Fatal(err)
	}
	sv, err := loadgen.Needs()
	if err != nil {
		t.Fatal(err)
	}
	items, err := loadgen.New(pub, kid, sv).Items(20)
	if err != nil {
		t.Fatal(err)
	}
	body := loadgen.Body(items)

	// Send the headers, wait until the handler reads the body (it answers
	// "100 Continue" then), send half the body, then signal.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, p.URL()+"/api/v1/responses", pr)
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = int64(len(body))
	req.Header.Set("Expect", "100-continue")
	reading := make(chan struct{})
	var once sync.Once
	req = req.WithContext(httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		Got100Continue: func() { once.Do(func() { close(reading) }) },
	}))
	slow := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{ExpectContinueTimeout: 20 * time.Second}}
	type result struct {
		status int
		body   string
		err    error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := slow.Do(req)
		if err != nil {
			res <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		res <- result{resp.StatusCode, string(b), err}
	}()
	select {
	case <-reading:
	case r := <-res:
		t.Fatalf("request ended before the body was sent: %+v", r)
	case <-time.After(20 * time.Second):
		t.Fatal("the server never started reading the body")
	}
	half := len(body) / 2
	if _, err := pw.Write(body[:half]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	select {
	case <-p.Done():
		t.Fatalf("sova exited with a request in flight:\n%s", p.Log())
	default:
	}
	if _, err := pw.Write(body[half:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	r := <-res
	if r.err != nil || r.status != http.StatusOK || !strings.Contains(r.body, items[0].Sealed.ID) {
		t.Fatalf("the request in flight at SIGTERM: status %d, err %v, body %s", r.status, r.err, r.body)
	}
	code, err := p.Wait(40 * time.Second)
	if err != nil {
		t.Fatalf("sova did not exit after SIGTERM:\n%s", p.Log())
	}
	if code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0:\n%s", code, p.Log())
	}
	if !strings.Contains(p.Log(), "shutting down") {
		t.Errorf("no 'shutting down' line in the log:\n%s", p.Log())
	}
	if conn, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		conn.Close()
		t.Fatalf("port %s still open after exit", p.Addr())
	}
	checkNoErrorsLogged(t, p, "")
	a := testapp.OpenDir(t, dir)
	for _, it := range items {
		if r, err := a.Store().Response(it.Sealed.ID); err != nil || r == nil {
			t.Fatalf("item acknowledged during shutdown is not stored: %v", err)
		}
	}
}

// TestServe_FlagsAndEnv: SOVA_ADDR and SOVA_DATA set the address and data
// dir, -addr and -data win over them, SOVA_KEY_FILE moves the at-rest key,
// the key file is made 0600, and a second start reuses the key and the
// response key pair.
func TestServe_FlagsAndEnv(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	c := newClient()

	// 1. From the environment only.
	p := startSova(t, []string{"SOVA_ADDR=127.0.0.1:0", "SOVA_DATA=" + data})
	if !strings.HasPrefix(p.Addr(), "127.0.0.1:") {
		t.Errorf("SOVA_ADDR=127.0.0.1:0 but it serves on %s", p.Addr())
	}
	if st, _ := get(t, c, p.URL()+"/healthz"); st != http.StatusOK {
		t.Errorf("/healthz: %d", st)
	}
	kid := fetchKid(t, p)
	c.CloseIdleConnections()
	if code := stop(t, p); code != 0 {
		t.Fatalf("exit %d:\n%s", code, p.Log())
	}
	dirInfo, err := os.Stat(data)
	if err != nil {
		t.Fatalf("SOVA_DATA dir not made: %v", err)
	}
	if dirInfo.Mode().Perm()&0o077 != 0 {
		t.Errorf("data dir mode %v: others may read it", dirInfo.Mode().Perm())
	}
	keyFile := filepath.Join(data, "sova.key")
	keyInfo, err := os.Stat(keyFile)
	if err != nil {
		t.Fatalf("key file not made: %v", err)
	}
	if keyInfo.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", keyInfo.Mode().Perm())
	}
	key1, _ := os.ReadFile(keyFile)

	// 2. Flags win over the environment, which here points elsewhere and at
	// an address that cannot be bound.
	other := filepath.Join(root, "other")
	p = startSova(t, []string{"SOVA_ADDR=256.0.0.1:0", "SOVA_DATA=" + other}, "-addr", "127.0.0.1:0", "-data", data)
	if k := fetchKid(t, p); k != kid {
		t.Errorf("second start made a new response key: kid %s, was %s", k, kid)
	}
	c.CloseIdleConnections()
	if code := stop(t, p); code != 0 {
		t.Fatalf("exit %d:\n%s", code, p.Log())
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Errorf("SOVA_DATA was used although -data was given (%v)", err)
	}
	if key2, _ := os.ReadFile(keyFile); string(key2) != string(key1) {
		t.Errorf("second start changed the key file")
	}

	// 3. "serve" is the default command, and SOVA_KEY_FILE keeps the key
	// out of the data dir.
	data3 := filepath.Join(root, "data3")
	keyFile3 := filepath.Join(root, "secrets", "at-rest.key")
	p = startSova(t, []string{"SOVA_KEY_FILE=" + keyFile3}, "serve", "-addr", "127.0.0.1:0", "-data", data3)
	if code := stop(t, p); code != 0 {
		t.Fatalf("exit %d:\n%s", code, p.Log())
	}
	if info, err := os.Stat(keyFile3); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("SOVA_KEY_FILE: %v, %v", info, err)
	}
	if _, err := os.Stat(filepath.Join(data3, "sova.key")); !os.IsNotExist(err) {
		t.Errorf("a key was made in the data dir although SOVA_KEY_FILE was set")
	}

	// 4. An unknown command is refused, without serving.
	cmd := exec.Command(sovaBinary(t), "bogus")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 || !strings.Contains(string(out), "unknown command") {
		t.Errorf("sova bogus: %v: %s", err, out)
	}
}

// runSova runs the binary with args to its end (a command such as voice
// export, not the server), in working directory dir ("" for the test's own),
// and returns what it printed and its exit code.
func runSova(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sovaBinary(t), args...)
	cmd.Env = childEnv()
	cmd.Dir = dir
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ctx.Err() == nil:
		code = ee.ExitCode()
	default:
		t.Fatalf("sova %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), errOut.String(), code
}

// sovaOK runs the binary like runSova and fails the test unless it exits 0;
// it returns what it printed to stdout.
func sovaOK(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := runSova(t, "", args...)
	if code != 0 {
		t.Fatalf("sova %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// readZip returns a zip file's files by name (folders too, empty).
func readZip(t *testing.T, name string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(name)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("%s in %s: %v", f.Name, name, err)
		}
		files[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s in %s: %v", f.Name, name, err)
		}
	}
	return files
}

// writeZip writes files to a new zip file called name, as a translator's
// zip tool would after unpacking a pack and working on it.
func writeZip(t *testing.T, name string, files map[string][]byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range slices.Sorted(maps.Keys(files)) {
		w, err := zw.Create(n)
		if err == nil {
			_, err = w.Write(files[n])
		}
		if err != nil {
			t.Fatalf("zip %s: %v", n, err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// packTexts is a pack's texts.json.
type packTexts struct {
	Lang  string            `json:"lang"`
	Texts map[string]string `json:"texts"`
}

// checkPack checks that the zip file name is a whole pack of lang, every
// voice file matching manifest.json, and returns its files and manifest.
func checkPack(t *testing.T, name, lang string) (map[string][]byte, *voice.Manifest) {
	t.Helper()
	files := readZip(t, name)
	for _, n := range []string{"README.txt", "texts.json", voice.ManifestName, "recordings/"} {
		if _, ok := files[n]; !ok {
			t.Errorf("%s has no %s", name, n)
		}
	}
	var texts packTexts
	if err := json.Unmarshal(files["texts.json"], &texts); err != nil {
		t.Fatalf("%s: texts.json: %v", name, err)
	}
	if texts.Lang != lang || texts.Texts["home.title"] == "" {
		t.Errorf("%s: texts.json is of %q with home.title %q; want %q with words", name, texts.Lang, texts.Texts["home.title"], lang)
	}
	m, err := voice.ParseManifest(files[voice.ManifestName])
	if err != nil {
		t.Fatalf("%s: manifest.json: %v", name, err)
	}
	if m.Lang != lang {
		t.Errorf("%s: manifest.json is of %q, want %q", name, m.Lang, lang)
	}
	for key, ph := range m.Phrases {
		for _, f := range ph.Files {
			data, ok := files[f.File]
			sum := sha256.Sum256(data)
			if !ok || hex.EncodeToString(sum[:]) != f.Sha256 || int64(len(data)) != f.Bytes {
				t.Errorf("%s: %s's file %s is missing or does not match manifest.json (%d bytes, want %d)", name, key, f.File, len(data), f.Bytes)
			}
		}
	}
	home := m.Phrases["home.title"]
	opus, hasOpus := home.File(voice.CodecOpus)
	mp3, hasMP3 := home.File(voice.CodecMP3)
	if !hasOpus || opus.File != "home.title.webm" || !hasMP3 || mp3.File != "home.title.mp3" {
		t.Errorf("%s: home.title's files are %+v; want home.title.webm and home.title.mp3", name, home.Files)
	}
	return files, m
}

// TestVoice_APackGoesOutAndComesBackWithATranslatorsWork: a translator who
// works offline gets a language's pack from `sova voice export`, edits words
// in texts.json, drops recordings into recordings/, and `sova voice import`
// takes what is good, says what it did not take and why, and leaves an
// audit entry. A pack that comes back unchanged, before or after, takes
// nothing: packs go back and forth without loss.
func TestVoice_APackGoesOutAndComesBackWithATranslatorsWork(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data") // made by the first export
	pack := filepath.Join(root, "en.zip")
	if out := sovaOK(t, "voice", "export", "-lang", "en", "-o", pack, "-data", data); !strings.Contains(out, pack) {
		t.Errorf("export does not say what it wrote: %q", out)
	}
	files, _ := checkPack(t, pack, "en")

	unchanged := func(name string) {
		t.Helper()
		out := sovaOK(t, "voice", "import", "-lang", "en", "-data", data, name)
		if !strings.HasPrefix(out, name+": 0 recordings and 0 texts taken, ") || !strings.Contains(out, ", 0 not taken\n") {
			t.Errorf("importing the pack as exported changed something:\n%s", out)
		}
	}
	unchanged(pack)

	// The translator's work: new words, a good recording, a silent one,
	// and one named after no phrase.
	var texts packTexts
	if err := json.Unmarshal(files["texts.json"], &texts); err != nil {
		t.Fatal(err)
	}
	texts.Texts["home.outbox"] = "Not sent yet"
	files["texts.json"], _ = json.MarshalIndent(texts, "", "  ")
	speech := testapp.Speech(t, "en", "Hello! What would you like to do?")
	files["recordings/home.title.wav"] = speech
	files["recordings/nav.next.wav"] = testapp.Silence(t)
	files["recordings/no.such.key.wav"] = speech
	worked := filepath.Join(root, "en-worked.zip")
	writeZip(t, worked, files)
	out := sovaOK(t, "voice", "import", "-lang", "en", "-data", data, worked)
	for _, want := range []string{
		worked + ": 1 recordings and 1 texts taken, ",
		", 2 not taken\n",
		"\n  not taken: nav.next: we heard nothing",
		"\n  not taken: no.such.key: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}

	// Exported again, the pack holds the recording, and it comes back
	// unchanged.
	again := filepath.Join(root, "en-again.zip")
	sovaOK(t, "voice", "export", "-lang", "en", "-o", again, "-data", data)
	files, m := checkPack(t, again, "en")
	if src := m.Phrases["home.title"].Source; src != voice.SourceRecorded {
		t.Errorf("exported again, home.title is %s, want %s", src, voice.SourceRecorded)
	}
	if err := json.Unmarshal(files["texts.json"], &texts); err != nil || texts.Texts["home.outbox"] != "Not sent yet" {
		t.Errorf("exported again, home.outbox is %q (%v)", texts.Texts["home.outbox"], err)
	}
	unchanged(again)

	// What is really stored.
	a := testapp.OpenDir(t, data)
	recs, err := a.Store().Recordings("en")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs["home.title"] == nil || recs["home.title"].Phrase.Source != voice.SourceRecorded {
		t.Errorf("recordings of en: %v; want home.title alone, recorded", slices.Sorted(maps.Keys(recs)))
	}
	edits, err := a.Store().Texts("en")
	if err != nil {
		t.Fatal(err)
	}
	if len(edits) != 1 || edits["home.outbox"] == nil || edits["home.outbox"].Text != "Not sent yet" {
		t.Errorf("edited texts of en: %v; want home.outbox alone, \"Not sent yet\"", slices.Sorted(maps.Keys(edits)))
	}
	log, err := a.Store().AuditLog(100)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range log {
		if e.Staff == "(command line)" && e.Target == "en" {
			count[e.Action]++
		}
	}
	// An import that takes nothing leaves no entry.
	if count["voice pack exported"] != 2 || count["voice pack imported"] != 1 {
		t.Errorf("audit log from the command line: %v; want 2 exports and 1 import of en\n%+v", count, log)
	}
}

// TestVoice_BadUseIsRefusedClearly: a mistake on the command line or the
// wrong file gets a message that says what is wrong, a non-zero exit, and
// changes nothing.
func TestVoice_BadUseIsRefusedClearly(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	// The default file name, in the working directory.
	if _, errOut, code := runSova(t, root, "voice", "export", "-lang", "ru", "-data", data); code != 0 {
		t.Fatalf("export ru: exit %d: %s", code, errOut)
	}
	ruPack := filepath.Join(root, "sova-voice-ru.zip")
	notZip := filepath.Join(root, "notes.zip")
	if err := os.WriteFile(notZip, []byte("home.title: Hello!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	xxPack := filepath.Join(root, "xx.zip")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no verb", []string{"voice", "-lang", "en"}, "usage: sova voice export|import"},
		{"export without -lang", []string{"voice", "export", "-data", data}, "-lang is required"},
		{"import without -lang", []string{"voice", "import", "-data", data, ruPack}, "-lang is required"},
		{"import without a file", []string{"voice", "import", "-lang", "en", "-data", data}, "usage: sova voice import -lang en <pack.zip>"},
		{"another language's pack", []string{"voice", "import", "-lang", "en", "-data", data, ruPack}, `this is the pack of "ru", not "en"`},
		{"not a zip", []string{"voice", "import", "-lang", "en", "-data", data, notZip}, "not a zip file"},
		{"no such file", []string{"voice", "import", "-lang", "en", "-data", data, filepath.Join(root, "nope.zip")}, "no such file"},
		{"no such language", []string{"voice", "export", "-lang", "xx", "-o", xxPack, "-data", data}, `there is no language "xx"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runSova(t, root, tc.args...)
			if code == 0 || !strings.Contains(errOut, "sova: ") || !strings.Contains(errOut, tc.want) {
				t.Errorf("sova %s: exit %d, stderr %q; want an error saying %q\nstdout: %s", strings.Join(tc.args, " "), code, errOut, tc.want, out)
			}
		})
	}
	if _, err := os.Stat(xxPack); !os.IsNotExist(err) {
		t.Errorf("a failed export left its file behind (%v)", err)
	}
	a := testapp.OpenDir(t, data)
	recs, err1 := a.Store().Recordings("en")
	edits, err2 := a.Store().Texts("en")
	if len(recs)+len(edits) > 0 || err1 != nil || err2 != nil {
		t.Errorf("refused imports changed en: %d recordings, %d texts (%v, %v)", len(recs), len(edits), err1, err2)
	}
}

// TestVoice_RefusedWhileSovaServes: the database allows one process, so
// with Sova serving on the data dir the voice commands stop at once and
// tell the operator to stop it; the server is not disturbed, and once it
// is stopped the same export works.
func TestVoice_RefusedWhileSovaServes(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	pack := filepath.Join(root, "en.zip")
	p := startSova(t, nil, "-addr", "127.0.0.1:0", "-data", data)
	c := newClient()
	if st, _ := get(t, c, p.URL()+"/healthz"); st != http.StatusOK {
		t.Fatalf("/healthz: %d", st)
	}
	c.CloseIdleConnections()
	for _, args := range [][]string{
		{"voice", "export", "-lang", "en", "-o", pack, "-data", data},
		{"voice", "import", "-lang", "en", "-data", data, pack},
	} {
		_, errOut, code := runSova(t, "", args...)
		if code == 0 || !strings.Contains(errOut, "is Sova running on "+data+"? stop it first") {
			t.Errorf("sova %s with Sova serving: exit %d, stderr %q; want it to ask to stop Sova", strings.Join(args, " "), code, errOut)
		}
	}
	if _, err := os.Stat(pack); !os.IsNotExist(err) {
		t.Errorf("the refused export wrote %s (%v)", pack, err)
	}
	if code := stop(t, p); code != 0 {
		t.Fatalf("sova exited with %d on SIGTERM:\n%s", code, p.Log())
	}
	checkNoErrorsLogged(t, p, "")
	sovaOK(t, "voice", "export", "-lang", "en", "-o", pack, "-data", data)
	checkPack(t, pack, "en")
}

// An operator makes a backup key, runs Sova with backups on, and later
// restores the newest backup into a new folder: Sova starts there with what
// the first one held, and says what came back. Wrong use is refused with a
// message that says how to do it right.
func TestBackup_KeyServeAndRestore(t *testing.T) {
	root := t.TempDir()
	idOut, info, code := runSova(t, root, "backup-key")
	recipient := regexp.MustCompile(`age1[0-9a-z]+`).FindString(info)
	if code != 0 || recipient == "" || !strings.Contains(idOut, "AGE-SECRET-KEY-1") || strings.Contains(info, "AGE-SECRET-KEY") {
		t.Fatalf("backup-key: exit %d, stdout %q, stderr %q; want the identity on stdout, its recipient on stderr", code, idOut, info)
	}
	idFile := filepath.Join(root, "backup.key")
	if err := os.WriteFile(idFile, []byte(idOut), 0o600); err != nil {
		t.Fatal(err)
	}
	backups := filepath.Join(root, "backups")
	p := startSova(t, nil, "-addr", "127.0.0.1:0", "-data", filepath.Join(root, "data"),
		"-backup-dir", backups, "-backup-to", recipient, "-backup-every", "200ms", "-backup-keep", "2")
	var files []string
	for deadline := time.Now().Add(30 * time.Second); len(files) < 2 && time.Now().Before(deadline); {
		files, _ = backup.Files(backups)
		time.Sleep(50 * time.Millisecond)
	}
	code = stop(t, p)
	// Backups went on every 200 ms until the stop, and each pruned the
	// oldest past two: list them again now that none can come or go.
	if len(files) >= 2 {
		files, _ = backup.Files(backups)
	}
	if code != 0 || len(files) != 2 {
		t.Fatalf("serving with backups: exit %d, backups %v; want the last 2 kept\n%s", code, files, p.Log())
	}
	checkNoErrorsLogged(t, p, "serving with backups")

	restored := filepath.Join(root, "restored")
	out, errOut, code := runSova(t, root, "restore", "-identity", idFile, "-data", restored, filepath.Join(backups, files[0]))
	if code != 0 || !strings.Contains(out, "survey versions") || !strings.Contains(out, "server keys") {
		t.Fatalf("restore: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	a := testapp.OpenDir(t, restored)
	if a.SetupLink() == "" {
		t.Error("the restored server, like the first, should still wait for its first admin")
	}
	a.Close()

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"restore", "-data", filepath.Join(root, "x"), filepath.Join(backups, files[0])}, "usage: sova restore -identity FILE -data NEWDIR BACKUP"},
		{[]string{"restore", "-identity", idFile, "-data", restored, filepath.Join(backups, files[0])}, "already holds a database"},
		{[]string{"restore", "-identity", filepath.Join(root, "data", "sova.key"), "-data", filepath.Join(root, "y"), filepath.Join(backups, files[0])}, "sova.key"},
		{[]string{"-backup-dir", backups, "-backup-to", "age1nothing"}, "give one age recipient"},
		{[]string{"-backup-to", "age1nothing"}, "-backup-to needs -backup-dir"},
	} {
		if out, errOut, code := runSova(t, root, tc.args...); code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("sova %s: exit %d, stderr %q; want an error saying %q\nstdout: %s", strings.Join(tc.args, " "), code, errOut, tc.want, out)
		}
	}
}

// A flood of connections that never finish their request cannot take the
// file descriptors Sova needs: with a file limit of 256, 300 trickling
// connections leave it below the limit and logging no "too many open
// files" (an attack with 20,000 once made accept fail and health checks
// time out), and once they go, it answers at once.
func TestServe_AFloodOfSlowConnectionsLeavesFilesToSpare(t *testing.T) {
	const limit = 256
	p, err := sovaproc.Start("prlimit", []string{fmt.Sprintf("--nofile=%d:%d", limit, limit), sovaBinary(t),
		"-addr", "127.0.0.1:0", "-data", filepath.Join(t.TempDir(), "data")}, childEnv(), 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	var flood []net.Conn
	defer func() {
		for _, c := range flood {
			c.Close()
		}
	}()
	for range 300 {
		c, err := net.Dial("tcp", p.Addr())
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: sova\r\n")) // and never the blank line
		flood = append(flood, c)
	}
	// Wait until the server has taken all the connections it will: its
	// open files stop changing for a second.
	fds := func() int {
		entries, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", p.Pid()))
		return len(entries)
	}
	open, since := fds(), time.Now()
	for deadline := time.Now().Add(20 * time.Second); time.Since(since) < time.Second && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if n := fds(); n != open {
			open, since = n, time.Now()
		}
	}
	if open > limit-64 || strings.Contains(p.Log(), "too many open files") {
		t.Fatalf("under the flood sova holds %d of its %d files; want at least 64 to spare, and no accept failures\n%s", open, limit, p.Log())
	}
	for _, c := range flood {
		c.Close()
	}
	flood = nil
	c := newClient()
	defer c.CloseIdleConnections()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		res, err := c.Get(p.URL() + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the flood /healthz: %v\n%s", err, p.Log())
		}
	}
	fetchKid(t, p)
	if code := stop(t, p); code != 0 {
		t.Fatalf("exit %d\n%s", code, p.Log())
	}
}
