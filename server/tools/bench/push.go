package main

// B6: push. The strict local push service (internal/pushtest: it checks
// each VAPID signature and decrypts each message) runs in a child process,
// this same binary started with -push-service, so the CPU time this process
// spends is the sender's alone: Badger, webpush-go's encryption and
// signing, and TLS. 10,000 subscriptions are stored in a fresh encrypted
// Badger; one notice is then fanned out to all of them through the
// dispatcher's bounded pool, timed from Notify to the last answer.

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"sova/internal/pushtest"
	"sova/server/domain"
	"sova/server/push"
	"sova/server/store"
)

var pushService = flag.Bool("push-service", false, "internal: run the local push service for B6 and print its addresses")

const pushSubscribers = 10_000

// servePush is the child: the push service, and a plain-HTTP control port
// on which the parent makes subscriptions and reads the counts. It prints
// "<control address> <PEM certificate>" on one line, then serves until
// its stdin closes (the parent went away).
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
	roots         *x509.CertPool
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
		return nil, fmt.Errorf("push service: %w", err)
	}
	pc.roots = x509.NewCertPool()
	if !pc.roots.AppendCertsFromPEM([]byte(cert)) {
		cmd.Process.Kill()
		return nil, errors.New("push service: no certificate")
	}
	pc.cmd = cmd
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

// selfCPU is the CPU time (user and system) this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func measurePush(ctx context.Context, tmp string, rep *report) error {
	pc, err := startPushChild(ctx)
	if err != nil {
		return err
	}
	defer pc.stop()
	key := make([]byte, store.KeySize)
	rand.Read(key)
	db, err := store.Open(filepath.Join(tmp, "push"), key, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer db.Close()
	keys, err := push.LoadOrMakeKeys(db)
	if err != nil {
		return err
	}
	resp, err := http.Post("http://"+pc.control+"/subscribe?n="+strconv.Itoa(pushSubscribers)+"&key="+keys.Public(), "", nil)
	if err != nil {
		return err
	}
	var subs []pushtest.Subscription
	err = json.NewDecoder(resp.Body).Decode(&subs)
	resp.Body.Close()
	if err != nil {
		return err
	}
	for i, s := range subs {
		p := domain.PushSubscription{Endpoint: s.Endpoint, Keys: domain.PushKeys{P256dh: s.Keys.P256dh, Auth: s.Keys.Auth}, Lang: []string{"en", "ru", "es", "fr", "ar"}[i%5], Topics: domain.PushTopics{Warnings: true}}
		if err := db.Subscribe(p, "https://sova.example.org"); err != nil {
			return err
		}
	}
	// The web layer's payload is about this size: the title, the neutral
	// words, an icon URL, a page and the stop action's words.
	payload := []byte(`{"body":"There is something new.","icon":"/icons/app-192.0123abcd.png","stop":"Stop notifications","title":"Sova","url":"/en/warnings"}`)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pc.roots},
		MaxIdleConnsPerHost: 32, ForceAttemptHTTP2: true,
	}}
	sender := push.NewSender(keys, client)
	d := push.NewDispatcher(push.Config{Store: db, Sender: sender, Compose: func(string, string, domain.Settings) []byte { return payload },
		// Noon on the organisation's clock (UTC): outside the quiet hours.
		Now: func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }})

	cpu0, start := selfCPU(), time.Now()
	if err := d.Notify(domain.Notice{Kind: domain.NoticeWarning, Area: "north"}); err != nil {
		return err
	}
	r, err := d.Flush(ctx)
	if err != nil {
		return err
	}
	wall, cpu := time.Since(start), selfCPU()-cpu0
	requests, errs, err := pc.stats()
	if err != nil {
		return err
	}
	if r.Delivered != pushSubscribers || len(errs) > 0 {
		return fmt.Errorf("B6: %+v delivered of %d, %d requests, push service errors %v", r, pushSubscribers, requests, errs)
	}
	perMsg := cpu / time.Duration(r.Delivered)
	rep.add("B6 push CPU per message (sender)", "≤ 150 µs", fmt.Sprintf("%.0f µs (%s CPU for %d)", float64(perMsg.Nanoseconds())/1000, cpu.Round(time.Millisecond), r.Delivered), perMsg <= 150*time.Microsecond)
	rep.add("B6 push 10,000 subscribers", "≤ 10 s", fmt.Sprintf("%.2f s (%d workers, every message checked and decrypted by the local push service)", wall.Seconds(), push.DefaultWorkers), wall <= 10*time.Second)
	return nil
}
