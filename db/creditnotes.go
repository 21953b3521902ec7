package db

import (
	"context"
	"time"

	"github.com/tallyhq/tally/domain"
)

// creditNoteRow is a row of credit_notes. Subtotal, Tax and Total share
// Currency and are zero or negative.
type creditNoteRow struct {
	ID            string `gorm:"primaryKey"`
	Number        string
	Year          int
	Seq           int64
	OrgID         string
	InvoiceID     string
	InvoiceNumber string
	OrderID       string
	OrderNumber   string
	IssuedAt      time.Time
	BilledTo      jsonColumn[invoiceDetailsJSON]
	Lines         jsonColumn[[]orderLineJSON]
	Subtotal      int64
	Tax           int64
	TaxRateBP     int `gorm:"column:tax_rate_bp"`
	Total         int64
	Currency      string
	Reason        string
	Gateway       string
}

func (creditNoteRow) TableName() string { return "credit_notes" }

func toDomainCreditNote(r creditNoteRow) domain.CreditNote {
	cur := domain.Currency(r.Currency)
	return domain.CreditNote{
		ID: r.ID, Number: r.Number, Year: r.Year, Seq: r.Seq, OrgID: r.OrgID,
		InvoiceID: r.InvoiceID, InvoiceNumber: r.InvoiceNumber, OrderID: r.OrderID, OrderNumber: r.OrderNumber,
		IssuedAt: r.IssuedAt.UTC(), BilledTo: toInvoiceDetails(r.BilledTo.V), Lines: toOrderLines(r.Lines.V),
		Subtotal: domain.Money{AmountMinor: r.Subtotal, Currency: cur},
		Tax:      domain.Money{AmountMinor: r.Tax, Currency: cur}, TaxRateBP: r.TaxRateBP,
		Total:  domain.Money{AmountMinor: r.Total, Currency: cur},
		Reason: r.Reason, Gateway: r.Gateway,
	}
}

func fromDomainCreditNote(cn domain.CreditNote) (creditNoteRow, error) {
	cur, err := amountsCurrency("credit note", cn.Total, cn.Subtotal, cn.Tax)
	if err != nil {
		return creditNoteRow{}, err
	}
	return creditNoteRow{
		ID: cn.ID, Number: cn.Number, Year: cn.Year, Seq: cn.Seq, OrgID: cn.OrgID,
		InvoiceID: cn.InvoiceID, InvoiceNumber: cn.InvoiceNumber, OrderID: cn.OrderID, OrderNumber: cn.OrderNumber,
		IssuedAt: utc(cn.IssuedAt),
		BilledTo: jsonColumn[invoiceDetailsJSON]{fromInvoiceDetails(cn.BilledTo)},
		Lines:    jsonColumn[[]orderLineJSON]{fromOrderLines(cn.Lines)},
		Subtotal: cn.Subtotal.AmountMinor, Tax: cn.Tax.AmountMinor, TaxRateBP: cn.TaxRateBP,
		Total: cn.Total.AmountMinor, Currency: cur, Reason: cn.Reason, Gateway: cn.Gateway,
	}, nil
}

// CreateCreditNote inserts a credit note; CONFLICT when its ID, Number or
// (Year, Seq) exists.
func (d *DB) CreateCreditNote(ctx context.Context, cn domain.CreditNote) error {
	r, err := fromDomainCreditNote(cn)
	if err != nil {
		return err
	}
	return d.insert(ctx, "credit note", &r)
}

// CreditNoteByID returns a credit note or NOT_FOUND.
func (d *DB) CreditNoteByID(ctx context.Context, id string) (domain.CreditNote, error) {
	var r creditNoteRow
	if err := d.db(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return domain.CreditNote{}, mapErr(err, "credit note")
	}
	return toDomainCreditNote(r), nil
}

// CreditNotesOfInvoice lists an invoice's credit notes, oldest first
// (served by credit_notes_invoice_idx).
func (d *DB) CreditNotesOfInvoice(ctx context.Context, invoiceID string) ([]domain.CreditNote, error) {
	var rows []creditNoteRow
	if err := d.db(ctx).Where("invoice_id = ?", invoiceID).Order("issued_at, id").Find(&rows).Error; err != nil {
		return nil, mapErr(err, "credit note")
	}
	out := make([]domain.CreditNote, len(rows))
	for i, r := range rows {
		out[i] = toDomainCreditNote(r)
	}
	return out, nil
}

// ListCreditNotes pages an org's credit notes, newest first (keyset on
// issued_at, id, served by credit_notes_org_page_idx).
func (d *DB) ListCreditNotes(ctx context.Context, orgID string, p domain.Page) (domain.Connection[domain.CreditNote], error) {
	return pageByIssued(d.db(ctx).Where("org_id = ?", orgID), p, creditNoteCursorTag, "credit note", toDomainCreditNote,
		func(cn domain.CreditNote) (time.Time, string) { return cn.IssuedAt, cn.ID })
}
