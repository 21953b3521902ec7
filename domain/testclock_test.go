package domain_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

func TestManualClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.FixedZone("X", 3600))
	c := domain.NewManualClock(start)
	want := time.Date(2026, 3, 1, 11, 0, 0, 123456000, time.UTC)
	tests := []struct {
		name string
		move func() time.Time
		want time.Time
	}{
		{"start, UTC and truncated", c.Now, want},
		{"advance", func() time.Time { return c.Advance(90 * time.Minute) }, want.Add(90 * time.Minute)},
		{"advance by nanoseconds truncates", func() time.Time { return c.Advance(1500 * time.Nanosecond) }, want.Add(90*time.Minute + time.Microsecond)},
		{"set back", func() time.Time { return c.Set(t0) }, t0},
		{"set in another zone", func() time.Time { return c.Set(t0.In(time.FixedZone("Y", -7200))) }, t0},
	}
	for _, tt := range tests {
		if got := tt.move(); !got.Equal(tt.want) || got.Location() != time.UTC || !c.Now().Equal(tt.want) {
			t.Errorf("%s: %v (Now %v), want %v UTC", tt.name, got, c.Now(), tt.want)
		}
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				c.Advance(time.Second)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	if got := c.Now(); !got.Equal(t0.Add(800 * time.Second)) {
		t.Fatalf("after 800 concurrent 1s advances: %v, want %v", got, t0.Add(800*time.Second))
	}
}

// TestAdvanceTestClockRunsExpiry: a grant expiring in an hour is written
// off as soon as the clock is moved two hours on, without waiting for the
// periodic sweep.
func TestAdvanceTestClockRunsExpiry(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		mc := domain.NewManualClock(t0)
		var svc *domain.Service
		var ran []time.Time
		expire := func(ctx context.Context) error {
			ran = append(ran, mc.Now())
			for {
				n, err := svc.ExpireDue(ctx, 100)
				if err != nil || n == 0 {
					return err
				}
			}
		}
		f := newFixtureStore(t, d, domain.Config{SignupGrantDisabled: true}, domain.WithTestClock(mc, expire))
		svc = f.svc
		f.grant(t, domain.GrantPromo, 500, time.Hour, "soon")
		two := 2 * time.Hour
		at, err := f.svc.AdvanceTestClock(f.admin, domain.TestClockMove{By: &two})
		if err != nil {
			t.Fatal(err)
		}
		if !at.Equal(t0.Add(two)) || len(ran) != 1 || !ran[0].Equal(at) {
			t.Fatalf("moved to %v, due work ran at %v; want both at %v", at, ran, t0.Add(two))
		}
		if b := f.checkInvariants(t); b.Total != 0 {
			t.Fatalf("balance %d after the grant expired, want 0", b.Total)
		}
		entries := f.ledger(t)
		if last := entries[len(entries)-1]; last.Kind != domain.EntryExpire || last.Amount != -500 {
			t.Fatalf("last entry %s %d, want EXPIRE -500", last.Kind, last.Amount)
		}
		if now, err := f.svc.TestClockNow(f.owner); err != nil || now == nil || !now.Equal(at) {
			t.Fatalf("TestClockNow = %v, %v; want %v", now, err, at)
		}
	})
}

// TestAdvanceTestClockRefusals: who may move the clock, and which moves.
func TestAdvanceTestClockRefusals(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	mc := domain.NewManualClock(t0)
	failing := errors.New("sweep failed")
	var fail bool
	f := newFixtureStore(t, d, domain.Config{}, domain.WithTestClock(mc, func(context.Context) error {
		if fail {
			return failing
		}
		return nil
	}))
	off := newFixtureStore(t, dbtest.SQLite(t), domain.Config{})
	hour, neg, huge := time.Hour, -time.Second, domain.MaxTestClockStep+time.Hour
	past, future := t0.Add(-time.Hour), t0.Add(48*time.Hour)
	tests := []struct {
		name string
		svc  *domain.Service
		ctx  context.Context
		move domain.TestClockMove
		fail bool
		want domain.Code
	}{
		{"anonymous", f.svc, context.Background(), domain.TestClockMove{By: &hour}, false, domain.CodeUnauthenticated},
		{"org owner", f.svc, f.owner, domain.TestClockMove{By: &hour}, false, domain.CodeForbidden},
		{"clock off", off.svc, off.admin, domain.TestClockMove{By: &hour}, false, domain.CodeNotFound},
		{"clock off, not admin", off.svc, off.owner, domain.TestClockMove{By: &hour}, false, domain.CodeForbidden},
		{"neither", f.svc, f.admin, domain.TestClockMove{}, false, domain.CodeInvalidInput},
		{"both", f.svc, f.admin, domain.TestClockMove{By: &hour, To: &future}, false, domain.CodeInvalidInput},
		{"negative", f.svc, f.admin, domain.TestClockMove{By: &neg}, false, domain.CodeInvalidInput},
		{"too far", f.svc, f.admin, domain.TestClockMove{By: &huge}, false, domain.CodeInvalidInput},
		{"into the past", f.svc, f.admin, domain.TestClockMove{To: &past}, false, domain.CodeInvalidInput},
		{"due work fails", f.svc, f.admin, domain.TestClockMove{By: &hour}, true, domain.CodeInternal},
		{"to a time", f.svc, f.admin, domain.TestClockMove{To: &future}, false, ""},
	}
	for _, tt := range tests {
		before := mc.Now()
		fail = tt.fail
		at, err := tt.svc.AdvanceTestClock(tt.ctx, tt.move)
		var de *domain.Error
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want == "" && !at.Equal(future):
			t.Errorf("%s: moved to %v, want %v", tt.name, at, future)
		case tt.want != "" && (!errors.As(err, &de) || de.Code != tt.want):
			t.Errorf("%s: err %v, want %s", tt.name, err, tt.want)
		case tt.want != "" && tt.want != domain.CodeInternal && !mc.Now().Equal(before):
			t.Errorf("%s: refused but the clock moved from %v to %v", tt.name, before, mc.Now())
		}
	}
	if now, err := off.svc.TestClockNow(off.owner); err != nil || now != nil {
		t.Fatalf("TestClockNow with the clock off = %v, %v; want nil", now, err)
	}
	if _, err := f.svc.TestClockNow(context.Background()); err == nil {
		t.Fatal("TestClockNow answered an anonymous caller")
	}
}
