package db_test

import (
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// mkPlan stores an active monthly plan and returns it.
func mkPlan(t *testing.T, d *db.DB) domain.Plan {
	t.Helper()
	p, err := d.UpsertPlan(ctx(), domain.Plan{
		ID: newID(), Code: "plan-" + newID(), Name: "Team", Interval: domain.Monthly,
		Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 900}}, IncludedCreditsPerSeat: 1000,
		Seats: 1, Position: 1, Active: true, UpdatedAt: t0,
	})
	must(t, err)
	return p
}

// newSub is an ACTIVE monthly subscription of org to plan started at t0,
// with no optional field set.
func newSub(orgID, planID string) domain.Subscription {
	end := t0.AddDate(0, 1, 0)
	return domain.Subscription{
		ID: newID(), OrgID: orgID, PlanID: planID, Seats: 1, Status: domain.SubActive,
		Currency: domain.EUR, Gateway: "sandbox", Installments: 1,
		Anchor: t0, CurrentPeriodStart: t0, CurrentPeriodEnd: end, NextResetAt: end,
		CreatedBy: "u", CreatedAt: t0, UpdatedAt: t0, Version: 1,
	}
}

// mkSub stores newSub(org, plan) changed by change.
func mkSub(t *testing.T, d *db.DB, orgID, planID string, change func(*domain.Subscription)) domain.Subscription {
	t.Helper()
	s := newSub(orgID, planID)
	if change != nil {
		change(&s)
	}
	must(t, d.CreateSubscription(ctx(), s))
	return s
}

func TestSubscriptionRoundTrip(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		plan, other := mkPlan(t, d), mkPlan(t, d)
		// Times in another zone with nanoseconds come back in UTC,
		// truncated to microseconds.
		sp := time.FixedZone("BRT", -3*3600)
		ended := t0.Add(40 * 24 * time.Hour)
		full := newSub("", plan.ID)
		full.Seats, full.Status, full.Currency, full.Gateway = 7, domain.SubPastDue, domain.BRL, "mercadopago"
		full.PaymentMethodID, full.Installments = newID(), 3
		full.Anchor = time.Date(2026, 1, 31, 12, 0, 0, 123456789, sp)
		full.Period = 2
		full.CurrentPeriodStart = time.Date(2026, 3, 31, 12, 0, 0, 123456789, sp)
		full.CurrentPeriodEnd = time.Date(2026, 4, 30, 12, 0, 0, 123456789, sp)
		full.NextResetAt = time.Date(2026, 4, 30, 12, 0, 0, 999, sp)
		full.AutoRenew, full.CancelAtPeriodEnd = true, true
		full.Pending = &domain.PendingChange{PlanID: other.ID, Seats: 2}
		full.LatestOrderID, full.RenewalFailure = newID(), domain.FailureAuthRequired
		full.CreatedAt, full.UpdatedAt = t0.In(sp).Add(1), t0.Add(time.Hour+999)
		full.Version = 9
		endedSub := newSub("", plan.ID)
		endedSub.Status, endedSub.EndedAt, endedSub.Version = domain.SubEnded, &ended, 4

		tests := []struct {
			name string
			s    domain.Subscription
			live bool
		}{
			{"every field", full, true},
			{"nil pointers and empty strings", newSub("", plan.ID), true},
			{"ended", endedSub, false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tc.s.OrgID = mkOrg(t, d).ID
				must(t, d.CreateSubscription(ctx(), tc.s))
				want := normalSub(tc.s)
				got, err := d.SubscriptionByID(ctx(), tc.s.ID)
				must(t, err)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("SubscriptionByID =\n%+v\nwant\n%+v", got, want)
				}
				must(t, d.InTx(ctx(), func(tx domain.Store) error {
					got, err = tx.LockSubscription(ctx(), tc.s.ID)
					return err
				}))
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("LockSubscription =\n%+v\nwant\n%+v", got, want)
				}
				got, err = d.LiveSubscription(ctx(), tc.s.OrgID)
				if !tc.live {
					wantCode(t, err, domain.CodeNotFound)
					return
				}
				must(t, err)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("LiveSubscription =\n%+v\nwant\n%+v", got, want)
				}
			})
		}
		t.Run("absent values are SQL NULL", func(t *testing.T) {
			s := mkSub(t, d, mkOrg(t, d).ID, plan.ID, nil)
			var nulls int
			must(t, d.Gorm().Raw(`SELECT count(*) FROM subscriptions WHERE id = ? AND payment_method_id IS NULL
AND pending_plan_id IS NULL AND pending_seats IS NULL AND latest_order_id IS NULL AND ended_at IS NULL`, s.ID).Scan(&nulls).Error)
			if nulls != 1 {
				t.Fatal("a nil field of the subscription was stored as a value")
			}
		})
		t.Run("missing", func(t *testing.T) {
			_, err := d.SubscriptionByID(ctx(), newID())
			wantCode(t, err, domain.CodeNotFound)
			_, err = d.LockSubscription(ctx(), newID())
			wantCode(t, err, domain.CodeNotFound)
			_, err = d.LiveSubscription(ctx(), newID())
			wantCode(t, err, domain.CodeNotFound)
		})
	})
}

// normalSub is s as the stores return it: times in UTC, to microseconds.
func normalSub(s domain.Subscription) domain.Subscription {
	n := func(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
	s.Anchor, s.CurrentPeriodStart, s.CurrentPeriodEnd = n(s.Anchor), n(s.CurrentPeriodStart), n(s.CurrentPeriodEnd)
	s.NextResetAt, s.CreatedAt, s.UpdatedAt = n(s.NextResetAt), n(s.CreatedAt), n(s.UpdatedAt)
	if s.EndedAt != nil {
		e := n(*s.EndedAt)
		s.EndedAt = &e
	}
	return s
}

// TestCreateSubscriptionLive: an org has at most one subscription that is
// not ENDED.
func TestCreateSubscriptionLive(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		plan := mkPlan(t, d)
		org, otherOrg := mkOrg(t, d), mkOrg(t, d)
		first := mkSub(t, d, org.ID, plan.ID, nil)
		tests := []struct {
			name string
			s    domain.Subscription
			want domain.Code
		}{
			{"second live of the org", newSub(org.ID, plan.ID), domain.CodeConflict},
			{"second live, INCOMPLETE", func() domain.Subscription {
				s := newSub(org.ID, plan.ID)
				s.Status = domain.SubIncomplete
				return s
			}(), domain.CodeConflict},
			{"same id", func() domain.Subscription { s := newSub(otherOrg.ID, plan.ID); s.ID = first.ID; return s }(), domain.CodeConflict},
			{"an ENDED one beside the live one", func() domain.Subscription {
				s := newSub(org.ID, plan.ID)
				s.Status = domain.SubEnded
				return s
			}(), ""},
			{"live of another org", newSub(otherOrg.ID, plan.ID), ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				wantCode(t, d.CreateSubscription(ctx(), tc.s), tc.want)
			})
		}
		t.Run("after the first ended", func(t *testing.T) {
			ended := first
			endedAt := t0.Add(time.Hour)
			ended.Status, ended.EndedAt, ended.Version = domain.SubEnded, &endedAt, first.Version+1
			must(t, d.UpdateSubscription(ctx(), ended))
			second := mkSub(t, d, org.ID, plan.ID, func(s *domain.Subscription) { s.Status = domain.SubIncomplete })
			got, err := d.LiveSubscription(ctx(), org.ID)
			must(t, err)
			if got.ID != second.ID {
				t.Fatalf("LiveSubscription = %s, want the new one %s", got.ID, second.ID)
			}
			// The ended one cannot come back to life beside it.
			revived := ended
			revived.Status, revived.EndedAt, revived.Version = domain.SubActive, nil, ended.Version+1
			wantCode(t, d.UpdateSubscription(ctx(), revived), domain.CodeConflict)
		})
	})
}

func TestUpdateSubscription(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		plan, other := mkPlan(t, d), mkPlan(t, d)
		s := mkSub(t, d, mkOrg(t, d).ID, plan.ID, nil)

		// Every mutable field changes.
		changed := s
		changed.PlanID, changed.Seats, changed.Status = other.ID, 4, domain.SubPastDue
		changed.Currency, changed.Gateway, changed.PaymentMethodID, changed.Installments = domain.USD, "stripe", newID(), 2
		changed.Anchor, changed.Period = t0.Add(time.Minute), 1
		changed.CurrentPeriodStart, changed.CurrentPeriodEnd = s.CurrentPeriodEnd, s.CurrentPeriodEnd.AddDate(0, 1, 0)
		changed.NextResetAt = s.CurrentPeriodEnd.AddDate(0, 0, 3)
		changed.AutoRenew, changed.CancelAtPeriodEnd = true, true
		changed.Pending = &domain.PendingChange{PlanID: plan.ID, Seats: 1}
		changed.LatestOrderID, changed.RenewalFailure = newID(), "card_declined"
		changed.UpdatedAt, changed.Version = t0.Add(time.Hour), s.Version+1
		// Back to no pending change and no saved method: NULLs again.
		cleared := changed
		cleared.Pending, cleared.PaymentMethodID, cleared.LatestOrderID, cleared.RenewalFailure = nil, "", "", ""
		cleared.Status, cleared.Version = domain.SubEnded, changed.Version+1
		endedAt := t0.Add(2 * time.Hour)
		cleared.EndedAt = &endedAt
		stale := cleared
		stale.Seats = 9 // same version again: the stored one is cleared.Version
		missing := newSub(s.OrgID, plan.ID)
		missing.Version = 2

		tests := []struct {
			name  string
			s     domain.Subscription
			want  domain.Code
			saved domain.Subscription
		}{
			{"every mutable field", changed, "", changed},
			{"pending change and method cleared", cleared, "", cleared},
			{"stale version", stale, domain.CodeConflict, cleared},
			{"version skipped", func() domain.Subscription { x := cleared; x.Version += 2; return x }(), domain.CodeConflict, cleared},
			{"missing", missing, domain.CodeNotFound, cleared},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				wantCode(t, d.UpdateSubscription(ctx(), tc.s), tc.want)
				got, err := d.SubscriptionByID(ctx(), s.ID)
				must(t, err)
				if !reflect.DeepEqual(got, tc.saved) {
					t.Fatalf("stored =\n%+v\nwant\n%+v", got, tc.saved)
				}
			})
		}
		t.Run("creation fields are kept", func(t *testing.T) {
			x := cleared
			x.OrgID, x.CreatedBy, x.CreatedAt, x.Version = newID(), "other", t0.Add(time.Hour), cleared.Version+1
			must(t, d.UpdateSubscription(ctx(), x))
			got, err := d.SubscriptionByID(ctx(), s.ID)
			must(t, err)
			if got.OrgID != s.OrgID || got.CreatedBy != s.CreatedBy || !got.CreatedAt.Equal(s.CreatedAt) || got.Version != x.Version {
				t.Fatalf("stored = %+v, want org, creator and creation of %+v", got, s)
			}
		})
	})
}

func TestSubscriptionsDue(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		plan := mkPlan(t, d)
		now := t0
		// sub stores a subscription of a new org whose period ends at end
		// and whose credits reset at reset.
		sub := func(end, reset time.Time, status domain.SubscriptionStatus) string {
			return mkSub(t, d, mkOrg(t, d).ID, plan.ID, func(s *domain.Subscription) {
				s.CurrentPeriodStart, s.CurrentPeriodEnd, s.NextResetAt, s.Status = end.AddDate(0, -1, 0), end, reset, status
			}).ID
		}
		periodEnded := sub(now.Add(-time.Hour), now.AddDate(0, 0, 10), domain.SubActive)
		resetDue := sub(now.AddDate(0, 0, 20), now.Add(-2*time.Hour), domain.SubActive)
		endsNow := sub(now, now, domain.SubActive)
		bothPast := sub(now.Add(-3*time.Hour), now.Add(-5*time.Hour), domain.SubActive)
		sub(now.Add(-time.Hour), now.Add(-time.Hour), domain.SubPastDue)            // waits for the buyer
		sub(now.Add(-time.Hour), now.Add(-time.Hour), domain.SubIncomplete)         // never paid
		sub(now.Add(time.Microsecond), now.Add(time.Microsecond), domain.SubActive) // a microsecond early
		sub(now.AddDate(0, 0, 5), now.AddDate(0, 0, 5), domain.SubActive)           // not due
		sub(now.Add(-time.Hour), now.Add(-time.Hour), domain.SubEnded)              // over

		tests := []struct {
			name  string
			limit int
			want  []string
		}{
			{"all due, earlier instant first", 10, []string{bothPast, resetDue, periodEnded, endsNow}},
			{"limit", 2, []string{bothPast, resetDue}},
			{"no limit, nothing", 0, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				subs, err := d.SubscriptionsDue(ctx(), now, tc.limit)
				must(t, err)
				var got []string
				for _, s := range subs {
					got = append(got, s.ID)
				}
				if !slices.Equal(got, tc.want) {
					t.Fatalf("SubscriptionsDue = %v, want %v", got, tc.want)
				}
			})
		}
	})
}

// TestLockSubscriptionSerializes runs read-modify-write transactions on
// one subscription at once: LockSubscription makes them take turns, so
// none of their optimistic updates conflicts.
func TestLockSubscriptionSerializes(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := mkSub(t, d, mkOrg(t, d).ID, mkPlan(t, d).ID, nil)
		const n = 8
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- d.InTx(ctx(), func(tx domain.Store) error {
					cur, err := tx.LockSubscription(ctx(), s.ID)
					if err != nil {
						return err
					}
					time.Sleep(time.Millisecond) // widen the window a missing lock would leave
					cur.Seats++
					cur.Version++
					return tx.UpdateSubscription(ctx(), cur)
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		got, err := d.SubscriptionByID(ctx(), s.ID)
		must(t, err)
		if got.Seats != s.Seats+n || got.Version != s.Version+n {
			t.Fatalf("after %d locked increments: seats %d version %d, want %d and %d", n, got.Seats, got.Version, s.Seats+n, s.Version+n)
		}
	})
}

// subOrder is a PENDING order that does action to subscription subID for
// the period starting at start.
func subOrder(orgID, subID string, action domain.SubscriptionAction, start time.Time) domain.Order {
	o := plainOrder(orgID)
	o.Subscription = &domain.OrderSubscription{
		SubscriptionID: subID, Action: action, PlanID: "plan-x", Seats: 3,
		PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0),
	}
	return o
}

func TestOrderSubscriptionRoundTrip(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		org := mkOrg(t, d)
		s := mkSub(t, d, org.ID, mkPlan(t, d).ID, nil)
		sp := time.FixedZone("BRT", -3*3600)
		full := fullOrder(org.ID)
		full.Subscription = &domain.OrderSubscription{
			SubscriptionID: s.ID, Action: domain.ActionChangePlan, PlanID: newID(), Seats: 12,
			PeriodStart: time.Date(2026, 3, 20, 8, 0, 0, 123456789, sp), PeriodEnd: time.Date(2026, 4, 14, 9, 26, 53, 589793999, sp),
		}
		wantFull := full
		wantFull.Subscription = &domain.OrderSubscription{
			SubscriptionID: s.ID, Action: domain.ActionChangePlan, PlanID: full.Subscription.PlanID, Seats: 12,
			PeriodStart: time.Date(2026, 3, 20, 11, 0, 0, 123456000, time.UTC), PeriodEnd: time.Date(2026, 4, 14, 12, 26, 53, 589793000, time.UTC),
		}
		renew := subOrder(org.ID, s.ID, domain.ActionRenew, s.CurrentPeriodEnd)
		bare := subOrder(org.ID, s.ID, domain.ActionSubscribe, time.Time{})
		bare.Subscription.PlanID, bare.Subscription.Seats, bare.Subscription.PeriodEnd = "", 0, time.Time{}

		tests := []struct {
			name string
			o    domain.Order
			want domain.Order
		}{
			{"change plan, every field", full, wantFull},
			{"renewal", renew, renew},
			{"zero values", bare, bare},
			{"no subscription", plainOrder(org.ID), plainOrder(org.ID)},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tc.want.ID, tc.want.Number = tc.o.ID, tc.o.Number
				must(t, d.CreateOrder(ctx(), tc.o))
				reads := map[string]func() (domain.Order, error){
					"OrderByID": func() (domain.Order, error) { return d.OrderByID(ctx(), tc.o.ID) },
					"LockOrder": func() (domain.Order, error) {
						var o domain.Order
						err := d.InTx(ctx(), func(tx domain.Store) error {
							var err error
							o, err = tx.LockOrder(ctx(), tc.o.ID)
							return err
						})
						return o, err
					},
					"ListOrders": func() (domain.Order, error) {
						c, err := d.ListOrders(ctx(), org.ID, domain.OrderFilter{}, domain.Page{First: domain.MaxPageSize})
						for _, e := range c.Edges {
							if e.Node.ID == tc.o.ID {
								return e.Node, err
							}
						}
						return domain.Order{}, err
					},
					"OrdersToReconcile": func() (domain.Order, error) {
						os, err := d.OrdersToReconcile(ctx(), []domain.OrderStatus{tc.o.Status}, t0.Add(time.Hour), 100)
						for _, o := range os {
							if o.ID == tc.o.ID {
								return o, err
							}
						}
						return domain.Order{}, err
					},
				}
				if tc.o.PaymentID != "" {
					reads["OrderByPayment"] = func() (domain.Order, error) { return d.OrderByPayment(ctx(), tc.o.Gateway, tc.o.PaymentID) }
				}
				for name, read := range reads {
					got, err := read()
					must(t, err)
					if !reflect.DeepEqual(got, tc.want) {
						t.Fatalf("%s =\n%+v\n%+v\nwant\n%+v\n%+v", name, got, got.Subscription, tc.want, tc.want.Subscription)
					}
				}
			})
		}
		t.Run("kept by UpdateOrder", func(t *testing.T) {
			o := subOrder(org.ID, s.ID, domain.ActionAddSeats, t0)
			must(t, d.CreateOrder(ctx(), o))
			o.Status, o.Version, o.Subscription = domain.OrderProcessing, o.Version+1, nil
			must(t, d.UpdateOrder(ctx(), o))
			got, err := d.OrderByID(ctx(), o.ID)
			must(t, err)
			if got.Subscription == nil || got.Subscription.Action != domain.ActionAddSeats {
				t.Fatalf("subscription part after UpdateOrder = %+v", got.Subscription)
			}
		})
		t.Run("unknown subscription", func(t *testing.T) {
			wantCode(t, d.CreateOrder(ctx(), subOrder(org.ID, newID(), domain.ActionSubscribe, t0)), domain.CodeInternal)
		})
	})
}

// TestRenewalOrderUnique: at most one paid renewal order per subscription
// period, however many were made (in flight, failed, canceled).
func TestRenewalOrderUnique(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		org := mkOrg(t, d)
		plan := mkPlan(t, d)
		s := mkSub(t, d, org.ID, plan.ID, nil)
		other := mkSub(t, d, org.ID, plan.ID, func(x *domain.Subscription) { x.Status = domain.SubEnded })
		period := s.CurrentPeriodEnd
		// move stores o with status.
		move := func(o domain.Order, status domain.OrderStatus) error {
			o.Status, o.Version = status, o.Version+1
			return d.UpdateOrder(ctx(), o)
		}
		create := func(subID string, action domain.SubscriptionAction, start time.Time) domain.Order {
			o := subOrder(org.ID, subID, action, start)
			must(t, d.CreateOrder(ctx(), o))
			return o
		}
		first := create(s.ID, domain.ActionRenew, period)
		second := create(s.ID, domain.ActionRenew, period)
		failed := create(s.ID, domain.ActionRenew, period)
		must(t, move(failed, domain.OrderFailed))
		must(t, move(first, domain.OrderPaid))
		tests := []struct {
			name   string
			o      domain.Order
			status domain.OrderStatus
			want   domain.Code
		}{
			{"a second paid renewal of the period", second, domain.OrderPaid, domain.CodeConflict},
			{"held for review beside the paid one", second, domain.OrderProcessing, ""},
			{"a failed renewal paid late", failed, domain.OrderPaid, domain.CodeConflict},
			{"the same instant in another zone", create(s.ID, domain.ActionRenew, period.In(time.FixedZone("X", 3600))), domain.OrderPaid, domain.CodeConflict},
			{"a change in the renewed period", create(s.ID, domain.ActionChangePlan, period), domain.OrderPaid, ""},
			{"seats in the renewed period", create(s.ID, domain.ActionAddSeats, period), domain.OrderPaid, ""},
			{"the same period of another subscription", create(other.ID, domain.ActionRenew, period), domain.OrderPaid, ""},
			{"the next period", create(s.ID, domain.ActionRenew, period.AddDate(0, 1, 0)), domain.OrderPaid, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				cur, err := d.OrderByID(ctx(), tc.o.ID)
				must(t, err)
				wantCode(t, move(cur, tc.status), tc.want)
			})
		}
		t.Run("inside a transaction", func(t *testing.T) {
			o := create(s.ID, domain.ActionRenew, period)
			err := d.InTx(ctx(), func(tx domain.Store) error {
				o.Status, o.Version = domain.OrderPaid, o.Version+1
				return tx.UpdateOrder(ctx(), o)
			})
			wantCode(t, err, domain.CodeConflict)
		})
	})
}

func TestOrdersOfSubscription(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		org := mkOrg(t, d)
		plan := mkPlan(t, d)
		s := mkSub(t, d, org.ID, plan.ID, nil)
		other := mkSub(t, d, mkOrg(t, d).ID, plan.ID, nil)
		var want []string // newest first
		for i := range 4 {
			o := subOrder(org.ID, s.ID, domain.ActionRenew, s.CurrentPeriodEnd.AddDate(0, i, 0))
			o.CreatedAt = t0.Add(time.Duration(i) * time.Minute)
			must(t, d.CreateOrder(ctx(), o))
			want = append([]string{o.ID}, want...)
		}
		must(t, d.CreateOrder(ctx(), subOrder(org.ID, other.ID, domain.ActionRenew, s.CurrentPeriodEnd)))
		must(t, d.CreateOrder(ctx(), plainOrder(org.ID)))

		tests := []struct {
			name  string
			subID string
			limit int
			want  []string
		}{
			{"newest first", s.ID, 10, want},
			{"limit", s.ID, 2, want[:2]},
			{"zero limit", s.ID, 0, nil},
			{"unknown subscription", newID(), 10, nil},
			{"no subscription", "", 10, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				os, err := d.OrdersOfSubscription(ctx(), tc.subID, tc.limit)
				must(t, err)
				var got []string
				for _, o := range os {
					if o.Subscription == nil || o.Subscription.SubscriptionID != tc.subID {
						t.Fatalf("order %s of subscription %+v listed for %s", o.ID, o.Subscription, tc.subID)
					}
					got = append(got, o.ID)
				}
				if !slices.Equal(got, tc.want) {
					t.Fatalf("OrdersOfSubscription = %v, want %v", got, tc.want)
				}
			})
		}
	})
}
