package api

import (
	"context"
	"time"

	"sova/server/domain"
)

// gate lets a bounded number of callers in at once; the rest wait a while,
// then are told the server is busy.
type gate chan struct{}

// enter waits up to wait for a turn. It returns the function that ends the
// turn, or a busy error (or the context's error when the caller went away).
func (g gate) enter(ctx context.Context, wait time.Duration) (release func(), err error) {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case g <- struct{}{}:
		return func() { <-g }, nil
	case <-t.C:
		return nil, domain.Errorf(domain.CodeBusy, "the server is busy; try again in a little while")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
