// Command sova is the Sova server. With no subcommand it serves the member
// app and the sync API:
//
//	sova [-addr localhost:8080] [-data ./data] [-memory-limit 80MiB]
//
// On a server of its own, with no proxy in front, it serves HTTPS for its
// domain on :443 and redirects :80:
//
//	sova -domain sova.example.org
//
// Each flag has an environment variable too (SOVA_ADDR, SOVA_DOMAIN, …;
// see sova -h), and SOVA_KEY_FILE places the encryption key; flags win.
//
// Translators who work offline move a language's voice pack as a zip file
// (see package studio). With Sova stopped (the database allows one process):
//
//	sova voice export -lang ru [-o sova-voice-ru.zip] [-data ./data]
//	sova voice import -lang ru [-data ./data] sova-voice-ru.zip
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"net/netip"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"sova/server/app"
	"sova/server/domain"
	"sova/server/studio"

	"filippo.io/age"
	"golang.org/x/crypto/acme"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		// A refusal's message is for the person at the keyboard; its
		// code is for programs.
		var de *domain.Error
		if errors.As(err, &de) {
			fmt.Fprintln(os.Stderr, "sova:", de.Message)
		} else {
			fmt.Fprintln(os.Stderr, "sova:", err)
		}
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) > 0 && args[0] == "serve" {
		args = args[1:]
	}
	if len(args) > 0 {
		switch args[0] {
		case "voice":
			return voiceCmd(args[1:])
		case "backup-key":
			return backupKey(os.Stdout, os.Stderr)
		case "restore":
			return restoreCmd(args[1:], os.Stdout)
		}
	}
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		return fmt.Errorf("unknown command %q (try: sova -h)", args[0])
	}
	fl := flag.NewFlagSet("sova", flag.ContinueOnError)
	addr := fl.String("addr", env("SOVA_ADDR", ""), "listen address (SOVA_ADDR; default localhost:8080, or :443 with -domain)")
	domainName := fl.String("domain", env("SOVA_DOMAIN", ""), "serve HTTPS for this domain, such as sova.example.org, with certificates from ACME kept in the database; plain HTTP on -http-addr then answers the CA and redirects (SOVA_DOMAIN)")
	httpAddr := fl.String("http-addr", env("SOVA_HTTP_ADDR", ":80"), "with -domain, where plain HTTP answers ACME challenges and redirects to HTTPS (SOVA_HTTP_ADDR)")
	acmeURL := fl.String("acme-url", env("SOVA_ACME_URL", acme.LetsEncryptURL), "with -domain, the ACME CA's directory URL; SSL_CERT_FILE names the roots a private CA needs (SOVA_ACME_URL)")
	data := fl.String("data", env("SOVA_DATA", "./data"), "data directory (SOVA_DATA)")
	accessLog := fl.Bool("access-log", env("SOVA_ACCESS_LOG", "") == "1", "log every request, not only failures (SOVA_ACCESS_LOG=1); see README")
	pushHosts := fl.String("push-hosts", env("SOVA_PUSH_HOSTS", strings.Join(domain.PushHosts, ",")), "push services a subscription may point at, comma-separated (SOVA_PUSH_HOSTS)")
	proxies := fl.String("trusted-proxy", env("SOVA_TRUSTED_PROXY", ""), "reverse proxies in front of Sova, as CIDRs or addresses, comma-separated: only their X-Forwarded-For is read, by the login limiter alone (SOVA_TRUSTED_PROXY)")
	backupDir := fl.String("backup-dir", env("SOVA_BACKUP_DIR", ""), "keep encrypted backups of everything in this folder (SOVA_BACKUP_DIR); needs -backup-to")
	backupTo := fl.String("backup-to", env("SOVA_BACKUP_TO", ""), "the age recipient (age1…) backups are encrypted to; `sova backup-key` makes one (SOVA_BACKUP_TO)")
	backupEvery := fl.Duration("backup-every", envDuration("SOVA_BACKUP_EVERY", 24*time.Hour), "how often to back up (SOVA_BACKUP_EVERY)")
	backupKeep := fl.Int("backup-keep", envInt("SOVA_BACKUP_KEEP", 7), "how many backups to keep, newest first (SOVA_BACKUP_KEEP)")
	minFree := fl.String("min-free", env("SOVA_MIN_FREE", "256MiB"), "below this much free space on the data folder's disk, Sova stores nothing new and answers writes 503 disk_full; 0 turns the check off (SOVA_MIN_FREE)")
	memLimit := fl.String("memory-limit", env("SOVA_MEMORY_LIMIT", ""), "soft limit on the Go runtime's memory, such as 80MiB, or off (SOVA_MEMORY_LIMIT; default GOMEMLIMIT if set, else "+defaultMemoryLimit+")")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if err := setMemoryLimit(*memLimit); err != nil {
		return err
	}
	trusted, err := parsePrefixes(*proxies)
	if err != nil {
		return err
	}
	keepFree, err := parseSize(*minFree)
	if err != nil {
		return fmt.Errorf("-min-free: %w", err)
	}
	log := app.NewLogger(os.Stderr)
	a, err := app.Open(app.Config{
		Addr: *addr, Domain: *domainName, HTTPAddr: *httpAddr, ACMEURL: *acmeURL, DataDir: *data, KeyFile: os.Getenv("SOVA_KEY_FILE"), Salt: os.Getenv("SOVA_SALT"), Log: log, AccessLog: *accessLog,
		PushHosts: list(*pushHosts), TrustedProxies: trusted, MinFree: uint64(keepFree),
		BackupDir: *backupDir, BackupTo: *backupTo, BackupEvery: *backupEvery, BackupKeep: *backupKeep,
	})
	if err != nil {
		return err
	}
	defer a.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return a.Run(ctx)
}

// voiceCmd exports or imports a language's voice pack.
func voiceCmd(args []string) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "import") {
		return fmt.Errorf("usage: sova voice export|import -lang <code> …")
	}
	verb := args[0]
	fl := flag.NewFlagSet("sova voice "+verb, flag.ContinueOnError)
	data := fl.String("data", env("SOVA_DATA", "./data"), "data directory (SOVA_DATA)")
	lang := fl.String("lang", "", "language code, such as ru")
	out := fl.String("o", "", "zip file to write (export; default sova-voice-<lang>.zip)")
	if err := fl.Parse(args[1:]); err != nil {
		return err
	}
	if *lang == "" {
		return fmt.Errorf("sova voice %s: -lang is required", verb)
	}
	if verb == "import" && fl.NArg() != 1 {
		return fmt.Errorf("usage: sova voice import -lang %s <pack.zip> (flags before the file)", *lang)
	}
	a, err := app.Open(app.Config{DataDir: *data, KeyFile: os.Getenv("SOVA_KEY_FILE"), Log: app.NewLogger(io.Discard)})
	if err != nil {
		if strings.Contains(err.Error(), "directory lock") {
			return fmt.Errorf("%w\n(is Sova running on %s? stop it first, or use the voice studio in the console)", err, *data)
		}
		return err
	}
	defer a.Close()
	if verb == "export" {
		if *out == "" {
			*out = "sova-voice-" + *lang + ".zip"
		}
		return exportPack(a, *lang, *out)
	}
	return importPack(a, *lang, fl.Arg(0))
}

func exportPack(a *app.App, lang, name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := a.Studio().Export(f, lang); err != nil {
		f.Close()
		os.Remove(name)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Println("wrote", name)
	return a.Audit("voice pack exported", lang)
}

func importPack(a *app.App, lang, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() > studio.MaxZip {
		return fmt.Errorf("%s is larger than a pack may be (%d MB)", name, studio.MaxZip>>20)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := a.Studio().Import(ctx, f, fi.Size(), lang, nil)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d recordings and %d texts taken, %d unchanged, %d not taken\n",
		name, len(rep.Recorded), len(rep.Texts), rep.Skipped, len(rep.Refused))
	for _, r := range rep.Refused {
		fmt.Printf("  not taken: %s: %s\n", r.Key, r.Reason)
	}
	return nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// defaultMemoryLimit is the soft limit on what the Go runtime holds: the
// heap, goroutine stacks and the runtime's own. Budget B5 is 150 MB
// resident under the ingest benchmark, and some 70 MB of that are file
// pages the limit does not count (this binary, and Badger's value log and
// tables, which it maps). Near the limit the garbage collector runs more
// often instead of letting garbage grow the heap to twice what is live
// (GOGC's default); it is soft, so a live heap above it costs CPU and
// never fails a request.
const defaultMemoryLimit = "80MiB"

// setMemoryLimit applies -memory-limit: a size in GOMEMLIMIT's form (bytes,
// or a number with B, KiB, MiB or GiB), or off. Empty keeps GOMEMLIMIT if
// the environment sets it (the runtime has applied it), else the default.
func setMemoryLimit(v string) error {
	if v == "" {
		if os.Getenv("GOMEMLIMIT") != "" {
			return nil
		}
		v = defaultMemoryLimit
	}
	if v == "off" {
		debug.SetMemoryLimit(math.MaxInt64)
		return nil
	}
	n, err := parseSize(v)
	if err != nil || n == 0 {
		return fmt.Errorf("-memory-limit %q: write a size such as 80MiB or 1GiB, or off", v)
	}
	debug.SetMemoryLimit(n)
	return nil
}

// parseSize reads a size in GOMEMLIMIT's form: bytes, or a number with B,
// KiB, MiB or GiB.
func parseSize(v string) (int64, error) {
	num, unit := v, int64(1)
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"B", 1}} {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			num, unit = n, u.size
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/unit {
		return 0, fmt.Errorf("%q is not a size such as 256MiB", v)
	}
	return n * unit, nil
}

// list splits a comma- or space-separated flag.
func list(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// parsePrefixes reads -trusted-proxy: CIDRs, or single addresses.
func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range list(s) {
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("-trusted-proxy: %q is neither a CIDR such as 10.0.0.0/8 nor an address", f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// envDuration and envInt read a flag's default from the environment; a
// value that does not parse is left for the flag package to refuse.
func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

// backupKey prints a new age identity for backups: the identity (keep it
// off the server, safe: whoever holds it can read every backup) on out,
// and its recipient, for -backup-to, on info.
func backupKey(out, info io.Writer) error {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return err
	}
	fmt.Fprintf(info, "Public key, for -backup-to: %s\nKeep the secret key below off the server, somewhere safe: it alone opens the backups.\n", id.Recipient())
	_, err = fmt.Fprintf(out, "# public key: %s\n%s\n", id.Recipient(), id)
	return err
}

// restoreCmd is `sova restore -identity FILE -data NEWDIR BACKUP`.
func restoreCmd(args []string, out io.Writer) error {
	fl := flag.NewFlagSet("sova restore", flag.ContinueOnError)
	idFile := fl.String("identity", "", "the age identity file that opens the backup (from sova backup-key)")
	data := fl.String("data", "", "a new, empty data folder to restore into")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *idFile == "" || *data == "" || fl.NArg() != 1 {
		return errors.New("usage: sova restore -identity FILE -data NEWDIR BACKUP")
	}
	f, err := os.Open(*idFile)
	if err != nil {
		return err
	}
	ids, err := age.ParseIdentities(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *idFile, err)
	}
	b, err := os.Open(fl.Arg(0))
	if err != nil {
		return err
	}
	defer b.Close()
	kinds, err := app.Restore(app.Config{DataDir: *data, KeyFile: os.Getenv("SOVA_KEY_FILE"), Log: app.NewLogger(io.Discard)}, b, ids...)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Restored into %s:\n", *data)
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		fmt.Fprintf(out, "  %d %s\n", kinds[k], k)
	}
	fmt.Fprintf(out, "Start Sova on it: sova -data %s\n", *data)
	return nil
}
