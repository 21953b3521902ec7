package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

// fakeExpirer returns the scripted counts, then zeros.
type fakeExpirer struct {
	counts []int
	err    error
	calls  int
	limits []int
}

func (f *fakeExpirer) ExpireDue(_ context.Context, limit int) (int, error) {
	f.calls++
	f.limits = append(f.limits, limit)
	if f.calls <= len(f.counts) {
		return f.counts[f.calls-1], nil
	}
	return 0, f.err
}

// PurgeIdempotencyKeys has nothing to purge.
func (f *fakeExpirer) PurgeIdempotencyKeys(context.Context, int) (int, error) { return 0, nil }

// PurgeGatewayEvents has nothing to purge.
func (f *fakeExpirer) PurgeGatewayEvents(context.Context, int) (int, error) { return 0, nil }

func TestExpireAll(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name      string
		counts    []int
		err       error
		wantTotal int
		wantCalls int
	}{
		{"nothing due", nil, nil, 0, 1},
		{"until zero", []int{500, 500, 12}, nil, 1012, 4},
		{"stops on error", []int{7}, errors.New("db down"), 7, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeExpirer{counts: tt.counts, err: tt.err}
			if got := expireAll(context.Background(), f, quiet); got != tt.wantTotal || f.calls != tt.wantCalls {
				t.Errorf("total %d after %d calls, want %d after %d", got, f.calls, tt.wantTotal, tt.wantCalls)
			}
			for _, l := range f.limits {
				if l != expiryBatch {
					t.Errorf("limit %d, want %d", l, expiryBatch)
				}
			}
		})
	}
}

// neverDone always reports work, as a broken store might.
type neverDone struct{ calls int }

func (n *neverDone) ExpireDue(context.Context, int) (int, error) { n.calls++; return 1, nil }

func (n *neverDone) PurgeIdempotencyKeys(context.Context, int) (int, error) { return 0, nil }
func (n *neverDone) PurgeGatewayEvents(context.Context, int) (int, error)   { return 0, nil }

func TestExpireAllIsBounded(t *testing.T) {
	n := &neverDone{}
	expireAll(context.Background(), n, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if n.calls != maxExpiryRounds {
		t.Errorf("calls = %d, want %d", n.calls, maxExpiryRounds)
	}
}

func TestRunExpiryStopsWithContext(t *testing.T) {
	f := &fakeExpirer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		runExpiry(ctx, f, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
		close(done)
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("runExpiry did not return after cancel")
	}
}
