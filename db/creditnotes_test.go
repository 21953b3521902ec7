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

// creditNoteFor is credit note seq of 2026 giving back amount (of which
// tax) of inv, issued minutes after t0.
func creditNoteFor(inv domain.Invoice, seq, amount, tax int64, minutes int) domain.CreditNote {
	return domain.CreditNote{
		ID: newID(), Number: fmt.Sprintf("CN-2026-%06d", seq), Year: 2026, Seq: seq, OrgID: inv.OrgID,
		InvoiceID: inv.ID, InvoiceNumber: inv.Number, OrderID: inv.OrderID, OrderNumber: inv.OrderNumber,
		IssuedAt: t0.Add(time.Duration(minutes) * time.Minute), BilledTo: inv.BilledTo,
		Lines: []domain.OrderLine{{Kind: domain.LineRefund, Description: "Refund of invoice " + inv.Number, Quantity: 1,
			UnitPrice: eur(-(amount - tax)), Amount: eur(-(amount - tax))}},
		Subtotal: eur(-(amount - tax)), Tax: eur(-tax), TaxRateBP: inv.TaxRateBP, Total: eur(-amount),
		Reason: "goodwill", Gateway: inv.Gateway,
	}
}

// TestCreditNotes: a credit note round-trips, its constraints hold, and
// the invoice it refers to is read with its refunded amount and status
// derived from its notes, never changed itself.
func TestCreditNotes(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		x := fullOrder(o.ID)
		must(t, d.CreateOrder(ctx(), x))
		inv := invoiceFor(x, 1)
		inv.Status, inv.Refunded = domain.InvoiceRefunded, 7 // not saved: reads derive them
		must(t, d.CreateInvoice(ctx(), inv))
		issued := inv
		issued.Status, issued.Refunded = domain.InvoicePaid, 0

		readInvoice := func(t *testing.T) domain.Invoice {
			t.Helper()
			byID, err := d.InvoiceByID(ctx(), inv.ID)
			must(t, err)
			byOrder, err := d.InvoiceByOrder(ctx(), x.ID)
			must(t, err)
			list, err := d.ListInvoices(ctx(), o.ID, domain.Page{})
			must(t, err)
			if len(list.Edges) != 1 || !reflect.DeepEqual(byID, byOrder) || !reflect.DeepEqual(byID, list.Edges[0].Node) {
				t.Fatalf("InvoiceByID, InvoiceByOrder and ListInvoices disagree:\n%+v\n%+v\n%+v", byID, byOrder, list.Edges)
			}
			return byID
		}
		if got := readInvoice(t); !reflect.DeepEqual(got, issued) {
			t.Fatalf("new invoice = %+v, want %+v", got, issued)
		}

		first := creditNoteFor(inv, 1, 1190, 190, 5)
		must(t, d.CreateCreditNote(ctx(), first))
		got, err := d.CreditNoteByID(ctx(), first.ID)
		must(t, err)
		if !reflect.DeepEqual(got, first) {
			t.Fatalf("CreditNoteByID =\n%+v\nwant\n%+v", got, first)
		}
		want := issued
		want.Status, want.Refunded = domain.InvoicePartiallyRefunded, 1190
		if got := readInvoice(t); !reflect.DeepEqual(got, want) {
			t.Fatalf("invoice after a partial credit note = %+v, want %+v", got, want)
		}

		for _, tc := range []struct {
			name   string
			change func(*domain.CreditNote)
			want   domain.Code
		}{
			{"same number", func(c *domain.CreditNote) { c.Number = first.Number }, domain.CodeConflict},
			{"same year and seq", func(c *domain.CreditNote) { c.Number = "CN-OTHER" }, domain.CodeConflict},
			{"same id", func(c *domain.CreditNote) { c.ID = first.ID }, domain.CodeConflict},
			{"unknown invoice", func(c *domain.CreditNote) { c.InvoiceID, c.Seq, c.Number = newID(), 9, "CN-2026-000009" }, domain.CodeInternal},
			{"positive total", func(c *domain.CreditNote) {
				c.Seq, c.Number = 9, "CN-2026-000009"
				c.Subtotal, c.Tax, c.Total = eur(1000), eur(190), eur(1190)
			}, domain.CodeInternal},
			{"total is not subtotal + tax", func(c *domain.CreditNote) { c.Seq, c.Number, c.Total = 9, "CN-2026-000009", eur(-1) }, domain.CodeInternal},
			{"amounts in two currencies", func(c *domain.CreditNote) {
				c.Seq, c.Number, c.Tax = 9, "CN-2026-000009", domain.Money{AmountMinor: -190, Currency: domain.USD}
			}, domain.CodeInternal},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := creditNoteFor(inv, 1, 1000, 100, 6)
				tc.change(&c)
				wantCode(t, d.CreateCreditNote(ctx(), c), tc.want)
			})
		}

		rest := creditNoteFor(inv, 2, inv.Total.AmountMinor-1190, inv.Tax.AmountMinor-190, 7)
		must(t, d.CreateCreditNote(ctx(), rest))
		notes, err := d.CreditNotesOfInvoice(ctx(), inv.ID)
		must(t, err)
		if !reflect.DeepEqual(notes, []domain.CreditNote{first, rest}) {
			t.Fatalf("CreditNotesOfInvoice = %+v, want the two notes oldest first", notes)
		}
		want.Status, want.Refunded = domain.InvoiceRefunded, inv.Total.AmountMinor
		if got := readInvoice(t); !reflect.DeepEqual(got, want) {
			t.Fatalf("invoice after the notes = %+v, want %+v", got, want)
		}

		t.Run("missing", func(t *testing.T) {
			_, err := d.CreditNoteByID(ctx(), newID())
			wantCode(t, err, domain.CodeNotFound)
			notes, err := d.CreditNotesOfInvoice(ctx(), newID())
			must(t, err)
			if len(notes) != 0 {
				t.Fatalf("notes of an unknown invoice = %+v", notes)
			}
		})
	})
}

func TestListCreditNotesPaging(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o, other := mkOrg(t, d), mkOrg(t, d)
		var all []domain.CreditNote
		for seq := int64(1); seq <= 6; seq++ {
			orgID := o.ID
			if seq == 4 {
				orgID = other.ID
			}
			x := plainOrder(orgID)
			must(t, d.CreateOrder(ctx(), x))
			inv := invoiceFor(x, seq)
			must(t, d.CreateInvoice(ctx(), inv))
			cn := creditNoteFor(inv, seq, 100, 0, int(seq/2)) // pairs share issued_at: id breaks ties
			must(t, d.CreateCreditNote(ctx(), cn))
			if orgID == o.ID {
				all = append(all, cn)
			}
		}
		slices.SortFunc(all, func(a, b domain.CreditNote) int {
			if c := b.IssuedAt.Compare(a.IssuedAt); c != 0 {
				return c
			}
			if a.ID > b.ID {
				return -1
			}
			return 1
		})
		var want []string
		for _, cn := range all {
			want = append(want, cn.ID)
		}
		for _, first := range []int{1, 2, 3, 0} {
			t.Run(fmt.Sprintf("first %d", first), func(t *testing.T) {
				var ids []string
				after := ""
				for page := 0; ; page++ {
					if page > len(all) {
						t.Fatal("paging does not end")
					}
					c, err := d.ListCreditNotes(ctx(), o.ID, domain.Page{First: first, After: after})
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
		t.Run("an invoices cursor is refused", func(t *testing.T) {
			c, err := d.ListInvoices(ctx(), o.ID, domain.Page{First: 1})
			must(t, err)
			_, err = d.ListCreditNotes(ctx(), o.ID, domain.Page{After: c.EndCursor()})
			wantCode(t, err, domain.CodeInvalidInput)
		})
	})
}
