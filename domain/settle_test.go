package domain_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
	"github.com/tallyhq/tally/gateways/sandbox"
)

// logSink collects what a service logs, as JSON records.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// newLogSink returns a sink and the option that makes a service log to it.
func newLogSink() (*logSink, domain.Option) {
	l := &logSink{}
	return l, domain.WithLogger(slog.New(slog.NewJSONHandler(l, nil)))
}

// errorsAbout returns the ERROR records that name the order.
func (l *logSink) errorsAbout(t *testing.T, orderID string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(l.buf.Bytes()))
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if rec["level"] == "ERROR" && rec["order"] == orderID {
			out = append(out, rec)
		}
	}
	return out
}

// paidEvent is a fake gateway's success webhook that reports amount.
func paidEvent(id, paymentID string, amount domain.Money) domain.WebhookRequest {
	return scripted.WithAmount(scripted.Webhook(id, domain.EventPaymentSucceeded, paymentID, 0), amount)
}

// heldForReview asserts the order was not paid for the money reported:
// PROCESSING, no grant, no invoice, no credits, a review reason containing
// want, and an ERROR log naming it.
func (s *shop) heldForReview(t *testing.T, logs *logSink, id, want string) domain.Order {
	t.Helper()
	o := s.order(t, id)
	if o.Status != domain.OrderProcessing || o.GrantID != "" || o.PaidAt != nil || o.NextAction != nil {
		t.Fatalf("order is %s (grant %q, paid at %v, next action %v), want PROCESSING and unpaid", o.Status, o.GrantID, o.PaidAt, o.NextAction)
	}
	if !strings.Contains(o.Review, want) {
		t.Fatalf("review %q, want it to say %q", o.Review, want)
	}
	if inv, err := s.svc.InvoiceOfOrder(s.owner, id); codeOf(err) != domain.CodeNotFound {
		t.Fatalf("invoice of an unpaid order: %+v, %v", inv, err)
	}
	if len(logs.errorsAbout(t, id)) == 0 {
		t.Fatalf("no ERROR logged about order %s", id)
	}
	return o
}

// TestSuccessOfAnotherAmountNeverPays: a gateway success for an amount or
// currency other than the order's total, whether by webhook, checkout,
// confirmOrder or reconciliation, pays nothing, is logged and held for
// review; the right amount reported afterwards pays the order once.
func TestSuccessOfAnotherAmountNeverPays(t *testing.T) {
	t.Parallel()
	total := domain.Money{AmountMinor: 2975, Currency: domain.EUR}
	tests := []struct {
		name string
		got  domain.Money
		// report makes the gateway report got as collected for the order.
		report func(t *testing.T, s *shop, got domain.Money) domain.Order
	}{
		{"webhook one cent short", domain.Money{AmountMinor: 2974, Currency: domain.EUR}, byWebhook},
		{"webhook in another currency", domain.Money{AmountMinor: 2975, Currency: domain.USD}, byWebhook},
		{"webhook for nothing", domain.Money{Currency: domain.EUR}, byWebhook},
		{"webhook in a currency Tally does not know", domain.Money{AmountMinor: 2975, Currency: "JPY"}, byWebhook},
		{"webhook in no currency", domain.Money{AmountMinor: 2975, Currency: "XXX"}, byWebhook},
		{"webhook for more", domain.Money{AmountMinor: 297500, Currency: domain.EUR}, byWebhook},
		{"checkout paid at once for less", domain.Money{AmountMinor: 1, Currency: domain.EUR}, func(t *testing.T, s *shop, got domain.Money) domain.Order {
			s.gw.Collect(got)
			co, err := s.buy(s.owner, "k")
			if err != nil {
				t.Fatal(err)
			}
			return co.Order
		}},
		{"confirmOrder", domain.Money{AmountMinor: 2975, Currency: domain.BRL}, func(t *testing.T, s *shop, got domain.Money) domain.Order {
			o := pendingOrder(t, s)
			s.gw.Settle(o.PaymentID, domain.PaymentSucceeded, got)
			if _, err := s.svc.ConfirmOrder(s.owner, o.ID); err != nil {
				t.Fatal(err)
			}
			return o
		}},
		{"reconciliation", domain.Money{AmountMinor: 2976, Currency: domain.EUR}, func(t *testing.T, s *shop, got domain.Money) domain.Order {
			o := pendingOrder(t, s)
			s.gw.Settle(o.PaymentID, domain.PaymentSucceeded, got)
			s.clock.Set(t0.Add(time.Hour))
			if rep, err := s.svc.Reconcile(context.Background(), time.Minute, 10); err != nil || len(rep.Errors) != 0 {
				t.Fatalf("reconcile = %+v, %v", rep, err)
			}
			return o
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				logs, opt := newLogSink()
				s := newShop(t, d, opt)
				o := tc.report(t, s, tc.got)
				o = s.heldForReview(t, logs, o.ID, "amount mismatch")
				rec := logs.errorsAbout(t, o.ID)[0]
				if rec["expected"] != total.String() || rec["got"] != tc.got.String() {
					t.Fatalf("log says expected %v got %v, want %s and %s", rec["expected"], rec["got"], total, tc.got)
				}
				if b := s.checkInvariants(t); b.Total != 0 {
					t.Fatalf("credits for a mismatched payment: %d", b.Total)
				}
				// The same report again changes nothing.
				if err := s.svc.HandleWebhook(context.Background(), "fake", paidEvent("evt_again", o.PaymentID, tc.got)); err != nil {
					t.Fatal(err)
				}
				if again := s.order(t, o.ID); again.Version != o.Version || again.GrantID != "" {
					t.Fatalf("a repeated mismatch changed the order: %+v", again)
				}
				// The provider reports the order's total: it is paid, once.
				if err := s.svc.HandleWebhook(context.Background(), "fake", paidEvent("evt_right", o.PaymentID, total)); err != nil {
					t.Fatal(err)
				}
				s.paidOnce(t, o, domain.OrderPaid, 7_000_000)
			})
		})
	}
}

func byWebhook(t *testing.T, s *shop, got domain.Money) domain.Order {
	t.Helper()
	o := pendingOrder(t, s)
	if err := s.svc.HandleWebhook(context.Background(), "fake", paidEvent("evt_1", o.PaymentID, got)); err != nil {
		t.Fatal(err)
	}
	return o
}

// pendingOrder buys a pack whose payment waits on the buyer.
func pendingOrder(t *testing.T, s *shop) domain.Order {
	t.Helper()
	s.gw.Next(scripted.Pending)
	co, err := s.buy(s.owner, "k")
	if err != nil || co.Order.Status != domain.OrderPending || co.Order.PaymentID == "" {
		t.Fatalf("checkout = %+v, %v; want PENDING with a payment", co.Order, err)
	}
	return co.Order
}

// TestSandboxForgedAmountNeverPays sends the real sandbox plugin's
// correctly signed success webhooks whose amount or currency is not the
// order's: no credits; the true amount then pays.
func TestSandboxForgedAmountNeverPays(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		sb, err := sandbox.New(sandbox.Config{BaseURL: "http://tally.test", WebhookSecret: []byte("whsec_test"),
			Deliver: func(context.Context, domain.WebhookRequest) error { return nil }})
		if err != nil {
			t.Fatal(err)
		}
		reg, err := gateways.New(nil, sb)
		if err != nil {
			t.Fatal(err)
		}
		logs, opt := newLogSink()
		svc := domain.NewService(d, domain.Config{SignupGrantDisabled: true}, domain.WithGateways(reg), opt)
		owner := signIn(t, svc, "owner")
		org, err := svc.CreateOrg(owner, domain.CreateOrgInput{Name: "Acme", Country: "DE", Currency: domain.EUR})
		if err != nil {
			t.Fatal(err)
		}
		cat, err := svc.LoadCatalog(context.Background(), domain.Catalog{Packs: []domain.Pack{{
			Code: "pro", Name: "Pro", Credits: 7_000_000, Validity: domain.ValidityNever, Active: true,
			Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 2500}},
		}}})
		if err != nil {
			t.Fatal(err)
		}
		co, err := svc.PurchasePack(owner, domain.PurchaseInput{OrgID: org.ID, PackID: cat.Packs[0].ID, Quantity: 1, Installments: 1, IdempotencyKey: "k"})
		if err != nil || co.Order.Status != domain.OrderPending || co.Order.Gateway != "sandbox" {
			t.Fatalf("checkout = %+v, %v; want a PENDING sandbox order", co.Order, err)
		}
		o := co.Order
		deliver := func(id string, minor int64, cur domain.Currency) {
			t.Helper()
			req := sb.Webhook(sandbox.Event{ID: id, Type: sandbox.EventSucceeded, Created: time.Now().Unix(), Data: sandbox.EventData{
				PaymentID: o.PaymentID, OrderID: o.ID, AmountMinor: minor, Currency: string(cur)}})
			if err := svc.HandleWebhook(context.Background(), "sandbox", req); err != nil {
				t.Fatalf("webhook %s: %v", id, err)
			}
		}
		for _, forged := range []struct {
			id    string
			minor int64
			cur   domain.Currency
		}{{"evt_short", o.Total.AmountMinor - 1, domain.EUR}, {"evt_usd", o.Total.AmountMinor, domain.USD}} {
			deliver(forged.id, forged.minor, forged.cur)
			got, err := svc.Order(owner, o.ID)
			if err != nil || got.Status == domain.OrderPaid || got.GrantID != "" || !strings.Contains(got.Review, "amount mismatch") {
				t.Fatalf("after %s: order %s grant %q review %q (%v); want unpaid and held for review", forged.id, got.Status, got.GrantID, got.Review, err)
			}
			if b, _ := svc.Balance(owner, org.ID); b.Total != 0 {
				t.Fatalf("after %s: balance %d", forged.id, b.Total)
			}
		}
		if n := len(logs.errorsAbout(t, o.ID)); n != 2 {
			t.Fatalf("%d ERROR records about the order, want one per forged event", n)
		}
		deliver("evt_true", o.Total.AmountMinor, domain.EUR)
		if got, _ := svc.Order(owner, o.ID); got.Status != domain.OrderPaid {
			t.Fatalf("after the true amount the order is %s, want PAID", got.Status)
		}
		if b, _ := svc.Balance(owner, org.ID); b.Total != 7_000_000 {
			t.Fatalf("balance %d, want 7000000", b.Total)
		}
	})
}

// TestGrantsStopAtTheCeiling: no grant takes a balance over MaxCredits;
// exactly MaxCredits is fine; a refused grant changes nothing and records
// no key.
func TestGrantsStopAtTheCeiling(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, domain.Config{SignupGrantDisabled: true})
		grant := func(amount int64, key string) error {
			_, err := f.svc.GrantCredits(f.admin, domain.GrantInput{OrgID: f.org.ID, Amount: amount, Kind: domain.GrantPurchased, IdempotencyKey: key})
			return err
		}
		steps := []struct {
			amount int64
			key    string
			code   domain.Code
			total  int64
		}{
			{domain.MaxCredits - 10, "g1", "", domain.MaxCredits - 10},
			{11, "g2", domain.CodeInvalidInput, domain.MaxCredits - 10},
			{11, "g2", domain.CodeInvalidInput, domain.MaxCredits - 10}, // the refusal recorded no key
			{10, "g3", "", domain.MaxCredits},
			{1, "g4", domain.CodeInvalidInput, domain.MaxCredits},
			{domain.MaxCredits, "g5", domain.CodeInvalidInput, domain.MaxCredits},
		}
		for i, st := range steps {
			err := grant(st.amount, st.key)
			if codeOf(err) != st.code {
				t.Fatalf("step %d: grant %d = %v, want %q", i, st.amount, err, st.code)
			}
			var de *domain.Error
			if st.code != "" && (!errors.As(err, &de) || de.Field != "amount") {
				t.Fatalf("step %d: refusal %v names no field amount", i, err)
			}
			if b := f.checkInvariants(t); b.Total != st.total {
				t.Fatalf("step %d: balance %d, want %d", i, b.Total, st.total)
			}
		}
		if _, err := consume(f.owner, f, 5, "spend"); err != nil {
			t.Fatal(err)
		}
		if err := grant(5, "g6"); err != nil {
			t.Fatalf("a grant back to the limit: %v", err)
		}
	})
}

// TestUsageNeverExceedsMaxCredits: a month's consumption beyond MaxCredits
// (two spends of near-limit grants) is reported as MaxCredits.
func TestUsageNeverExceedsMaxCredits(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, domain.Config{SignupGrantDisabled: true})
		for i := range 2 {
			f.grant(t, domain.GrantPurchased, domain.MaxCredits, 0, fmt.Sprint("g", i))
			if _, err := consume(f.owner, f, domain.MaxCredits, fmt.Sprint("c", i)); err != nil {
				t.Fatal(err)
			}
		}
		u, err := f.svc.Usage(f.owner, f.org.ID, domain.UsageQuery{})
		if err != nil || u.CreditsConsumed != domain.MaxCredits {
			t.Fatalf("usage %d, %v; want %d", u.CreditsConsumed, err, domain.MaxCredits)
		}
	})
}

// TestPurchaseOverTheCeiling: a purchase whose credits would not fit is
// refused before any order or payment; one that stopped fitting between
// checkout and payment (a grant came first) is held for review with the
// money, not paid and not left silently PENDING, and is paid by
// reconciliation once the credits fit again.
func TestPurchaseOverTheCeiling(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		logs, opt := newLogSink()
		s := newShop(t, d, opt)
		s.grant(t, domain.GrantPurchased, domain.MaxCredits-6_999_999, 0, "near")
		_, err := s.buy(s.owner, "over")
		var de *domain.Error
		if codeOf(err) != domain.CodeInvalidInput || !errors.As(err, &de) || de.Field != "quantity" {
			t.Fatalf("purchase over the limit = %v, want INVALID_INPUT on quantity", err)
		}
		orders, _ := s.svc.Orders(s.owner, s.org.ID, domain.OrderFilter{}, domain.Page{})
		if len(orders.Edges) != 0 || s.gw.Creates() != 0 {
			t.Fatalf("a refused purchase left %d orders and %d payments", len(orders.Edges), s.gw.Creates())
		}

		// Exactly room for one pack: the checkout is accepted…
		if _, err := consume(s.owner, s.fixture, 1, "room"); err != nil {
			t.Fatal(err)
		}
		o := pendingOrder(t, s)
		// …then a grant takes the room before the buyer pays.
		s.grant(t, domain.GrantPromo, 1, 0, "late grant")
		if err := s.svc.HandleWebhook(context.Background(), "fake", paidEvent("evt_1", o.PaymentID, o.Total)); err != nil {
			t.Fatal(err)
		}
		s.heldForReview(t, logs, o.ID, "credit limit")
		if b := s.checkInvariants(t); b.Total != domain.MaxCredits-6_999_999 {
			t.Fatalf("balance %d after a held payment", b.Total)
		}
		// Reconciliation keeps trying; once the credits fit, it pays.
		s.gw.Settle(o.PaymentID, domain.PaymentSucceeded, o.Total)
		s.clock.Set(t0.Add(time.Hour))
		if rep, err := s.svc.Reconcile(context.Background(), time.Minute, 10); err != nil || len(rep.Changed) != 0 {
			t.Fatalf("reconcile while still over = %+v, %v; want no change", rep, err)
		}
		if _, err := consume(s.owner, s.fixture, 1, "room again"); err != nil {
			t.Fatal(err)
		}
		s.clock.Set(t0.Add(2 * time.Hour))
		rep, err := s.svc.Reconcile(context.Background(), time.Minute, 10)
		if err != nil || len(rep.Changed) != 1 || rep.Changed[0].To != domain.OrderPaid {
			t.Fatalf("reconcile with room = %+v, %v; want the order PAID", rep, err)
		}
		if b := s.checkInvariants(t); b.Total != domain.MaxCredits {
			t.Fatalf("balance %d, want exactly MaxCredits", b.Total)
		}
	})
}

// TestUnstartedPurchaseOverTheCeiling: an order whose payment never started
// (gateway down) and whose credits stopped fitting is FAILED by
// reconciliation without asking the gateway for money; its key answers
// INVALID_INPUT again.
func TestUnstartedPurchaseOverTheCeiling(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		s.gw.Outage(true)
		if _, err := s.buy(s.owner, "k"); codeOf(err) != domain.CodeGatewayUnavailable {
			t.Fatalf("purchase during an outage = %v", err)
		}
		s.gw.Outage(false)
		s.grant(t, domain.GrantPurchased, domain.MaxCredits-6_999_999, 0, "fill")
		s.clock.Set(t0.Add(time.Hour))
		rep, err := s.svc.Reconcile(context.Background(), time.Minute, 10)
		if err != nil || len(rep.Changed) != 1 || rep.Changed[0].To != domain.OrderFailed || s.gw.Creates() != 0 {
			t.Fatalf("reconcile = %+v, %v (%d payments); want the order FAILED and no payment", rep, err, s.gw.Creates())
		}
		if _, err := s.buy(s.owner, "k"); codeOf(err) != domain.CodeInvalidInput {
			t.Fatalf("retry of the key = %v, want INVALID_INPUT", err)
		}
		if s.gw.Creates() != 0 {
			t.Fatalf("%d payments started", s.gw.Creates())
		}
	})
}

// TestHeldPaymentIsClosedByARefund: a payment held for review cannot be
// canceled by the buyer; the operator's refund at the provider closes the
// order (CANCELED, no credits), and a late success report does not pay it.
func TestHeldPaymentIsClosedByARefund(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		logs, opt := newLogSink()
		s := newShop(t, d, opt)
		short := domain.Money{AmountMinor: 2974, Currency: domain.EUR}
		o := byWebhook(t, s, short)
		s.heldForReview(t, logs, o.ID, "amount mismatch")
		if _, err := s.svc.CancelOrder(s.owner, o.ID); codeOf(err) != domain.CodeConflict {
			t.Fatalf("cancel of a held order = %v, want CONFLICT", err)
		}
		refund := scripted.Webhook("evt_refund", domain.EventPaymentRefunded, o.PaymentID, short.AmountMinor)
		refund.Header[scripted.HeaderAmount] = []string{"2974 EUR"}
		if err := s.svc.HandleWebhook(context.Background(), "fake", refund); err != nil {
			t.Fatal(err)
		}
		late := paidEvent("evt_late", o.PaymentID, o.Total)
		if err := s.svc.HandleWebhook(context.Background(), "fake", late); err != nil {
			t.Fatal(err)
		}
		got := s.order(t, o.ID)
		if got.Status != domain.OrderCanceled || got.Refunded != 2974 || got.GrantID != "" || got.Review == "" {
			t.Fatalf("after the refund: %s refunded %d grant %q review %q; want CANCELED, 2974, no grant, review kept",
				got.Status, got.Refunded, got.GrantID, got.Review)
		}
		if b := s.checkInvariants(t); b.Total != 0 {
			t.Fatalf("credits after a refunded held payment: %d", b.Total)
		}
		s.clock.Set(t0.Add(time.Hour))
		if rep, err := s.svc.Reconcile(context.Background(), time.Minute, 10); err != nil || rep.Checked != 0 {
			t.Fatalf("reconcile = %+v, %v; want the closed order left alone", rep, err)
		}
	})
}
