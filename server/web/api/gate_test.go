package api

import (
	"context"
	"testing"
	"time"

	"sova/server/domain"
)

func TestGate_BusyWhenFullThenOpenAgain(t *testing.T) {
	g := make(gate, 2)
	var held []func()
	for range 2 {
		release, err := g.enter(context.Background(), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, release)
	}
	start := time.Now()
	if _, err := g.enter(context.Background(), 50*time.Millisecond); domain.ErrorCode(err) != domain.CodeBusy {
		t.Fatalf("third caller: %v, want busy", err)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Error("busy before the wait was over")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.enter(ctx, time.Second); err != context.Canceled {
		t.Fatalf("a caller that went away: %v", err)
	}
	held[0]()
	release, err := g.enter(context.Background(), time.Second)
	if err != nil {
		t.Fatalf("after a turn ended: %v", err)
	}
	release()
	held[1]()
}
