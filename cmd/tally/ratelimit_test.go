package main

import (
	"context"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/db/dbtest"
)

// defaultRateLimits are the documented defaults of RateLimitOptions.
func defaultRateLimits() RateLimitOptions {
	return RateLimitOptions{
		RateLimit:     true,
		AnonymousRate: 10, AnonymousBurst: 40,
		UserRate: 20, UserBurst: 60,
		APIKeyRate: 10_000, APIKeyBurst: 20_000,
		AuthFailures: 20, AuthFailureWindow: 10 * time.Minute,
		PurchasesPerOrg: 10, PurchasesPerUser: 20, DeclinesPerOrg: 5, PurchaseWindow: time.Hour,
	}
}

// TestRateLimitConfig: every limit is read from its variable and flag, and
// nonsense (a zero rate, an empty window, a bad proxy range) is refused
// naming the variable.
func TestRateLimitConfig(t *testing.T) {
	set := map[string]string{
		"TALLY_RATE_LIMIT": "false", "TALLY_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7",
		"TALLY_RATE_LIMIT_ANONYMOUS": "0.5", "TALLY_RATE_LIMIT_ANONYMOUS_BURST": "2",
		"TALLY_RATE_LIMIT_USER": "3", "TALLY_RATE_LIMIT_USER_BURST": "4",
		"TALLY_RATE_LIMIT_API_KEY": "5", "TALLY_RATE_LIMIT_API_KEY_BURST": "6",
		"TALLY_RATE_LIMIT_AUTH_FAILURES": "7", "TALLY_RATE_LIMIT_AUTH_WINDOW": "8m",
		"TALLY_RATE_LIMIT_PURCHASES_ORG": "9", "TALLY_RATE_LIMIT_PURCHASES_USER": "10",
		"TALLY_RATE_LIMIT_DECLINES_ORG": "11", "TALLY_RATE_LIMIT_PURCHASE_WINDOW": "12m",
	}
	c, err := parseServe(t, nil, set)
	if err != nil {
		t.Fatal(err)
	}
	want := RateLimitOptions{
		RateLimit: false, TrustedProxies: []string{"10.0.0.0/8", "192.0.2.7"},
		AnonymousRate: 0.5, AnonymousBurst: 2, UserRate: 3, UserBurst: 4, APIKeyRate: 5, APIKeyBurst: 6,
		AuthFailures: 7, AuthFailureWindow: 8 * time.Minute,
		PurchasesPerOrg: 9, PurchasesPerUser: 10, DeclinesPerOrg: 11, PurchaseWindow: 12 * time.Minute,
	}
	if !reflect.DeepEqual(c.RateLimits, want) {
		t.Errorf("limits = %+v\nwant     %+v", c.RateLimits, want)
	}
	if c, err := parseServe(t, []string{"--no-rate-limit", "--rate-limit-user=7"}, nil); err != nil || c.RateLimits.RateLimit || c.RateLimits.UserRate != 7 {
		t.Errorf("flags: %+v, %v", c.RateLimits, err)
	}

	bad := []struct{ name, value string }{
		{"TALLY_TRUSTED_PROXIES", "10.0.0.0/40"},
		{"TALLY_TRUSTED_PROXIES", "proxy.internal"},
		{"TALLY_RATE_LIMIT_ANONYMOUS", "0"},
		{"TALLY_RATE_LIMIT_ANONYMOUS_BURST", "0"},
		{"TALLY_RATE_LIMIT_USER", "-1"},
		{"TALLY_RATE_LIMIT_USER_BURST", "0"},
		{"TALLY_RATE_LIMIT_API_KEY", "0"},
		{"TALLY_RATE_LIMIT_API_KEY_BURST", "0"},
		{"TALLY_RATE_LIMIT_AUTH_FAILURES", "0"},
		{"TALLY_RATE_LIMIT_AUTH_WINDOW", "10ms"},
		{"TALLY_RATE_LIMIT_PURCHASES_ORG", "0"},
		{"TALLY_RATE_LIMIT_PURCHASES_USER", "0"},
		{"TALLY_RATE_LIMIT_DECLINES_ORG", "0"},
		{"TALLY_RATE_LIMIT_PURCHASE_WINDOW", "0s"},
	}
	for _, b := range bad {
		if _, err := parseServe(t, nil, map[string]string{b.name: b.value}); err == nil || !strings.Contains(err.Error(), b.name) {
			t.Errorf("%s=%s: error %v, want one naming the variable", b.name, b.value, err)
		}
	}
}

// TestHousekeepingPurgesRateWindows: the housekeeping sweep deletes the
// rate-limit windows that have ended and keeps the running ones.
func TestHousekeepingPurgesRateWindows(t *testing.T) {
	store := dbtest.SQLite(t)
	ctx := context.Background()
	now := time.Now()
	if _, err := store.HitRateWindow(ctx, "ended", now.Add(-2*time.Hour), now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.HitRateWindow(ctx, "running", now.Truncate(time.Hour), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	limits, err := newRateLimits(defaultRateLimits(), store, quiet)
	if err != nil {
		t.Fatal(err)
	}
	var purge sweep
	for _, s := range sweeps(&fakeExpirer{}, sweepOptions{expiryEvery: time.Minute, reconcileEvery: time.Minute, purgeWindows: limits.http.Purge}, quiet) {
		if s.Name == "purge_rate_limit_windows" {
			purge = s
		}
	}
	if purge.Run == nil {
		t.Fatal("no sweep purges rate-limit windows")
	}
	if err := purge.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := store.RateWindowCount(ctx, "ended", now.Add(-2*time.Hour)); err != nil || n != 0 {
		t.Fatalf("the ended window was not purged (count %d, %v)", n, err)
	}
	if n, _ := store.RateWindowCount(ctx, "running", now.Truncate(time.Hour)); n != 1 {
		t.Fatalf("the running window was purged (count %d)", n)
	}
	// Limiting off: nothing to wire, and purging is a no-op.
	off := defaultRateLimits()
	off.RateLimit = false
	if l, err := newRateLimits(off, store, quiet); err != nil || l.http != nil || l.throttle != nil {
		t.Fatalf("limits off = %+v, %v", l, err)
	}
}
