package main

// B4's floor: how many sealed responses a second this machine can open with
// HPKE and nothing else, on all its cores, measured in the same run as B4a
// so that both see the same machine (and the same neighbours). Opening is
// the one cost ingest cannot avoid; B4a as a share of it says how much the
// rest of the path (HTTP, JSON, the survey check, Badger's synced writes)
// costs on top.

import (
	"context"
	"encoding/base64"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"sova/internal/loadgen"
	"sova/server/domain"
	"sova/server/seal"
)

// b4Floor is B4a's budget as a share of the floor.
const b4Floor = 0.6

// openFloor opens responses sealed to a fresh key on runtime.NumCPU()
// goroutines for d, and returns the responses opened per second. The
// items are sealed beforehand and decoded from base64 beforehand: only
// seal.Ring.Open, the server's own call, is timed.
func openFloor(ctx context.Context, sv *domain.Survey, d time.Duration) (float64, error) {
	key, err := seal.GenerateKey()
	if err != nil {
		return 0, err
	}
	ring := seal.NewRing(key)
	items, err := loadgen.New(key.PublicKey(), key.Kid(), sv).Items(500)
	if err != nil {
		return 0, err
	}
	type sealed struct{ aad, ct []byte }
	all := make([]sealed, len(items))
	for i, it := range items {
		ct, err := base64.RawURLEncoding.DecodeString(it.Sealed.Sealed)
		if err != nil {
			return 0, err
		}
		all[i] = sealed{[]byte(it.Sealed.ID), ct}
	}
	var opened atomic.Int64
	var once sync.Once
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := range runtime.NumCPU() {
		wg.Go(func() {
			n := 0
			for i := w; ctx.Err() == nil && time.Now().Before(deadline); i++ {
				x := all[i%len(all)]
				if _, err := ring.Open(key.Kid(), x.aad, x.ct); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				n++
			}
			opened.Add(int64(n))
		})
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return float64(opened.Load()) / time.Since(start).Seconds(), firstErr
}
