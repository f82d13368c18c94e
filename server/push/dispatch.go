package push

import (
	"cmp"
	"context"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"sova/server/domain"
	"sova/server/store"
)

// Composer makes the neutral payload for a language and notice kind (the
// web layer knows the words, icons and pages).
type Composer func(lang, kind string, settings domain.Settings) []byte

// Config is what a Dispatcher works with.
type Config struct {
	Store   *store.DB
	Sender  *Sender
	Compose Composer
	// Workers bounds the deliveries in flight (default DefaultWorkers).
	Workers int
	Now     func() time.Time
	Log     *slog.Logger
}

// DefaultWorkers is enough deliveries in flight to hide a push service's
// latency, and few enough for a small server.
const DefaultWorkers = 16

// Dispatcher turns notices into notifications.
type Dispatcher struct {
	cfg  Config
	wake chan struct{}
	// flushing makes rounds one at a time, so no subscriber is sent the
	// same notice twice.
	flushing sync.Mutex
}

// NewDispatcher makes a dispatcher; Run starts its rounds.
func NewDispatcher(cfg Config) *Dispatcher {
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{cfg: cfg, wake: make(chan struct{}, 1)}
}

// Notify makes n pending for every subscriber who asked for it, durably,
// and wakes the dispatcher.
func (d *Dispatcher) Notify(n domain.Notice) error {
	settings, err := d.cfg.Store.Settings()
	if err != nil {
		return err
	}
	day := settings.Day(d.cfg.Now())
	err = d.cfg.Store.UpdateEverySubscriber(func(s *domain.Subscriber) store.Change {
		if !s.Topics.Wants(n) {
			return store.Keep
		}
		if !s.Add(n, day) {
			return store.Keep
		}
		return store.Save
	})
	if err != nil {
		return err
	}
	select {
	case d.wake <- struct{}{}:
	default: // a round is already due
	}
	return nil
}

// Report counts what a round did.
type Report struct {
	Delivered, Gone, Failed, Refused int
	// Waiting are pending notices held back by quiet hours or the cap;
	// Dropped waited longer than domain.PushMaxWait.
	Waiting, Dropped int
}

// Flush delivers every pending notice that quiet hours and the cap allow.
func (d *Dispatcher) Flush(ctx context.Context) (Report, error) {
	d.flushing.Lock()
	defer d.flushing.Unlock()
	var r Report
	settings, err := d.cfg.Store.Settings()
	if err != nil {
		return r, err
	}
	now := d.cfg.Now()
	day := settings.Day(now)
	oldest := settings.Day(now.AddDate(0, 0, -domain.PushMaxWait))
	quiet := settings.Quiet(now)
	subs, err := d.cfg.Store.Subscribers()
	if err != nil {
		return r, err
	}
	var due []*domain.Subscriber
	var dropped []string
	for _, s := range subs {
		switch {
		case s.Pending == "":
		case s.Since <= oldest:
			dropped = append(dropped, s.ID())
		case quiet || s.Capped(day, settings.PushPerDay):
			r.Waiting++
		default:
			due = append(due, s)
		}
	}
	r.Dropped = len(dropped)
	if err := d.cfg.Store.UpdateSubscribers(dropped, func(s *domain.Subscriber) store.Change {
		if s.Since > oldest {
			return store.Keep // fresh news arrived meanwhile
		}
		s.Drop()
		return store.Save
	}); err != nil {
		return r, err
	}
	// Warnings first: danger nearby is the news that must not wait
	// behind surveys if the round is cut short.
	rank := func(s *domain.Subscriber) int {
		if s.Pending == domain.NoticeWarning {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(due, func(a, b *domain.Subscriber) int { return cmp.Compare(rank(a), rank(b)) })
	outcomes := d.deliver(ctx, due, settings)
	type sent struct {
		outcome Outcome
		kind    string
	}
	ids := make([]string, len(due))
	byID := make(map[string]sent, len(due))
	for i, s := range due {
		ids[i] = s.ID()
		byID[ids[i]] = sent{outcomes[i], s.Pending}
		switch outcomes[i] {
		case Delivered:
			r.Delivered++
		case Gone:
			r.Gone++
		case Failed:
			r.Failed++
		case Refused:
			r.Refused++
		}
	}
	// Each subscriber is read again as it is now: a notice may have come
	// while hers was on its way.
	err = d.cfg.Store.UpdateSubscribers(ids, func(s *domain.Subscriber) store.Change {
		x := byID[s.ID()]
		switch x.outcome {
		case Delivered:
			s.Sent(x.kind, day)
		case Gone:
			return store.Remove
		case Refused:
			if s.Pending != x.kind {
				return store.Keep
			}
			s.Drop()
		default:
			return store.Keep // tried again next round
		}
		return store.Save
	})
	if r.Gone+r.Failed+r.Refused > 0 {
		// Counts only: an endpoint would identify a phone to its push service.
		d.cfg.Log.Warn("push round", "delivered", r.Delivered, "gone", r.Gone, "failed", r.Failed, "refused", r.Refused)
	}
	return r, err
}

// deliver sends to each subscriber through the bounded pool and returns
// their outcomes in order.
func (d *Dispatcher) deliver(ctx context.Context, subs []*domain.Subscriber, settings domain.Settings) []Outcome {
	out := make([]Outcome, len(subs))
	if len(subs) == 0 {
		return out
	}
	// One payload per language and kind, composed once and shared
	// read-only; Send copies it for each delivery.
	type msgKey struct{ lang, kind string }
	msgs := map[msgKey]Message{}
	for _, s := range subs {
		k := msgKey{s.Lang, s.Pending}
		if _, ok := msgs[k]; !ok {
			urgency := webpush.UrgencyNormal
			if s.Pending == domain.NoticeWarning {
				urgency = webpush.UrgencyHigh // danger nearby is time-sensitive
			}
			msgs[k] = Message{Payload: d.cfg.Compose(s.Lang, s.Pending, settings), Urgency: urgency}
		}
	}
	// A push service that is down must not hold the round: once one has
	// failed three deliveries in a row, its other subscribers wait for the
	// next round without being tried, and the round itself has a deadline.
	ctx, cancel := context.WithTimeout(ctx, RoundTimeout)
	defer cancel()
	var mu sync.Mutex
	failures := map[string]int{}
	host := func(endpoint string) string {
		u, _ := url.Parse(endpoint)
		return u.Host
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(d.cfg.Workers, len(subs)) {
		wg.Go(func() {
			for i := range jobs {
				s := subs[i]
				h := host(s.Endpoint)
				mu.Lock()
				down := failures[h] >= 3
				mu.Unlock()
				if down || ctx.Err() != nil {
					out[i] = Failed
					continue
				}
				m := msgs[msgKey{s.Lang, s.Pending}]
				// A push service refuses a message without a contact.
				m.Contact = cmp.Or(settings.PushContact, s.Origin, "mailto:push@sova.invalid")
				out[i] = d.cfg.Sender.Send(ctx, &s.PushSubscription, m)
				mu.Lock()
				if out[i] == Failed {
					failures[h]++
				} else {
					failures[h] = 0
				}
				mu.Unlock()
			}
		})
	}
	for i := range subs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return out
}

// RoundTimeout bounds a round of deliveries; what it could not deliver
// waits for the next one, a minute later.
const RoundTimeout = 5 * time.Minute

// Run delivers in rounds until ctx is done: at once when notified, and
// every minute for notices waiting on quiet hours, the cap or a retry.
func (d *Dispatcher) Run(ctx context.Context) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		if _, err := d.Flush(ctx); err != nil && ctx.Err() == nil {
			d.cfg.Log.Error("push round", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-d.wake:
		}
	}
}
