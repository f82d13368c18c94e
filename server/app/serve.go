package app

import (
	"bytes"
	"context"
	"errors"
	"log"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/netutil"
)

// Run serves until ctx is done, then finishes the requests in flight (so
// every acknowledged batch is fully answered) and returns. With a Domain it
// serves HTTPS on Addr and the CA's challenges and redirects on HTTPAddr.
func (a *App) Run(ctx context.Context) error {
	main, err := a.listen(a.cfg.Addr, a.Handler(), maxConns())
	if err != nil {
		return err
	}
	servers := []*listener{main}
	origin := "http://" + main.ln.Addr().String()
	if a.certs != nil {
		_, port, _ := net.SplitHostPort(main.ln.Addr().String())
		main.srv.TLSConfig = a.certs.TLSConfig()
		// The plain port only redirects and answers the CA: a few
		// connections do.
		plain, err := a.listen(a.cfg.HTTPAddr, a.certs.HTTPHandler(port), min(maxConns()/4, 256))
		if err != nil {
			main.ln.Close()
			return err
		}
		servers = append(servers, plain)
		origin = "https://" + a.certs.Domain()
		if port != "443" {
			origin += ":" + port
		}
	}
	a.cfg.Log.Info("serving", "addr", origin, "data", a.cfg.DataDir, "version", a.web.Version())
	if a.setupLink != "" {
		a.cfg.Log.Warn("no admin yet: open this one-time link within an hour to make the first admin account",
			"link", origin+a.setupLink)
	}
	a.Ready <- main.ln.Addr().String()
	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errc <- s.serve() }()
	}
	// The push rounds and the voice end with ctx, before Run returns and
	// the caller closes the store under them (also when Serve fails).
	ctx, cancel := context.WithCancel(ctx)
	var rounds sync.WaitGroup
	defer rounds.Wait()
	defer cancel()
	rounds.Go(func() { a.push.Run(ctx) })
	if a.backups != nil {
		rounds.Go(func() { a.backups.Run(ctx, a.cfg.BackupEvery) })
	}
	if a.certs != nil {
		rounds.Go(func() { a.certs.Obtain(ctx) })
	}
	rounds.Go(func() { a.speakLoop(ctx) })
	// Warnings expire by the day, and what reports no longer need goes
	// after them: look hourly.
	go func() {
		tick := time.NewTicker(time.Hour)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				a.Hourly()
			}
		}
	}()
	select {
	case err = <-errc:
	case <-ctx.Done():
		a.cfg.Log.Info("shutting down")
	}
	sctx, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	for _, s := range servers {
		err = errors.Join(err, s.srv.Shutdown(sctx))
	}
	return err
}

// listener is one listening socket and the server answering on it.
type listener struct {
	ln  net.Listener
	srv *http.Server
}

func (l *listener) serve() error {
	var err error
	if l.srv.TLSConfig != nil {
		err = l.srv.ServeTLS(l.ln, "", "")
	} else {
		err = l.srv.Serve(l.ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// listen opens addr for h, with the limits every port of Sova's has.
// At most conns connections are served at once.
func (a *App) listen(addr string, h http.Handler, conns int) (*listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	// Connections past the cap wait in the kernel's queue rather than take
	// the last file descriptors, which Badger and the push rounds need: a
	// flood of slow clients once made accept fail and health checks time out.
	ln = netutil.LimitListener(ln, conns)
	// Timeouts live here rather than in a middleware: Echo's Timeout
	// middleware races. They bound slow clients without cutting off a
	// phone on 2G sending a full batch.
	return &listener{ln: ln, srv: &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          serverLog(a.cfg.Log),
	}}, nil
}

// serverLog is net/http's own log, with no client's address in it. A
// failed TLS handshake, which scanners cause all day and a member's phone
// can too, is not logged at all (certificate failures are logged by
// Obtain); any other line loses the addresses it names.
func serverLog(l *slog.Logger) *log.Logger {
	inner := slog.NewLogLogger(l.Handler(), slog.LevelWarn)
	return log.New(writerFunc(func(p []byte) (int, error) {
		if bytes.Contains(p, []byte("TLS handshake error")) {
			return len(p), nil
		}
		return len(p), inner.Output(2, clientAddr.ReplaceAllString(string(p), "(a client)"))
	}), "", 0)
}

// clientAddr matches an IPv4 or IPv6 address with its port, as net/http
// prints a connection's peer.
var clientAddr = regexp.MustCompile(`\d{1,3}(\.\d{1,3}){3}:\d+|\[[0-9A-Fa-f:.%a-z]+\]:\d+`)

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// maxConns is how many connections are served at once: the process's file
// limit (Go raises it to the hard limit at start) less what the store, the
// logs and the push rounds hold, and never more than a small server needs.
func maxConns() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 512
	}
	if lim.Cur < 1024 {
		return int(max(16, lim.Cur/2))
	}
	return int(min(lim.Cur-512, 16_384))
}
