package domain_test

import (
	"context"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

const gib = int64(1) << 30

// TestExtraCreditsDataTransferRule: whole blocks of the period's net extra
// credits, rounded down; refunds take back the refund rule's share.
func TestExtraCreditsDataTransferRule(t *testing.T) {
	t.Parallel()
	rule := domain.ExtraCreditsAllowance{DataTransferBlockCredits: 10_000, DataTransferPerBlock: gib}
	bought := func(credits ...int64) []domain.ExtraCreditPurchase {
		var ps []domain.ExtraCreditPurchase
		for _, c := range credits {
			ps = append(ps, domain.ExtraCreditPurchase{Credits: c, OrderTotal: 1190})
		}
		return ps
	}
	refunded := func(ps []domain.ExtraCreditPurchase, i int, minor int64) []domain.ExtraCreditPurchase {
		ps[i].Refunded = minor
		return ps
	}
	tests := []struct {
		name        string
		rule        domain.ExtraCreditsAllowance
		purchases   []domain.ExtraCreditPurchase
		wantCredits int64
		wantBytes   int64
	}{
		{"nothing bought: 0 blocks", rule, nil, 0, 0},
		{"below one block", rule, bought(9_999), 9_999, 0},
		{"exactly one block", rule, bought(10_000), 10_000, gib},
		{"one credit short of two blocks", rule, bought(19_999), 19_999, gib},
		{"several purchases add up before rounding", rule, bought(6_000, 6_000, 7_999), 19_999, gib},
		{"several purchases reach two blocks", rule, bought(6_000, 6_000, 8_000), 20_000, 2 * gib},
		// 1.00 of 11.90 refunded takes back ⌊20,000 × 100 ÷ 1,190⌋ = 1,680.
		{"a partial refund drops a block", rule, refunded(bought(20_000), 0, 100), 18_320, gib},
		{"a smallest refund of exactly two blocks drops one", rule, refunded(bought(20_000), 0, 1), 19_984, gib},
		{"a full refund counts nothing", rule, refunded(bought(10_000, 20_000), 1, 1190), 10_000, gib},
		{"the rule off adds nothing", domain.ExtraCreditsAllowance{}, bought(1_000_000), 1_000_000, 0},
		{"huge allowances stop at the largest total", domain.ExtraCreditsAllowance{DataTransferBlockCredits: 1, DataTransferPerBlock: 1 << 40},
			bought(domain.MaxCredits), domain.MaxCredits, domain.MaxUsageTotal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			credits := domain.NetExtraCredits(tc.purchases)
			if credits != tc.wantCredits {
				t.Fatalf("net extra credits %d, want %d", credits, tc.wantCredits)
			}
			if got := tc.rule.DataTransfer(credits); got != tc.wantBytes {
				t.Fatalf("data transfer %d, want %d", got, tc.wantBytes)
			}
		})
	}
}

// TestExtraCreditsCatalogRule: a plan's rule has both numbers or neither,
// and no limit is negative.
func TestExtraCreditsCatalogRule(t *testing.T) {
	t.Parallel()
	plan := func(l domain.UsageLimits, a domain.ExtraCreditsAllowance) domain.Catalog {
		return domain.Catalog{Plans: []domain.Plan{{Code: "p", Name: "P", Interval: domain.Monthly,
			Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 900}}, Limits: l, ExtraCredits: a}}}
	}
	tests := []struct {
		name  string
		cat   domain.Catalog
		field string
	}{
		{"both set", plan(domain.UsageLimits{DataTransferBytes: gib}, domain.ExtraCreditsAllowance{DataTransferBlockCredits: 1, DataTransferPerBlock: 1}), ""},
		{"neither", plan(domain.UsageLimits{}, domain.ExtraCreditsAllowance{}), ""},
		{"block without bytes", plan(domain.UsageLimits{}, domain.ExtraCreditsAllowance{DataTransferBlockCredits: 10}), "plans[0].extraCredits"},
		{"bytes without block", plan(domain.UsageLimits{}, domain.ExtraCreditsAllowance{DataTransferPerBlock: 10}), "plans[0].extraCredits"},
		{"negative", plan(domain.UsageLimits{}, domain.ExtraCreditsAllowance{DataTransferBlockCredits: -1, DataTransferPerBlock: 10}), "plans[0].extraCredits"},
		{"a negative limit", plan(domain.UsageLimits{DataTransferBytes: -1}, domain.ExtraCreditsAllowance{}), "plans[0].limits"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := domain.ValidateCatalog(tc.cat)
			if got := fieldOf(err); got != tc.field || (tc.field == "") != (err == nil) {
				t.Fatalf("ValidateCatalog = %v, want an error on %q", err, tc.field)
			}
		})
	}
}

// TestDataTransferAllowance: on both stores, the extra credits an org on a
// paid plan buys (extra credits, a pack, an auto-recharge top-up) raise the
// data-transfer limit of the period they are paid in by whole blocks;
// refunds take blocks back; the other limits never move; a pack bought on
// the Free plan and the subscription's own credits count nothing; the next
// period starts from the plan's limit while the old one keeps its figures.
func TestDataTransferAllowance(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		r := newRechargeShop(t, d)
		ctx := context.Background()
		limits := domain.UsageLimits{Sessions: 100, Events: 1000, Enrichments: 10, StorageBytes: gib, DataTransferBytes: 5 * gib}
		cat, err := r.svc.LoadCatalog(ctx, domain.Catalog{
			// 9.00 for 10,000 credits: extra credits in blocks of 1,000 at 0.90.
			Plans: []domain.Plan{{Code: "core-monthly", Name: "Core", Interval: domain.Monthly,
				Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 900}}, IncludedCreditsPerSeat: 10_000, Seats: 1,
				Limits: limits, Active: true,
				ExtraCredits: domain.ExtraCreditsAllowance{DataTransferBlockCredits: 10_000, DataTransferPerBlock: gib}}},
			Packs: []domain.Pack{{Code: "odd", Name: "Odd", Credits: 9_999, Validity: domain.ValidityNever, Active: true,
				Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 1000}}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		plan, odd := cat.Plans[0], cat.Packs[0]
		key := keyCtx(t, r.svc, r.owner, r.org.ID)

		// On the Free plan a pack counts nothing, even in the period to come.
		if _, err := r.buy(r.owner, "free-pack"); err != nil {
			t.Fatal(err)
		}
		sub := r.subscribeTo(t, plan)
		orders := map[string]domain.Order{}
		buyExtra := func(name string, credits int64) func(t *testing.T) {
			return func(t *testing.T) {
				co, err := r.svc.BuyExtraCredits(r.owner, domain.ExtraCreditsInput{OrgID: r.org.ID, Credits: credits, Installments: 1, IdempotencyKey: name})
				if err != nil || co.Order.Status != domain.OrderPaid {
					t.Fatalf("buy %d extra credits: %+v, %v", credits, co.Order, err)
				}
				orders[name] = co.Order
			}
		}
		refund := func(name string, minor *int64) func(t *testing.T) {
			return func(t *testing.T) {
				if _, err := r.svc.RefundOrder(r.admin, domain.RefundInput{OrderID: orders[name].ID, Amount: minor,
					Reason: "test", IdempotencyKey: "refund-" + name}); err != nil {
					t.Fatal(err)
				}
			}
		}
		one := int64(1)
		steps := []struct {
			name        string
			do          func(t *testing.T)
			wantCredits int64
			wantExtra   int64
		}{
			{"subscribed: included credits count nothing", func(*testing.T) {}, 0, 0},
			{"extra credits: exactly one block", buyExtra("extra-10k", 10_000), 10_000, gib},
			{"a pack: one credit short of two blocks", func(t *testing.T) {
				co, err := r.svc.PurchasePack(r.owner, domain.PurchaseInput{OrgID: r.org.ID, PackID: odd.ID, Quantity: 1, Installments: 1, IdempotencyKey: "odd"})
				if err != nil || co.Order.Status != domain.OrderPaid {
					t.Fatalf("pack: %+v, %v", co.Order, err)
				}
			}, 19_999, gib},
			{"several purchases: two blocks", buyExtra("extra-1k", 1_000), 20_999, 2 * gib},
			{"a refund drops a block", refund("extra-1k", nil), 19_999, gib},
			{"an auto-recharge top-up counts", func(t *testing.T) {
				r.enable(t, 10_000_000, 119, "recharge") // the balance is below: one top-up of 10,000 for 1.19
				r.settled(t)
				ups := r.topUps(t)
				if len(ups) != 1 || ups[0].Status != domain.OrderPaid {
					t.Fatalf("top-ups %+v", ups)
				}
				if _, err := r.svc.SetAutoRecharge(r.owner, domain.SetAutoRechargeInput{OrgID: r.org.ID, IdempotencyKey: "recharge-off"}); err != nil {
					t.Fatal(err)
				}
				orders["top-up"] = ups[0]
			}, 29_999, 2 * gib},
			// 0.01 of 1.19 takes back ⌊10,000 × 1 ÷ 119⌋ = 84 credits.
			{"a partial refund counts its share", refund("top-up", &one), 29_915, 2 * gib},
			{"a checkout with items counts its pack and extra credits", func(t *testing.T) {
				dr, err := r.svc.CreateDraftOrder(r.owner, domain.CreateOrderInput{OrgID: r.org.ID, Items: []domain.OrderItemInput{
					{Kind: domain.ItemPack, PackID: odd.ID, Quantity: 1},
					{Kind: domain.ItemExtraCredits, Credits: 1_000},
				}})
				if err != nil {
					t.Fatal(err)
				}
				co, err := r.svc.CheckoutOrder(r.owner, domain.CheckoutOrderInput{OrderID: dr.ID, Version: dr.Version, IdempotencyKey: "items"})
				if err != nil || co.Order.Status != domain.OrderPaid {
					t.Fatalf("checkout: %+v, %v", co.Order, err)
				}
				orders["items"] = co.Order
			}, 40_914, 4 * gib},
			{"its full refund takes them back", refund("items", nil), 29_915, 2 * gib},
		}
		for _, st := range steps {
			st.do(t)
			u, err := r.svc.Usage(r.owner, r.org.ID, domain.UsageQuery{})
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if u.ExtraCredits != st.wantCredits {
				t.Fatalf("%s: extra credits %d, want %d", st.name, u.ExtraCredits, st.wantCredits)
			}
			for _, mu := range u.Metrics {
				want, wantExtra := limits.LimitOf(mu.Metric), int64(0)
				if mu.Metric == domain.MetricDataTransferBytes {
					want, wantExtra = want+st.wantExtra, st.wantExtra
				}
				if mu.Limit != want || mu.ExtraLimit != wantExtra {
					t.Fatalf("%s: %s limit %d (%d from extra credits), want %d (%d)", st.name, mu.Metric, mu.Limit, mu.ExtraLimit, want, wantExtra)
				}
			}
		}

		// The raised limit is the one ingest enforces: 7 GiB fit exactly,
		// a byte more is flagged over it.
		res, err := r.svc.IngestUsage(key, r.org.ID, []domain.UsageEvent{
			{ID: "dt-1", Metric: domain.MetricDataTransferBytes, Quantity: 7 * gib},
			{ID: "dt-2", Metric: domain.MetricDataTransferBytes, Quantity: 1},
		})
		if err != nil || res[0].Outcome != domain.UsageAccepted || res[0].OverLimit || res[1].Outcome != domain.UsageAccepted || !res[1].OverLimit {
			t.Fatalf("ingest: %+v, %v", res, err)
		}
		dt := func(q domain.UsageQuery) (domain.Usage, domain.MetricUsage) {
			t.Helper()
			u, err := r.svc.Usage(r.owner, r.org.ID, q)
			if err != nil {
				t.Fatal(err)
			}
			return u, u.Metrics[len(u.Metrics)-1]
		}
		if _, m := dt(domain.UsageQuery{}); m.Metric != domain.MetricDataTransferBytes || m.Quantity != 7*gib+1 || m.Level != domain.UsageExceeded ||
			!m.OverLimit || m.OverLimitEvents != 1 {
			t.Fatalf("data transfer %+v", m)
		}

		// The next period: the plan's limit again; the old period keeps its
		// extra credits, limit and total.
		r.advance(t, sub.NextResetAt.Add(time.Hour))
		if u, m := dt(domain.UsageQuery{}); u.ExtraCredits != 0 || m.Limit != 5*gib || m.ExtraLimit != 0 || m.Quantity != 0 || m.Level != domain.UsageOK {
			t.Fatalf("the next period: %d extra credits, %+v", u.ExtraCredits, m)
		}
		at := sub.NextResetAt.Add(-time.Hour)
		if u, m := dt(domain.UsageQuery{At: &at}); u.ExtraCredits != 29_915 || m.Limit != 7*gib || m.ExtraLimit != 2*gib || m.Quantity != 7*gib+1 {
			t.Fatalf("the old period: %d extra credits, %+v", u.ExtraCredits, m)
		}
	})
}
