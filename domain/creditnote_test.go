package domain_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/invoicepdf"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

// invoicePDF renders an invoice as its download does.
func invoicePDF(t *testing.T, inv domain.Invoice) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := invoicepdf.Render(&buf, inv, invoicepdf.DefaultIssuer()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// asIssued is inv without what reads derive from its credit notes.
func asIssued(inv domain.Invoice) domain.Invoice {
	inv.Status, inv.Refunded = domain.InvoicePaid, 0
	return inv
}

// checkNote checks what every credit note of inv must be: numbered in the
// year's CN series, referring to inv and its order, made out to inv's
// buyer, its lines adding up to its subtotal and subtotal plus tax to its
// negative total, and printable.
func checkNote(t *testing.T, cn domain.CreditNote, inv domain.Invoice, seq int64) {
	t.Helper()
	if want := fmt.Sprintf("CN-2026-%06d", seq); cn.Number != want || cn.Seq != seq || cn.Year != 2026 {
		t.Errorf("note %s (year %d seq %d), want %s", cn.Number, cn.Year, cn.Seq, want)
	}
	if cn.InvoiceID != inv.ID || cn.InvoiceNumber != inv.Number || cn.OrderID != inv.OrderID || cn.OrderNumber != inv.OrderNumber ||
		cn.OrgID != inv.OrgID || cn.BilledTo != inv.BilledTo || cn.TaxRateBP != inv.TaxRateBP || cn.Gateway != inv.Gateway {
		t.Errorf("note %s does not refer to invoice %+v: %+v", cn.Number, inv, cn)
	}
	var lines int64
	for _, l := range cn.Lines {
		lines += l.Amount.AmountMinor
		if l.Amount.Currency != inv.Total.Currency || l.Amount.AmountMinor > 0 {
			t.Errorf("note %s line %+v, want a negative amount in %s", cn.Number, l, inv.Total.Currency)
		}
	}
	if cn.Total.AmountMinor >= 0 || cn.Subtotal.AmountMinor+cn.Tax.AmountMinor != cn.Total.AmountMinor || lines != cn.Subtotal.AmountMinor ||
		cn.Total.Currency != inv.Total.Currency {
		t.Errorf("note %s: lines %d, subtotal %s, tax %s, total %s", cn.Number, lines, cn.Subtotal, cn.Tax, cn.Total)
	}
	if err := invoicepdf.RenderCreditNote(&bytes.Buffer{}, cn, invoicepdf.DefaultIssuer()); err != nil {
		t.Errorf("note %s does not render: %v", cn.Number, err)
	}
}

// TestRefundsIssueCreditNotes: a partial refund (refundOrder) then the
// rest (a gateway's webhook) issue two consecutive credit notes that add
// up to the invoice, tax included, while the invoice and its PDF stay
// exactly as issued; only its derived status and refunded amount move.
func TestRefundsIssueCreditNotes(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		co, err := s.buy(s.owner, "k")
		if err != nil {
			t.Fatal(err)
		}
		issued, err := s.svc.InvoiceOfOrder(s.owner, co.Order.ID)
		if err != nil {
			t.Fatal(err)
		}
		pdf := invoicePDF(t, issued)
		if issued.Total.AmountMinor != 2975 || issued.Tax.AmountMinor != 475 {
			t.Fatalf("invoice %s + %s = %s, want 25.00 + 4.75 tax", issued.Subtotal, issued.Tax, issued.Total)
		}

		s.clock.Set(t0.Add(day))
		part := int64(1488)
		if _, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: co.Order.ID, Amount: &part, Reason: "goodwill", IdempotencyKey: "r1"}); err != nil {
			t.Fatal(err)
		}
		inv, err := s.svc.InvoiceOfOrder(s.owner, co.Order.ID)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Status != domain.InvoicePartiallyRefunded || inv.Refunded != part || !reflect.DeepEqual(asIssued(inv), issued) {
			t.Fatalf("invoice after a partial refund = %+v, want as issued %+v, PARTIALLY_REFUNDED %d", inv, issued, part)
		}
		if !bytes.Equal(invoicePDF(t, inv), pdf) {
			t.Fatal("the invoice's PDF changed with a partial refund")
		}

		s.clock.Set(t0.Add(2 * day))
		if err := s.svc.HandleWebhook(context.Background(), "fake", scripted.Webhook("evt_full", domain.EventPaymentRefunded, co.Order.PaymentID, 2975)); err != nil {
			t.Fatal(err)
		}
		inv, err = s.svc.Invoice(s.owner, issued.ID)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Status != domain.InvoiceRefunded || inv.Refunded != 2975 || !reflect.DeepEqual(asIssued(inv), issued) {
			t.Fatalf("invoice after the full refund = %+v, want as issued, REFUNDED", inv)
		}
		if !bytes.Equal(invoicePDF(t, inv), pdf) {
			t.Fatal("the invoice's PDF changed with the full refund")
		}

		notes, err := s.svc.CreditNotesOfInvoice(s.owner, issued.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) != 2 {
			t.Fatalf("%d credit notes, want 2", len(notes))
		}
		var total, tax int64
		for i, cn := range notes {
			checkNote(t, cn, issued, int64(i+1))
			total += cn.Total.AmountMinor
			tax += cn.Tax.AmountMinor
		}
		if total != -issued.Total.AmountMinor || tax != -issued.Tax.AmountMinor {
			t.Errorf("the notes give back %d with %d tax, want the invoice's %s with %s", -total, -tax, issued.Total, issued.Tax)
		}
		first, rest := notes[0], notes[1]
		// 4.75 tax × 14.88/29.75 = 2.3758: 2.38.
		if first.Total.AmountMinor != -1488 || first.Tax.AmountMinor != -238 || first.Reason != "goodwill" ||
			!first.IssuedAt.Equal(t0.Add(day)) || len(first.Lines) != 1 || first.Lines[0].Kind != domain.LineRefund {
			t.Errorf("first note = %+v", first)
		}
		if rest.Total.AmountMinor != -1487 || rest.Tax.AmountMinor != -237 || rest.Reason == "" || !rest.IssuedAt.Equal(t0.Add(2*day)) {
			t.Errorf("second note = %+v", rest)
		}

		// The webhook delivered again, or a refund the order already
		// counts, issues nothing.
		if err := s.svc.HandleWebhook(context.Background(), "fake", scripted.Webhook("evt_full_again", domain.EventPaymentRefunded, co.Order.PaymentID, 2975)); err != nil {
			t.Fatal(err)
		}
		page, err := s.svc.CreditNotes(s.owner, s.org.ID, domain.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Edges) != 2 || page.Edges[0].Node.ID != rest.ID || page.Edges[1].Node.ID != first.ID || page.HasNextPage {
			t.Fatalf("org's credit notes = %+v, want the two, newest first", page)
		}
		got, err := s.svc.CreditNote(s.owner, first.ID)
		if err != nil || !reflect.DeepEqual(got, first) {
			t.Fatalf("CreditNote = %+v, %v; want %+v", got, err, first)
		}
		if _, err := s.svc.CreditNote(s.admin, first.ID); err != nil {
			t.Errorf("a platform admin reads a credit note: %v", err)
		}
	})
}

// TestFullRefundCreditNote: refunding everything at once gives back every
// line of the invoice, negated.
func TestFullRefundCreditNote(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		co, err := s.buy(s.owner, "k")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: co.Order.ID, IdempotencyKey: "all"}); err != nil {
			t.Fatal(err)
		}
		inv, err := s.svc.InvoiceOfOrder(s.owner, co.Order.ID)
		if err != nil {
			t.Fatal(err)
		}
		notes, err := s.svc.CreditNotesOfInvoice(s.owner, inv.ID)
		if err != nil || len(notes) != 1 {
			t.Fatalf("credit notes = %+v, %v; want one", notes, err)
		}
		cn := notes[0]
		checkNote(t, cn, inv, 1)
		if cn.Subtotal.AmountMinor != -inv.Subtotal.AmountMinor || cn.Tax.AmountMinor != -inv.Tax.AmountMinor || len(cn.Lines) != len(inv.Lines) {
			t.Fatalf("note %+v does not negate invoice %+v", cn, inv)
		}
		for i, l := range cn.Lines {
			il := inv.Lines[i]
			if l.Kind != il.Kind || l.Description != il.Description || l.Quantity != il.Quantity ||
				l.UnitPrice.AmountMinor != -il.UnitPrice.AmountMinor || l.Amount.AmountMinor != -il.Amount.AmountMinor {
				t.Errorf("line %d = %+v, want %+v negated", i, l, il)
			}
		}
		if inv.Status != domain.InvoiceRefunded || inv.Refunded != inv.Total.AmountMinor {
			t.Errorf("invoice %s refunded %d", inv.Status, inv.Refunded)
		}
	})
}

// TestCreditNoteAccess: credit notes are read by whoever reads the
// invoice; other members are refused, other orgs do not see them.
func TestCreditNoteAccess(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		co, err := s.buy(s.owner, "k")
		if err != nil {
			t.Fatal(err)
		}
		part := int64(100)
		if _, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: co.Order.ID, Amount: &part, IdempotencyKey: "r"}); err != nil {
			t.Fatal(err)
		}
		inv, err := s.svc.InvoiceOfOrder(s.owner, co.Order.ID)
		if err != nil {
			t.Fatal(err)
		}
		notes, err := s.svc.CreditNotesOfInvoice(s.owner, inv.ID)
		if err != nil || len(notes) != 1 {
			t.Fatalf("credit notes = %+v, %v", notes, err)
		}
		outsider := signIn(t, s.svc, "outsider")
		if _, err := s.svc.CreateOrg(outsider, domain.CreateOrgInput{Name: "Other", Country: "DE", Currency: domain.EUR}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			ctx  context.Context
			code domain.Code
		}{
			{"anonymous", context.Background(), domain.CodeUnauthenticated},
			{"another org's owner", outsider, domain.CodeNotFound},
		} {
			if _, err := s.svc.CreditNote(tc.ctx, notes[0].ID); codeOf(err) != tc.code {
				t.Errorf("CreditNote as %s: %v, want %s", tc.name, err, tc.code)
			}
			if _, err := s.svc.CreditNotesOfInvoice(tc.ctx, inv.ID); codeOf(err) != tc.code {
				t.Errorf("CreditNotesOfInvoice as %s: %v, want %s", tc.name, err, tc.code)
			}
			if _, err := s.svc.CreditNotes(tc.ctx, s.org.ID, domain.Page{}); codeOf(err) != tc.code {
				t.Errorf("CreditNotes as %s: %v, want %s", tc.name, err, tc.code)
			}
		}
		if _, err := s.svc.CreditNote(s.owner, "not-an-id"); codeOf(err) != domain.CodeNotFound {
			t.Errorf("a malformed id: %v, want NOT_FOUND", err)
		}
	})
}
