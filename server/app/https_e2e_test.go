package app_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sova/internal/testapp"
	"sova/server/app"
	"sova/server/domain"
)

// An organisation starts Sova with -domain on a server of its own: Sova gets
// a certificate from a real ACME CA (Pebble, validating over HTTP-01 or
// TLS-ALPN-01 against Sova's own ports, with its own DNS), serves HTTPS with
// HSTS, redirects plain HTTP, keeps the certificate and the account key
// encrypted in Badger, shows the expiry to the admin, renews before the end
// with nobody there, and after a restart serves the kept certificate
// without asking the CA.
func TestHTTPS_CertificateFromACMEServedRenewedAndKept(t *testing.T) {
	t.Parallel()
	const domainName = "sova.test"
	httpsPort, httpPort := freePort(t), freePort(t)
	// A 30-second certificate: renewal is due after 20 seconds (autocert
	// renews in the last third of a certificate's life, at most 30 days).
	ca := startPebble(t, httpPort, httpsPort, 30)

	var log testapp.Log
	e := testapp.OpenFixture(t, func(c *app.Config) {
		c.Domain, c.ACMEURL, c.ACMEClient = domainName, ca.dir, ca.client
		c.Addr, c.HTTPAddr = "127.0.0.1:"+httpsPort, "127.0.0.1:"+httpPort
		c.Log = slog.New(slog.NewTextHandler(&log, nil))
	})
	admin := e.As(domain.RoleAdmin)
	if page := admin.Get(t, "/staff/backups").Body.String(); !strings.Contains(page, "No certificate for sova.test yet") {
		t.Fatalf("before the CA answered the admin sees: %s", page)
	}
	stop := run(t, e.App)

	// What a browser trusting the CA meets. Every address it came from is
	// kept, to look for in the log.
	roots := ca.roots(t)
	var from sync.Map
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if _, port, _ := net.SplitHostPort(addr); port == httpsPort {
			addr = "127.0.0.1:" + httpsPort // sova.test, by the organisation's DNS
		}
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			from.Store(c.LocalAddr().String(), true)
		}
		return c, err
	}
	member := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, DialContext: dial},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
	origin := "https://" + domainName + ":" + httpsPort
	var first *x509.Certificate
	var lastErr error
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the last error: %v\nSova said:\n%s", lastErr, log.String())
		}
	})
	waitFor(t, 90*time.Second, "a certificate from the CA", func() bool {
		res, err := member.Get(origin + "/en/")
		if lastErr = err; err != nil {
			return false
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.TLS == nil {
			t.Fatalf("GET /en/ over HTTPS: %d", res.StatusCode)
		}
		if hsts := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
			t.Errorf("HTTPS page without HSTS: %q", hsts)
		}
		first = res.TLS.PeerCertificates[0]
		return true
	})
	if err := first.VerifyHostname(domainName); err != nil {
		t.Fatal(err)
	}

	// Plain HTTP goes to HTTPS, whatever Host it named; a post is refused
	// rather than sent on.
	for _, host := range []string{domainName, "elsewhere.example"} {
		req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:"+httpPort+"/en/warnings?x=1", nil)
		req.Host = host
		res, err := member.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if want := origin + "/en/warnings?x=1"; res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != want {
			t.Errorf("http://%s/en/warnings: %d to %q; want 301 to %s", host, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
	if res, err := member.Post("http://127.0.0.1:"+httpPort+"/api/v1/responses", "application/json", strings.NewReader("[]")); err != nil || res.StatusCode != http.StatusBadRequest {
		t.Errorf("a POST over plain HTTP: %v %v; want 400", res.StatusCode, err)
	}

	// The admin sees when it ends.
	// In English, in the organisation's time zone (UTC here).
	want := "valid until " + first.NotAfter.UTC().Format("2 Jan 2006 15:04") + " (UTC)"
	if page := admin.Get(t, "/staff/backups").Body.String(); !strings.Contains(page, want) {
		t.Errorf("the admin's page does not say %q: %s", want, page)
	}
	// The account key and the certificate are in Badger, and nowhere on
	// disk in the clear.
	kept, err := e.App.Store().Secrets("acme/")
	if err != nil {
		t.Fatal(err)
	}
	served := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: first.Raw})
	if len(kept["acme/acme_account+key"]) == 0 || !bytes.Contains(kept["acme/"+domainName], served) {
		t.Fatalf("kept in the store: %v", keys(kept))
	}
	assertNoPEM(t, e.Dir)

	// Renewal, with nobody there: a new certificate is served before the
	// old one ends.
	var renewed *x509.Certificate
	waitFor(t, 60*time.Second, "a renewed certificate", func() bool {
		res, err := member.Get(origin + "/en/")
		if err != nil {
			t.Fatalf("after %s: %v", time.Until(first.NotAfter), err)
		}
		res.Body.Close()
		renewed = res.TLS.PeerCertificates[0]
		return renewed.SerialNumber.Cmp(first.SerialNumber) != 0
	})
	if !renewed.NotAfter.After(first.NotAfter) || time.Now().After(first.NotAfter) {
		t.Errorf("renewed at %s: the old certificate ended %s, the new one ends %s", time.Now(), first.NotAfter, renewed.NotAfter)
	}

	// A restart with the CA gone serves the kept certificate.
	stop()
	ca.stop()
	e.Restart(t)
	run(t, e.App)
	res, err := member.Get(origin + "/en/")
	if err != nil {
		t.Fatalf("after a restart without the CA: %v", err)
	}
	res.Body.Close()
	if got := res.TLS.PeerCertificates[0]; got.SerialNumber.Cmp(renewed.SerialNumber) != 0 {
		t.Errorf("after a restart Sova serves serial %s, not the kept %s", got.SerialNumber, renewed.SerialNumber)
	}
	from.Range(func(addr, _ any) bool {
		if strings.Contains(log.String(), addr.(string)) {
			t.Errorf("the log names a client's address %s:\n%s", addr, log.String())
		}
		return true
	})
}

// run serves a until the returned stop is called (or the test ends).
func run(t *testing.T, a *app.App) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	select {
	case <-a.Ready:
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
		}
	}
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(limit); !ok(); {
		if time.Now().After(end) {
			t.Fatalf("no %s within %s", what, limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// assertNoPEM fails if any file under dir holds a PEM block: certificates
// and keys must be in the encrypted store only.
func assertNoPEM(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err == nil && bytes.Contains(data, []byte("-----BEGIN")) {
			t.Errorf("%s holds a PEM block in the clear", p)
		}
		return nil
	})
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// acmeCA is a running Pebble with its own DNS server (pebble-challtestsrv),
// which names 127.0.0.1 for every domain.
type acmeCA struct {
	dir, mgmt string
	client    *http.Client // trusts Pebble's own HTTPS listener
	stop      func()
}

// startPebble runs Pebble, validating challenges on the given ports and
// issuing certificates valid for validity seconds.
func startPebble(t *testing.T, httpPort, tlsPort string, validity int) *acmeCA {
	t.Helper()
	mod, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/letsencrypt/pebble/v2").Output()
	if err != nil {
		t.Fatalf("finding Pebble's module (go.mod's tool): %v", err)
	}
	certs := filepath.Join(strings.TrimSpace(string(mod)), "test", "certs")
	dnsPort, caPort, mgmtPort, dnsMgmtPort := freePort(t), freePort(t), freePort(t), freePort(t)
	dir := t.TempDir()
	conf, _ := json.Marshal(map[string]any{"pebble": map[string]any{
		"listenAddress":           "127.0.0.1:" + caPort,
		"managementListenAddress": "127.0.0.1:" + mgmtPort,
		"certificate":             filepath.Join(certs, "localhost", "cert.pem"),
		"privateKey":              filepath.Join(certs, "localhost", "key.pem"),
		"httpPort":                mustAtoi(httpPort),
		"tlsPort":                 mustAtoi(tlsPort),
		"keyAlgorithm":            "ecdsa",
		"profiles":                map[string]any{"default": map[string]any{"description": "short", "validityPeriod": validity}},
	}})
	confFile := filepath.Join(dir, "pebble.json")
	if err := os.WriteFile(confFile, conf, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out testapp.Log // written by both programs at once
	start := func(tool string, env []string, args ...string) *exec.Cmd {
		bin, err := exec.Command("go", "tool", "-n", tool).Output()
		if err != nil {
			t.Fatalf("building %s (go.mod's tool): %v", tool, err)
		}
		cmd := exec.CommandContext(ctx, strings.TrimSpace(string(bin)), args...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	dns := start("pebble-challtestsrv", nil, "-dnsserver", "127.0.0.1:"+dnsPort, "-management", "127.0.0.1:"+dnsMgmtPort,
		"-http01", "", "-https01", "", "-doh", "", "-tlsalpn01", "", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "")
	pebble := start("pebble", []string{"PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0"},
		"-config", confFile, "-dnsserver", "127.0.0.1:"+dnsPort, "-strict")
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			dns.Wait()
			pebble.Wait()
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("Pebble said:\n%s", out.String())
		}
	})
	pem, err := os.ReadFile(filepath.Join(certs, "pebble.minica.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	ca := &acmeCA{
		dir: "https://127.0.0.1:" + caPort + "/dir", mgmt: "https://127.0.0.1:" + mgmtPort,
		client: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 30 * time.Second},
		stop:   stop,
	}
	waitFor(t, 60*time.Second, "Pebble listening", func() bool {
		res, err := ca.client.Get(ca.dir)
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == http.StatusOK
	})
	return ca
}

// roots is the CA's issuing root, which a browser of the test trusts.
func (ca *acmeCA) roots(t *testing.T) *x509.CertPool {
	res, err := ca.client.Get(ca.mgmt + "/roots/0")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	pem, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("Pebble's root: %s", pem)
	}
	return pool
}

func mustAtoi(s string) int {
	var n int
	fmt.Sscan(s, &n)
	return n
}
