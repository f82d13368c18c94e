package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
)

var subscriptionID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// MaxNewSubscriptions bounds the subscriptions the server takes a minute
// on each push service, so a burst of made-up ones cannot fill the store
// before real members', nor, made on one service, shut out members whose
// browsers use another. The store caps them in all (store.MaxSubscribers).
const MaxNewSubscriptions = 300

// perService counts new subscriptions in the current minute for each push
// service (an entry of the allowed hosts, so there are a handful). It keeps
// nothing about who made them: it is a limit on all, not on anyone.
type perService struct {
	mu    sync.Mutex
	start time.Time
	n     map[string]int
}

func (w *perService) allow(now time.Time, service string, limit int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if now.Sub(w.start) >= time.Minute || w.n == nil {
		w.start, w.n = now, map[string]int{}
	}
	w.n[service]++
	return w.n[service] <= limit
}

// MaxPushBody bounds a subscription's JSON: an endpoint, two keys, topics.
const MaxPushBody = 8 << 10

// PushKey is the VAPID public key phones subscribe with.
func (s *API) PushKey(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"key": s.cfg.PushKey})
}

// subscriptionBody is a subscription as the app sends it. PushSubscription's
// toJSON() also has expirationTime, taken and ignored, so a client may send
// it as the browser gave it.
type subscriptionBody struct {
	domain.PushSubscription
	ExpirationTime json.RawMessage `json:"expirationTime,omitempty"`
}

// PutSubscription stores a subscription under its id (PushSubscription.ID):
// 201 when new, 200 when it replaced the topics of one known.
func (s *API) PutSubscription(c echo.Context) error {
	data, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return domain.Errorf(domain.CodeTooLarge, "a subscription fits in %d bytes", MaxPushBody)
	}
	var body subscriptionBody
	if err := domain.DecodeStrict(data, &body); err != nil {
		return domain.Errorf(domain.CodeMalformed, `the body must be JSON: {"endpoint","keys":{"p256dh","auth"},"lang","topics":{"warnings","areas","surveys"}}`)
	}
	sub := body.PushSubscription
	areas, err := s.cfg.Store.Areas()
	if err != nil {
		return err
	}
	if err := sub.Check(s.cfg.PushHosts, s.cfg.Site.LangCodes(), areas); err != nil {
		return err
	}
	id := c.Param("id")
	if id != sub.ID() {
		return domain.Errorf(domain.CodeInvalidID, "the id is the SHA-256 of the auth secret's bytes followed by the endpoint, in lowercase hex")
	}
	old, err := s.cfg.Store.Subscriber(id)
	if err != nil {
		return err
	}
	if old == nil && !s.newSubs.allow(s.cfg.Now(), sub.Service(s.cfg.PushHosts), MaxNewSubscriptions) {
		return domain.Errorf(domain.CodeBusy, "too many new subscriptions this minute; try again in a minute")
	}
	if err := s.cfg.Store.Subscribe(sub, siteOrigin(c.Request())); err != nil {
		return err
	}
	code := http.StatusCreated
	if old != nil {
		code = http.StatusOK
	}
	return c.JSON(code, subscriptionView(&sub))
}

// siteOrigin is the public address of the site a member subscribed on, the
// push services' contact unless the organisation set one: the browser's
// Origin header (behind a proxy the Host may be the proxy's upstream). Push
// works only in a secure context, so it is https but for a developer's
// localhost, which no push service would take: then "".
func siteOrigin(r *http.Request) string {
	u, err := url.Parse(r.Header.Get("Origin"))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return ""
	}
	return "https://" + u.Host
}

// subscriptionView is what a phone may read back of its subscription: its
// language and topics (it holds the endpoint and keys already).
func subscriptionView(p *domain.PushSubscription) map[string]any {
	return map[string]any{"lang": p.Lang, "topics": p.Topics}
}

func (s *API) GetSubscription(c echo.Context) error {
	if !subscriptionID.MatchString(c.Param("id")) {
		return domain.Errorf(domain.CodeNotFound, "there is no such subscription")
	}
	sub, err := s.cfg.Store.Subscriber(c.Param("id"))
	if err != nil {
		return err
	}
	if sub == nil {
		return domain.Errorf(domain.CodeNotFound, "there is no such subscription")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, subscriptionView(&sub.PushSubscription))
}

// DeleteSubscription ends a subscription: 204 whether or not it was known,
// so stopping twice (from two tabs, say) is no error.
func (s *API) DeleteSubscription(c echo.Context) error {
	if !subscriptionID.MatchString(c.Param("id")) {
		return c.NoContent(http.StatusNoContent) // nothing could be stored under it
	}
	if err := s.cfg.Store.Unsubscribe(c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
