package e2e

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/gateways/sandbox"
)

// Auto-recharge against the real binary with the sandbox: a saved test
// card, a spend across the threshold, the top-up arriving in the balance;
// then a card whose bank wants 3-D Secure pauses it with a reason.

const rechargeFields = `enabled mode threshold quantity paused pauseReason spendingLimit { amount currency }
  spentThisPeriod { amountMinor } periodStart periodEnd pack { code } paymentMethod { last4 } lastOrder { number status total { amount } }`

// gqlRecharge is an AutoRecharge as the tests read it.
type gqlRecharge struct {
	Enabled, Paused bool
	Mode            string
	Threshold       int64
	PauseReason     *string
	SpendingLimit   struct{ Amount, Currency string }
	SpentThisPeriod struct{ AmountMinor int64 }
	Pack            *struct{ Code string }
	PaymentMethod   *struct{ Last4 string }
	LastOrder       *struct {
		Number, Status string
		Total          struct{ Amount string }
	}
}

func (c *client) autoRecharge(t *testing.T, org string) *gqlRecharge {
	t.Helper()
	var out struct{ AutoRecharge *gqlRecharge }
	c.must(t, `query($o: ID!) { org(id: $o) { autoRecharge { `+rechargeFields+` } } }`, map[string]any{"o": org}, "org", &out)
	return out.AutoRecharge
}

// waitRecharge polls the org's auto-recharge until ok says so (a deadline
// only bounds a hung test).
func (c *client) waitRecharge(t *testing.T, org string, ok func(*gqlRecharge) bool) *gqlRecharge {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		a := c.autoRecharge(t, org)
		if ok(a) {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("auto-recharge never got there: %+v", a)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAutoRechargeWithSandbox(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		dbURL := b.newDB(t)
		seedCatalog(t, dbURL)
		s := startServer(t, dbURL, "TALLY_SANDBOX=on", "TALLY_SANDBOX_WEBHOOK_SECRET="+sandboxSecret)
		owner := s.user(t, "owner@recharge.example")
		org := owner.createOrg(t, "Recharge", "DE", "EUR") // 10,000 sign-up credits
		if a := owner.autoRecharge(t, org); a != nil {
			t.Fatalf("auto-recharge before it was set: %+v", a)
		}
		card := owner.mustAddMethod(t, org, sandbox.CardSucceeds, "card").PaymentMethod
		starter := owner.packID(t, "EUR", "starter-eur") // 1,000,000 credits, 5.00 + 19% VAT
		set := `mutation($in: SetAutoRechargeInput!) { setAutoRecharge(input: $in) { ` + rechargeFields + ` } }`
		var out gqlRecharge
		owner.must(t, set, map[string]any{"in": map[string]any{"orgId": org, "enabled": true, "mode": "PACK", "threshold": 5000,
			"packId": starter, "paymentMethodId": card.ID, "idempotencyKey": "ar-on"}}, "setAutoRecharge", &out)
		if a := out; !a.Enabled || a.Paused || a.Threshold != 5000 || a.SpendingLimit.Amount != "50.00" ||
			a.Pack == nil || a.Pack.Code != "starter-eur" || a.PaymentMethod == nil || a.PaymentMethod.Last4 != "4242" || a.LastOrder != nil {
			t.Fatalf("setAutoRecharge = %+v", a)
		}

		// A spend leaves 4,000 credits: the top-up follows in the background.
		if r, err := owner.consume(t.Context(), org, 6000, "spend-1"); err != nil || r.code() != "" {
			t.Fatalf("spend: %v %+v", err, r.Errors)
		}
		a := owner.waitRecharge(t, org, func(a *gqlRecharge) bool { return a.LastOrder != nil && a.LastOrder.Status == "PAID" })
		if a.LastOrder.Total.Amount != "5.95" || a.SpentThisPeriod.AmountMinor != 595 {
			t.Fatalf("after the top-up: %+v", a)
		}
		if got := owner.balance(t, org); got != 4000+1_000_000 {
			t.Fatalf("balance %d, want %d", got, 4000+1_000_000)
		}

		// The card the bank wants authenticated: the off-session top-up
		// fails and pauses auto-recharge; spending goes on.
		auth := owner.mustAddMethod(t, org, sandbox.CardAuthRequired, "card-3ds").PaymentMethod
		owner.must(t, set, map[string]any{"in": map[string]any{"orgId": org, "enabled": true, "mode": "PACK", "threshold": 5000,
			"packId": starter, "paymentMethodId": auth.ID, "idempotencyKey": "ar-3ds"}}, "setAutoRecharge", &out)
		if r, err := owner.consume(t.Context(), org, 1_000_000, "spend-2"); err != nil || r.code() != "" {
			t.Fatalf("spend: %v %+v", err, r.Errors)
		}
		a = owner.waitRecharge(t, org, func(a *gqlRecharge) bool { return a.Paused })
		if a.PauseReason == nil || *a.PauseReason != "authentication_required" || a.LastOrder.Status != "FAILED" {
			t.Fatalf("after the 3-D Secure failure: %+v", a)
		}
		if r, err := owner.consume(t.Context(), org, 4000, "spend-3"); err != nil || r.code() != "" {
			t.Fatalf("spending the rest while paused: %v %+v", err, r.Errors)
		}
		if got := owner.balance(t, org); got != 0 {
			t.Fatalf("balance %d, want 0", got)
		}
	})
}
