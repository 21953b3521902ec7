package domain_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

// fakeThrottle counts fixed windows in memory on the test clock (the real,
// database-backed one is graph/ratelimit.Shared, tested there).
type fakeThrottle struct {
	mu    sync.Mutex
	clock *clock
	n     map[string]int
	fail  bool
}

func newFakeThrottle(c *clock) *fakeThrottle { return &fakeThrottle{clock: c, n: map[string]int{}} }

func (f *fakeThrottle) window(key string, d time.Duration) (string, time.Duration) {
	now := f.clock.Now()
	start := now.Truncate(d)
	return key + "@" + start.String(), start.Add(d).Sub(now)
}

func (f *fakeThrottle) Hit(_ context.Context, key string, limit int, d time.Duration) (bool, time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return false, 0, errors.New("counter store down")
	}
	k, left := f.window(key, d)
	f.n[k]++
	if f.n[k] > limit {
		return false, left, nil
	}
	return true, 0, nil
}

func (f *fakeThrottle) Check(_ context.Context, key string, limit int, d time.Duration) (bool, time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return false, 0, errors.New("counter store down")
	}
	k, left := f.window(key, d)
	if f.n[k] >= limit {
		return false, left, nil
	}
	return true, 0, nil
}

// throttledShop is a shop whose purchases are limited by a fake throttle.
func throttledShop(t *testing.T, d *db.DB, limits domain.PurchaseLimits) (*shop, *fakeThrottle) {
	t.Helper()
	var th *fakeThrottle
	c := &clock{now: t0}
	th = newFakeThrottle(c)
	s := newShop(t, d, domain.WithClock(c), domain.WithThrottle(th, limits))
	s.clock = c
	return s, th
}

func (s *shop) orderCount(t *testing.T, orgID string) int {
	t.Helper()
	c, err := s.svc.Orders(s.owner, orgID, domain.OrderFilter{}, domain.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(c.Edges)
}

// wantRateLimited fails unless err is RATE_LIMITED with a retry-after
// within (0, max].
func wantRateLimited(t *testing.T, err error, max time.Duration) {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeRateLimited || de.RetryAfter <= 0 || de.RetryAfter > max {
		t.Fatalf("error = %v, want RATE_LIMITED with retry-after in (0, %s]", err, max)
	}
}

// TestPurchaseAttemptsPerOrg: an org gets PerOrg new purchases per window;
// the next is RATE_LIMITED before an order is written or the gateway is
// called, a replay of an earlier key is still answered, and the next
// window allows purchases again.
func TestPurchaseAttemptsPerOrg(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s, _ := throttledShop(t, d, domain.PurchaseLimits{Window: time.Hour, PerOrg: 3, PerUser: 100, DeclinesPerOrg: 100})
		s.clock.Set(t0.Truncate(time.Hour).Add(15 * time.Minute))
		for i := range 3 {
			if _, err := s.buy(s.owner, fmt.Sprint("k", i)); err != nil {
				t.Fatalf("purchase %d: %v", i, err)
			}
		}
		_, err := s.buy(s.owner, "k3")
		wantRateLimited(t, err, 45*time.Minute)
		if n := s.orderCount(t, s.org.ID); n != 3 || s.gw.Creates() != 3 {
			t.Fatalf("%d orders, %d payments after the refused purchase; want 3 and 3", n, s.gw.Creates())
		}
		if co, err := s.buy(s.owner, "k1"); err != nil || co.Order.Status != domain.OrderPaid {
			t.Fatalf("replay of an earlier key: %+v, %v", co, err)
		}
		s.clock.Set(t0.Truncate(time.Hour).Add(time.Hour))
		if _, err := s.buy(s.owner, "k3"); err != nil {
			t.Fatalf("purchase in the next window: %v", err)
		}
	})
}

// TestPurchaseAttemptsPerUser: one user's attempts are limited over all
// its orgs (new orgs do not buy more attempts).
func TestPurchaseAttemptsPerUser(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s, _ := throttledShop(t, d, domain.PurchaseLimits{Window: time.Hour, PerOrg: 100, PerUser: 2, DeclinesPerOrg: 100})
		second, err := s.svc.CreateOrg(s.owner, domain.CreateOrgInput{Name: "Second", Country: "DE", Currency: domain.EUR})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.buy(s.owner, "a"); err != nil {
			t.Fatal(err)
		}
		in := domain.PurchaseInput{OrgID: second.ID, PackID: s.pack.ID, Quantity: 1, Installments: 1, IdempotencyKey: "b"}
		if _, err := s.svc.PurchasePack(s.owner, in); err != nil {
			t.Fatal(err)
		}
		in.IdempotencyKey = "c"
		_, err = s.svc.PurchasePack(s.owner, in)
		wantRateLimited(t, err, time.Hour)
		if n := s.orderCount(t, second.ID); n != 1 {
			t.Fatalf("%d orders in the second org, want 1", n)
		}
	})
}

// TestDeclinesStopPurchases: after DeclinesPerOrg declines in a window, the
// org's purchases are RATE_LIMITED without touching the gateway, whether
// the declines came at checkout or later by webhook; every decline answers
// the generic DeclineMessage while the order keeps the provider's reason.
func TestDeclinesStopPurchases(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s, _ := throttledShop(t, d, domain.PurchaseLimits{Window: time.Hour, PerOrg: 100, PerUser: 100, DeclinesPerOrg: 2})

		s.gw.Next(scripted.Decline)
		_, err := s.buy(s.owner, "declined")
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != domain.CodePaymentFailed || de.Message != domain.DeclineMessage {
			t.Fatalf("decline = %v, want PAYMENT_FAILED with the generic message", err)
		}
		if de.Err == nil || de.Err.Error() == "" {
			t.Fatal("the decline lost the provider's reason as its cause")
		}
		orders, _ := s.svc.Orders(s.owner, s.org.ID, domain.OrderFilter{Statuses: []domain.OrderStatus{domain.OrderFailed}}, domain.Page{})
		if len(orders.Edges) != 1 || orders.Edges[0].Node.FailureReason != "insufficient_funds" {
			t.Fatalf("failed orders = %+v, want the provider's reason on the order", orders.Edges)
		}
		// The replayed decline is generic too.
		if _, err := s.buy(s.owner, "declined"); !errors.As(err, &de) || de.Message != domain.DeclineMessage {
			t.Fatalf("replayed decline = %v", err)
		}

		// The second decline arrives by webhook (e.g. a failed 3-D Secure).
		s.gw.Next(scripted.Pending)
		co, err := s.buy(s.owner, "async")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.svc.HandleWebhook(context.Background(), "fake", scripted.Webhook("ev1", domain.EventPaymentFailed, co.Order.PaymentID, 0)); err != nil {
			t.Fatal(err)
		}
		// A redelivery is not a second decline; neither is a later event
		// about the failed order.
		_ = s.svc.HandleWebhook(context.Background(), "fake", scripted.Webhook("ev1", domain.EventPaymentFailed, co.Order.PaymentID, 0))

		creates := s.gw.Creates()
		s.gw.Next(scripted.Succeed)
		_, err = s.buy(s.owner, "after")
		wantRateLimited(t, err, time.Hour)
		if s.gw.Creates() != creates || s.orderCount(t, s.org.ID) != 2 {
			t.Fatalf("the refused purchase reached the gateway (%d → %d) or wrote an order", creates, s.gw.Creates())
		}
	})
}

// TestDeclineCountExact: a decline counts once, however many times it is
// reported.
func TestDeclineCountExact(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s, _ := throttledShop(t, d, domain.PurchaseLimits{Window: time.Hour, PerOrg: 100, PerUser: 100, DeclinesPerOrg: 2})
		s.gw.Next(scripted.Pending)
		co, err := s.buy(s.owner, "one")
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			_ = s.svc.HandleWebhook(context.Background(), "fake", scripted.Webhook(fmt.Sprint("ev", i), domain.EventPaymentFailed, co.Order.PaymentID, 0))
		}
		if _, err := s.buy(s.owner, "two"); err != nil {
			t.Fatalf("one declined order counted as more: %v", err)
		}
	})
}

// TestThrottledSameKeyAtOnce: the same purchase sent 10 times at once when
// the org has one attempt left makes one order and one payment; every
// answer is that order or RATE_LIMITED.
func TestThrottledSameKeyAtOnce(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s, _ := throttledShop(t, d, domain.PurchaseLimits{Window: time.Hour, PerOrg: 2, PerUser: 100, DeclinesPerOrg: 100})
		if _, err := s.buy(s.owner, "first"); err != nil {
			t.Fatal(err)
		}
		type answer struct {
			id  string
			err error
		}
		answers := make([]answer, 10)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Go(func() {
				co, err := s.buy(s.owner, "same")
				answers[i] = answer{co.Order.ID, err}
			})
		}
		wg.Wait()
		ids := map[string]bool{}
		for _, a := range answers {
			switch {
			case a.err == nil:
				ids[a.id] = true
			case codeOf(a.err) != domain.CodeRateLimited:
				t.Fatalf("answer %v, want the order or RATE_LIMITED", a.err)
			}
		}
		if len(ids) != 1 || s.orderCount(t, s.org.ID) != 2 || s.gw.Creates() != 2 {
			t.Fatalf("%d distinct orders answered, %d orders, %d payments; want 1, 2, 2", len(ids), s.orderCount(t, s.org.ID), s.gw.Creates())
		}
	})
}

// TestThrottleDown: when the counter store fails, purchases fail INTERNAL
// (closed: an unmetered payment path is what card testers look for) and
// nothing is written or charged.
func TestThrottleDown(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s, th := throttledShop(t, d, domain.PurchaseLimits{})
		th.fail = true
		if _, err := s.buy(s.owner, "k"); codeOf(err) != domain.CodeInternal {
			t.Fatalf("purchase with the counter down = %v, want INTERNAL", err)
		}
		if s.orderCount(t, s.org.ID) != 0 || s.gw.Creates() != 0 {
			t.Fatal("a purchase went through without its limits")
		}
	})
}
