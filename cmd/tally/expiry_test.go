package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
)

// fakeExpirer returns the scripted counts, then zeros.
type fakeExpirer struct {
	counts []int
	err    error
	calls  int
	limits []int
	// reconciled counts Reconcile calls.
	reconciled int
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

// DiscardStaleDrafts has no draft to discard.
func (f *fakeExpirer) DiscardStaleDrafts(context.Context, int) (int, error) { return 0, nil }

// RechargeDue finds no org due a top-up.
func (f *fakeExpirer) RechargeDue(context.Context, int) (int, error) { return 0, nil }

// ResetFreeCredits finds no org due its Free credits.
func (f *fakeExpirer) ResetFreeCredits(context.Context, int) (int, error) { return 0, nil }

// DueSubscriptions finds no subscription with work due.
func (f *fakeExpirer) DueSubscriptions(context.Context, int) ([]domain.DueSubscription, error) {
	return nil, nil
}

// AdvanceSubscription has nothing to do.
func (f *fakeExpirer) AdvanceSubscription(context.Context, string) (bool, error) { return false, nil }

// DueDunning finds no dunning step due.
func (f *fakeExpirer) DueDunning(context.Context, int) ([]domain.DunningDue, error) { return nil, nil }

// AdvanceDunning has nothing to do.
func (f *fakeExpirer) AdvanceDunning(context.Context, domain.DunningStep, string) (bool, error) {
	return false, nil
}

// UnsentNotifications finds nothing to send.
func (f *fakeExpirer) UnsentNotifications(context.Context, int) ([]domain.OrgEvent, error) {
	return nil, nil
}

// DeliverNotification has nothing to send.
func (f *fakeExpirer) DeliverNotification(context.Context, string) error { return nil }

// FanOutWebhooks finds no event to fan out.
func (f *fakeExpirer) FanOutWebhooks(context.Context, int) (int, error) { return 0, nil }

// DueWebhookDeliveries finds no delivery due.
func (f *fakeExpirer) DueWebhookDeliveries(context.Context, int) ([]domain.WebhookDelivery, error) {
	return nil, nil
}

// DeliverWebhook has nothing to send.
func (f *fakeExpirer) DeliverWebhook(context.Context, string, int) error { return nil }

// CheckLowBalances finds no alert to change.
func (f *fakeExpirer) CheckLowBalances(context.Context, int) (int, error) { return 0, nil }

// Reconcile counts its runs and finds nothing stale.
func (f *fakeExpirer) Reconcile(context.Context, time.Duration, int) (domain.ReconcileReport, error) {
	f.reconciled++
	return domain.ReconcileReport{}, nil
}

func TestDrain(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name      string
		counts    []int
		err       error
		wantTotal int
		wantCalls int
		wantErr   bool
	}{
		{"nothing due", nil, nil, 0, 1, false},
		{"until zero", []int{500, 500, 12}, nil, 1012, 4, false},
		{"stops on error", []int{7}, errors.New("db down"), 7, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeExpirer{counts: tt.counts, err: tt.err}
			got, err := drain(context.Background(), f.ExpireDue, "expired credit grants", quiet)
			if got != tt.wantTotal || f.calls != tt.wantCalls || (err != nil) != tt.wantErr {
				t.Errorf("total %d after %d calls (err %v), want %d after %d (error %v)", got, f.calls, err, tt.wantTotal, tt.wantCalls, tt.wantErr)
			}
			if tt.wantErr && !errors.Is(err, tt.err) {
				t.Errorf("err %v does not wrap %v", err, tt.err)
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

func TestDrainIsBounded(t *testing.T) {
	n := &neverDone{}
	if _, err := drain(context.Background(), n.ExpireDue, "x", slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	if n.calls != maxExpiryRounds {
		t.Errorf("calls = %d, want %d", n.calls, maxExpiryRounds)
	}
}

// TestSweeps: the server's periodic jobs, their intervals, and which of
// them moving the test clock runs (in order, stopping at a failure).
func TestSweeps(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f := &fakeExpirer{}
	purged := 0
	sw := sweeps(f, sweepOptions{expiryEvery: time.Minute, reconcileEvery: 2 * time.Minute, reconcileAfter: time.Hour,
		notifyEvery: 5 * time.Second, webhookEvery: time.Second, purgeWindows: func(context.Context, int) (int, error) { purged++; return 0, nil }}, quiet)
	want := []struct {
		name  string
		every time.Duration
		clock bool
	}{
		{"subscriptions_due", time.Minute, true},
		{"dunning_due", time.Minute, true},
		{"free_credits", time.Minute, true},
		{"expire_credits", time.Minute, true},
		{"auto_recharge", time.Minute, true},
		{"purge_idempotency_keys", time.Minute, true},
		{"purge_gateway_events", time.Minute, true},
		{"discard_stale_drafts", time.Minute, true},
		{"low_balance", time.Minute, true},
		{"notifications", 5 * time.Second, true},
		{"reconcile_payments", 2 * time.Minute, false},
		{"webhooks", time.Second, true},
		{"purge_rate_limit_windows", time.Minute, false},
	}
	if len(sw) != len(want) {
		t.Fatalf("%d sweeps, want %d", len(sw), len(want))
	}
	for i, w := range want {
		if sw[i].Name != w.name || sw[i].Every != w.every || sw[i].clockDriven != w.clock {
			t.Errorf("sweep %d = %s every %s (clock %v), want %s every %s (clock %v)", i, sw[i].Name, sw[i].Every, sw[i].clockDriven, w.name, w.every, w.clock)
		}
		if err := sw[i].Run(context.Background()); err != nil {
			t.Errorf("%s: %v", w.name, err)
		}
	}
	if f.calls != 1 || f.reconciled != 1 || purged != 1 {
		t.Fatalf("runs: expire %d, reconcile %d, purge windows %d; want 1 each", f.calls, f.reconciled, purged)
	}
	if got := periodic(sw); len(got) != len(sw) || got[10].Name != "reconcile_payments" {
		t.Fatalf("periodic = %+v", got)
	}
	*f = fakeExpirer{}
	if err := dueWork(sw, nil)(context.Background()); err != nil || f.calls != 1 || f.reconciled != 0 || purged != 1 {
		t.Fatalf("due work: err %v, expire %d, reconcile %d, purge windows %d; want only the clock-driven sweeps", err, f.calls, f.reconciled, purged)
	}
	*f = fakeExpirer{counts: []int{3}, err: errors.New("db down")}
	if err := dueWork(sw, nil)(context.Background()); err == nil || !strings.Contains(err.Error(), "expire_credits") {
		t.Fatalf("due work with a failing expiry: %v, want the expire_credits error", err)
	}
}
