package invoicepdf_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/invoicepdf"
)

// creditNote builds a consistent credit note giving back 1.19 EUR
// (1.00 + 0.19 tax) of invoice INV-2026-000001.
func creditNote() domain.CreditNote {
	eur := domain.EUR
	return domain.CreditNote{
		ID: "cn_1", Number: "CN-2026-000001", Year: 2026, Seq: 1, OrgID: "org_1",
		InvoiceID: "inv_1", InvoiceNumber: "INV-2026-000001", OrderID: "ord_1", OrderNumber: "ORD-2026-000042",
		IssuedAt: issued.Add(48 * time.Hour),
		BilledTo: domain.InvoiceDetails{CompanyName: "Müller GmbH", Country: "DE"},
		Lines:    []domain.OrderLine{{Kind: domain.LineRefund, Description: "Refund of invoice INV-2026-000001", Quantity: 1, UnitPrice: money(eur, -100), Amount: money(eur, -100)}},
		Subtotal: money(eur, -100), Tax: money(eur, -19), TaxRateBP: 1900, Total: money(eur, -119),
		Reason: "goodwill", Gateway: "stripe",
	}
}

// renderNote renders cn with the default issuer and returns the PDF.
func renderNote(t *testing.T, cn domain.CreditNote) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := invoicepdf.RenderCreditNote(&buf, cn, invoicepdf.DefaultIssuer()); err != nil {
		t.Fatalf("RenderCreditNote: %v", err)
	}
	return buf.Bytes()
}

// TestRenderCreditNoteLayout pins the whole text of a credit note: an
// invoice's layout with its own title, number, reference and footer.
func TestRenderCreditNoteLayout(t *testing.T) {
	want := `Credit note
Credit note number CN-2026-000001
Issue date 2026-03-16
Refers to invoice INV-2026-000001
Order number ORD-2026-000042
Reason goodwill
From
Tally
1 Example Street
10115 Berlin
Germany
Tax ID: DE000000000
billing@tally.example
Billed to
Müller GmbH
DE
Description Qty Unit price Amount
Refund of invoice INV-2026-000001 1 -1.00 EUR -1.00 EUR
Subtotal -1.00 EUR
Tax (19%) -0.19 EUR
Total -1.19 EUR
Refunded via stripe
Credit note CN-2026-000001 - page 1 of 1
`
	doc := renderNote(t, creditNote())
	if got := extract(t, doc); got != want {
		t.Errorf("text:\n%s\nwant:\n%s", got, want)
	}
	if !bytes.Equal(renderNote(t, creditNote()), doc) {
		t.Error("the same credit note rendered twice differs")
	}
	if !bytes.Contains(doc, []byte("/CreationDate (D:20260316103000)")) {
		t.Errorf("creation date is not the issue date")
	}
}

// TestRenderCreditNoteLongReason: a reason too long for one line wraps
// under itself and is printed whole.
func TestRenderCreditNoteLongReason(t *testing.T) {
	cn := creditNote()
	cn.Reason = strings.Repeat("The customer was charged twice for the same order ", 10) + "– Kündigung."
	text := extract(t, renderNote(t, cn))
	if !strings.Contains(squash(text), "Reason "+squash(cn.Reason)) {
		t.Errorf("reason %q not found in:\n%s", cn.Reason, text)
	}
	for _, r := range strings.Split(text, "\n") {
		if len(r) > 120 {
			t.Errorf("row %q is too long to fit the page", r)
		}
	}
}

func TestRenderCreditNoteRefusesMalformedNotes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(*domain.CreditNote)
	}{
		{"no number", func(cn *domain.CreditNote) { cn.Number = "" }},
		{"no invoice", func(cn *domain.CreditNote) { cn.InvoiceNumber = "" }},
		{"no issue date", func(cn *domain.CreditNote) { cn.IssuedAt = time.Time{} }},
		{"no lines", func(cn *domain.CreditNote) { cn.Lines = nil }},
		{"positive total", func(cn *domain.CreditNote) {
			cn.Lines[0].Amount.AmountMinor, cn.Subtotal.AmountMinor, cn.Tax.AmountMinor, cn.Total.AmountMinor = 100, 100, 19, 119
		}},
		{"subtotal plus tax is not the total", func(cn *domain.CreditNote) { cn.Tax.AmountMinor-- }},
		{"line in another currency", func(cn *domain.CreditNote) { cn.Lines[0].Amount.Currency = domain.USD }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cn := creditNote()
			tc.spoil(&cn)
			var buf bytes.Buffer
			err := invoicepdf.RenderCreditNote(&buf, cn, invoicepdf.DefaultIssuer())
			var de *domain.Error
			if !errors.Is(err, invoicepdf.ErrMalformed) || !errors.As(err, &de) || de.Code != domain.CodeInternal {
				t.Fatalf("err = %v, want a CodeInternal ErrMalformed", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes for a malformed credit note", buf.Len())
			}
		})
	}
}
