package main

// B6: push. 100,000 subscribers must hear of one notice within 30 s, and
// the sova process must stay within 250 MB RSS meanwhile. The strict local
// push service (internal/pushtest: it checks each VAPID signature and
// decrypts each message) runs in a child process, this same binary started
// with -push-service; sova runs as the other child, trusting the service's
// certificate through SSL_CERT_FILE. An admin publishes a survey that is
// new to members through the console, as a person would; the time runs
// from that request until the push service has taken every message. The
// CPU the sova process spent meanwhile is reported per message, as
// information.

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/dgraph-io/badger/v4"

	"sova/assets"
	"sova/internal/pushtest"
	"sova/server/domain"
	"sova/server/push"
	"sova/server/store"
)

var pushService = flag.Bool("push-service", false, "internal: run the local push service for B6 and print its addresses")

const (
	pushSubscribers = 100_000
	b6Time          = 30 * time.Second
	b6RSS           = 250 << 20
	// pushSurvey is the survey the admin publishes: new to members, so
	// news to those who asked to hear of surveys.
	pushSurvey = "bench-push"
)

// servePush is the child: the push service, and a plain-HTTP control port
// on which the parent makes subscriptions and reads the counts. It prints
// "<control address> <service host> <PEM certificate>" on one line, then
// serves until its stdin closes (the parent went away).
func servePush() error {
	svc := pushtest.New()
	defer svc.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /subscribe", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		subs := make([]pushtest.Subscription, n)
		for i := range subs {
			subs[i] = svc.Subscribe(r.URL.Query().Get("key"))
		}
		json.NewEncoder(w).Encode(subs)
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"requests": svc.Requests(), "errors": svc.Errors()})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go http.Serve(ln, mux)
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: svc.Certificate().Raw})
	fmt.Printf("%s %s %q\n", ln.Addr(), svc.Host(), cert)
	bufio.NewReader(os.Stdin).ReadString('\n') // returns when the parent closes it
	return nil
}

type pushChild struct {
	control, host string
	cert          []byte // PEM
	pid           int
	cmd           *exec.Cmd
}

func startPushChild(ctx context.Context) (*pushChild, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "-push-service")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if _, err := cmd.StdinPipe(); err != nil { // held open until the child is killed
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var pc pushChild
	var cert string
	if _, err := fmt.Fscanf(bufio.NewReader(out), "%s %s %q\n", &pc.control, &pc.host, &cert); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("push service: %w", err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM([]byte(cert)) {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, errors.New("push service: no certificate")
	}
	pc.cert, pc.pid, pc.cmd = []byte(cert), cmd.Process.Pid, cmd
	return &pc, nil
}

func (pc *pushChild) stop() { pc.cmd.Process.Kill(); pc.cmd.Wait() }

func (pc *pushChild) stats() (requests int, errs []string, err error) {
	resp, err := http.Get("http://" + pc.control + "/stats")
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var s struct {
		Requests int
		Errors   []string
	}
	err = json.NewDecoder(resp.Body).Decode(&s)
	return s.Requests, s.Errors, err
}

func (pc *pushChild) subscribe(n int, key string) ([]pushtest.Subscription, error) {
	resp, err := http.Post("http://"+pc.control+"/subscribe?n="+strconv.Itoa(n)+"&key="+key, "", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var subs []pushtest.Subscription
	err = json.NewDecoder(resp.Body).Decode(&subs)
	return subs, err
}

// seedPush prepares sova's data dir before it starts: the key file, the
// VAPID keys, push settings without quiet hours (the bench may run at
// night), a draft survey for the admin to publish, and pushSubscribers
// subscriptions made by the push service, every one wanting news of
// surveys.
//
// The subscriptions go straight into Badger, not through the API: the API
// takes web's MaxNewSubscriptions (300) new ones a minute, and
// store.Subscribe counts every stored subscription on each call (its
// MaxSubscribers check), so 100,000 either way would take hours. They are
// written with the store's own Badger options under its own scheme
// (ps/<PushSubscription.ID>, the JSON of domain.Subscriber), and one is read
// back through store.Subscriber so that a change of scheme fails here
// instead of measuring nothing.
func seedPush(pc *pushChild, data string) error {
	key := make([]byte, store.KeySize)
	rand.Read(key)
	if err := os.MkdirAll(data, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(data, "sova.key"), []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return err
	}
	dir := filepath.Join(data, "db")
	db, err := store.Open(dir, key, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	vapid, err := push.LoadOrMakeKeys(db)
	if err == nil {
		err = seedSettingsAndSurvey(db)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}

	subs, err := pc.subscribe(pushSubscribers, vapid.Public())
	if err != nil {
		return fmt.Errorf("push service: subscribe: %w", err)
	}
	bdb, err := badger.Open(store.Options(dir, key, slog.New(slog.DiscardHandler)))
	if err != nil {
		return err
	}
	wb := bdb.NewWriteBatch()
	langs := []string{"en", "ru", "es", "fr", "ar"}
	var first domain.Subscriber
	for i, s := range subs {
		sub := domain.Subscriber{PushSubscription: domain.PushSubscription{
			Endpoint: s.Endpoint, Keys: domain.PushKeys{P256dh: s.Keys.P256dh, Auth: s.Keys.Auth},
			Lang: langs[i%len(langs)], Topics: domain.PushTopics{Warnings: true, Surveys: true},
		}, Origin: "https://sova.example.org"}
		val, _ := json.Marshal(&sub)
		if err = wb.Set([]byte("ps/"+sub.ID()), val); err != nil {
			break
		}
		if i == 0 {
			first = sub
		}
	}
	if err == nil {
		err = wb.Flush()
	} else {
		wb.Cancel()
	}
	if cerr := bdb.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("seeding subscriptions: %w", err)
	}

	db, err = store.Open(dir, key, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer db.Close()
	got, err := db.Subscriber(first.ID())
	if err != nil {
		return err
	}
	if got == nil || got.Endpoint != first.Endpoint || !got.Topics.Surveys {
		return errors.New("the store does not read the subscriptions written as ps/<id> → JSON of domain.Subscriber: its scheme changed, update seedPush")
	}
	return nil
}

func seedSettingsAndSurvey(db *store.DB) error {
	st, err := db.Settings()
	if err != nil {
		return err
	}
	st.QuietFrom, st.QuietTo = 0, 0 // equal: no quiet hours
	if err := db.PutSettings(st); err != nil {
		return err
	}
	data, err := fs.ReadFile(assets.Surveys, "needs.json")
	if err != nil {
		return err
	}
	var def map[string]any
	if err := json.Unmarshal(data, &def); err != nil {
		return err
	}
	def["id"] = pushSurvey
	data, _ = json.Marshal(def)
	sv, err := domain.ParseSurvey(pushSurvey+".json", data, nil)
	if err != nil {
		return err
	}
	return db.PutDraft(sv)
}

func measurePush(ctx context.Context, tmp string, rep *report) error {
	pc, err := startPushChild(ctx)
	if err != nil {
		return err
	}
	defer pc.stop()
	fmt.Fprintf(os.Stderr, "bench: B6 seeding %d subscriptions …\n", pushSubscribers)
	t0 := time.Now()
	data := filepath.Join(tmp, "data-push")
	if err := seedPush(pc, data); err != nil {
		return fmt.Errorf("B6: %w", err)
	}
	certFile := filepath.Join(tmp, "push-service.pem")
	if err := os.WriteFile(certFile, pc.cert, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bench: B6 seeded in %s; starting sova …\n", time.Since(t0).Round(time.Millisecond))
	// SSL_CERT_FILE replaces the system's roots (crypto/x509 on Unix): sova
	// trusts the local push service and nothing else.
	srv, err := startServer(ctx, tmp, "data-push", serverOpts{
		env:   []string{"SSL_CERT_FILE=" + certFile},
		args:  []string{"-push-hosts", pc.host},
		roots: pc.cert,
		hosts: []string{pc.host},
	})
	if err != nil {
		return err
	}
	defer srv.stop()
	setup, err := srv.setupLink(ctx)
	if err != nil {
		return err
	}
	cc := newConsoleClient(srv.base)
	admin, err := acceptInvite(ctx, cc, setup, "bench-admin")
	if err != nil {
		return fmt.Errorf("B6: %w", err)
	}
	csrf, err := csrfOf(ctx, cc, "/staff/surveys", admin)
	if err != nil {
		return fmt.Errorf("B6: %w", err)
	}
	time.Sleep(500 * time.Millisecond) // let the admin's password hash's garbage go
	before, err := srv.memInfo()
	if err != nil {
		return err
	}
	hwmErr := resetHWM(srv.pid)
	stopMem := make(chan struct{})
	mem := watchMemory(srv, stopMem)
	defer func() {
		select {
		case <-stopMem:
		default:
			close(stopMem)
		}
	}()

	fmt.Fprintf(os.Stderr, "bench: B6 publishing a new survey to %d subscribers …\n", pushSubscribers)
	stopProfile, err := startCPUProfile(".b6", rep, "B6, to the round's end")
	if err != nil {
		return err
	}
	svc := &server{pid: pc.pid}
	cpu0, _ := srv.cpu()
	svc0, _ := svc.cpu()
	other0 := otherCPU(srv)
	start := time.Now()
	st, body, _, err := cc.do(ctx, "/staff/surveys/"+pushSurvey+"/1/publish", map[string]string{"csrf": csrf}, admin)
	if err != nil {
		return err
	}
	if st != http.StatusSeeOther {
		return fmt.Errorf("B6: publishing answered HTTP %d: %.300s", st, body)
	}
	published := time.Since(start)
	var requests int
	var errs []string
	limit := start.Add(push.RoundTimeout)
	for halfway := false; ; {
		requests, errs, err = pc.stats()
		if err != nil {
			return err
		}
		if !halfway && requests >= pushSubscribers/2 {
			writeHeapProfile(".b6", rep, "halfway through B6's fan-out")
			halfway = true
		}
		if requests >= pushSubscribers || len(errs) > 0 || time.Now().After(limit) || ctx.Err() != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	wall := time.Since(start)
	cpu1, _ := srv.cpu()
	svc1, _ := svc.cpu()
	other1 := otherCPU(srv) - (svc1 - svc0)
	// The round goes on after the last message: it records each delivery.
	// Memory is watched until the server has gone quiet (or a minute).
	quiet := waitIdle(ctx, srv, time.Minute)
	stopProfile()
	close(stopMem)
	<-mem.stopped
	after, err := srv.memInfo()
	if err != nil {
		return err
	}
	mem.mu.Lock()
	peakSeen, atMax := mem.maxRSS, mem.atMax
	mem.mu.Unlock()
	peak := max(after.hwm, peakSeen)
	if hwmErr != nil {
		peak = peakSeen // VmHWM still holds the start-up's and the password hash's peak
	}

	if len(errs) > 0 {
		return fmt.Errorf("B6: the push service refused messages (%d so far), first: %s", len(errs), errs[0])
	}
	delivered := min(requests, pushSubscribers)
	rep.add(fmt.Sprintf("B6 push %d subscribers, from publishing to the last message taken", pushSubscribers), "≤ 30 s",
		fmt.Sprintf("%.1f s (%d of %d taken; the publish request itself %s; %d workers)", wall.Seconds(), delivered, pushSubscribers,
			published.Round(time.Millisecond), push.DefaultWorkers),
		requests >= pushSubscribers && wall <= b6Time)
	rep.add("B6 peak RSS of sova through the fan-out", "≤ 250 MB",
		fmt.Sprintf("%s (at the peak anonymous %s, mapped files %s; before publishing %s: %s and %s)", mb(peak), mb(atMax.anon), mb(atMax.file),
			mb(before.rss), mb(before.anon), mb(before.file)),
		peak <= b6RSS)
	if delivered > 0 {
		per := (cpu1 - cpu0) / time.Duration(delivered)
		share := func(d time.Duration) float64 { return 100 * d.Seconds() / wall.Seconds() / float64(runtime.NumCPU()) }
		rep.info("B6   sova CPU per message", fmt.Sprintf("%d µs (%s CPU for %d, incl. marking every subscriber and the site's rebuild; %.0f%% of %d cores)",
			per.Microseconds(), (cpu1-cpu0).Round(time.Millisecond), delivered, share(cpu1-cpu0), runtime.NumCPU()))
		rep.info("B6   the push service's CPU per message", fmt.Sprintf("%d µs (%.0f%% of the cores: VAPID check, RFC 8291 decryption, TLS); other processes %.0f%%",
			((svc1-svc0)/time.Duration(delivered)).Microseconds(), share(svc1-svc0), share(other1-other0)))
	}
	rep.info("B6   the round, to its last record of a delivery", fmt.Sprintf("%.1f s after publishing; RSS then %s", quiet.Sub(start).Seconds(), mb(after.rss)))
	rep.note("B6: %d subscriptions seeded into the store before start (the API takes 300 new a minute); the local push service (a child process, on the same cores) checks every VAPID signature and decrypts every message", pushSubscribers)
	if errs := srv.errorLines(); len(errs) > 0 {
		rep.note("B6: the push server logged %d ERROR lines, first: %s", len(errs), errs[0])
	}
	return nil
}

// waitIdle waits until the server has used less than 2% of a core for half
// a second, or for at most d, and returns when that was.
func waitIdle(ctx context.Context, srv *server, d time.Duration) time.Time {
	const step = 500 * time.Millisecond
	deadline := time.Now().Add(d)
	last, _ := srv.cpu()
	for time.Now().Before(deadline) && ctx.Err() == nil {
		at := time.Now()
		time.Sleep(step)
		now, _ := srv.cpu()
		if now-last < step/50 {
			return at
		}
		last = now
	}
	return time.Now()
}
