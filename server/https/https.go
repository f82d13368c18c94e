// Package https lets Sova serve its own domain with no reverse proxy in
// front: certificates come from an ACME CA (Let's Encrypt unless told
// otherwise), live with the ACME account key in the encrypted store rather
// than in loose files, and renew unattended. The plain-HTTP port answers the
// CA's challenges and sends everything else to HTTPS. HSTS is set on every
// TLS response by edge.SecurityHeaders.
package https

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// Secrets is where certificates and the account key are kept (the store).
type Secrets interface {
	Secret(name string) ([]byte, error)
	PutSecret(name string, val []byte) error
	DeleteSecret(name string) error
}

// Config is what an operator gives: a domain and, for a CA other than
// Let's Encrypt, its directory URL.
type Config struct {
	Domain       string
	DirectoryURL string // empty: Let's Encrypt
	Store        Secrets
	// Client talks to the CA; nil is Go's default, which trusts the
	// system's roots or those in SSL_CERT_FILE (for a private CA).
	Client *http.Client
	Log    *slog.Logger
}

// Certs obtains, keeps and renews the domain's certificate.
type Certs struct {
	m      *autocert.Manager
	domain string
	store  *cache
	log    *slog.Logger
}

// New checks the domain and prepares its certificates; nothing is asked
// of the CA until Obtain or the first TLS handshake.
func New(cfg Config) (*Certs, error) {
	domain := strings.ToLower(strings.TrimSuffix(cfg.Domain, "."))
	if err := checkDomain(domain); err != nil {
		return nil, err
	}
	dir := cfg.DirectoryURL
	if dir == "" {
		dir = acme.LetsEncryptURL
	}
	c := &cache{s: cfg.Store}
	return &Certs{
		m: &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			Cache:      c,
			HostPolicy: autocert.HostWhitelist(domain),
			Client:     &acme.Client{DirectoryURL: dir, HTTPClient: cfg.Client, UserAgent: "sova"},
		},
		domain: domain, store: c, log: cfg.Log,
	}, nil
}

// checkDomain refuses what no CA would certify, at start rather than at
// the first visitor.
func checkDomain(d string) error {
	switch {
	case d == "":
		return errors.New("-domain is empty")
	case strings.Contains(d, "://") || strings.ContainsAny(d, "/:*@ "):
		return fmt.Errorf("-domain %q: give the bare name, such as sova.example.org (no scheme, port, path or wildcard)", d)
	case net.ParseIP(d) != nil:
		return fmt.Errorf("-domain %q: give a domain name, not an address", d)
	case !strings.Contains(d, "."):
		return fmt.Errorf("-domain %q: a public name has a dot, such as sova.example.org", d)
	}
	return nil
}

// Domain is the name served.
func (c *Certs) Domain() string { return c.domain }

// TLSConfig serves the domain's certificate (obtaining it at the first
// handshake if Obtain has not) and answers TLS-ALPN challenges.
func (c *Certs) TLSConfig() *tls.Config { return c.m.TLSConfig() }

// HTTPHandler is the plain-HTTP port: the CA's HTTP challenges, and a
// permanent redirect of everything else to https://domain, whatever Host
// the request named (so the port never redirects elsewhere). httpsPort is
// added to the URL unless it is 443.
func (c *Certs) HTTPHandler(httpsPort string) http.Handler {
	base := "https://" + c.domain
	if httpsPort != "443" {
		base += ":" + httpsPort
	}
	return c.m.HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// A form posted in the clear has already leaked; do not post it again.
			http.Error(w, "Use HTTPS: "+base+"/", http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, base+r.URL.RequestURI(), http.StatusMovedPermanently)
	}))
}

// Obtain gets the certificate now, so that the first member does not wait
// for the CA, and starts its renewal. A certificate already kept is only
// loaded. Failures are retried with growing pauses until ctx ends; a
// handshake meanwhile also tries.
func (c *Certs) Obtain(ctx context.Context) {
	wait := time.Minute
	for {
		// An ECDSA-capable hello: the certificate every browser will get.
		_, err := c.m.GetCertificate(&tls.ClientHelloInfo{
			ServerName:        c.domain,
			SignatureSchemes:  []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256},
			SupportedCurves:   []tls.CurveID{tls.CurveP256},
			CipherSuites:      []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
			SupportedVersions: []uint16{tls.VersionTLS13, tls.VersionTLS12},
		})
		if err == nil {
			end, _ := c.Expiry()
			c.log.Info("certificate ready", "domain", c.domain, "valid_until", end.UTC().Format(time.DateTime))
			return
		}
		if ctx.Err() != nil {
			return
		}
		c.log.Error("no certificate yet: is the domain's DNS pointing here, and are ports 80 and 443 open to the internet?",
			"domain", c.domain, "retry_in", wait.String(), "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Hour)
	}
}

// ErrDamaged is why a kept certificate cannot be read when it was read
// from the store but is not a certificate: autocert can then neither use
// nor renew it.
var ErrDamaged = errors.New("the kept certificate is damaged")

// Expiry is when the kept certificate ends; zero when there is none yet.
// A certificate that is kept but cannot be read is ErrDamaged; any other
// error is the store's.
func (c *Certs) Expiry() (time.Time, error) {
	data, err := c.store.Get(context.Background(), c.domain)
	if errors.Is(err, autocert.ErrCacheMiss) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	// autocert keeps the private key, then the chain, leaf first.
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		if block.Type == "CERTIFICATE" {
			leaf, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return time.Time{}, fmt.Errorf("%w: %v", ErrDamaged, err)
			}
			return leaf.NotAfter, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: it holds no certificate", ErrDamaged)
}

// Stop ends the store's part: autocert has no way to stop its renewal
// timers, and one firing after the store closed must not touch it.
func (c *Certs) Stop() { c.store.closed.Store(true) }

// cache keeps autocert's entries (the account key, each certificate with
// its private key) as the store's secrets: encrypted at rest, and in every
// backup.
type cache struct {
	s      Secrets
	closed atomic.Bool
}

const prefix = "acme/"

var errStopped = errors.New("https: stopped")

func (c *cache) Get(_ context.Context, name string) ([]byte, error) {
	if c.closed.Load() {
		return nil, errStopped
	}
	v, err := c.s.Secret(prefix + name)
	if err == nil && v == nil {
		return nil, autocert.ErrCacheMiss
	}
	return v, err
}

func (c *cache) Put(_ context.Context, name string, data []byte) error {
	if c.closed.Load() {
		return errStopped
	}
	return c.s.PutSecret(prefix+name, data)
}

func (c *cache) Delete(_ context.Context, name string) error {
	if c.closed.Load() {
		return errStopped
	}
	return c.s.DeleteSecret(prefix + name)
}
