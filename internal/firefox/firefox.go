// Package firefox starts a real headless Firefox ESR for tests and drives it
// over WebDriver BiDi.
//
// Sova's members use whatever browser their phone has, and the PWA's offline
// features (service workers, IndexedDB, Cache Storage, WebCrypto, the back-
// forward cache that quick exit must defeat) differ between engines in ways
// no test double shows; internal/chrome covers Chromium, this package
// Firefox. Firefox speaks WebDriver BiDi, not the Chrome DevTools protocol,
// so this is a small BiDi client of its own: launch with a fresh profile,
// navigate, evaluate, wait on conditions, and fail the test on any uncaught
// page error. Like internal/chrome, a missing browser fails the test rather
// than skipping it, and every browser is bounded in time and killed at
// cleanup.
package firefox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// DefaultPath is where Debian's "firefox-esr" package installs the browser.
// The environment variable SOVA_FIREFOX overrides it.
const DefaultPath = "/usr/bin/firefox-esr"

// Lifetime bounds the whole browser session of one test: when it passes the
// browser is killed and every later command fails, so a hung page fails the
// test instead of hanging it until the go test timeout.
const Lifetime = 3 * time.Minute

// WaitTimeout is how long [Browser.Wait] polls a condition; generous, as
// the tests run on busy 2-core machines.
const WaitTimeout = 45 * time.Second

const (
	startTimeout = time.Minute      // until BiDi listens; a cold start on a busy machine is slow
	stopTimeout  = 15 * time.Second // graceful close at cleanup, then the process group is killed
	pollEvery    = 200 * time.Millisecond
	pollEval     = 10 * time.Second // one poll's evaluation, so a stuck one cannot eat the whole wait
)

// prefs go into the fresh profile's user.js. The remote agent's own
// recommended prefs (remote.prefs.recommended) already quiet most of the
// browser; these make sure it never phones home (the test machine has no
// internet, and a test must not depend on it), and let a plain
// http://127.0.0.1 page do what Sova does: run a service worker and play
// voice without a tap, to its end.
var prefs = map[string]any{
	"remote.prefs.recommended":                    true,
	"dom.serviceWorkers.testing.enabled":          true,
	"media.autoplay.default":                      0, // allow audible autoplay
	"media.autoplay.blocking_policy":              0,
	"media.cubeb.force_mock_context":              true, // no sound card on test machines: voice plays to its end on a mock device instead of failing
	"dom.storageManager.prompt.testing":           true, // navigator.storage.persist() answers instead of asking
	"dom.storageManager.prompt.testing.allow":     true,
	"app.update.enabled":                          false,
	"app.update.auto":                             false,
	"app.update.disabledForTesting":               true,
	"app.normandy.enabled":                        false,
	"services.settings.server":                    "data:,#remote-settings-dummy/v1",
	"messaging-system.rsexperimentloader.enabled": false,
	"datareporting.policy.dataSubmissionEnabled":  false,
	"datareporting.healthreport.uploadEnabled":    false,
	"toolkit.telemetry.enabled":                   false,
	"toolkit.telemetry.unified":                   false,
	"browser.shell.checkDefaultBrowser":           false,
	"browser.startup.page":                        0,
	"browser.startup.homepage":                    "about:blank",
	"browser.newtabpage.enabled":                  false,
	"browser.aboutwelcome.enabled":                false,
	"browser.sessionstore.resume_from_crash":      false,
	"network.captive-portal-service.enabled":      false,
	"network.connectivity-service.enabled":        false,
	"network.dns.disablePrefetch":                 true,
	"network.prefetch-next":                       false,
	"browser.safebrowsing.malware.enabled":        false,
	"browser.safebrowsing.phishing.enabled":       false,
	"browser.safebrowsing.downloads.enabled":      false,
	"browser.safebrowsing.blockedURIs.enabled":    false,
	"browser.safebrowsing.update.enabled":         false,
	"extensions.update.enabled":                   false,
	"extensions.blocklist.enabled":                false,
}

// ExecPath returns the Firefox binary the tests use.
func ExecPath() string {
	if p := os.Getenv("SOVA_FIREFOX"); p != "" {
		return p
	}
	return DefaultPath
}

// Option changes how [New] starts the browser.
type Option func(*config)

type config struct {
	insecureCerts bool
	prefs         map[string]any
	lifetime      time.Duration
}

// InsecureCerts accepts any TLS certificate, such as httptest's.
func InsecureCerts() Option { return func(c *config) { c.insecureCerts = true } }

// Long bounds the session by d instead of [Lifetime], for a test that is
// long by nature (a whole survey heard twice).
func Long(d time.Duration) Option { return func(c *config) { c.lifetime = d } }

// Pref sets one more pref in the profile.
func Pref(name string, value any) Option { return func(c *config) { c.prefs[name] = value } }

// Browser is one headless Firefox with one tab, for the length of a test.
type Browser struct {
	tb      testing.TB
	ctx     context.Context // done when [Lifetime] passes
	c       *conn
	tab     string // the browsing context every command acts on
	profile string
	out     *output

	mu      sync.Mutex
	errs    []string // uncaught page errors and unhandled rejections
	console []string
}

// New starts headless Firefox ESR with a fresh profile and returns it with
// its first tab. The browser stops when the test ends; the test fails then
// if any page threw an uncaught error or left a rejection unhandled.
//
// A missing browser is a test failure, not a skip: these tests guard features
// users depend on offline, so they must not silently stop running.
func New(tb testing.TB, opts ...Option) *Browser {
	tb.Helper()
	cfg := config{prefs: map[string]any{}, lifetime: Lifetime}
	for k, v := range prefs {
		cfg.prefs[k] = v
	}
	for _, o := range opts {
		o(&cfg)
	}
	path := ExecPath()
	if _, err := os.Stat(path); err != nil {
		tb.Fatalf("firefox not found at %s (%v): install the Debian package firefox-esr (apt-get install firefox-esr) or set SOVA_FIREFOX", path, err)
	}
	// TempDir is registered before our cleanup, so it is removed after the
	// browser has exited (cleanups run last-in, first-out).
	profile := tb.TempDir()
	if err := os.WriteFile(filepath.Join(profile, "user.js"), userJS(cfg.prefs), 0o600); err != nil {
		tb.Fatal(err)
	}

	ctx, cancel := context.WithTimeoutCause(context.Background(), cfg.lifetime,
		fmt.Errorf("the firefox session passed its lifetime of %v", cfg.lifetime))
	out := &output{max: 64 << 10, port: make(chan string, 1)}
	cmd := exec.Command(path, "--headless", "--remote-debugging-port=0", "--profile", profile, "--no-remote")
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "MOZ_CRASHREPORTER_DISABLE=1")
	// Its own process group, so cleanup can kill the content processes too;
	// and a child that somehow outlives it cannot hold Wait on the output.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		tb.Fatalf("starting firefox %s: %v", path, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	kill := func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	go func() {
		select {
		case <-ctx.Done():
			kill()
		case <-exited:
		}
	}()

	b := &Browser{tb: tb, ctx: ctx, profile: profile, out: out}
	tb.Cleanup(func() {
		b.mu.Lock()
		errs := b.errs
		b.mu.Unlock()
		if len(errs) > 0 {
			tb.Errorf("uncaught errors in the page:\n%s", strings.Join(errs, "\n"))
		}
		if b.c != nil {
			sctx, scancel := context.WithTimeout(ctx, stopTimeout)
			_ = b.c.call(sctx, "browser.close", nil, nil)
			scancel()
		}
		select {
		case <-exited:
		case <-time.After(stopTimeout):
			tb.Errorf("firefox did not stop within %v; killed", stopTimeout)
		}
		kill() // also any content process left behind
		cancel()
		<-exited
		if b.c != nil {
			b.c.close()
		}
		if tb.Failed() {
			tb.Logf("firefox output (tail):\n%s", out.String())
		}
	})

	var url string
	select {
	case url = <-out.port:
	case <-exited:
		tb.Fatalf("firefox %s exited before listening:\n%s", path, out.String())
	case <-time.After(startTimeout):
		tb.Fatalf("firefox %s did not start WebDriver BiDi within %v:\n%s", path, startTimeout, out.String())
	}
	c, err := dial(ctx, url+"/session", b.event)
	if err != nil {
		tb.Fatalf("connecting to firefox at %s: %v\n%s", url, err, out.String())
	}
	b.c = c
	caps := map[string]any{"acceptInsecureCerts": cfg.insecureCerts}
	if err := c.call(ctx, "session.new", map[string]any{"capabilities": map[string]any{"alwaysMatch": caps}}, nil); err != nil {
		tb.Fatalf("firefox: %v\n%s", err, out.String())
	}
	if err := c.call(ctx, "session.subscribe", map[string]any{"events": []string{"log.entryAdded"}}, nil); err != nil {
		tb.Fatalf("firefox: %v", err)
	}
	var tree struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err := c.call(ctx, "browsingContext.getTree", map[string]any{"maxDepth": 0}, &tree); err != nil || len(tree.Contexts) == 0 {
		tb.Fatalf("firefox has no tab (%v)", err)
	}
	b.tab = tree.Contexts[0].Context
	return b
}

func userJS(prefs map[string]any) []byte {
	var b bytes.Buffer
	for k, v := range prefs {
		j, _ := json.Marshal(v)
		fmt.Fprintf(&b, "user_pref(%q, %s);\n", k, j)
	}
	return b.Bytes()
}

// event keeps what the page logs: uncaught errors fail the test at
// cleanup, console lines are there for the test to read.
func (b *Browser) event(method string, params json.RawMessage) {
	if method != "log.entryAdded" {
		return
	}
	var e struct {
		Type       string `json:"type"`
		Level      string `json:"level"`
		Text       string `json:"text"`
		StackTrace struct {
			CallFrames []struct {
				URL  string `json:"url"`
				Line int    `json:"lineNumber"`
			} `json:"callFrames"`
		} `json:"stackTrace"`
	}
	if json.Unmarshal(params, &e) != nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case e.Type == "javascript" && e.Level == "error" && len(e.StackTrace.CallFrames) == 0 && strings.HasPrefix(e.Text, "Failed to load ‘"):
		// A resource that failed to load (e.g. offline, through a service
		// worker that had no copy) is not a script error; Chromium does
		// not report those as exceptions either.
	case e.Type == "javascript" && e.Level == "error":
		where := ""
		if f := e.StackTrace.CallFrames; len(f) > 0 {
			where = fmt.Sprintf(" (%s:%d)", f[0].URL, f[0].Line+1)
		}
		b.errs = append(b.errs, e.Text+where)
	case e.Type == "console":
		b.console = append(b.console, e.Text)
	}
}

// TakeErrors returns the uncaught errors seen so far and forgets them, so
// they no longer fail the test: for a test that provokes one on purpose.
func (b *Browser) TakeErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	errs := b.errs
	b.errs = nil
	return errs
}

// Console returns every console message the pages logged so far, in order.
func (b *Browser) Console() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.console...)
}

// Profile is the browser's profile directory, for tests that inspect what
// it wrote to disk.
func (b *Browser) Profile() string { return b.profile }

// Navigate opens url in the tab and waits until it has loaded.
func (b *Browser) Navigate(url string) {
	b.tb.Helper()
	b.do("browsingContext.navigate", map[string]any{"context": b.tab, "url": url, "wait": "complete"})
}

// Reload reloads the page and waits until it has loaded.
func (b *Browser) Reload() {
	b.tb.Helper()
	b.do("browsingContext.reload", map[string]any{"context": b.tab, "wait": "complete"})
}

// Back goes one step back in the tab's history, as the Back button does.
// It does not wait for the page: poll what should be shown with [Wait].
func (b *Browser) Back() {
	b.tb.Helper()
	b.do("browsingContext.traverseHistory", map[string]any{"context": b.tab, "delta": -1})
}

// Press presses and releases one key as a keyboard does: key is a
// character or a WebDriver key code, such as [Escape].
func (b *Browser) Press(key string) {
	b.tb.Helper()
	b.do("input.performActions", map[string]any{"context": b.tab, "actions": []any{map[string]any{
		"type": "key", "id": "keyboard", "actions": []any{
			map[string]any{"type": "keyDown", "value": key},
			map[string]any{"type": "keyUp", "value": key},
		},
	}}})
}

// Click taps the element sel selects with a real mouse press and release at
// its centre (so pointerdown, mousedown and click all fire, trusted), after
// scrolling it into view.
func (b *Browser) Click(sel string) {
	b.tb.Helper()
	var res struct {
		Type   string `json:"type"`
		Result struct {
			Type     string `json:"type"`
			SharedID string `json:"sharedId"`
		} `json:"result"`
	}
	err := b.c.call(b.ctx, "script.evaluate", map[string]any{
		"expression":      "(() => { const el = document.querySelector(" + jsString(sel) + "); if (el) el.scrollIntoView({ block: 'center' }); return el; })()",
		"target":          map[string]any{"context": b.tab},
		"awaitPromise":    false,
		"resultOwnership": "none",
	}, &res)
	if err == nil && (res.Type != "success" || res.Result.Type != "node") {
		err = fmt.Errorf("no element (%s)", res.Result.Type)
	}
	if err != nil {
		b.tb.Fatalf("click %s: %v", sel, err)
	}
	b.do("input.performActions", map[string]any{"context": b.tab, "actions": []any{map[string]any{
		"type": "pointer", "id": "mouse", "parameters": map[string]any{"pointerType": "mouse"},
		"actions": []any{
			map[string]any{"type": "pointerMove", "x": 0, "y": 0, "origin": map[string]any{
				"type": "element", "element": map[string]any{"sharedId": res.Result.SharedID},
			}},
			map[string]any{"type": "pointerDown", "button": 0},
			map[string]any{"type": "pointerUp", "button": 0},
		},
	}}})
}

func jsString(s string) string {
	j, _ := json.Marshal(s)
	return string(j)
}

// Escape is the WebDriver key code of the Esc key, for [Browser.Press].
const Escape = "\uE00C"

// AddPreloadScript runs js in every document the tab opens from now on,
// before the page's own scripts.
func (b *Browser) AddPreloadScript(js string) {
	b.tb.Helper()
	b.do("script.addPreloadScript", map[string]any{"functionDeclaration": "() => {\n" + js + "\n}"})
}

func (b *Browser) do(method string, params any) {
	b.tb.Helper()
	if err := b.c.call(b.ctx, method, params, nil); err != nil {
		b.tb.Fatalf("firefox: %v", err)
	}
}

// Eval evaluates the JS expression js in the page, awaits it if it is a
// promise, and decodes its value as JSON into T. The page is told a user
// gesture is under way, as for a tap.
func Eval[T any](b *Browser, js string) T {
	b.tb.Helper()
	var v T
	raw, err := b.eval(b.ctx, js)
	if err == nil {
		err = json.Unmarshal(raw, &v)
	}
	if err != nil {
		b.tb.Fatalf("%s: %v", js, err)
	}
	return v
}

// eval returns js's value as JSON. The page turns it into JSON itself
// (JSON.stringify) and hands over a string: simpler and more faithful than
// decoding BiDi's own serialization of remote values.
func (b *Browser) eval(ctx context.Context, js string) (json.RawMessage, error) {
	var res struct {
		Type   string `json:"type"` // "success" or "exception"
		Result struct {
			Type  string `json:"type"`
			Value any    `json:"value"`
		} `json:"result"`
		ExceptionDetails struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	err := b.c.call(ctx, "script.evaluate", map[string]any{
		// The newlines keep a trailing // comment in js from eating the
		// closing brackets.
		"expression":      "(async () => JSON.stringify(await (\n" + js + "\n)))()",
		"target":          map[string]any{"context": b.tab},
		"awaitPromise":    true,
		"resultOwnership": "none",
		"userActivation":  true,
	}, &res)
	switch {
	case err != nil:
		return nil, err
	case res.Type == "exception":
		return nil, errors.New(res.ExceptionDetails.Text)
	case res.Result.Type == "undefined":
		return json.RawMessage("null"), nil
	}
	s, ok := res.Result.Value.(string)
	if !ok {
		return nil, fmt.Errorf("unexpected result %s", res.Result.Type)
	}
	return json.RawMessage(s), nil
}

// Wait polls the JS condition js until it is true, for up to [WaitTimeout];
// errors while polling (the page is between documents, an element is not
// there yet) count as false.
func (b *Browser) Wait(what, js string) {
	b.tb.Helper()
	if !b.Poll(WaitTimeout, js) {
		b.tb.Fatalf("timed out after %v waiting for %s", WaitTimeout, what)
	}
}

// Poll reports whether the JS condition js came true within d.
func (b *Browser) Poll(d time.Duration, js string) bool {
	deadline := time.Now().Add(d)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, pollEval)
		raw, err := b.eval(ctx, "!!(await (\n"+js+"\n))")
		cancel()
		if err == nil && string(raw) == "true" {
			return true
		}
		if b.ctx.Err() != nil || time.Now().After(deadline) {
			return false
		}
		time.Sleep(pollEvery)
	}
}

// output keeps the last max bytes the browser printed, and hands over the
// BiDi address from the line Firefox prints once it listens.
type output struct {
	mu    sync.Mutex
	max   int
	b     []byte
	line  []byte // the line being written, until the address is found
	port  chan string
	found bool
}

var listening = regexp.MustCompile(`WebDriver BiDi listening on (ws://\S+)`)

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.b = append(o.b, p...)
	if over := len(o.b) - o.max; over > 0 {
		o.b = bytes.Clone(o.b[over:])
	}
	if !o.found {
		o.line = append(o.line, p...)
		for {
			i := bytes.IndexByte(o.line, '\n')
			if i < 0 {
				break
			}
			if m := listening.FindSubmatch(o.line[:i]); m != nil {
				o.found = true
				o.port <- string(m[1])
				o.line = nil
				break
			}
			o.line = o.line[i+1:]
		}
	}
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return string(o.b)
}
