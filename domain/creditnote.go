package domain

import (
	"context"
	"fmt"
	"math/big"
	"time"
)

// creditNoteSeries names the counter of one year's credit note numbers,
// a series of its own beside the invoices'.
const creditNoteSeries = "CN-%d"

// LineRefund is the kind of the single line of a credit note that gives
// back part of an invoice (a full refund repeats the invoice's lines,
// negated).
const LineRefund OrderLineKind = "REFUND"

// CreditNote is the document a refund issues against an invoice. An
// invoice never changes once issued; money given back is recorded as a
// credit note instead: numbered without gaps per year in its own series
// (CN-2026-000001), referring to the invoice and its order, made out to
// the invoice's buyer, with negative amounts. The credit notes of an
// invoice never add up to more than its total.
type CreditNote struct {
	ID     string
	Number string // CN-2026-000001
	Year   int
	Seq    int64
	OrgID  string
	// InvoiceID and InvoiceNumber are the invoice the note refers to.
	InvoiceID     string
	InvoiceNumber string
	// OrderID and OrderNumber are the invoiced order.
	OrderID     string
	OrderNumber string
	IssuedAt    time.Time
	// BilledTo is copied from the invoice.
	BilledTo InvoiceDetails
	// Lines are negative: the invoice's lines negated when the note gives
	// back the whole invoice at once, else one REFUND line for the net
	// amount given back.
	Lines []OrderLine
	// Subtotal, Tax and Total are negative (or zero); Subtotal+Tax=Total
	// and -Total is the amount refunded.
	Subtotal  Money
	Tax       Money
	TaxRateBP int
	Total     Money
	// Reason is why the money was given back.
	Reason string
	// Gateway is the gateway that paid the money back (the invoice's).
	Gateway string
}

// InvoiceStatusOf is an invoice's payment status given its total and what
// its credit notes (and any refund recorded before credit notes existed)
// gave back, in minor units.
func InvoiceStatusOf(total Money, refunded int64) InvoiceStatus {
	switch {
	case refunded <= 0:
		return InvoicePaid
	case refunded >= total.AmountMinor:
		return InvoiceRefunded
	default:
		return InvoicePartiallyRefunded
	}
}

// issueCreditNote issues the credit note for amount (minor units, > 0)
// given back on inv, the invoice of order o, inside tx: the caller's
// transaction, which also writes the refund's ledger entry, so the note's
// number is taken and used (or given back on rollback) with it. inv must be
// read in tx after o was locked, so inv.Refunded is everything refunded
// before this amount.
//
// The note's tax is the invoice's tax prorated on the cumulative amount
// refunded, rounded half up, less the tax prorated on what was refunded
// before: the tax of all an invoice's notes adds up to the invoice's tax
// once it is refunded in full, and every note's subtotal plus tax is its
// total exactly. An amount beyond what is left of the invoice's total is
// an internal error: the callers never ask for one.
func (s *Service) issueCreditNote(ctx context.Context, tx Store, o Order, inv Invoice, amount int64, reason string, now time.Time) (CreditNote, error) {
	total, before := inv.Total.AmountMinor, inv.Refunded
	if amount <= 0 || before < 0 || before+amount > total {
		return CreditNote{}, Internal(fmt.Errorf("credit note of %d on invoice %s: %d of %s already refunded", amount, inv.Number, before, inv.Total))
	}
	cur := inv.Total.Currency
	m := func(v int64) Money { return Money{AmountMinor: v, Currency: cur} }
	var (
		lines       []OrderLine
		subtotal    int64
		tax         int64
		description = "Refund of invoice " + inv.Number
	)
	if before == 0 && amount == total {
		for _, l := range inv.Lines {
			lines = append(lines, OrderLine{Kind: l.Kind, Description: l.Description, Quantity: l.Quantity,
				UnitPrice: m(-l.UnitPrice.AmountMinor), Amount: m(-l.Amount.AmountMinor)})
		}
		subtotal, tax = inv.Subtotal.AmountMinor, inv.Tax.AmountMinor
	} else {
		tax = taxShare(inv.Tax.AmountMinor, before+amount, total) - taxShare(inv.Tax.AmountMinor, before, total)
		subtotal = amount - tax
		lines = []OrderLine{{Kind: LineRefund, Description: description, Quantity: 1, UnitPrice: m(-subtotal), Amount: m(-subtotal)}}
	}
	if reason == "" {
		reason = "Refund reported by the payment gateway"
	}
	seq, err := tx.NextNumber(ctx, fmt.Sprintf(creditNoteSeries, now.Year()))
	if err != nil {
		return CreditNote{}, err
	}
	cn := CreditNote{
		ID: newID(), Number: fmt.Sprintf("CN-%d-%06d", now.Year(), seq), Year: now.Year(), Seq: seq,
		OrgID: o.OrgID, InvoiceID: inv.ID, InvoiceNumber: inv.Number, OrderID: o.ID, OrderNumber: o.Number,
		IssuedAt: now, BilledTo: inv.BilledTo, Lines: lines,
		Subtotal: m(-subtotal), Tax: m(-tax), TaxRateBP: inv.TaxRateBP, Total: m(-amount),
		Reason: reason, Gateway: inv.Gateway,
	}
	return cn, tx.CreateCreditNote(ctx, cn)
}

// taxShare is tax*part/total rounded half up (0 for a zero total), exact
// for any int64 operands.
func taxShare(tax, part, total int64) int64 {
	if total <= 0 {
		return 0
	}
	n := new(big.Int).Mul(big.NewInt(tax), big.NewInt(part))
	n.Mul(n, big.NewInt(2)).Add(n, big.NewInt(total))
	return n.Quo(n, big.NewInt(2*total)).Int64()
}

// CreditNote returns a credit note, authorized like its invoice (and
// order): NOT_FOUND for an org the caller cannot see. Codes:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (s *Service) CreditNote(ctx context.Context, id string) (CreditNote, error) {
	if _, ok := ActorFrom(ctx); !ok {
		return CreditNote{}, Errorf(CodeUnauthenticated, "sign in required")
	}
	if !ValidID(id) {
		return CreditNote{}, NotFound("credit note")
	}
	cn, err := s.store.CreditNoteByID(ctx, id)
	if err != nil {
		return CreditNote{}, asDomainError(err)
	}
	if err := s.authorizeOrderRead(ctx, cn.OrgID); err != nil {
		if IsCode(err, CodeNotFound) {
			return CreditNote{}, NotFound("credit note")
		}
		return CreditNote{}, err
	}
	return cn, nil
}

// CreditNotesOfInvoice lists an invoice's credit notes, oldest first,
// authorized like Invoice. Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (s *Service) CreditNotesOfInvoice(ctx context.Context, invoiceID string) ([]CreditNote, error) {
	inv, err := s.Invoice(ctx, invoiceID)
	if err != nil {
		return nil, err
	}
	out, err := s.store.CreditNotesOfInvoice(ctx, inv.ID)
	return out, asDomainError(err)
}

// CreditNotes pages an org's credit notes, newest first, for the roles
// that see its invoices. Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (s *Service) CreditNotes(ctx context.Context, orgID string, p Page) (Connection[CreditNote], error) {
	if _, err := s.authorize(ctx, orgID, ActionBilling); err != nil {
		return Connection[CreditNote]{}, err
	}
	c, err := s.store.ListCreditNotes(ctx, orgID, p)
	return c, asDomainError(err)
}
