package push

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"sova/server/domain"
)

// Message is one notification as every subscriber of a language gets it.
type Message struct {
	Payload []byte
	Urgency webpush.Urgency
	// Contact is the VAPID "sub": how a push service reaches the operator.
	Contact string
}

const (
	// TTL is how long a push service keeps a message for a phone that is
	// off or out of signal. webpush-go's default, 0, means a phone without
	// signal at that instant never hears of it.
	TTL = domain.PushMaxWait * 24 * 60 * 60
	// Topic lets a newer notification replace one still undelivered: they
	// all say the same neutral words, so one topic for all. It names
	// nothing, as the push service sees it.
	Topic = "news"
	// RecordSize pads every message to the same size, so its length says
	// nothing either, and keeps it well under the 4096 bytes every push
	// service accepts.
	RecordSize = 2048
	// MaxRetryAfter bounds how long a push service's Retry-After can hold
	// one sender within a round.
	MaxRetryAfter = 30 * time.Second
)

// Outcome is what became of a delivery.
type Outcome int

const (
	// Failed: 429, 5xx or no answer, through every retry (or not tried,
	// its push service being down); the notice stays pending for the
	// next round. The zero value: an outcome never set is no delivery.
	Failed Outcome = iota
	Delivered
	// Gone: the push service said 404 or 410; the subscription is dead.
	Gone
	// Refused: any other answer (400, 403, 413…). Retrying would not help;
	// the notice is dropped.
	Refused
)

// Sender delivers messages to push services.
type Sender struct {
	keys   Keys
	client *http.Client
	// Attempts is how many times a message is tried in a round while the
	// push service answers 429 or 5xx; later rounds try again.
	Attempts int
	// Backoff is the pause before retry number n (1, 2…); the push
	// service's Retry-After is honoured when longer.
	Backoff func(n int) time.Duration
}

// NewSender sends with keys through client (nil: a client with timeouts).
func NewSender(keys Keys, client *http.Client) *Sender {
	if client == nil {
		client = &http.Client{
			Timeout: 15 * time.Second,
			Transport: &http.Transport{
				Proxy:               http.ProxyFromEnvironment,
				MaxIdleConnsPerHost: 32, // one per worker, kept between sends
				IdleConnTimeout:     90 * time.Second,
				TLSHandshakeTimeout: 10 * time.Second,
				ForceAttemptHTTP2:   true,
			},
		}
	}
	// A redirect could lead a POST past the list of push services.
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Sender{keys: keys, client: &c, Attempts: 3, Backoff: expBackoff}
}

// expBackoff waits 1, 2, 4… seconds, with jitter so that the pool's
// senders do not come back all at once.
func expBackoff(n int) time.Duration {
	d := time.Second << (n - 1)
	return d + rand.N(d/2)
}

// Send delivers m to sub, retrying 429 and 5xx answers.
func (s *Sender) Send(ctx context.Context, sub *domain.PushSubscription, m Message) Outcome {
	opts := &webpush.Options{
		HTTPClient:      s.client,
		Subscriber:      strings.TrimPrefix(m.Contact, "mailto:"), // webpush-go adds it to all but https:
		Topic:           Topic,
		TTL:             TTL,
		Urgency:         m.Urgency,
		RecordSize:      RecordSize,
		VAPIDPublicKey:  s.keys.public,
		VAPIDPrivateKey: s.keys.private,
	}
	target := &webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth}}
	for n := 1; ; n++ {
		// webpush-go pads into the message's own backing array: a payload
		// shared by concurrent sends must be copied for each.
		resp, err := webpush.SendNotificationWithContext(ctx, slices.Clone(m.Payload), target, opts)
		var wait time.Duration
		if err == nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10)) // so the connection is reused
			resp.Body.Close()
			switch c := resp.StatusCode; {
			case c >= 200 && c < 300:
				return Delivered
			case c == http.StatusNotFound || c == http.StatusGone:
				return Gone
			case c != http.StatusTooManyRequests && c < 500:
				return Refused
			}
			wait = retryAfter(resp.Header.Get("Retry-After"))
		}
		if n >= s.Attempts || ctx.Err() != nil {
			return Failed
		}
		select {
		case <-time.After(max(wait, s.Backoff(n))):
		case <-ctx.Done():
			return Failed
		}
	}
}

// retryAfter reads a Retry-After header (seconds or a date), capped.
func retryAfter(h string) time.Duration {
	var d time.Duration
	if secs, err := strconv.Atoi(h); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = time.Until(t)
	}
	return min(max(d, 0), MaxRetryAfter)
}
