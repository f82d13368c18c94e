package sovaproc

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The runner's own edge cases (a long log, a child that never serves or
// ignores SIGTERM) are hard to provoke in the real server, so this test binary
// plays a child that does them, when started with helperEnv set.
const helperEnv = "SOVAPROC_TEST_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(child(mode))
	}
	os.Exit(m.Run())
}

func child(mode string) int {
	log := func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	switch mode {
	case "exit":
		log("level=INFO msg=starting")
		log("level=ERROR msg=\"cannot open data dir\"")
		return 3
	case "silent":
		time.Sleep(time.Minute)
		return 0
	}
	term := make(chan os.Signal, 1)
	if mode == "stubborn" {
		signal.Ignore(syscall.SIGTERM)
	} else {
		signal.Notify(term, syscall.SIGTERM)
	}
	log("level=INFO msg=starting")
	log("level=INFO msg=serving addr=http://127.0.0.1:4321 data=/tmp/x")
	for i := range 5000 {
		if i == 1500 {
			log("level=ERROR msg=\"request %d failed\"", i)
			continue
		}
		log("level=INFO msg=request n=%d", i)
	}
	log("level=INFO msg=idle")
	<-term
	log("level=INFO msg=\"shutting down\"")
	return 0
}

func startChild(t *testing.T, mode string) (*Proc, error) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p, err := Start(self, []string{"-addr", "127.0.0.1:0"}, append(os.Environ(), helperEnv+"="+mode), 10*time.Second)
	if p != nil {
		t.Cleanup(p.Kill)
	}
	return p, err
}

// waitForLog waits until the child has logged want.
func waitForLog(t *testing.T, p *Proc, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(p.Log(), want); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the log:\n%s", want, p.Log())
		}
	}
}

func TestStart_AddrFromServingLine_LongLogKeepsHeadTailAndEveryError(t *testing.T) {
	p, err := startChild(t, "serve")
	if err != nil {
		t.Fatal(err)
	}
	if p.Addr() != "127.0.0.1:4321" || p.URL() != "http://127.0.0.1:4321" {
		t.Errorf("Addr %q, URL %q", p.Addr(), p.URL())
	}
	if p.Pid() <= 0 || p.Pid() == os.Getpid() {
		t.Errorf("Pid %d", p.Pid())
	}
	waitForLog(t, p, "msg=idle")
	log := p.Log()
	for _, want := range []string{"msg=starting", "msg=serving", "request n=4998", "lines left out"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if n := strings.Count(log, "\n") + 1; n > maxLines+1 {
		t.Errorf("log kept %d lines, want at most %d and a marker", n, maxLines)
	}
	if strings.Contains(log, "request 1500 failed") {
		t.Errorf("the middle of the log was kept; this test means to check ERROR lines from there")
	}
	if errs := p.ErrorLines(); len(errs) != 1 || !strings.Contains(errs[0], "request 1500 failed") {
		t.Errorf("ErrorLines: %q", errs)
	}
	code, err := p.Term(10 * time.Second)
	if err != nil || code != 0 {
		t.Fatalf("Term: exit %d, %v", code, err)
	}
	select {
	case <-p.Done():
	default:
		t.Fatal("Done is open after Term returned")
	}
	if !strings.Contains(p.Log(), "shutting down") {
		t.Errorf("the log after exit lacks the last line")
	}
	if code, err := p.Term(time.Second); err != nil || code != 0 {
		t.Errorf("Term again: exit %d, %v", code, err)
	}
}

func TestStart_ExitBeforeServingQuotesTheLog(t *testing.T) {
	_, err := startChild(t, "exit")
	if err == nil || !strings.Contains(err.Error(), "exited before serving") || !strings.Contains(err.Error(), "cannot open data dir") {
		t.Fatalf("err = %v", err)
	}
}

func TestStart_SilentChildIsKilledAfterWait(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = Start(self, nil, append(os.Environ(), helperEnv+"=silent"), 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "did not say where it serves within 300ms") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("Start returned after %s: the silent child was not killed", d)
	}
}

func TestKill_EndsTheProcess(t *testing.T) {
	p, err := startChild(t, "serve")
	if err != nil {
		t.Fatal(err)
	}
	p.Kill()
	if code, err := p.Wait(0); err != nil || code != -1 {
		t.Fatalf("after SIGKILL: exit %d, %v; want -1 and no error", code, err)
	}
}

func TestTerm_IgnoredIsKilledAfterGrace(t *testing.T) {
	p, err := startChild(t, "stubborn")
	if err != nil {
		t.Fatal(err)
	}
	waitForLog(t, p, "msg=idle")
	code, err := p.Term(300 * time.Millisecond)
	if err == nil || code != -1 {
		t.Fatalf("Term on a child that ignores SIGTERM: exit %d, %v; want -1 and an error", code, err)
	}
	select {
	case <-p.Done():
	default:
		t.Fatal("the child still runs")
	}
}

// TestBuildAndStart_RealSova proves the runner against the real command: its
// serving line is found, it answers there, and SIGTERM ends it with 0.
func TestBuildAndStart_RealSova(t *testing.T) {
	if testing.Short() {
		t.Skip("builds sova")
	}
	bin, err := Build(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	p, err := Start(bin, []string{"-addr", "127.0.0.1:0", "-data", t.TempDir()}, nil, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	resp, err := http.Get(p.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %d", resp.StatusCode)
	}
	if code, err := p.Term(40 * time.Second); err != nil || code != 0 {
		t.Fatalf("Term: exit %d, %v\n%s", code, err, p.Log())
	}
	if errs := p.ErrorLines(); len(errs) > 0 {
		t.Errorf("sova logged errors: %q", errs)
	}
}
