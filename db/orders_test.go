package db_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

func eur(minor int64) domain.Money { return domain.Money{AmountMinor: minor, Currency: domain.EUR} }

// fullOrder is an order with every field set, JSON columns included.
func fullOrder(orgID string) domain.Order {
	expires := t0.AddDate(0, 1, 0)
	return domain.Order{
		ID: newID(), Number: "ORD-" + newID(), OrgID: orgID, Status: domain.OrderRequiresAction,
		Lines: []domain.OrderLine{
			{Kind: domain.LinePack, Description: "Pack 1000", Quantity: 2, UnitPrice: eur(4900), Amount: eur(9800), PackID: "pack-1", Credits: 2000},
			{Kind: domain.LineInstallmentCommission, Description: "Commission", Quantity: 1, UnitPrice: eur(200), Amount: eur(200)},
		},
		Subtotal: eur(10000), Tax: eur(1900), TaxRateBP: 1900, Total: eur(11900),
		Credits: 2000, Validity: domain.ValidityBillingCycle, ExpiresAt: &expires,
		Gateway: "stripe", Method: domain.MethodCard, PaymentID: "pi_" + newID(),
		Installments:   &domain.InstallmentPlan{Count: 3, Amount: eur(3967), Commission: eur(200), Total: eur(11900)},
		NextAction:     &domain.NextAction{Kind: domain.NextActionRedirect, URL: "https://pay.example/3ds?x=1&y=2", ClientSecret: "cs_1"},
		FailureReason:  "previous attempt: card_declined",
		Review:         "amount mismatch: 1.00 EUR collected, total 119.00 EUR",
		InvoiceDetails: &domain.InvoiceDetails{CompanyName: "Acme GmbH", Country: "DE", Address: "Straße 1\n10115 Berlin", TaxID: "DE123"},
		CreatedBy:      newID(), CreatedAt: t0, UpdatedAt: t0.Add(time.Second), Version: 1,
	}
}

// plainOrder is a PENDING order with no optional field set.
func plainOrder(orgID string) domain.Order {
	return domain.Order{
		ID: newID(), Number: "ORD-" + newID(), OrgID: orgID, Status: domain.OrderPending,
		Lines:    []domain.OrderLine{{Kind: domain.LinePack, Description: "Pack", Quantity: 1, UnitPrice: eur(1000), Amount: eur(1000), PackID: "p", Credits: 100}},
		Subtotal: eur(1000), Tax: eur(0), Total: eur(1000), Credits: 100, Validity: domain.ValidityNever,
		Gateway: "sandbox", Method: domain.MethodCard, CreatedBy: "u", CreatedAt: t0, UpdatedAt: t0, Version: 1,
	}
}

func TestOrderRoundTrip(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		paid := fullOrder(o.ID)
		paidAt := t0.Add(time.Minute)
		paid.Status, paid.NextAction, paid.PaidAt, paid.GrantID, paid.Refunded = domain.OrderPartiallyRefunded, nil, &paidAt, newID(), 500
		tests := []struct {
			name string
			o    domain.Order
		}{
			{"every field", fullOrder(o.ID)},
			{"nil pointers and empty strings", plainOrder(o.ID)},
			{"paid and partly refunded", paid},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				must(t, d.CreateOrder(ctx(), tc.o))
				got, err := d.OrderByID(ctx(), tc.o.ID)
				must(t, err)
				if !reflect.DeepEqual(got, tc.o) {
					t.Fatalf("OrderByID =\n%+v\nwant\n%+v", got, tc.o)
				}
				must(t, d.InTx(ctx(), func(tx domain.Store) error {
					got, err = tx.LockOrder(ctx(), tc.o.ID)
					return err
				}))
				if !reflect.DeepEqual(got, tc.o) {
					t.Fatalf("LockOrder =\n%+v\nwant\n%+v", got, tc.o)
				}
			})
		}
		t.Run("absent values are SQL NULL", func(t *testing.T) {
			x := plainOrder(o.ID)
			must(t, d.CreateOrder(ctx(), x))
			var nulls int
			must(t, d.Gorm().Raw(`SELECT count(*) FROM orders WHERE id = ? AND expires_at IS NULL AND payment_id IS NULL
AND installments IS NULL AND next_action IS NULL AND grant_id IS NULL AND invoice_details IS NULL AND paid_at IS NULL`, x.ID).Scan(&nulls).Error)
			if nulls != 1 {
				t.Fatal("a nil field of the order was stored as a value")
			}
		})
		t.Run("missing", func(t *testing.T) {
			_, err := d.OrderByID(ctx(), newID())
			wantCode(t, err, domain.CodeNotFound)
			_, err = d.LockOrder(ctx(), newID())
			wantCode(t, err, domain.CodeNotFound)
		})
	})
}

func TestCreateOrderRefusals(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		first := fullOrder(o.ID)
		must(t, d.CreateOrder(ctx(), first))
		must(t, d.CreateOrder(ctx(), plainOrder(o.ID))) // no payment ID: no clash with another
		must(t, d.CreateOrder(ctx(), plainOrder(o.ID)))
		deleted := mkOrg(t, d)
		must(t, d.MarkOrgDeleted(ctx(), deleted.ID, "Deleted org", t0))

		tests := []struct {
			name   string
			change func(*domain.Order)
			want   domain.Code
		}{
			{"same number", func(x *domain.Order) { x.Number = first.Number }, domain.CodeConflict},
			{"same id", func(x *domain.Order) { x.ID = first.ID }, domain.CodeConflict},
			{"same gateway payment", func(x *domain.Order) { x.Gateway, x.PaymentID = first.Gateway, first.PaymentID }, domain.CodeConflict},
			{"same payment id at another gateway", func(x *domain.Order) { x.Gateway, x.PaymentID = "paypal", first.PaymentID }, ""},
			{"total is not subtotal + tax", func(x *domain.Order) { x.Total = eur(999) }, domain.CodeInternal},
			{"refunded above total", func(x *domain.Order) { x.Refunded = 1001 }, domain.CodeInternal},
			{"negative refunded", func(x *domain.Order) { x.Refunded = -1 }, domain.CodeInternal},
			{"negative tax", func(x *domain.Order) { x.Tax, x.Subtotal = eur(-1), eur(1001) }, domain.CodeInternal},
			{"unknown status", func(x *domain.Order) { x.Status = "LOST" }, domain.CodeInternal},
			{"unknown org", func(x *domain.Order) { x.OrgID = newID() }, domain.CodeNotFound},
			{"deleted org", func(x *domain.Order) { x.OrgID = deleted.ID }, domain.CodeNotFound},
			{"mixed currencies", func(x *domain.Order) { x.Tax = domain.Money{Currency: domain.USD} }, domain.CodeInternal},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				x := plainOrder(o.ID)
				tc.change(&x)
				wantCode(t, d.CreateOrder(ctx(), x), tc.want)
			})
		}
	})
}

func TestUpdateOrder(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		orig := fullOrder(o.ID)
		must(t, d.CreateOrder(ctx(), orig))

		// Every mutable field changes; pointers go to nil and back.
		paidAt := t0.Add(time.Hour)
		expires := t0.AddDate(0, 2, 0)
		next := orig
		next.Status, next.Gateway, next.Method, next.PaymentID = domain.OrderPaid, "paypal", domain.MethodPayPal, "PAY-1"
		next.Installments, next.NextAction, next.FailureReason, next.Review = nil, nil, "", "credit ceiling"
		next.Refunded, next.GrantID, next.ExpiresAt, next.PaidAt = 100, newID(), &expires, &paidAt
		next.UpdatedAt, next.Version = t0.Add(time.Hour), 2
		must(t, d.UpdateOrder(ctx(), next))
		got, err := d.OrderByID(ctx(), orig.ID)
		must(t, err)
		if !reflect.DeepEqual(got, next) {
			t.Fatalf("after UpdateOrder =\n%+v\nwant\n%+v", got, next)
		}

		// Fields fixed at checkout are not saved.
		fixed := next
		fixed.Version, fixed.UpdatedAt = 3, t0.Add(2*time.Hour)
		fixed.Number, fixed.Lines, fixed.Credits, fixed.Subtotal, fixed.Total = "ORD-X", nil, 1, eur(1), eur(1901)
		fixed.InvoiceDetails, fixed.CreatedBy, fixed.CreatedAt = nil, "someone", t0.Add(time.Hour)
		must(t, d.UpdateOrder(ctx(), fixed))
		got, err = d.OrderByID(ctx(), orig.ID)
		must(t, err)
		want := next
		want.Version, want.UpdatedAt = 3, fixed.UpdatedAt
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("fixed fields changed:\n%+v\nwant\n%+v", got, want)
		}

		tests := []struct {
			name   string
			change func(*domain.Order)
			want   domain.Code
		}{
			{"stale version", func(x *domain.Order) { x.Version = 3 }, domain.CodeConflict},
			{"version skipped", func(x *domain.Order) { x.Version = 5 }, domain.CodeConflict},
			{"missing order", func(x *domain.Order) { x.ID, x.Version = newID(), 4 }, domain.CodeNotFound},
			{"refunded above total", func(x *domain.Order) { x.Refunded, x.Version = 11901, 4 }, domain.CodeInternal},
			{"next version", func(x *domain.Order) { x.Version = 4 }, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				x := want
				tc.change(&x)
				wantCode(t, d.UpdateOrder(ctx(), x), tc.want)
			})
		}
	})
}

func TestOrderByPayment(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		full := fullOrder(o.ID)
		must(t, d.CreateOrder(ctx(), full))
		must(t, d.CreateOrder(ctx(), plainOrder(o.ID)))
		tests := []struct {
			name, gateway, paymentID string
			want                     domain.Code
		}{
			{"found", full.Gateway, full.PaymentID, ""},
			{"other gateway", "paypal", full.PaymentID, domain.CodeNotFound},
			{"unknown payment", full.Gateway, "pi_unknown", domain.CodeNotFound},
			{"empty payment id", "sandbox", "", domain.CodeNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := d.OrderByPayment(ctx(), tc.gateway, tc.paymentID)
				wantCode(t, err, tc.want)
				if tc.want == "" && got.ID != full.ID {
					t.Fatalf("OrderByPayment = %s, want %s", got.ID, full.ID)
				}
			})
		}
	})
}

func TestListOrdersPaging(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o, other := mkOrg(t, d), mkOrg(t, d)
		statuses := []domain.OrderStatus{domain.OrderPaid, domain.OrderPending, domain.OrderFailed, domain.OrderPaid, domain.OrderCanceled, domain.OrderPaid, domain.OrderPending}
		var all []domain.Order
		for i, s := range statuses {
			x := plainOrder(o.ID)
			x.Status = s
			x.CreatedAt = t0.Add(time.Duration(i/2) * time.Minute) // pairs share created_at: id breaks ties
			must(t, d.CreateOrder(ctx(), x))
			all = append(all, x)
		}
		must(t, d.CreateOrder(ctx(), plainOrder(other.ID)))
		slices.SortFunc(all, func(a, b domain.Order) int {
			if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
				return c
			}
			if a.ID > b.ID {
				return -1
			}
			return 1
		})
		only := func(ss ...domain.OrderStatus) []string {
			var ids []string
			for _, x := range all {
				if len(ss) == 0 || slices.Contains(ss, x.Status) {
					ids = append(ids, x.ID)
				}
			}
			return ids
		}
		tests := []struct {
			name     string
			statuses []domain.OrderStatus
			first    int
		}{
			{"all, pages of 2", nil, 2},
			{"all, one page", nil, 0},
			{"paid, pages of 2", []domain.OrderStatus{domain.OrderPaid}, 2},
			{"unpaid, pages of 1", []domain.OrderStatus{domain.OrderPending, domain.OrderFailed}, 1},
			{"none in status", []domain.OrderStatus{domain.OrderRefunded}, 3},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var ids []string
				after := ""
				for page := 0; ; page++ {
					if page > len(all) {
						t.Fatal("paging does not end")
					}
					c, err := d.ListOrders(ctx(), o.ID, domain.OrderFilter{Statuses: tc.statuses}, domain.Page{First: tc.first, After: after})
					must(t, err)
					if tc.first > 0 && len(c.Edges) > tc.first {
						t.Fatalf("page of %d edges, asked %d", len(c.Edges), tc.first)
					}
					for _, e := range c.Edges {
						ids = append(ids, e.Node.ID)
					}
					if !c.HasNextPage {
						break
					}
					after = c.EndCursor()
				}
				if want := only(tc.statuses...); !slices.Equal(ids, want) {
					t.Fatalf("ids = %v\nwant %v", ids, want)
				}
			})
		}
		t.Run("bad cursors", func(t *testing.T) {
			for _, after := range []string{"garbage", "bTE", "bDE"} {
				_, err := d.ListOrders(ctx(), o.ID, domain.OrderFilter{}, domain.Page{After: after})
				wantCode(t, err, domain.CodeInvalidInput)
			}
		})
	})
}

func TestOrdersToReconcile(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		a, b := mkOrg(t, d), mkOrg(t, d)
		mk := func(orgID string, s domain.OrderStatus, updated time.Duration) string {
			x := plainOrder(orgID)
			x.Status, x.UpdatedAt = s, t0.Add(updated)
			must(t, d.CreateOrder(ctx(), x))
			return x.ID
		}
		p1 := mk(a.ID, domain.OrderPending, 10*time.Minute)
		p2 := mk(b.ID, domain.OrderProcessing, 5*time.Minute)
		p3 := mk(a.ID, domain.OrderRequiresAction, 20*time.Minute)
		recent := mk(a.ID, domain.OrderPending, time.Hour)
		mk(b.ID, domain.OrderPaid, 0) // not in statuses
		unpaid := []domain.OrderStatus{domain.OrderPending, domain.OrderRequiresAction, domain.OrderProcessing}
		tests := []struct {
			name     string
			statuses []domain.OrderStatus
			before   time.Duration
			limit    int
			want     []string
		}{
			{"oldest first across orgs", unpaid, 30 * time.Minute, 10, []string{p2, p1, p3}},
			{"limit", unpaid, 30 * time.Minute, 2, []string{p2, p1}},
			{"before is exclusive", unpaid, 10 * time.Minute, 10, []string{p2}},
			{"one status", []domain.OrderStatus{domain.OrderPending}, 2 * time.Hour, 10, []string{p1, recent}},
			{"too recent", unpaid, 59 * time.Minute, 10, []string{p2, p1, p3}},
			{"no statuses", nil, 2 * time.Hour, 10, nil},
			{"zero limit", unpaid, 2 * time.Hour, 0, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := d.OrdersToReconcile(ctx(), tc.statuses, t0.Add(tc.before), tc.limit)
				must(t, err)
				var ids []string
				for _, x := range got {
					ids = append(ids, x.ID)
				}
				if !slices.Equal(ids, tc.want) {
					t.Fatalf("ids = %v, want %v", ids, tc.want)
				}
			})
		}
	})
}

// TestOneGrantPerOrder checks that the database itself refuses a second
// grant for one order.
func TestOneGrantPerOrder(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		orderID := newID()
		grantForOrder := func(oid string) error {
			return d.InTx(ctx(), func(tx domain.Store) error {
				b, _, err := tx.LockBalance(ctx(), o.ID)
				if err != nil {
					return err
				}
				g := domain.Grant{ID: newID(), OrgID: o.ID, Kind: domain.GrantPurchased, Amount: 10, Remaining: 10, OrderID: oid, CreatedAt: t0}
				b.Total, b.Paid, b.Version, b.UpdatedAt = b.Total+10, b.Paid+10, b.Version+1, t0
				return tx.WriteLedger(ctx(), domain.LedgerWrite{
					Balance: b, NewGrants: []domain.Grant{g},
					Entries: []domain.LedgerEntry{{
						ID: newID(), OrgID: o.ID, Seq: b.Version, Kind: domain.EntryGrant, Amount: 10, BalanceAfter: b.Total,
						Allocations: []domain.Allocation{{GrantID: g.ID, Amount: 10}}, ActorKind: domain.ActorSystem, CreatedAt: t0,
					}},
				})
			})
		}
		tests := []struct {
			name    string
			orderID string
			want    domain.Code
		}{
			{"first grant of the order", orderID, ""},
			{"second grant of the order", orderID, domain.CodeConflict},
			{"grant of another order", newID(), ""},
			{"grants without order", "", ""},
			{"another grant without order", "", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) { wantCode(t, grantForOrder(tc.orderID), tc.want) })
		}
		b, err := d.GetBalance(ctx(), o.ID)
		must(t, err)
		if b.Total != 40 {
			t.Fatalf("balance = %d, want 40 (the refused grant rolled back)", b.Total)
		}
	})
}

func TestCreateIdempotency(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o, other := mkOrg(t, d), mkOrg(t, d)
		rec := domain.IdempotencyRecord{OrgID: o.ID, Key: "k1", Operation: "purchasePack", RequestHash: "h", Response: []byte(`{"order":"x"}`), CreatedAt: t0}
		tests := []struct {
			name string
			rec  domain.IdempotencyRecord
			want domain.Code
		}{
			{"fresh key", rec, ""},
			{"same key again", rec, domain.CodeConflict},
			{"same key in another org", func() domain.IdempotencyRecord { r := rec; r.OrgID = other.ID; return r }(), ""},
			{"no response yet", domain.IdempotencyRecord{OrgID: o.ID, Key: "k2", Operation: "purchasePack", RequestHash: "h", CreatedAt: t0}, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) { wantCode(t, d.CreateIdempotency(ctx(), tc.rec), tc.want) })
		}
		got, ok, err := d.FindIdempotency(ctx(), o.ID, "k1")
		must(t, err)
		if !ok || !reflect.DeepEqual(got, rec) {
			t.Fatalf("FindIdempotency = %+v, %v; want %+v", got, ok, rec)
		}
	})
}
