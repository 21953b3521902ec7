package db_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// invoiceFor is the invoice of order x, numbered seq of 2026.
func invoiceFor(x domain.Order, seq int64) domain.Invoice {
	return domain.Invoice{
		ID: newID(), Number: fmt.Sprintf("INV-2026-%06d", seq), Year: 2026, Seq: seq, OrgID: x.OrgID,
		OrderID: x.ID, OrderNumber: x.Number, IssuedAt: t0.Add(time.Duration(seq) * time.Minute),
		BilledTo: domain.InvoiceDetails{CompanyName: "Acme GmbH", Country: "DE", Address: "Straße 1", TaxID: "DE123"},
		Lines:    x.Lines, Subtotal: x.Subtotal, Tax: x.Tax, TaxRateBP: x.TaxRateBP, Total: x.Total,
		Status: domain.InvoicePaid, Gateway: x.Gateway,
	}
}

func TestInvoices(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		mkOrder := func() domain.Order {
			x := fullOrder(o.ID)
			must(t, d.CreateOrder(ctx(), x))
			return x
		}
		first, second := mkOrder(), mkOrder()
		inv := invoiceFor(first, 1)
		must(t, d.CreateInvoice(ctx(), inv))
		for name, get := range map[string]func() (domain.Invoice, error){
			"InvoiceByID":    func() (domain.Invoice, error) { return d.InvoiceByID(ctx(), inv.ID) },
			"InvoiceByOrder": func() (domain.Invoice, error) { return d.InvoiceByOrder(ctx(), first.ID) },
		} {
			got, err := get()
			must(t, err)
			if !reflect.DeepEqual(got, inv) {
				t.Fatalf("%s =\n%+v\nwant\n%+v", name, got, inv)
			}
		}

		tests := []struct {
			name   string
			change func(*domain.Invoice)
			want   domain.Code
		}{
			{"second invoice of one order", func(x *domain.Invoice) { x.OrderID = first.ID }, domain.CodeConflict},
			{"same number", func(x *domain.Invoice) { x.Number = inv.Number }, domain.CodeConflict},
			{"same year and seq", func(x *domain.Invoice) { x.Number, x.Seq = "INV-OTHER", 1 }, domain.CodeConflict},
			{"unknown order", func(x *domain.Invoice) { x.OrderID = newID() }, domain.CodeInternal},
			{"total is not subtotal + tax", func(x *domain.Invoice) { x.Total = eur(1) }, domain.CodeInternal},
			{"next in sequence", func(*domain.Invoice) {}, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				x := invoiceFor(second, 2)
				tc.change(&x)
				wantCode(t, d.CreateInvoice(ctx(), x), tc.want)
			})
		}

		t.Run("missing", func(t *testing.T) {
			_, err := d.InvoiceByID(ctx(), newID())
			wantCode(t, err, domain.CodeNotFound)
			_, err = d.InvoiceByOrder(ctx(), mkOrder().ID)
			wantCode(t, err, domain.CodeNotFound)
		})
	})
}

func TestListInvoicesPaging(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o, other := mkOrg(t, d), mkOrg(t, d)
		var all []domain.Invoice
		for seq := int64(1); seq <= 6; seq++ {
			orgID := o.ID
			if seq == 4 {
				orgID = other.ID
			}
			x := plainOrder(orgID)
			must(t, d.CreateOrder(ctx(), x))
			inv := invoiceFor(x, seq)
			inv.IssuedAt = t0.Add(time.Duration(seq/2) * time.Minute) // pairs share issued_at: id breaks ties
			must(t, d.CreateInvoice(ctx(), inv))
			if orgID == o.ID {
				all = append(all, inv)
			}
		}
		slices.SortFunc(all, func(a, b domain.Invoice) int {
			if c := b.IssuedAt.Compare(a.IssuedAt); c != 0 {
				return c
			}
			if a.ID > b.ID {
				return -1
			}
			return 1
		})
		var want []string
		for _, inv := range all {
			want = append(want, inv.ID)
		}
		for _, first := range []int{1, 2, 3, 0} {
			t.Run(fmt.Sprintf("first %d", first), func(t *testing.T) {
				var ids []string
				after := ""
				for page := 0; ; page++ {
					if page > len(all) {
						t.Fatal("paging does not end")
					}
					c, err := d.ListInvoices(ctx(), o.ID, domain.Page{First: first, After: after})
					must(t, err)
					for _, e := range c.Edges {
						ids = append(ids, e.Node.ID)
					}
					if !c.HasNextPage {
						break
					}
					after = c.EndCursor()
				}
				if !slices.Equal(ids, want) {
					t.Fatalf("ids = %v\nwant %v", ids, want)
				}
			})
		}
		t.Run("an orders cursor is refused", func(t *testing.T) {
			c, err := d.ListOrders(ctx(), o.ID, domain.OrderFilter{}, domain.Page{First: 1})
			must(t, err)
			_, err = d.ListInvoices(ctx(), o.ID, domain.Page{After: c.EndCursor()})
			wantCode(t, err, domain.CodeInvalidInput)
		})
	})
}
