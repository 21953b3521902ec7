// Package invoicepdf renders invoices as PDF documents and reads their text
// back.
package invoicepdf

import (
	"bytes"
	"fmt"
	"io"

	"github.com/go-pdf/fpdf"

	"github.com/tallyhq/tally/domain"
)

// Render writes inv, issued by issuer, as an A4 PDF to w.
//
// The same invoice and issuer always give byte-identical output: the
// document's creation and modification dates are inv.IssuedAt and nothing
// random is written. Text is printed in the PDF core fonts (Windows-1252), so
// Western European names such as "São Paulo" or "Müller" print as given and
// characters outside that code page print as ".".
//
// Read back with pdftext.Extract, the document has these rows, each alone on its
// line (names in angle brackets are filled in; <amount> is Money.String(),
// e.g. "12.34 EUR"):
//
//	Invoice
//	Invoice number <inv.Number>
//	Issue date <YYYY-MM-DD of IssuedAt in UTC>
//	Order number <inv.OrderNumber>          (when set)
//	Status <PAID | PARTIALLY REFUNDED | REFUNDED>
//	From, then the issuer's non-empty Name, Address, Country,
//	  "Tax ID: <TaxID>" and Email, one per line
//	Billed to, then inv.BilledTo's non-empty CompanyName, Address, Country
//	  and "Tax ID: <TaxID>", one per line
//	Description Qty Unit price Amount
//	<description> <quantity> <unit price amount> <amount>   (per line)
//	Subtotal <amount>
//	Tax (<rate>) <amount>                   (rate like "19%", "7.5%", "0%")
//	Total <amount>
//	Refunded <amount>                       (when inv.Refunded > 0)
//	Paid via <inv.Gateway>                  (when set)
//	Invoice <inv.Number> - page <n> of <pages>   (footer of every page)
//
// A description, address or name too wide for its column continues on the
// following lines (the quantity and amounts stay on the first), and a
// newline in an address starts a new line.
//
// An inconsistent invoice is not rendered: Render returns a CodeInternal
// *domain.Error wrapping ErrMalformed when the number, issue date, status or
// lines are missing, an amount is not in the total's currency, the lines do
// not add up to the subtotal, subtotal plus tax is not the total, or the
// refunded amount is negative or above the total. Nothing is written to w
// then, nor when rendering itself fails.
func Render(w io.Writer, inv domain.Invoice, issuer Issuer) error {
	if err := validate(inv); err != nil {
		return err
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	issued := inv.IssuedAt.UTC()
	pdf.SetCreationDate(issued)
	pdf.SetModificationDate(issued)
	pdf.SetTitle("Invoice "+inv.Number, true)
	if issuer.Name != "" {
		pdf.SetAuthor(issuer.Name, true)
	}
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, bottomMargin)
	pdf.AliasNbPages("")

	s := &sheet{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("")}
	pdf.SetFooterFunc(func() { s.footer(inv.Number) })
	pdf.AddPage()
	s.heading(inv)
	s.block("From", issuer.Name, issuer.Address, issuer.Country, taxID(issuer.TaxID), issuer.Email)
	s.block("Billed to", inv.BilledTo.CompanyName, inv.BilledTo.Address, inv.BilledTo.Country, taxID(inv.BilledTo.TaxID))
	s.table(inv.Lines)
	s.totals(inv)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return domain.Internal(fmt.Errorf("invoicepdf: render %s: %w", inv.Number, err))
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("invoicepdf: write %s: %w", inv.Number, err)
	}
	return nil
}

// taxID labels a tax number, or returns "" when there is none.
func taxID(id string) string {
	if id == "" {
		return ""
	}
	return "Tax ID: " + id
}
