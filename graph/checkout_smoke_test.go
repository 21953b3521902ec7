package graph_test

import (
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
)

const (
	draftSelection = `id number status version total { amount } lines { itemId quantity amount { amount } }
		items { id kind quantity credits validity grantId expiresAt }`
	createOrderQuery  = `mutation($in: CreateOrderInput!) { createOrder(input: $in) { ` + draftSelection + ` } }`
	setQuantityQuery  = `mutation($o: ID!, $i: ID!, $q: Int64!) { setOrderItemQuantity(orderId: $o, itemId: $i, quantity: $q) { ` + draftSelection + ` } }`
	removeItemQuery   = `mutation($o: ID!, $i: ID!) { removeOrderItem(orderId: $o, itemId: $i) { ` + draftSelection + ` } }`
	checkoutOrderCall = `mutation($in: CheckoutOrderInput!) { checkoutOrder(input: $in) { order { ` + draftSelection + ` invoice { lines { description } total { amount } } } nextAction { kind } } }`
)

type apiDraft struct {
	ID, Number, Status string
	Version            int64
	Total              struct{ Amount string }
	Lines              []struct {
		ItemID   *string
		Quantity int
	}
	Items []struct {
		ID, Kind, Validity string
		Quantity           int
		Credits            int64
		GrantID            *string
		ExpiresAt          *string
	}
	Invoice *struct {
		Lines []struct{ Description string }
		Total struct{ Amount string }
	}
}

// TestCheckoutOrderGraph: a draft created, edited and checked out over
// GraphQL on both stores: every edit reprices, a stale version and an
// edit after checkout are CONFLICT, and the paid order has one grant per
// item and one invoice with a line per item.
func TestCheckoutOrderGraph(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShopServerOn(t, d, true)
		var created struct{ CreateOrder apiDraft }
		s.must(createOrderQuery, map[string]any{"in": map[string]any{"orgId": s.orgID, "currency": "EUR", "items": []any{
			map[string]any{"kind": "PACK", "packId": s.packID},
			map[string]any{"kind": "PACK", "packId": s.packID, "quantity": 2},
		}}}, &created)
		dr := created.CreateOrder
		// 3 × 5.00 × 1.19
		if dr.Status != "DRAFT" || dr.Number != "" || dr.Total.Amount != "17.85" || len(dr.Items) != 2 || len(dr.Lines) != 2 ||
			dr.Lines[1].ItemID == nil || *dr.Lines[1].ItemID != dr.Items[1].ID {
			t.Fatalf("draft %+v", dr)
		}
		var removed struct{ RemoveOrderItem apiDraft }
		s.must(removeItemQuery, map[string]any{"o": dr.ID, "i": dr.Items[1].ID}, &removed)
		var set struct{ SetOrderItemQuantity apiDraft }
		s.must(setQuantityQuery, map[string]any{"o": dr.ID, "i": dr.Items[0].ID, "q": 3}, &set)
		final := set.SetOrderItemQuantity
		if final.Version != dr.Version+2 || final.Total.Amount != "17.85" || len(final.Items) != 1 || final.Items[0].Quantity != 3 {
			t.Fatalf("edited draft %+v", final)
		}
		checkout := func(version int64, key string) map[string]any {
			return map[string]any{"in": map[string]any{"orderId": dr.ID, "version": version, "paymentMethodId": "paid", "idempotencyKey": key}}
		}
		if code, field := s.errCode(checkoutOrderCall, checkout(dr.Version, "stale")); code != "CONFLICT" || field != "" {
			t.Fatalf("stale version: %s on %q", code, field)
		}
		var paid struct{ CheckoutOrder struct{ Order apiDraft } }
		s.must(checkoutOrderCall, checkout(final.Version, "pay"), &paid)
		o := paid.CheckoutOrder.Order
		if o.ID != dr.ID || o.Status != "PAID" || o.Number == "" || o.Total.Amount != "17.85" || len(o.Items) != 1 ||
			o.Items[0].GrantID == nil || o.Items[0].ExpiresAt != nil || o.Items[0].Credits != 3_000_000 || o.Items[0].Validity != "NEVER" ||
			o.Invoice == nil || len(o.Invoice.Lines) != 1 || o.Invoice.Total.Amount != "17.85" {
			t.Fatalf("paid order %+v", o)
		}
		// The same key replays; any edit now is CONFLICT.
		var again struct{ CheckoutOrder struct{ Order apiDraft } }
		s.must(checkoutOrderCall, checkout(final.Version, "pay"), &again)
		if again.CheckoutOrder.Order.ID != o.ID {
			t.Fatalf("replay %+v", again)
		}
		if code, _ := s.errCode(setQuantityQuery, map[string]any{"o": dr.ID, "i": dr.Items[0].ID, "q": 1}); code != "CONFLICT" {
			t.Fatalf("edit after checkout: %s", code)
		}
		if code, field := s.errCode(createOrderQuery, map[string]any{"in": map[string]any{"orgId": s.orgID, "items": []any{
			map[string]any{"kind": "PACK", "packId": s.packID, "quantity": 0}}}}); code != "INVALID_INPUT" || field != "items[0].quantity" {
			t.Fatalf("quantity 0: %s on %q", code, field)
		}
	})
}
