package e2e

import "testing"

// TestDeclinedCheckoutGivesCartBack: over the API, a checkout declined by
// the sandbox answers PAYMENT_FAILED; the failed order names the draft its
// items came back in (retryDraftId), a DRAFT with the same total and its
// installment options; a replay of the key declines again; the given-back
// draft checked out with another card and a new key pays once.
func TestDeclinedCheckoutGivesCartBack(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		dbURL := b.newDB(t)
		seedCatalog(t, dbURL)
		s := startServer(t, dbURL, "TALLY_SANDBOX=on", "TALLY_SANDBOX_WEBHOOK_SECRET="+sandboxSecret)
		owner := s.user(t, "owner@cart.example")
		org := owner.createOrg(t, "Cart", "DE", "EUR")
		pack := owner.packID(t, "EUR", "starter-eur")
		start := owner.balance(t, org)
		type draft struct {
			ID, Status, RetryDraftID string
			Version                  int64
			Credits                  int64
			Total                    struct{ Amount string }
			InstallmentOptions       []struct {
				Count int
				Total struct{ Amount string }
			}
		}
		const fields = `id status version credits retryDraftId total { amount } installmentOptions { count total { amount } }`
		var d draft
		owner.must(t, `mutation($in: CreateOrderInput!) { createOrder(input: $in) { `+fields+` } }`, map[string]any{"in": map[string]any{
			"orgId": org, "items": []any{map[string]any{"kind": "PACK", "packId": pack, "quantity": 2}}}}, "createOrder", &d)
		if len(d.InstallmentOptions) != 1 || d.InstallmentOptions[0].Total.Amount != d.Total.Amount {
			t.Fatalf("draft options %+v, total %s", d.InstallmentOptions, d.Total.Amount)
		}
		checkout := func(id string, version int64, card, key string) result {
			return owner.do(t, `mutation($in: CheckoutOrderInput!) { checkoutOrder(input: $in) { order { id status } } }`,
				map[string]any{"in": map[string]any{"orderId": id, "version": version, "paymentMethodId": card, "idempotencyKey": key}})
		}
		for range 2 { // the replay of the key answers the same decline
			if r := checkout(d.ID, d.Version, "4000000000000002", "declined"); r.code() != "PAYMENT_FAILED" {
				t.Fatalf("declined checkout: %+v", r.Errors)
			}
		}
		var failed draft
		owner.must(t, `query($id: ID!) { order(id: $id) { `+fields+` } }`, map[string]any{"id": d.ID}, "order", &failed)
		if failed.Status != "FAILED" || failed.RetryDraftID == "" || failed.InstallmentOptions != nil {
			t.Fatalf("failed order %+v", failed)
		}
		var back draft
		owner.must(t, `query($id: ID!) { order(id: $id) { `+fields+` } }`, map[string]any{"id": failed.RetryDraftID}, "order", &back)
		if back.Status != "DRAFT" || back.Total != d.Total || back.Credits != d.Credits || len(back.InstallmentOptions) != 1 {
			t.Fatalf("given-back draft %+v, want the cart of %+v", back, d)
		}
		r := checkout(back.ID, back.Version, "4242424242424242", "retry")
		if len(r.Errors) > 0 {
			t.Fatalf("retry: %+v", r.Errors)
		}
		owner.waitStatus(t, back.ID, "PAID")
		if got := owner.balance(t, org); got != start+d.Credits {
			t.Fatalf("balance %d, want %d", got, start+d.Credits)
		}
	})
}
