package db_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// savedCard is an ACTIVE card of org at gateway created at, not default.
func savedCard(orgID, gateway, customer string, at time.Time) domain.PaymentMethod {
	return domain.PaymentMethod{
		ID: newID(), OrgID: orgID, Gateway: gateway, Kind: domain.MethodCard, Ref: "pm_" + newID(),
		CustomerRef: customer, Status: domain.MethodActive, Brand: "visa", Last4: "4242", ExpMonth: 12, ExpYear: 2030,
		CreatedBy: "u", CreatedAt: at, UpdatedAt: at,
	}
}

// defaults returns the IDs of the org's default methods.
func defaults(t *testing.T, d *db.DB, orgID string) []string {
	t.Helper()
	ms, err := d.ListPaymentMethods(ctx(), orgID)
	must(t, err)
	var out []string
	for _, m := range ms {
		if m.IsDefault {
			out = append(out, m.ID)
		}
	}
	return out
}

func TestPaymentMethodRoundTrip(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		pending := savedCard(o.ID, "stripe", "cus_1", t0)
		pending.Status, pending.SetupRef = domain.MethodPending, "seti_1"
		pending.NextAction = &domain.NextAction{Kind: domain.NextActionConfirmClientSecret, ClientSecret: "seti_1_secret"}
		plain := domain.PaymentMethod{ID: newID(), OrgID: o.ID, Gateway: "paypal", Kind: domain.MethodPayPal, Ref: "vt_1",
			Status: domain.MethodActive, IsDefault: true, CreatedBy: "u", CreatedAt: t0, UpdatedAt: t0}
		tests := []struct {
			name string
			m    domain.PaymentMethod
		}{
			{"pending with next action", pending},
			{"no card details, default", plain},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				must(t, d.CreatePaymentMethod(ctx(), tc.m))
				got, err := d.PaymentMethodByID(ctx(), tc.m.ID)
				must(t, err)
				if !reflect.DeepEqual(got, tc.m) {
					t.Fatalf("PaymentMethodByID =\n%+v\nwant\n%+v", got, tc.m)
				}
			})
		}
		t.Run("update", func(t *testing.T) {
			m := pending
			m.Status, m.SetupRef, m.NextAction, m.Ref = domain.MethodActive, "", nil, "pm_done"
			m.Brand, m.Last4, m.ExpMonth, m.ExpYear, m.UpdatedAt = "mastercard", "4444", 1, 2031, t0.Add(time.Minute)
			m.IsDefault = true // not saved by UpdatePaymentMethod
			must(t, d.UpdatePaymentMethod(ctx(), m))
			got, err := d.PaymentMethodByID(ctx(), m.ID)
			must(t, err)
			m.IsDefault = false
			if !reflect.DeepEqual(got, m) {
				t.Fatalf("after update =\n%+v\nwant\n%+v", got, m)
			}
			missing := m
			missing.ID = newID()
			wantCode(t, d.UpdatePaymentMethod(ctx(), missing), domain.CodeNotFound)
		})
		t.Run("duplicate id", func(t *testing.T) {
			wantCode(t, d.CreatePaymentMethod(ctx(), plain), domain.CodeConflict)
		})
		for _, id := range []string{newID(), "garbage"} {
			_, err := d.PaymentMethodByID(ctx(), id)
			wantCode(t, err, domain.CodeNotFound)
		}
	})
}

func TestPaymentMethodDefaults(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o, other := mkOrg(t, d), mkOrg(t, d)
		a := savedCard(o.ID, "stripe", "cus_a", t0)
		a.IsDefault = true
		b := savedCard(o.ID, "stripe", "cus_a", t0.Add(time.Second))
		c := savedCard(o.ID, "sandbox", "", t0.Add(2*time.Second))
		x := savedCard(other.ID, "stripe", "cus_x", t0)
		x.IsDefault = true
		for _, m := range []domain.PaymentMethod{a, b, c, x} {
			must(t, d.CreatePaymentMethod(ctx(), m))
		}
		steps := []struct {
			name        string
			do          func() error
			code        domain.Code
			wantDefault string
			wantOrder   []string
		}{
			{"created default first, then newest", func() error { return nil }, "", a.ID, []string{a.ID, c.ID, b.ID}},
			{"a new default replaces the old one", func() error {
				n := savedCard(o.ID, "stripe", "cus_a", t0.Add(3*time.Second))
				n.ID, n.IsDefault = "00000000-0000-7000-8000-00000000000n", true
				return d.CreatePaymentMethod(ctx(), n)
			}, "", "00000000-0000-7000-8000-00000000000n", []string{"00000000-0000-7000-8000-00000000000n", c.ID, b.ID, a.ID}},
			{"set default", func() error { return d.SetDefaultPaymentMethod(ctx(), o.ID, b.ID) }, "", b.ID,
				[]string{b.ID, "00000000-0000-7000-8000-00000000000n", c.ID, a.ID}},
			{"set default of another org's method", func() error { return d.SetDefaultPaymentMethod(ctx(), o.ID, x.ID) },
				domain.CodeNotFound, b.ID, []string{b.ID, "00000000-0000-7000-8000-00000000000n", c.ID, a.ID}},
			{"delete another org's method", func() error { return d.DeletePaymentMethod(ctx(), o.ID, x.ID) },
				domain.CodeNotFound, b.ID, []string{b.ID, "00000000-0000-7000-8000-00000000000n", c.ID, a.ID}},
			{"delete", func() error { return d.DeletePaymentMethod(ctx(), o.ID, "00000000-0000-7000-8000-00000000000n") }, "", b.ID,
				[]string{b.ID, c.ID, a.ID}},
			{"delete again", func() error { return d.DeletePaymentMethod(ctx(), o.ID, "00000000-0000-7000-8000-00000000000n") },
				domain.CodeNotFound, b.ID, []string{b.ID, c.ID, a.ID}},
			{"delete the default", func() error { return d.DeletePaymentMethod(ctx(), o.ID, b.ID) }, "", "", []string{c.ID, a.ID}},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				wantCode(t, st.do(), st.code)
				ms, err := d.ListPaymentMethods(ctx(), o.ID)
				must(t, err)
				var ids []string
				for _, m := range ms {
					ids = append(ids, m.ID)
				}
				if !reflect.DeepEqual(ids, st.wantOrder) {
					t.Fatalf("list = %v, want %v", ids, st.wantOrder)
				}
				var want []string
				if st.wantDefault != "" {
					want = []string{st.wantDefault}
				}
				if got := defaults(t, d, o.ID); !reflect.DeepEqual(got, want) {
					t.Fatalf("defaults = %v, want %v", got, want)
				}
				if got := defaults(t, d, other.ID); !reflect.DeepEqual(got, []string{x.ID}) {
					t.Fatalf("the other org's defaults = %v", got)
				}
			})
		}
		t.Run("the default index refuses a second default", func(t *testing.T) {
			// What a concurrent writer that skipped clearing would hit.
			err := d.Gorm().Exec("UPDATE payment_methods SET is_default = true WHERE id IN (?, ?)", a.ID, c.ID).Error
			if err == nil {
				t.Fatal("two defaults accepted")
			}
		})
	})
}

func TestCustomerRefOf(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o, other := mkOrg(t, d), mkOrg(t, d)
		must(t, d.CreatePaymentMethod(ctx(), savedCard(o.ID, "stripe", "cus_old", t0)))
		must(t, d.CreatePaymentMethod(ctx(), savedCard(o.ID, "stripe", "cus_new", t0.Add(time.Second))))
		must(t, d.CreatePaymentMethod(ctx(), savedCard(o.ID, "stripe", "", t0.Add(2*time.Second))))
		must(t, d.CreatePaymentMethod(ctx(), savedCard(o.ID, "sandbox", "", t0)))
		must(t, d.CreatePaymentMethod(ctx(), savedCard(other.ID, "installments", "mp_9", t0)))
		tests := []struct {
			name, org, gateway, want string
		}{
			{"newest with a customer", o.ID, "stripe", "cus_new"},
			{"gateway without customers", o.ID, "sandbox", ""},
			{"gateway not used", o.ID, "paypal", ""},
			{"other org", other.ID, "installments", "mp_9"},
			{"other org's gateway", o.ID, "installments", ""},
			{"unknown org", newID(), "stripe", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := d.CustomerRefOf(ctx(), tc.org, tc.gateway)
				must(t, err)
				if got != tc.want {
					t.Fatalf("CustomerRefOf = %q, want %q", got, tc.want)
				}
			})
		}
	})
}
