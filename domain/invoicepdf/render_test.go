package invoicepdf_test

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/invoicepdf"
	"github.com/tallyhq/tally/domain/invoicepdf/pdftext"
)

var issued = time.Date(2026, 3, 14, 10, 30, 0, 0, time.UTC)

// money builds an amount in cur.
func money(cur domain.Currency, minor int64) domain.Money {
	return domain.Money{AmountMinor: minor, Currency: cur}
}

// line builds an order line of qty units at unit minor units each.
func line(kind domain.OrderLineKind, desc string, qty int64, cur domain.Currency, unit int64) domain.OrderLine {
	return domain.OrderLine{Kind: kind, Description: desc, Quantity: qty,
		UnitPrice: money(cur, unit), Amount: money(cur, qty*unit)}
}

// invoice builds a consistent PAID invoice: the subtotal is the lines' sum,
// tax is rateBP of it rounded half up, the total their sum.
func invoice(cur domain.Currency, rateBP int, lines ...domain.OrderLine) domain.Invoice {
	var sub int64
	for _, l := range lines {
		sub += l.Amount.AmountMinor
	}
	tax := (sub*int64(rateBP) + 5000) / 10000
	return domain.Invoice{
		ID: "inv_1", Number: "INV-2026-000001", Year: 2026, Seq: 1, OrgID: "org_1", OrderID: "ord_1",
		OrderNumber: "ORD-2026-000042", IssuedAt: issued,
		BilledTo: domain.InvoiceDetails{CompanyName: "Acme Corp", Address: "1 Main St", Country: "US", TaxID: "US-99"},
		Lines:    lines, Subtotal: money(cur, sub), Tax: money(cur, tax), TaxRateBP: rateBP,
		Total: money(cur, sub+tax), Status: domain.InvoicePaid, Gateway: "stripe",
	}
}

// render renders inv with issuer and returns the PDF.
func render(t *testing.T, inv domain.Invoice, issuer invoicepdf.Issuer) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := invoicepdf.Render(&buf, inv, issuer); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return buf.Bytes()
}

// extract reads the text back from a PDF.
func extract(t *testing.T, doc []byte) string {
	t.Helper()
	text, err := pdftext.Extract(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	return text
}

// squash collapses all runs of white space, line breaks included, to one space.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestRenderExtract(t *testing.T) {
	eur, usd, brl := domain.EUR, domain.USD, domain.BRL
	with := func(inv domain.Invoice, f func(*domain.Invoice)) domain.Invoice { f(&inv); return inv }
	longName := strings.Repeat("Internationale Handels- und Vertriebsgesellschaft ", 4) + "mbH & Co. KG"
	var many []domain.OrderLine
	for i := 1; i <= 70; i++ {
		many = append(many, line(domain.LinePack, fmt.Sprintf("Credit pack #%d", i), int64(i), usd, 199))
	}

	for _, tc := range []struct {
		name    string
		inv     domain.Invoice
		issuer  invoicepdf.Issuer
		want    []string // whole rows
		notWant []string // substrings
	}{
		{
			name:    "one line",
			inv:     invoice(eur, 1900, line(domain.LinePack, "Credit pack: 10,000 credits", 1, eur, 1000)),
			issuer:  invoicepdf.DefaultIssuer(),
			want:    []string{"Invoice", "Order number ORD-2026-000042", "Issue date 2026-03-14", "Subtotal 10.00 EUR", "Tax (19%) 1.90 EUR", "Total 11.90 EUR", "Paid via stripe", "From", "Tally", "Tax ID: DE000000000", "Billed to", "1 Main St", "US", "Tax ID: US-99"},
			notWant: []string{"Refunded", "Status"},
		},
		{
			name: "several lines with an installment commission",
			inv: with(invoice(brl, 0,
				line(domain.LinePack, "Pacote 50.000 créditos", 2, brl, 25000),
				line(domain.LinePack, "Pacote 10.000 créditos", 1, brl, 6000),
				line(domain.LineInstallmentCommission, "Comissão de parcelamento (12x)", 1, brl, 1234),
			), func(inv *domain.Invoice) { inv.Gateway = "installments" }),
			issuer: invoicepdf.DefaultIssuer(),
			want:   []string{"Subtotal 572.34 BRL", "Tax (0%) 0.00 BRL", "Total 572.34 BRL", "Paid via installments"},
		},
		{
			name: "zero tax with a negative proration line",
			inv: invoice(usd, 0,
				line(domain.LinePlan, "Team plan", 1, usd, 4900),
				line(domain.LineSeats, "Seats", 5, usd, 800),
				line(domain.LineProration, "Unused time on Starter", 1, usd, -321),
			),
			issuer: invoicepdf.DefaultIssuer(),
			want:   []string{"Subtotal 85.79 USD", "Tax (0%) 0.00 USD", "Total 85.79 USD"},
		},
		{
			name:   "fractional tax rate",
			inv:    invoice(usd, 750, line(domain.LinePack, "Credit pack", 3, usd, 3333)),
			issuer: invoicepdf.DefaultIssuer(),
			want:   []string{"Subtotal 99.99 USD", "Tax (7.5%) 7.50 USD", "Total 107.49 USD"},
		},
		{
			name: "long company name wraps",
			inv: with(invoice(eur, 2100, line(domain.LinePack, strings.Repeat("A very long line description ", 6), 1, eur, 100)), func(inv *domain.Invoice) {
				inv.BilledTo.CompanyName = longName
			}),
			issuer: invoicepdf.DefaultIssuer(),
			want:   []string{"Tax (21%) 0.21 EUR", "Total 1.21 EUR"},
		},
		{
			name: "non-ASCII names",
			inv: with(invoice(brl, 0, line(domain.LinePack, "Pacote de créditos – edição São João", 1, brl, 9990)), func(inv *domain.Invoice) {
				inv.BilledTo = domain.InvoiceDetails{CompanyName: "Müller & Söhne Comércio Ltda.", Address: "Rua Augusta, 1500\nSão Paulo – SP", Country: "Brasil", TaxID: "12.345.678/0001-90"}
			}),
			issuer: invoicepdf.Issuer{Name: "Tally Straße GmbH", Address: "Königsallee 1", Country: "Deutschland", Email: "billing@tally.example"},
			want:   []string{"Müller & Söhne Comércio Ltda.", "Rua Augusta, 1500", "São Paulo – SP", "Brasil", "Tax ID: 12.345.678/0001-90", "Tally Straße GmbH", "Königsallee 1", "Deutschland", "Total 99.90 BRL"},
		},
		{
			name:    "PDF string delimiters in text",
			inv:     invoice(eur, 1900, line(domain.LineSurcharge, `Overage (30%) \ surcharge`, 2, eur, 1300)),
			issuer:  invoicepdf.DefaultIssuer(),
			want:    []string{"Total 30.94 EUR"},
			notWant: []string{`\\`},
		},
		{
			name: "empty issuer and billing details are left out",
			inv: with(invoice(usd, 0, line(domain.LinePack, "Credit pack", 1, usd, 500)), func(inv *domain.Invoice) {
				inv.BilledTo = domain.InvoiceDetails{CompanyName: "Acme Corp"}
				inv.Gateway = ""
			}),
			issuer:  invoicepdf.Issuer{},
			want:    []string{"Billed to", "Total 5.00 USD"},
			notWant: []string{"From", "Tax ID", "Paid via"},
		},
		{
			name:   "many lines over several pages",
			inv:    invoice(usd, 1000, many...),
			issuer: invoicepdf.DefaultIssuer(),
			want:   []string{"Subtotal 4945.15 USD", "Tax (10%) 494.52 USD", "Total 5439.67 USD", "Invoice INV-2026-000001 - page 2 of 3"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := extract(t, render(t, tc.inv, tc.issuer))
			rows := map[string]bool{}
			for _, r := range strings.Split(text, "\n") {
				rows[r] = true
			}
			hasRow := func(want string) {
				t.Helper()
				if !rows[want] {
					t.Errorf("no row %q in:\n%s", want, text)
				}
			}
			hasRow("Invoice number " + tc.inv.Number)
			if got := regexp.MustCompile(`(?m)^Total (\S+) (\S+)$`).FindAllStringSubmatch(text, -1); len(got) != 1 ||
				got[0][1] != tc.inv.Total.Decimal() || got[0][2] != string(tc.inv.Total.Currency) {
				t.Errorf("Total rows = %q, want one with %s", got, tc.inv.Total)
			}
			if name := tc.inv.BilledTo.CompanyName; !strings.Contains(squash(text), "Billed to "+squash(name)) {
				t.Errorf("billed-to name %q not found in:\n%s", name, text)
			}
			for _, l := range tc.inv.Lines {
				tail := fmt.Sprintf(" %d %s %s", l.Quantity, l.UnitPrice, l.Amount)
				first := strings.Fields(l.Description)[0]
				found := false
				for r := range rows {
					found = found || strings.HasPrefix(r, first) && strings.HasSuffix(r, tail)
				}
				if !found {
					t.Errorf("no row for line %q ending %q in:\n%s", l.Description, tail, text)
				}
				if !strings.Contains(squash(text), squash(l.Description)) && len(l.Description) < 60 {
					t.Errorf("description %q not found in:\n%s", l.Description, text)
				}
			}
			for _, w := range tc.want {
				hasRow(w)
			}
			for _, nw := range tc.notWant {
				if strings.Contains(text, nw) {
					t.Errorf("text contains %q:\n%s", nw, text)
				}
			}
		})
	}
}

// TestRenderLayout pins the whole text of a small invoice, in order.
func TestRenderLayout(t *testing.T) {
	inv := invoice(domain.EUR, 1900,
		line(domain.LinePack, "Credit pack: 10,000 credits", 1, domain.EUR, 1000),
		line(domain.LineInstallmentCommission, "Installment commission", 1, domain.EUR, 34))
	inv.BilledTo = domain.InvoiceDetails{CompanyName: "Müller GmbH", Country: "DE"}
	want := `Invoice
Invoice number INV-2026-000001
Issue date 2026-03-14
Order number ORD-2026-000042
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
Credit pack: 10,000 credits 1 10.00 EUR 10.00 EUR
Installment commission 1 0.34 EUR 0.34 EUR
Subtotal 10.34 EUR
Tax (19%) 1.96 EUR
Total 12.30 EUR
Paid via stripe
Invoice INV-2026-000001 - page 1 of 1
`
	if got := extract(t, render(t, inv, invoicepdf.DefaultIssuer())); got != want {
		t.Errorf("text:\n%s\nwant:\n%s", got, want)
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	inv := invoice(domain.BRL, 0,
		line(domain.LinePack, "Pacote São Paulo", 1, domain.BRL, 9990),
		line(domain.LineInstallmentCommission, "Comissão", 1, domain.BRL, 500))
	first := render(t, inv, invoicepdf.DefaultIssuer())

	elsewhere := inv
	elsewhere.IssuedAt = issued.In(time.FixedZone("BRT", -3*3600))
	other := inv
	other.Number = "INV-2026-000002"
	refunded := inv
	refunded.Status, refunded.Refunded = domain.InvoicePartiallyRefunded, 500
	fully := inv
	fully.Status, fully.Refunded = domain.InvoiceRefunded, inv.Total.AmountMinor

	for _, tc := range []struct {
		name string
		inv  domain.Invoice
		same bool
	}{
		{"same invoice", inv, true},
		{"same instant in another zone", elsewhere, true},
		// An invoice stays as issued: refunds (credit notes) do not show.
		{"partly refunded since", refunded, true},
		{"refunded in full since", fully, true},
		{"another number", other, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(t, tc.inv, invoicepdf.DefaultIssuer()); bytes.Equal(got, first) != tc.same {
				t.Errorf("byte-identical = %v, want %v", !tc.same, tc.same)
			}
		})
	}
	if !bytes.Contains(first, []byte("/CreationDate (D:20260314103000)")) {
		t.Errorf("creation date is not the issue date")
	}
}

func TestRenderRefusesMalformedInvoices(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(*domain.Invoice)
	}{
		{"no number", func(inv *domain.Invoice) { inv.Number = "" }},
		{"no issue date", func(inv *domain.Invoice) { inv.IssuedAt = time.Time{} }},
		{"no lines", func(inv *domain.Invoice) { inv.Lines = nil }},
		{"lines do not add up to the subtotal", func(inv *domain.Invoice) { inv.Lines[1].Amount.AmountMinor++ }},
		{"subtotal plus tax is not the total", func(inv *domain.Invoice) { inv.Total.AmountMinor-- }},
		{"tax changed without the total", func(inv *domain.Invoice) { inv.Tax.AmountMinor++ }},
		{"line in another currency", func(inv *domain.Invoice) { inv.Lines[0].UnitPrice.Currency = domain.USD }},
		{"tax in another currency", func(inv *domain.Invoice) { inv.Tax.Currency = domain.USD }},
		{"unsupported currency", func(inv *domain.Invoice) {
			for _, m := range []*domain.Money{&inv.Subtotal, &inv.Tax, &inv.Total, &inv.Lines[0].UnitPrice, &inv.Lines[0].Amount, &inv.Lines[1].UnitPrice, &inv.Lines[1].Amount} {
				m.Currency = "XYZ"
			}
		}},
		{"negative tax rate", func(inv *domain.Invoice) { inv.TaxRateBP = -1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := invoice(domain.EUR, 1900,
				line(domain.LinePack, "Credit pack", 2, domain.EUR, 1000),
				line(domain.LineInstallmentCommission, "Commission", 1, domain.EUR, 150))
			tc.spoil(&inv)
			var buf bytes.Buffer
			err := invoicepdf.Render(&buf, inv, invoicepdf.DefaultIssuer())
			if !errors.Is(err, invoicepdf.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.CodeInternal {
				t.Errorf("err = %#v, want a CodeInternal *domain.Error", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes for a malformed invoice", buf.Len())
			}
		})
	}
}

// failingWriter refuses every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestRenderReportsWriteErrors(t *testing.T) {
	inv := invoice(domain.EUR, 1900, line(domain.LinePack, "Credit pack", 1, domain.EUR, 1000))
	if err := invoicepdf.Render(failingWriter{}, inv, invoicepdf.DefaultIssuer()); err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("err = %v, want the write error", err)
	}
}

func TestExtractRejectsNonPDFs(t *testing.T) {
	doc := render(t, invoice(domain.EUR, 1900, line(domain.LinePack, "Credit pack", 1, domain.EUR, 1000)), invoicepdf.DefaultIssuer())
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"not a PDF", []byte("hello, world")},
		{"truncated", doc[:len(doc)/2]},
		{"header only", []byte("%PDF-1.3\n%%EOF\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if text, err := pdftext.Extract(bytes.NewReader(tc.data), int64(len(tc.data))); err == nil {
				t.Errorf("Extract = %q, nil; want an error", text)
			}
		})
	}
}
