package e2e

import (
	"strings"
	"testing"
	"time"
)

const (
	advanceClock = `mutation($by: String, $to: Time) { advanceTestClock(by: $by, to: $to) }`
	readClock    = `{ testClock }`
)

// TestTestClock runs a server on the test clock: a platform admin moves it
// two hours on and a grant that expired an hour in is written off before
// the answer; nobody else may move it; bad moves are refused by argument.
// Where the clock is off, the matrix (opAdvanceTestClock) covers it.
func TestTestClock(t *testing.T) {
	s := startServer(t, backends[1].newDB(t), "TALLY_TEST_CLOCK=1", "TALLY_SIGNUP_CREDITS=0")
	admin := s.as("Bearer " + token(t, "root@platform.example", true))
	owner := s.user(t, "owner@clock.example")
	org := owner.createOrg(t, "Clockwork", "DE", "EUR")

	var now time.Time
	owner.must(t, readClock, nil, "testClock", &now)
	if d := time.Since(now); d < -time.Minute || d > time.Minute {
		t.Fatalf("the test clock starts at %v, want about the real time", now)
	}
	admin.must(t, `mutation($in: GrantCreditsInput!) { grantCredits(input: $in) { balance { total } } }`,
		map[string]any{"in": map[string]any{"orgId": org, "amount": 300, "kind": "PROMO", "idempotencyKey": "soon",
			"expiresAt": now.Add(time.Hour).Format(time.RFC3339Nano)}}, "grantCredits", nil)
	if got := owner.balance(t, org); got != 300 {
		t.Fatalf("balance %d after the grant, want 300", got)
	}

	refusals := []struct {
		name  string
		c     *client
		vars  map[string]any
		code  string
		field string
	}{
		{"anonymous", s.as(""), map[string]any{"by": "2h"}, "UNAUTHENTICATED", ""},
		{"org owner", owner, map[string]any{"by": "2h"}, "FORBIDDEN", ""},
		{"not a duration", admin, map[string]any{"by": "two hours"}, "INVALID_INPUT", "by"},
		{"backwards", admin, map[string]any{"by": "-1h"}, "INVALID_INPUT", "by"},
		{"both", admin, map[string]any{"by": "1h", "to": now.Add(time.Hour).Format(time.RFC3339)}, "INVALID_INPUT", "by"},
		{"into the past", admin, map[string]any{"to": now.Add(-time.Hour).Format(time.RFC3339)}, "INVALID_INPUT", "to"},
	}
	for _, tt := range refusals {
		r := tt.c.do(t, advanceClock, tt.vars)
		if r.code() != tt.code || (tt.field != "" && r.Errors[0].Extensions.Field != tt.field) {
			t.Errorf("%s: %+v, want %s (field %q)", tt.name, r.Errors, tt.code, tt.field)
		}
	}
	if got := owner.balance(t, org); got != 300 {
		t.Fatalf("balance %d after refused moves, want 300 (the clock must not have moved)", got)
	}

	var moved time.Time
	admin.must(t, advanceClock, map[string]any{"by": "2h"}, "advanceTestClock", &moved)
	if !moved.Equal(now.Add(2 * time.Hour)) {
		t.Fatalf("moved to %v, want %v", moved, now.Add(2*time.Hour))
	}
	if got := owner.balance(t, org); got != 0 {
		t.Fatalf("balance %d right after moving past the expiry, want 0", got)
	}
	var kinds []string
	for _, e := range owner.ledger(t, org, 10) {
		kinds = append(kinds, e.Kind)
	}
	if !strings.Contains(strings.Join(kinds, ","), "EXPIRE") {
		t.Fatalf("ledger %v has no EXPIRE entry", kinds)
	}
	target := moved.Add(24 * time.Hour)
	admin.must(t, advanceClock, map[string]any{"to": target.Format(time.RFC3339Nano)}, "advanceTestClock", &moved)
	owner.must(t, readClock, nil, "testClock", &now)
	if !moved.Equal(target) || !now.Equal(target) {
		t.Fatalf("moved to %v, reads %v; want %v", moved, now, target)
	}
}
