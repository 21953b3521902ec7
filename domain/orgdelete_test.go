package domain_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

// TestDeleteOrg: who may delete an org and when (never with money in
// flight), and what a deletion keeps (orders, invoices, the ledger), takes
// (credits, into the ledger) and removes (members, invitations, keys,
// personal data), on both stores.
func TestDeleteOrg(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newShop(t, d)
		ownerID := mustViewer(t, s.svc, s.owner)
		adminCtx, _ := s.join(t, "ada", domain.RoleAdmin)
		billCtx, _ := s.join(t, "bill", domain.RoleBilling)
		memCtx, memID := s.join(t, "mem", domain.RoleMember)
		outsider := signIn(t, s.svc, "outsider")
		key, secret, err := s.svc.CreateAPIKey(s.owner, s.org.ID, "backend")
		if err != nil {
			t.Fatal(err)
		}
		keyActor, err := s.svc.AuthenticateAPIKey(ctx, secret) // now in the key cache
		if err != nil {
			t.Fatal(err)
		}
		keyCtx := domain.WithActor(ctx, keyActor)

		// A paid order with its invoice, a free grant, some spending.
		paid, err := s.buy(s.owner, "paid")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.GrantCredits(s.admin, domain.GrantInput{OrgID: s.org.ID, Amount: 500, Kind: domain.GrantPromo, Reason: "welcome", IdempotencyKey: "g"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.Consume(memCtx, domain.ConsumeInput{OrgID: s.org.ID, Amount: 1200, IdempotencyKey: "c", Reason: "chat"}); err != nil {
			t.Fatal(err)
		}
		// A declined order with the buyer's invoice details, never invoiced.
		s.gw.Next(scripted.Decline)
		_, err = s.svc.PurchasePack(s.owner, domain.PurchaseInput{OrgID: s.org.ID, PackID: s.pack.ID, Quantity: 1, Installments: 1,
			IdempotencyKey: "declined", InvoiceDetails: &domain.InvoiceDetails{CompanyName: "Jane Doe", Country: "DE", Address: "Hauptstr. 1"}})
		if !domain.IsCode(err, domain.CodePaymentFailed) {
			t.Fatalf("declined purchase: %v", err)
		}
		// An order awaiting the buyer: money in flight.
		s.gw.Next(scripted.Pending)
		pending, err := s.buy(s.owner, "pending")
		if err != nil {
			t.Fatal(err)
		}
		_, invToken, err := s.svc.InviteMember(s.owner, s.org.ID, "late@example.com", domain.RoleMember)
		if err != nil {
			t.Fatal(err)
		}
		balance := s.checkInvariants(t).Total
		if balance != 7_000_000+500-1200 {
			t.Fatalf("balance %d before deletion", balance)
		}

		confirm := domain.DeleteOrgInput{OrgID: s.org.ID, ConfirmName: "Acme"}
		refusals := []struct {
			name  string
			ctx   context.Context
			in    domain.DeleteOrgInput
			code  domain.Code
			field string
			msg   string // a part of the message
		}{
			{"anonymous", ctx, confirm, domain.CodeUnauthenticated, "", ""},
			{"the org's API key", keyCtx, confirm, domain.CodeForbidden, "", "an API key may not delete this org or transfer its ownership; sign in as a member with the OWNER role"},
			{"ADMIN", adminCtx, confirm, domain.CodeForbidden, "", "a member with the ADMIN role may not delete this org"},
			{"BILLING", billCtx, confirm, domain.CodeForbidden, "", "a member with the BILLING role may not delete this org"},
			{"MEMBER", memCtx, confirm, domain.CodeForbidden, "", "a member with the MEMBER role may not delete this org"},
			{"a stranger", outsider, confirm, domain.CodeNotFound, "", ""},
			{"a platform admin", s.admin, confirm, domain.CodeNotFound, "", ""},
			{"an unknown org", s.owner, domain.DeleteOrgInput{OrgID: "nope", ConfirmName: "Acme"}, domain.CodeNotFound, "", ""},
			{"the wrong name", s.owner, domain.DeleteOrgInput{OrgID: s.org.ID, ConfirmName: "acme"}, domain.CodeInvalidInput, "confirmName", ""},
			{"no name", s.owner, domain.DeleteOrgInput{OrgID: s.org.ID}, domain.CodeInvalidInput, "confirmName", ""},
			{"an order awaits payment", s.owner, confirm, domain.CodeConflict, "", "money is in flight: 1 order is not settled yet"},
		}
		for _, tt := range refusals {
			_, err := s.svc.DeleteOrg(tt.ctx, tt.in)
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != tt.code || de.Field != tt.field || !strings.Contains(de.Message, tt.msg) {
				t.Fatalf("%s: %v, want %s %s %q", tt.name, err, tt.code, tt.field, tt.msg)
			}
			if o, err := s.store.OrgByID(ctx, s.org.ID); err != nil || o.DeletedAt != nil || o.Name != "Acme" {
				t.Fatalf("%s: a refusal changed the org: %+v %v", tt.name, o, err)
			}
			if b := s.checkInvariants(t).Total; b != balance {
				t.Fatalf("%s: a refusal changed the balance to %d", tt.name, b)
			}
		}

		// Once the order is settled (here canceled), the owner may delete.
		if _, err := s.svc.CancelOrder(s.owner, pending.Order.ID); err != nil {
			t.Fatal(err)
		}
		got, err := s.svc.DeleteOrg(s.owner, confirm)
		if err != nil {
			t.Fatal(err)
		}
		if got.OrgID != s.org.ID || got.CreditsForfeited != balance || !got.DeletedAt.Equal(s.clock.Now()) {
			t.Fatalf("deleted %+v, want %d credits forfeited", got, balance)
		}

		// The org record: deleted, CLOSED, its name gone.
		o, err := s.store.OrgByID(ctx, s.org.ID)
		if err != nil || o.DeletedAt == nil || o.Status != domain.OrgClosed || o.Name != domain.DeletedOrgName {
			t.Fatalf("org after deletion %+v, %v", o, err)
		}
		// The ledger: kept, still summing to the balance, now 0; the
		// forfeit is an ADJUST entry per grant, caused by the owner.
		b, err := s.store.GetBalance(ctx, s.org.ID)
		if err != nil || b.Total != 0 || b.Free != 0 || b.Paid != 0 {
			t.Fatalf("balance after deletion %+v, %v", b, err)
		}
		if sum, err := s.store.SumLedger(ctx, s.org.ID); err != nil || sum != 0 {
			t.Fatalf("ledger sums to %d, %v", sum, err)
		}
		if open, err := s.store.OpenGrants(ctx, s.org.ID); err != nil || len(open) != 0 {
			t.Fatalf("open grants after deletion: %+v, %v", open, err)
		}
		page, err := s.store.ListLedger(ctx, s.org.ID, domain.LedgerFilter{}, domain.Page{First: 10})
		if err != nil {
			t.Fatal(err)
		}
		var forfeited int64
		for _, e := range page.Edges {
			if e.Node.Kind == domain.EntryAdjust {
				forfeited -= e.Node.Amount
				if e.Node.ActorID != ownerID || !strings.Contains(e.Node.Reason, "forfeited") || e.Node.GrantID() == "" {
					t.Fatalf("forfeit entry %+v", e.Node)
				}
			}
		}
		if forfeited != balance || page.Edges[0].Node.BalanceAfter != 0 {
			t.Fatalf("ADJUST entries take %d, want %d; last entry %+v", forfeited, balance, page.Edges[0].Node)
		}
		// Orders and invoices are kept, the invoice as it was issued; the
		// declined order's invoice details are gone.
		inv, err := s.store.InvoiceByOrder(ctx, paid.Order.ID)
		if err != nil || inv.BilledTo.CompanyName != "Acme" {
			t.Fatalf("invoice after deletion %+v, %v", inv, err)
		}
		orders, err := s.store.ListOrders(ctx, s.org.ID, domain.OrderFilter{}, domain.Page{First: 10})
		if err != nil || len(orders.Edges) != 3 {
			t.Fatalf("orders after deletion %+v, %v", orders.Edges, err)
		}
		for _, e := range orders.Edges {
			if e.Node.Status == domain.OrderFailed && e.Node.InvoiceDetails != nil {
				t.Fatalf("the declined order keeps its invoice details %+v", *e.Node.InvoiceDetails)
			}
		}

		// Nobody reaches the org any more: it is in no one's memberships and
		// every operation on it answers NOT_FOUND; its key stops at once.
		for _, c := range []context.Context{s.owner, adminCtx, billCtx, memCtx} {
			if _, ms, err := s.svc.Viewer(c); err != nil || len(ms) != 0 {
				t.Fatalf("memberships after deletion %+v, %v", ms, err)
			}
		}
		if _, err := s.svc.AuthenticateAPIKey(ctx, secret); !domain.IsCode(err, domain.CodeUnauthenticated) {
			t.Fatalf("the org's API key after deletion: %v", err)
		}
		if k, err := s.store.APIKeyByID(ctx, key.ID); err != nil || k.RevokedAt == nil {
			t.Fatalf("key after deletion %+v, %v", k, err)
		}
		notFound := []struct {
			name string
			call func() error
		}{
			{"org", func() error { _, err := s.svc.Org(s.owner, s.org.ID); return err }},
			{"balance", func() error { _, err := s.svc.Balance(s.owner, s.org.ID); return err }},
			{"members", func() error { _, err := s.svc.Members(s.owner, s.org.ID, domain.Page{}); return err }},
			{"orders", func() error {
				_, err := s.svc.Orders(s.owner, s.org.ID, domain.OrderFilter{}, domain.Page{})
				return err
			}},
			{"spend", func() error {
				_, err := s.svc.Consume(memCtx, domain.ConsumeInput{OrgID: s.org.ID, Amount: 1, IdempotencyKey: "after", Reason: "x"})
				return err
			}},
			{"buy", func() error { _, err := s.buy(billCtx, "after"); return err }},
			{"grant by a platform admin", func() error {
				_, err := s.svc.GrantCredits(s.admin, domain.GrantInput{OrgID: s.org.ID, Amount: 5, Kind: domain.GrantPromo, Reason: "x", IdempotencyKey: "after"})
				return err
			}},
			{"transfer", func() error {
				_, err := s.svc.TransferOwnership(s.owner, domain.TransferOwnershipInput{OrgID: s.org.ID, UserID: memID})
				return err
			}},
			{"delete again", func() error { _, err := s.svc.DeleteOrg(s.owner, confirm); return err }},
			{"invite", func() error {
				_, _, err := s.svc.InviteMember(s.owner, s.org.ID, "x@example.com", domain.RoleMember)
				return err
			}},
			{"accept the old invitation", func() error {
				_, err := s.svc.AcceptInvitation(signIn(t, s.svc, "late"), invToken)
				return err
			}},
		}
		for _, tt := range notFound {
			if err := tt.call(); !domain.IsCode(err, domain.CodeNotFound) {
				t.Errorf("%s after deletion: %v, want NOT_FOUND", tt.name, err)
			}
		}
		// A key another instance still caches is refused its spend: the org
		// is CLOSED and has no credits left.
		if _, err := s.svc.Consume(keyCtx, domain.ConsumeInput{OrgID: s.org.ID, Amount: 1, IdempotencyKey: "stale", Reason: "x"}); err == nil {
			t.Fatal("a stale key spent on a deleted org")
		}
		if _, err := s.svc.Org(keyCtx, s.org.ID); !domain.IsCode(err, domain.CodeNotFound) {
			t.Fatalf("a stale key reads the deleted org: %v", err)
		}
		// Money the gateway collects late for the canceled order buys
		// nothing: the order is held for review, the ledger stays at 0.
		late, err := s.store.OrderByID(ctx, pending.Order.ID)
		if err != nil || late.PaymentID == "" {
			t.Fatalf("canceled order %+v, %v", late, err)
		}
		s.gw.Settle(late.PaymentID, domain.PaymentSucceeded)
		if err := s.svc.HandleWebhook(ctx, "fake", scripted.Webhook("evt_late", domain.EventPaymentSucceeded, late.PaymentID, 0)); err != nil {
			t.Fatal(err)
		}
		if late, err = s.store.OrderByID(ctx, late.ID); err != nil || late.Status == domain.OrderPaid || late.GrantID != "" ||
			!strings.HasPrefix(late.Review, "org deleted") {
			t.Fatalf("late capture after deletion: %s grant %q review %q, %v", late.Status, late.GrantID, late.Review, err)
		}
		if sum, _ := s.store.SumLedger(ctx, s.org.ID); sum != 0 {
			t.Fatalf("the ledger moved after deletion: %d", sum)
		}
	})
}

// TestDeleteOrgRacesPurchase: a purchase and the org's deletion at the same
// time end as one after the other would, on both stores: the order exists
// and the deletion was refused, or the org is deleted and the purchase
// refused. Never a deleted org with an order awaiting payment.
func TestDeleteOrgRacesPurchase(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		for i := range 4 {
			s := newShop(t, d)
			s.gw.Next(scripted.Pending)
			var (
				buyErr, delErr error
				wg             sync.WaitGroup
				start          = make(chan struct{})
			)
			wg.Add(2)
			go func() {
				defer wg.Done()
				<-start
				_, buyErr = s.buy(s.owner, "race")
			}()
			go func() {
				defer wg.Done()
				<-start
				_, delErr = s.svc.DeleteOrg(s.owner, domain.DeleteOrgInput{OrgID: s.org.ID, ConfirmName: "Acme"})
			}()
			close(start)
			wg.Wait()
			o, err := s.store.OrgByID(context.Background(), s.org.ID)
			if err != nil {
				t.Fatal(err)
			}
			n, err := s.store.CountOrdersInFlight(context.Background(), s.org.ID, []domain.OrderStatus{domain.OrderPending})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case buyErr == nil && domain.IsCode(delErr, domain.CodeConflict) && o.DeletedAt == nil && n == 1:
			case delErr == nil && domain.IsCode(buyErr, domain.CodeNotFound) && o.DeletedAt != nil && n == 0:
			default:
				t.Fatalf("round %d: purchase %v, deletion %v; deleted at %v with %d pending orders", i, buyErr, delErr, o.DeletedAt, n)
			}
		}
	})
}
