// Package invoicepdf renders invoices and credit notes as PDF documents and
// reads their text back.
package invoicepdf

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/tallyhq/tally/domain"
)

// Render writes inv, issued by issuer, as an A4 PDF to w.
//
// The same invoice and issuer always give byte-identical output: the
// document's creation and modification dates are inv.IssuedAt and nothing
// random is written. Only what an invoice states when it is issued is
// printed: inv.Status and inv.Refunded, which change as credit notes are
// issued against it, are not, so an invoice's PDF never changes. Text is
// printed in the PDF core fonts (Windows-1252), so Western European names
// such as "São Paulo" or "Müller" print as given and characters outside
// that code page print as ".".
//
// Read back with pdftext.Extract, the document has these rows, each alone on its
// line (names in angle brackets are filled in; <amount> is Money.String(),
// e.g. "12.34 EUR"):
//
//	Invoice
//	Invoice number <inv.Number>
//	Issue date <YYYY-MM-DD of IssuedAt in UTC>
//	Order number <inv.OrderNumber>          (when set)
//	From, then the issuer's non-empty Name, Address, Country,
//	  "Tax ID: <TaxID>" and Email, one per line
//	Billed to, then inv.BilledTo's non-empty CompanyName, Address, Country
//	  and "Tax ID: <TaxID>", one per line
//	Description Qty Unit price Amount
//	<description> <quantity> <unit price amount> <amount>   (per line)
//	Subtotal <amount>
//	Tax (<rate>) <amount>                   (rate like "19%", "7.5%", "0%")
//	Total <amount>
//	Paid via <inv.Gateway>                  (when set)
//	Invoice <inv.Number> - page <n> of <pages>   (footer of every page)
//
// A description, address or name too wide for its column continues on the
// following lines (the quantity and amounts stay on the first), and a
// newline in an address starts a new line.
//
// An inconsistent invoice is not rendered: Render returns a CodeInternal
// *domain.Error wrapping ErrMalformed when the number, issue date or lines
// are missing, an amount is not in the total's currency, the lines do not
// add up to the subtotal, or subtotal plus tax is not the total. Nothing
// is written to w then, nor when rendering itself fails.
func Render(w io.Writer, inv domain.Invoice, issuer Issuer) error {
	d := document{
		title: "Invoice", number: inv.Number, issuedAt: inv.IssuedAt,
		billedTo: inv.BilledTo, lines: inv.Lines,
		subtotal: inv.Subtotal, tax: inv.Tax, taxRateBP: inv.TaxRateBP, total: inv.Total,
	}
	d.fields = []field{{"Invoice number", inv.Number}, {"Issue date", date(inv.IssuedAt)}}
	if inv.OrderNumber != "" {
		d.fields = append(d.fields, field{"Order number", inv.OrderNumber})
	}
	if inv.Gateway != "" {
		d.closing = "Paid via " + inv.Gateway
	}
	if err := d.validate(); err != nil {
		return err
	}
	return d.write(w, issuer)
}

// RenderCreditNote writes cn, issued by issuer, as an A4 PDF to w, laid out
// like an invoice (see Render) with the same guarantees: byte-identical
// output for the same note and issuer, nothing written for an inconsistent
// note. Read back with pdftext.Extract, it has these rows:
//
//	Credit note
//	Credit note number <cn.Number>
//	Issue date <YYYY-MM-DD of IssuedAt in UTC>
//	Refers to invoice <cn.InvoiceNumber>
//	Order number <cn.OrderNumber>           (when set)
//	Reason <cn.Reason>                      (when set)
//	From …, Billed to …, the table of lines and the totals as on an
//	  invoice, with negative amounts
//	Refunded via <cn.Gateway>               (when set)
//	Credit note <cn.Number> - page <n> of <pages>   (footer of every page)
//
// Besides an invoice's checks, a note must name its invoice and have a
// negative total.
func RenderCreditNote(w io.Writer, cn domain.CreditNote, issuer Issuer) error {
	d := document{
		title: "Credit note", number: cn.Number, issuedAt: cn.IssuedAt,
		billedTo: cn.BilledTo, lines: cn.Lines,
		subtotal: cn.Subtotal, tax: cn.Tax, taxRateBP: cn.TaxRateBP, total: cn.Total,
	}
	d.fields = []field{{"Credit note number", cn.Number}, {"Issue date", date(cn.IssuedAt)}, {"Refers to invoice", cn.InvoiceNumber}}
	if cn.OrderNumber != "" {
		d.fields = append(d.fields, field{"Order number", cn.OrderNumber})
	}
	if cn.Reason != "" {
		d.fields = append(d.fields, field{"Reason", cn.Reason})
	}
	if cn.Gateway != "" {
		d.closing = "Refunded via " + cn.Gateway
	}
	switch {
	case cn.InvoiceNumber == "":
		return malformed("credit note %s refers to no invoice", cn.Number)
	case cn.Total.AmountMinor >= 0:
		return malformed("credit note %s has a total of %s, not negative", cn.Number, cn.Total)
	}
	if err := d.validate(); err != nil {
		return err
	}
	return d.write(w, issuer)
}

// document is what an invoice or a credit note prints: both are laid out
// alike, by the same code.
type document struct {
	title    string // "Invoice", "Credit note"; also names the footer
	number   string
	issuedAt time.Time
	// fields are the labelled rows under the title.
	fields    []field
	billedTo  domain.InvoiceDetails
	lines     []domain.OrderLine
	subtotal  domain.Money
	tax       domain.Money
	taxRateBP int
	total     domain.Money
	// closing is printed under the totals when set ("Paid via stripe").
	closing string
}

// field is a labelled row of a document's heading.
type field struct{ label, value string }

// write renders d, issued by issuer, to w.
func (d document) write(w io.Writer, issuer Issuer) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	issued := d.issuedAt.UTC()
	pdf.SetCreationDate(issued)
	pdf.SetModificationDate(issued)
	pdf.SetTitle(d.title+" "+d.number, true)
	if issuer.Name != "" {
		pdf.SetAuthor(issuer.Name, true)
	}
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, bottomMargin)
	pdf.AliasNbPages("")

	s := &sheet{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("")}
	pdf.SetFooterFunc(func() { s.footer(d.title + " " + d.number) })
	pdf.AddPage()
	s.heading(d.title, d.fields)
	s.block("From", issuer.Name, issuer.Address, issuer.Country, taxID(issuer.TaxID), issuer.Email)
	s.block("Billed to", d.billedTo.CompanyName, d.billedTo.Address, d.billedTo.Country, taxID(d.billedTo.TaxID))
	s.table(d.lines)
	s.totals(d)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return domain.Internal(fmt.Errorf("invoicepdf: render %s: %w", d.number, err))
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("invoicepdf: write %s: %w", d.number, err)
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
