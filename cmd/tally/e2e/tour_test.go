package e2e

import (
	"context"
	"testing"
)

// TestTour walks the README's five-minute tour: create an org, see the
// sign-up credit, spend, run out, invite a teammate who joins.
func TestTour(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := startServer(t, b.newDB(t), "TALLY_SIGNUP_CREDITS=1000")
		alice := s.user(t, "alice@example.com")
		org := alice.createOrg(t, "Acme", "DE", "EUR")
		if got := alice.balance(t, org); got != 1000 {
			t.Fatalf("sign-up balance %d, want 1000", got)
		}
		r, err := alice.consume(context.Background(), org, 600, "tour-1")
		if err != nil || r.code() != "" {
			t.Fatalf("spend: %v %+v", err, r.Errors)
		}
		r, _ = alice.consume(context.Background(), org, 600, "tour-2")
		if r.code() != "INSUFFICIENT_CREDITS" {
			t.Fatalf("overspend: %+v", r.Errors)
		}
		tok := alice.invite(t, org, "bob@example.com", "MEMBER")
		bob := s.user(t, "bob@example.com")
		bob.must(t, `mutation($t: String!) { acceptInvitation(token: $t) { membership { role } } }`, map[string]any{"t": tok}, "acceptInvitation", nil)
		if got := bob.balance(t, org); got != 400 {
			t.Fatalf("bob sees balance %d, want 400", got)
		}
	})
}
