// Package chrome starts a real headless Chromium for tests.
//
// Sova's PWA relies on browser features that no Go test double can stand in
// for: WebCrypto (HPKE sealing of responses), service workers, IndexedDB and
// Cache Storage. Tests that prove those work drive the Debian "chromium"
// package through chromedp. This package keeps the launch flags, the fresh
// profile and the cleanup in one place so every such test starts the browser
// the same way and cannot leave a browser (or a hung test) behind.
package chrome

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// DefaultPath is where Debian's "chromium" package installs the browser.
// The environment variable SOVA_CHROMIUM overrides it.
const DefaultPath = "/usr/bin/chromium"

// Lifetime bounds the whole browser session of one test. When it passes the
// context returned by New is done and the browser is killed, so a hung page or
// browser fails the test instead of hanging it until the go test timeout.
const Lifetime = 3 * time.Minute

// stopTimeout bounds the graceful close at cleanup; after it the process is
// killed.
const stopTimeout = 15 * time.Second

// ExecPath returns the Chromium binary the tests use.
func ExecPath() string {
	if p := os.Getenv("SOVA_CHROMIUM"); p != "" {
		return p
	}
	return DefaultPath
}

// New starts headless Chromium with a fresh profile and returns a chromedp
// context bound to its first tab. The browser stops when the test ends. The
// context has a deadline of at most [Lifetime].
//
// A missing browser is a test failure, not a skip: these tests guard features
// users depend on offline, so they must not silently stop running.
func New(tb testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	tb.Helper()
	ctx, _ := NewWithProfile(tb, extra...)
	return ctx
}

// NewWithProfile is like [New] and also returns the browser's user data
// directory, for tests that inspect what the browser wrote to disk (e.g. that
// nothing readable is left behind). extra adds launch options, such as a
// canary User-Agent.
func NewWithProfile(tb testing.TB, extra ...chromedp.ExecAllocatorOption) (ctx context.Context, profileDir string) {
	tb.Helper()
	return NewLong(tb, Lifetime, extra...)
}

// NewLong is [NewWithProfile] with the session bounded by lifetime instead
// of [Lifetime], for a test that is long by nature (a whole survey heard
// twice).
func NewLong(tb testing.TB, lifetime time.Duration, extra ...chromedp.ExecAllocatorOption) (ctx context.Context, profileDir string) {
	tb.Helper()
	path := ExecPath()
	if _, err := os.Stat(path); err != nil {
		tb.Fatalf("chromium not found at %s (%v): install the Debian package chromium (apt-get install chromium) or set SOVA_CHROMIUM", path, err)
	}
	// TempDir is registered before our cleanup, so it is removed after the
	// browser has exited (cleanups run last-in, first-out).
	profileDir = tb.TempDir()

	out := &tailBuffer{max: 64 << 10}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		// Set one by one instead of DefaultExecAllocatorOptions, whose
		// Puppeteer-style extras (enable-automation, NetworkServiceInProcess,
		// disabled features, ...) make the browser differ from what users run.
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // tests often run as root in containers
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(profileDir),
		chromedp.CombinedOutput(out),
	}
	opts = append(opts, extra...)

	// The browser lives as long as the context of its first Run, so the
	// lifetime deadline is set on the root and inherited by everything.
	root, cancelRoot := context.WithTimeout(context.Background(), lifetime)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)

	errs := &pageErrors{}
	tb.Cleanup(func() {
		for _, e := range errs.all() {
			tb.Errorf("uncaught page error: %s", e)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			// Graceful close first, so Chromium flushes and stops its
			// child processes before TempDir removes the profile.
			sctx, cancel := context.WithTimeout(ctx, stopTimeout)
			_ = chromedp.Cancel(sctx)
			cancel()
			cancelCtx()
			cancelAlloc() // kills the process if still alive and waits
			cancelRoot()
		}()
		select {
		case <-done:
		case <-time.After(2 * stopTimeout):
			tb.Errorf("chromium did not stop within %v", 2*stopTimeout)
		}
		if tb.Failed() {
			tb.Logf("chromium output (tail):\n%s", out.String())
		}
	})

	// Start the browser now so a broken install fails here, clearly.
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("starting chromium %s: %v\n%s", path, err, out.String())
	}
	if err := chromedp.Listen(ctx, errs.listen); err != nil {
		tb.Fatalf("listening to the page's errors: %v", err)
	}
	return ctx, profileDir
}

// pageErrors collects every uncaught exception and unhandled rejection of a
// page: a test that passes while the page throws (one page's script stopped,
// a feature silently dead) must fail, so each one fails the test at its end.
type pageErrors struct {
	mu   sync.Mutex
	errs []string
}

func (p *pageErrors) listen(ev any) {
	e, ok := ev.(*runtime.EventExceptionThrown)
	if !ok {
		return
	}
	d := e.ExceptionDetails
	msg := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		msg += " " + strings.SplitN(d.Exception.Description, "\n", 2)[0]
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errs = append(p.errs, fmt.Sprintf("%s (%s:%d)", msg, d.URL, d.LineNumber+1))
}

func (p *pageErrors) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errs...)
}

// tailBuffer keeps the last max bytes written to it; chromedp writes the
// browser's stdout/stderr here from its own goroutine.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = bytes.Clone(t.b[over:])
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
