package domain

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// keyBook is an in-memory IdempotencyStore for the unit test of once: its
// onCreate hook plays the concurrent request that records a key first.
type keyBook struct {
	Store    // unused methods panic
	mu       sync.Mutex
	recs     map[string]IdempotencyRecord
	finds    int
	onCreate func(b *keyBook, rec IdempotencyRecord) error
}

func (b *keyBook) FindIdempotency(_ context.Context, _, key string) (IdempotencyRecord, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.finds++
	r, ok := b.recs[key]
	return r, ok, nil
}

func (b *keyBook) CreateIdempotency(_ context.Context, rec IdempotencyRecord) error {
	if b.onCreate != nil {
		if err := b.onCreate(b, rec); err != nil {
			return err
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.recs[rec.Key]; ok {
		return Errorf(CodeConflict, "idempotency key already exists")
	}
	b.recs[rec.Key] = rec
	return nil
}

type fixedClock struct{}

func (fixedClock) Now() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }

// TestOnce walks the five steps of the idempotency path: a first request
// runs and records, a repeat replays, a different request under the key is
// CONFLICT, a concurrent duplicate that recorded first is replayed, and a
// rate-limit refusal gives way to a replay of what was recorded meanwhile.
func TestOnce(t *testing.T) {
	k := idemKey{orgID: "org", key: "k1", op: "op", hash: "h"}
	winner := k.record([]byte("winner"), fixedClock{}.Now())
	records := func(ctx context.Context, b *keyBook, record recordFunc) (string, error) {
		if err := record(ctx, b, []byte("mine")); err != nil {
			return "", err
		}
		return "ran", nil
	}
	rateLimited := func(context.Context, *keyBook, recordFunc) (string, error) {
		return "", Errorf(CodeRateLimited, "slow down")
	}
	for _, tc := range []struct {
		name     string
		stored   *IdempotencyRecord
		onCreate func(b *keyBook, rec IdempotencyRecord) error
		run      func(ctx context.Context, b *keyBook, record recordFunc) (string, error)
		want     string
		wantCode Code
		wantRuns int
	}{
		{name: "first request runs and records", run: records, want: "ran", wantRuns: 1},
		{name: "repeat replays without running", stored: &winner, run: records, want: "replay:winner"},
		{name: "another operation under the key", stored: &IdempotencyRecord{Key: "k1", Operation: "other", RequestHash: "h"},
			run: records, wantCode: CodeConflict},
		{name: "another request under the key", stored: &IdempotencyRecord{Key: "k1", Operation: "op", RequestHash: "x"},
			run: records, wantCode: CodeConflict},
		{name: "a concurrent duplicate recorded first: replayed", run: records, want: "replay:winner", wantRuns: 1,
			onCreate: func(b *keyBook, _ IdempotencyRecord) error {
				b.onCreate = nil
				b.recs[winner.Key] = winner
				return nil
			}},
		{name: "rate limited, duplicate recorded meanwhile: replayed", want: "replay:winner", wantRuns: 1,
			run: func(ctx context.Context, b *keyBook, record recordFunc) (string, error) {
				b.recs[winner.Key] = winner // the duplicate was counted and recorded
				return rateLimited(ctx, b, record)
			}},
		{name: "rate limited, nothing recorded: refused", run: rateLimited, wantCode: CodeRateLimited, wantRuns: 1},
		{name: "failure after recording is answered, not retried", wantCode: CodeGatewayUnavailable, wantRuns: 1,
			run: func(ctx context.Context, b *keyBook, record recordFunc) (string, error) {
				if _, err := records(ctx, b, record); err != nil {
					return "", err
				}
				return "", Errorf(CodeGatewayUnavailable, "down")
			}},
		{name: "key taken and purged again and again: gives up", run: records, wantCode: CodeConflict, wantRuns: takenRetries,
			onCreate: func(*keyBook, IdempotencyRecord) error {
				return Errorf(CodeConflict, "idempotency key already exists")
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &keyBook{recs: map[string]IdempotencyRecord{}, onCreate: tc.onCreate}
			if tc.stored != nil {
				b.recs[tc.stored.Key] = *tc.stored
			}
			s := &Service{store: b, clock: fixedClock{}}
			runs := 0
			got, err := once(context.Background(), s, k,
				func(_ context.Context, rec IdempotencyRecord) (string, error) {
					return "replay:" + string(rec.Response), nil
				},
				func(ctx context.Context, record recordFunc) (string, error) {
					runs++
					return tc.run(ctx, b, record)
				})
			if runs != tc.wantRuns {
				t.Errorf("ran %d times, want %d", runs, tc.wantRuns)
			}
			if tc.wantCode != "" {
				var de *Error
				if !errors.As(err, &de) || de.Code != tc.wantCode {
					t.Fatalf("once = %q, %v; want %s", got, err, tc.wantCode)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("once = %q, %v; want %q", got, err, tc.want)
			}
			if rec := b.recs["k1"]; tc.want == "ran" &&
				(rec.Operation != "op" || rec.RequestHash != "h" || string(rec.Response) != "mine" || rec.OrgID != "org") {
				t.Errorf("recorded %+v", rec)
			}
		})
	}
}
