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
//
// A round reads the subscribers one at a time and keeps only the ids of
// those due; it then loads, sends to and records them a chunk at a time.
// Holding 100,000 subscribers at once would go past Sova's memory limit
// (80 MiB by default), and the collector would take most of the CPU.
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
	// Warnings first: danger nearby is the news that must not wait
	// behind surveys if the round is cut short.
	var warnings, others, dropped []string
	err = d.cfg.Store.EachSubscriber(func(s *domain.Subscriber) {
		switch {
		case s.Pending == "":
		case s.Since <= oldest:
			dropped = append(dropped, s.ID())
		case quiet || s.Capped(day, settings.PushPerDay):
			r.Waiting++
		case s.Pending == domain.NoticeWarning:
			warnings = append(warnings, s.ID())
		default:
			others = append(others, s.ID())
		}
	})
	if err != nil {
		return r, err
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
	rd := d.newRound(ctx, settings, day)
	defer rd.cancel()
	for _, ids := range [][]string{warnings, others} {
		for len(ids) > 0 {
			n := min(roundChunk, len(ids))
			if err := rd.send(ids[:n], &r); err != nil {
				return r, err
			}
			ids = ids[n:]
		}
	}
	if r.Gone+r.Failed+r.Refused > 0 {
		// Counts only: an endpoint would identify a phone to its push service.
		d.cfg.Log.Warn("push round", "delivered", r.Delivered, "gone", r.Gone, "failed", r.Failed, "refused", r.Refused)
	}
	return r, nil
}

// roundChunk is how many subscribers a round loads and sends to at once.
const roundChunk = 1000

// round is one Flush's deliveries: its deadline, each push service's
// failures in a row, and the payloads composed so far.
type round struct {
	d        *Dispatcher
	ctx      context.Context
	cancel   context.CancelFunc
	settings domain.Settings
	day      string // the organisation's day, for the daily cap
	mu       sync.Mutex
	failures map[string]int // by push service host
	msgs     map[msgKey]Message
}

type msgKey struct{ lang, kind string }

// A push service that is down must not hold the round: once one has
// failed three deliveries in a row, its other subscribers wait for the
// next round without being tried, and the round itself has a deadline.
func (d *Dispatcher) newRound(ctx context.Context, settings domain.Settings, day string) *round {
	ctx, cancel := context.WithTimeout(ctx, RoundTimeout)
	return &round{d: d, ctx: ctx, cancel: cancel, settings: settings, day: day, failures: map[string]int{}, msgs: map[msgKey]Message{}}
}

// send delivers to the subscribers with ids, read again as they are now,
// and records each outcome in the store and in r.
func (rd *round) send(ids []string, r *Report) error {
	subs, err := rd.d.cfg.Store.SubscribersByID(ids)
	if err != nil {
		return err
	}
	subs = slices.DeleteFunc(subs, func(s *domain.Subscriber) bool { return s.Pending == "" })
	outcomes := rd.deliver(subs)
	type sent struct {
		outcome Outcome
		kind    string
	}
	sentIDs := make([]string, len(subs))
	byID := make(map[string]sent, len(subs))
	for i, s := range subs {
		sentIDs[i] = s.ID()
		byID[sentIDs[i]] = sent{outcomes[i], s.Pending}
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
	return rd.d.cfg.Store.UpdateSubscribers(sentIDs, func(s *domain.Subscriber) store.Change {
		x := byID[s.ID()]
		switch x.outcome {
		case Delivered:
			s.Sent(x.kind, rd.day)
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
}

// deliver sends to each subscriber through the bounded pool and returns
// their outcomes in order.
func (rd *round) deliver(subs []*domain.Subscriber) []Outcome {
	out := make([]Outcome, len(subs))
	if len(subs) == 0 {
		return out
	}
	// One payload per language and kind, composed once a round and shared
	// read-only; Send copies it for each delivery.
	for _, s := range subs {
		k := msgKey{s.Lang, s.Pending}
		if _, ok := rd.msgs[k]; !ok {
			urgency := webpush.UrgencyNormal
			if s.Pending == domain.NoticeWarning {
				urgency = webpush.UrgencyHigh // danger nearby is time-sensitive
			}
			rd.msgs[k] = Message{Payload: rd.d.cfg.Compose(s.Lang, s.Pending, rd.settings), Urgency: urgency}
		}
	}
	host := func(endpoint string) string {
		u, _ := url.Parse(endpoint)
		return u.Host
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(rd.d.cfg.Workers, len(subs)) {
		wg.Go(func() {
			for i := range jobs {
				s := subs[i]
				h := host(s.Endpoint)
				rd.mu.Lock()
				down := rd.failures[h] >= 3
				rd.mu.Unlock()
				if down || rd.ctx.Err() != nil {
					out[i] = Failed
					continue
				}
				m := rd.msgs[msgKey{s.Lang, s.Pending}]
				// A push service refuses a message without a contact.
				m.Contact = cmp.Or(rd.settings.PushContact, s.Origin, "mailto:push@sova.invalid")
				out[i] = rd.d.cfg.Sender.Send(rd.ctx, &s.PushSubscription, m)
				rd.mu.Lock()
				if out[i] == Failed {
					rd.failures[h]++
				} else {
					rd.failures[h] = 0
				}
				rd.mu.Unlock()
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
