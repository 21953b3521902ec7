package domain

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// InvoiceDetails are the optional billing details given at checkout.
type InvoiceDetails struct {
	CompanyName string
	Country     string
	Address     string
	TaxID       string
}

// InvoiceStatus is an invoice's payment status.
type InvoiceStatus string

// Invoice statuses.
const (
	InvoicePaid              InvoiceStatus = "PAID"
	InvoicePartiallyRefunded InvoiceStatus = "PARTIALLY_REFUNDED"
	InvoiceRefunded          InvoiceStatus = "REFUNDED"
)

// Invoice is the bill for a paid order, numbered without gaps per year.
// It never changes once issued: refunds issue credit notes against it.
type Invoice struct {
	ID      string
	Number  string // INV-2026-000001
	Year    int
	Seq     int64
	OrgID   string
	OrderID string
	// OrderNumber is the order's human-readable number.
	OrderNumber string
	IssuedAt    time.Time
	// BilledTo is the checkout's invoice details, or the org's name and
	// country when none were given.
	BilledTo  InvoiceDetails
	Lines     []OrderLine
	Subtotal  Money
	Tax       Money
	TaxRateBP int
	Total     Money
	// Status is derived on every read from Refunded: PAID, then
	// PARTIALLY_REFUNDED or REFUNDED once credit notes gave money back. It
	// is not part of the issued document (the PDF does not print it).
	Status  InvoiceStatus
	Gateway string
	// Refunded is the total given back by the invoice's credit notes, in
	// minor units, derived on every read; not part of the issued document.
	Refunded int64
}

// invoicingStore is what issuing a document with a gap-free number needs:
// the org (its name and country, billed when the checkout gave none), the
// numbering counters and the invoices.
type invoicingStore interface {
	OrgStore
	CounterStore
	InvoiceStore
}

// issueInvoice creates the invoice of a paid order.
func (s *Service) issueInvoice(ctx context.Context, tx invoicingStore, o Order, now time.Time) (Invoice, error) {
	billed := InvoiceDetails{}
	if o.InvoiceDetails != nil {
		billed = *o.InvoiceDetails
	}
	if billed.CompanyName == "" || billed.Country == "" {
		org, err := tx.OrgByID(ctx, o.OrgID)
		if err != nil {
			return Invoice{}, err
		}
		if billed.CompanyName == "" {
			billed.CompanyName = org.Name
		}
		if billed.Country == "" {
			billed.Country = org.Country
		}
	}
	seq, err := tx.NextNumber(ctx, fmt.Sprintf(invoiceSeries, now.Year()))
	if err != nil {
		return Invoice{}, err
	}
	inv := Invoice{
		ID: newID(), Number: fmt.Sprintf("INV-%d-%06d", now.Year(), seq), Year: now.Year(), Seq: seq,
		OrgID: o.OrgID, OrderID: o.ID, OrderNumber: o.Number, IssuedAt: now, BilledTo: billed,
		Lines: o.Lines, Subtotal: o.Subtotal, Tax: o.Tax, TaxRateBP: o.TaxRateBP, Total: o.Total,
		Status: InvoicePaid, Gateway: o.Gateway,
	}
	return inv, tx.CreateInvoice(ctx, inv)
}

// Invoice returns an invoice, authorized exactly like its order
// (authorizeOrderRead), so invoice(id) and order(id){invoice} agree. Codes:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (s *Service) Invoice(ctx context.Context, id string) (Invoice, error) {
	if _, ok := ActorFrom(ctx); !ok {
		return Invoice{}, Errorf(CodeUnauthenticated, "sign in required")
	}
	if !ValidID(id) {
		return Invoice{}, NotFound("invoice")
	}
	inv, err := s.store.InvoiceByID(ctx, id)
	if err != nil {
		return Invoice{}, asDomainError(err)
	}
	return s.invoiceFor(ctx, inv)
}

// InvoiceOfOrder returns a paid order's invoice (NOT_FOUND before payment)
// for an order's invoice field, authorized like Invoice.
func (s *Service) InvoiceOfOrder(ctx context.Context, orderID string) (Invoice, error) {
	if _, ok := ActorFrom(ctx); !ok {
		return Invoice{}, Errorf(CodeUnauthenticated, "sign in required")
	}
	inv, err := s.store.InvoiceByOrder(ctx, orderID)
	if err != nil {
		return Invoice{}, asDomainError(err)
	}
	return s.invoiceFor(ctx, inv)
}

// invoiceFor returns inv when the caller may read its org's orders.
func (s *Service) invoiceFor(ctx context.Context, inv Invoice) (Invoice, error) {
	if err := s.authorizeOrderRead(ctx, inv.OrgID); err != nil {
		if IsCode(err, CodeNotFound) {
			return Invoice{}, NotFound("invoice")
		}
		return Invoice{}, err
	}
	return inv, nil
}

// Invoices pages an org's invoices, newest first. Codes: UNAUTHENTICATED,
// NOT_FOUND, FORBIDDEN.
func (s *Service) Invoices(ctx context.Context, orgID string, p Page) (Connection[Invoice], error) {
	if _, err := s.authorize(ctx, orgID, ActionBilling); err != nil {
		return Connection[Invoice]{}, err
	}
	c, err := s.store.ListInvoices(ctx, orgID, p)
	return c, asDomainError(err)
}

// validInvoiceDetails trims and bounds the optional checkout details.
func validInvoiceDetails(d *InvoiceDetails) (*InvoiceDetails, error) {
	if d == nil {
		return nil, nil
	}
	out := InvoiceDetails{
		CompanyName: strings.TrimSpace(d.CompanyName), Country: strings.ToUpper(strings.TrimSpace(d.Country)),
		Address: strings.TrimSpace(d.Address), TaxID: strings.TrimSpace(d.TaxID),
	}
	for field, v := range map[string]string{
		"invoiceDetails.companyName": out.CompanyName, "invoiceDetails.address": out.Address, "invoiceDetails.taxId": out.TaxID,
	} {
		if len(v) > maxInvoiceField || !utf8.ValidString(v) {
			return nil, InvalidInput(field, "must be valid text of at most %d bytes", maxInvoiceField)
		}
	}
	if out.Country != "" && !validCountry(out.Country) {
		return nil, InvalidInput("invoiceDetails.country", "must be an ISO 3166-1 alpha-2 code")
	}
	if out == (InvoiceDetails{}) {
		return nil, nil
	}
	return &out, nil
}
