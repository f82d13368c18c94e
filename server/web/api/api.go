// Package api is the JSON API that phones and other clients use
// (openapi.yaml): surveys and the response key, the sync of sealed
// responses, and push subscriptions. Members are anonymous: nothing here
// reads their address, User-Agent or Referer, or sets a cookie.
package api

import (
	"runtime"
	"time"

	"sova/server/domain"
	"sova/server/seal"
	"sova/server/store"
	"sova/server/web/member"
)

// Config is what the API works with.
type Config struct {
	Store *store.DB
	Keys  *seal.Ring
	// Site says which languages a subscription may ask for.
	Site *member.Site
	Now  func() time.Time
	// BusyAfter is how long a sync batch waits for its turn before the
	// server answers 503 busy (default 10 s).
	BusyAfter time.Duration
	// PushKey is the VAPID public key phones subscribe with; PushHosts are
	// the push services a subscription may point at (domain.PushHosts
	// unless set).
	PushKey   string
	PushHosts []string
}

// API serves the JSON API.
type API struct {
	cfg     Config
	ingest  gate       // sync batches being judged
	newSubs perService // new push subscriptions this minute, per push service
}

// New makes the API.
func New(cfg Config) *API {
	if cfg.PushHosts == nil {
		cfg.PushHosts = domain.PushHosts
	}
	if cfg.BusyAfter == 0 {
		cfg.BusyAfter = 10 * time.Second
	}
	return &API{cfg: cfg, ingest: make(gate, 4*runtime.GOMAXPROCS(0))}
}
