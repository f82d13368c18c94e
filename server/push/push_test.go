package push_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"sova/internal/pushtest"
	"sova/server/domain"
	"sova/server/push"
	"sova/server/store"
)

// world is a store, a dispatcher and a local push service, on a clock the
// test moves.
type world struct {
	t    *testing.T
	db   *store.DB
	svc  *pushtest.Service
	keys push.Keys
	d    *push.Dispatcher
	mu   sync.Mutex
	now  time.Time
}

func (w *world) Now() time.Time  { w.mu.Lock(); defer w.mu.Unlock(); return w.now }
func (w *world) set(t time.Time) { w.mu.Lock(); w.now = t; w.mu.Unlock() }

// noon UTC on a weekday: outside the default quiet hours (22 to 8 UTC).
var noon = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func newWorld(t *testing.T) *world {
	t.Helper()
	key := make([]byte, store.KeySize)
	rand.Read(key)
	db, err := store.Open(t.TempDir(), key, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := pushtest.New()
	t.Cleanup(svc.Close)
	keys, err := push.LoadOrMakeKeys(db)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, db: db, svc: svc, keys: keys, now: noon}
	w.d = push.NewDispatcher(push.Config{Store: db, Sender: w.sender(), Now: w.Now, Workers: 8, Compose: compose})
	return w
}

// sender sends to the local service, with backoff in milliseconds.
func (w *world) sender() *push.Sender {
	s := push.NewSender(w.keys, w.svc.Client())
	s.Backoff = func(int) time.Duration { return time.Millisecond }
	return s
}

// compose returns each payload with spare capacity behind it, as
// json.Marshal or append may: a sender that padded into the shared array
// would race (and corrupt other phones' messages) under -race.
func compose(lang, kind string, st domain.Settings) []byte {
	data, _ := json.Marshal(map[string]string{"lang": lang, "kind": kind, "body": st.PushText[lang]})
	return append(make([]byte, 0, len(data)+4096), data...)
}

// subscribe makes a browser subscription on the local service and stores
// it with topics.
func (w *world) subscribe(lang string, topics domain.PushTopics) string {
	w.t.Helper()
	s := w.svc.Subscribe(w.keys.Public())
	p := domain.PushSubscription{Endpoint: s.Endpoint, Keys: domain.PushKeys{P256dh: s.Keys.P256dh, Auth: s.Keys.Auth}, Lang: lang, Topics: topics}
	if err := p.Check([]string{w.svc.Host()}, []string{"en", "ru", "ar"}, []domain.Area{{Code: "north"}, {Code: "south"}}); err != nil {
		w.t.Fatalf("a browser's subscription fails Check: %v", err)
	}
	if err := w.db.Subscribe(p, "https://sova.example.org"); err != nil {
		w.t.Fatal(err)
	}
	return s.Endpoint
}

// find is the stored subscriber with endpoint ep, or nil.
func (w *world) find(ep string) *domain.Subscriber {
	w.t.Helper()
	subs, err := w.db.Subscribers()
	if err != nil {
		w.t.Fatal(err)
	}
	for _, s := range subs {
		if s.Endpoint == ep {
			return s
		}
	}
	return nil
}

func (w *world) notify(n domain.Notice) {
	w.t.Helper()
	if err := w.d.Notify(n); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) flush() push.Report {
	w.t.Helper()
	r, err := w.d.Flush(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	if errs := w.svc.Errors(); len(errs) > 0 {
		w.t.Fatalf("the push service saw protocol violations:\n%v", errs)
	}
	return r
}

func (w *world) settings(edit func(*domain.Settings)) {
	w.t.Helper()
	st, err := w.db.Settings()
	if err != nil {
		w.t.Fatal(err)
	}
	edit(&st)
	if err := st.Check(); err != nil {
		w.t.Fatal(err)
	}
	if err := w.db.PutSettings(st); err != nil {
		w.t.Fatal(err)
	}
}

var everything = domain.PushTopics{Warnings: true, Surveys: true}

// One notice reaches many subscribers at once, each exactly once, with the
// words of her language, encrypted to her phone, with TTL, Urgency, Topic
// and the VAPID contact set.
func TestFanOut(t *testing.T) {
	w := newWorld(t)
	w.settings(func(s *domain.Settings) { s.PushText = map[string]string{"ru": "Новое в заметках"} })
	const n = 300
	var endpoints []string
	for i := range n {
		endpoints = append(endpoints, w.subscribe([]string{"en", "ru", "ar"}[i%3], everything))
	}
	w.notify(domain.Notice{Kind: domain.NoticeWarning, Area: "north"})
	r := w.flush()
	if r.Delivered != n || r.Failed+r.Gone+r.Refused+r.Waiting != 0 {
		t.Fatalf("report %+v, want %d delivered and nothing else", r, n)
	}
	for i, ep := range endpoints {
		got := w.svc.Received(ep)
		if len(got) != 1 {
			t.Fatalf("subscriber %d got %d messages, want 1", i, len(got))
		}
		m := got[0]
		lang := []string{"en", "ru", "ar"}[i%3]
		want := map[string]string{"lang": lang, "kind": "warning", "body": map[string]string{"ru": "Новое в заметках"}[lang]}
		var p map[string]string
		if err := json.Unmarshal(m.Payload, &p); err != nil || fmt.Sprint(p) != fmt.Sprint(want) {
			t.Fatalf("subscriber %d: payload %q, want %v", i, m.Payload, want)
		}
		if m.TTL != push.TTL || m.Urgency != "high" || m.Topic != push.Topic || m.Sub != "https://sova.example.org" {
			t.Fatalf("subscriber %d: TTL %d urgency %q topic %q sub %q", i, m.TTL, m.Urgency, m.Topic, m.Sub)
		}
	}
	// Delivered notices are not delivered again.
	if r := w.flush(); r.Delivered != 0 || w.svc.Requests() != n {
		t.Fatalf("a second round sent again: %+v, %d requests", r, w.svc.Requests())
	}
}

// Each subscriber hears only of what she asked for: warnings in her areas
// (or all), new surveys, or both. A survey is less urgent than a warning.
func TestTopics(t *testing.T) {
	w := newWorld(t)
	w.settings(func(s *domain.Settings) { s.PushPerDay = 5 })
	north := w.subscribe("en", domain.PushTopics{Warnings: true, Areas: []string{"north"}})
	all := w.subscribe("en", domain.PushTopics{Warnings: true})
	surveys := w.subscribe("en", domain.PushTopics{Surveys: true})

	w.notify(domain.Notice{Kind: domain.NoticeWarning, Area: "south"})
	w.flush()
	w.notify(domain.Notice{Kind: domain.NoticeSurvey})
	w.flush()
	count := func(ep string) int { return len(w.svc.Received(ep)) }
	if count(north) != 0 || count(all) != 1 || count(surveys) != 1 {
		t.Fatalf("north %d, all %d, surveys %d; want 0, 1, 1", count(north), count(all), count(surveys))
	}
	if u := w.svc.Received(surveys)[0].Urgency; u != "normal" {
		t.Errorf("a new survey's urgency is %q, want normal", u)
	}
	w.notify(domain.Notice{Kind: domain.NoticeWarning, Area: "north"})
	w.flush()
	if count(north) != 1 || count(all) != 2 || count(surveys) != 1 {
		t.Fatalf("after a warning in the north: north %d, all %d, surveys %d; want 1, 2, 1", count(north), count(all), count(surveys))
	}
}

// The cap holds a second notice until the organisation's next day; quiet
// hours hold notices until they end, on the organisation's clock.
func TestCapAndQuietHours(t *testing.T) {
	w := newWorld(t)
	// Nairobi is UTC+3: quiet from 22:00 to 06:00 there.
	w.settings(func(s *domain.Settings) { s.TimeZone, s.QuietFrom, s.QuietTo = "Africa/Nairobi", 22, 6 })
	ep := w.subscribe("en", everything)

	w.set(time.Date(2026, 11, 24, 7, 0, 0, 0, time.UTC)) // 10:00 in Nairobi
	w.notify(domain.Notice{Kind: domain.NoticeSurvey})
	if r := w.flush(); r.Delivered != 1 {
		t.Fatalf("first notice of the day: %+v", r)
	}
	w.set(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	w.notify(domain.Notice{Kind: domain.NoticeWarning, Area: "north"})
	if r := w.flush(); r.Delivered != 0 || r.Waiting != 1 {
		t.Fatalf("second notice the same day went through the cap of 1: %+v", r)
	}
	// 20:30 UTC is 23:30 in Nairobi: a new day in UTC terms is still
	// the same day there, and quiet anyway.
	w.set(time.Date(2026, 11, 24, 20, 30, 0, 0, time.UTC))
	if r := w.flush(); r.Delivered != 0 || r.Waiting != 1 {
		t.Fatalf("sent in quiet hours: %+v", r)
	}
	// 02:00 UTC is 05:00 in Nairobi: a new day, but still quiet.
	w.set(time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC))
	if r := w.flush(); r.Delivered != 0 || r.Waiting != 1 {
		t.Fatalf("sent in quiet hours after midnight: %+v", r)
	}
	// 03:00 UTC is 06:00 in Nairobi: quiet hours are over.
	w.set(time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC))
	if r := w.flush(); r.Delivered != 1 {
		t.Fatalf("the waiting warning was not sent when quiet hours ended: %+v", r)
	}
	got := w.svc.Received(ep)
	if len(got) != 2 || got[1].Urgency != "high" {
		t.Fatalf("received %d messages; the second should be the warning", len(got))
	}
}

// A notice that waited longer than PushMaxWait is dropped unsaid.
func TestStaleNoticeDropped(t *testing.T) {
	w := newWorld(t)
	w.settings(func(s *domain.Settings) { s.QuietFrom, s.QuietTo = 0, 23 }) // quiet nearly all day
	ep := w.subscribe("en", everything)
	w.set(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	w.notify(domain.Notice{Kind: domain.NoticeSurvey})
	w.set(time.Date(2026, 11, 24+domain.PushMaxWait-1, 22, 30, 0, 0, time.UTC))
	if r := w.flush(); r.Waiting != 1 {
		t.Fatalf("report %+v, want the notice still waiting within %d days", r, domain.PushMaxWait)
	}
	w.set(time.Date(2026, 11, 24+domain.PushMaxWait, 23, 30, 0, 0, time.UTC))
	if r := w.flush(); r.Dropped != 1 || r.Delivered != 0 {
		t.Fatalf("report %+v, want the stale notice dropped", r)
	}
	if len(w.svc.Received(ep)) != 0 {
		t.Fatal("a stale notice was sent")
	}
}

// 404 and 410 remove the subscription; 429 and 5xx are retried with
// backoff, and a notice whose retries all failed waits for the next round.
func TestDeliveryOutcomes(t *testing.T) {
	w := newWorld(t)
	gone := w.subscribe("en", everything)
	missing := w.subscribe("en", everything)
	busy := w.subscribe("en", everything)
	down := w.subscribe("en", everything)
	w.svc.Script(gone, http.StatusGone)
	w.svc.Script(missing, http.StatusNotFound)
	w.svc.Script(busy, http.StatusTooManyRequests, http.StatusServiceUnavailable)
	w.svc.Script(down, 500, 502, 503, 504, 201)

	w.notify(domain.Notice{Kind: domain.NoticeSurvey})
	r := w.flush()
	if r.Gone != 2 || r.Delivered != 1 || r.Failed != 1 {
		t.Fatalf("report %+v, want 2 gone, 1 delivered after retries, 1 failed", r)
	}
	subs, err := w.db.Subscribers()
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, s := range subs {
		left = append(left, s.Endpoint)
	}
	slices.Sort(left)
	want := []string{busy, down}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Fatalf("subscriptions left %v, want %v (404 and 410 removed)", left, want)
	}
	if len(w.svc.Received(busy)) != 1 {
		t.Fatal("429 then 503 then 201: not delivered")
	}
	// The failed one is tried again next round, and gets through.
	if r := w.flush(); r.Delivered != 1 || len(w.svc.Received(down)) != 1 {
		t.Fatalf("the failed notice was not retried: %+v", r)
	}
}

// Resubscribing the same endpoint replaces topics but keeps the day's
// count, so it cannot dodge the cap.
func TestResubscribeKeepsCap(t *testing.T) {
	w := newWorld(t)
	ep := w.subscribe("en", everything)
	w.notify(domain.Notice{Kind: domain.NoticeSurvey})
	w.flush()
	sub := w.find(ep)
	sub.Topics = domain.PushTopics{Warnings: true}
	if err := w.db.Subscribe(sub.PushSubscription, sub.Origin); err != nil {
		t.Fatal(err)
	}
	w.notify(domain.Notice{Kind: domain.NoticeWarning})
	if r := w.flush(); r.Delivered != 0 || r.Waiting != 1 {
		t.Fatalf("a resubscription went through the cap: %+v", r)
	}
}

// The VAPID key pair is made once and kept.
func TestKeysKept(t *testing.T) {
	w := newWorld(t)
	again, err := push.LoadOrMakeKeys(w.db)
	if err != nil {
		t.Fatal(err)
	}
	if again.Public() != w.keys.Public() {
		t.Fatal("a second load made a new key")
	}
	raw, err := base64.RawURLEncoding.DecodeString(w.keys.Public())
	if err != nil || len(raw) != 65 || raw[0] != 4 {
		t.Fatalf("public key %q is not an uncompressed P-256 point", w.keys.Public())
	}
}

// A notice that comes while the round is delivering an older one is not
// lost: a warning arriving during a survey's delivery is delivered next.
func TestNoticeDuringDelivery(t *testing.T) {
	w := newWorld(t)
	w.settings(func(s *domain.Settings) { s.PushPerDay = 5 })
	ep := w.subscribe("en", everything)
	var once sync.Once
	client := w.svc.Client()
	hooked := *client
	hooked.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		once.Do(func() { w.notify(domain.Notice{Kind: domain.NoticeWarning, Area: "north"}) })
		return client.Transport.RoundTrip(r)
	})
	sender := push.NewSender(w.keys, &hooked)
	w.d = push.NewDispatcher(push.Config{Store: w.db, Sender: sender, Now: w.Now, Compose: compose})

	w.notify(domain.Notice{Kind: domain.NoticeSurvey})
	if r := w.flush(); r.Delivered != 1 {
		t.Fatalf("first round %+v", r)
	}
	if s := w.find(ep); s.Pending != domain.NoticeWarning {
		t.Fatalf("the warning that came during delivery was lost: pending %q", s.Pending)
	}
	if r := w.flush(); r.Delivered != 1 {
		t.Fatalf("second round %+v", r)
	}
	got := w.svc.Received(ep)
	if len(got) != 2 || got[0].Urgency != "normal" || got[1].Urgency != "high" {
		t.Fatalf("received %d messages", len(got))
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A refusal (403: the key does not match) drops the notice but keeps the
// subscription; a push service that keeps failing is left alone for the
// rest of the round after three failures in a row, and its subscribers
// wait for the next round.
func TestRefusedAndDownService(t *testing.T) {
	w := newWorld(t)
	refused := w.subscribe("en", everything)
	w.svc.Script(refused, http.StatusForbidden)
	w.notify(domain.Notice{Kind: domain.NoticeSurvey})
	if r := w.flush(); r.Refused != 1 {
		t.Fatalf("report %+v, want 1 refused", r)
	}
	if s := w.find(refused); s == nil || s.Pending != "" {
		t.Fatalf("after a refusal: %+v (want kept, nothing pending)", s)
	}
	if err := w.db.Unsubscribe(w.find(refused).ID()); err != nil {
		t.Fatal(err)
	}

	var down []string
	for range 10 {
		ep := w.subscribe("en", everything)
		w.svc.Script(ep, 500, 500, 500, 500, 500, 500)
		down = append(down, ep)
	}
	w.svc.Reset()
	w.d = push.NewDispatcher(push.Config{Store: w.db, Sender: w.sender(), Now: w.Now, Compose: compose, Workers: 1})
	w.notify(domain.Notice{Kind: domain.NoticeSurvey})
	if r := w.flush(); r.Failed != 10 {
		t.Fatalf("report %+v, want 10 failed", r)
	}
	// 3 subscribers × 3 attempts before the service is left alone.
	if n := w.svc.Requests(); n != 3*3 {
		t.Fatalf("%d requests; a failing service should be tried 3 times for 3 subscribers, then left", n)
	}
	for _, ep := range down {
		if w.find(ep).Pending == "" {
			t.Fatal("a failed notice was not kept for the next round")
		}
	}
}

// A warning with no area reaches those who chose areas too.
func TestWarningWithoutArea(t *testing.T) {
	w := newWorld(t)
	north := w.subscribe("en", domain.PushTopics{Warnings: true, Areas: []string{"north"}})
	w.notify(domain.Notice{Kind: domain.NoticeWarning})
	w.flush()
	if len(w.svc.Received(north)) != 1 {
		t.Fatal("an area-less warning did not reach a subscriber who chose areas")
	}
}
