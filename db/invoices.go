package db

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/tallyhq/tally/domain"
)

// invoiceRow is a row of invoices. Subtotal, Tax and Total share Currency.
type invoiceRow struct {
	ID          string `gorm:"primaryKey"`
	Number      string
	Year        int
	Seq         int64
	OrgID       string
	OrderID     string
	OrderNumber string
	IssuedAt    time.Time
	BilledTo    jsonColumn[invoiceDetailsJSON]
	Lines       jsonColumn[[]orderLineJSON]
	Subtotal    int64
	Tax         int64
	TaxRateBP   int `gorm:"column:tax_rate_bp"`
	Total       int64
	Currency    string
	// Status and Refunded are what UpdateInvoice wrote before credit notes
	// existed: Status is written as PAID and no longer read, Refunded
	// keeps the refunds that have no credit note (0 for invoices issued
	// since).
	Status   string
	Gateway  string
	Refunded int64
	// Credited is the sum of the invoice's credit notes' totals (zero or
	// negative), selected by invoiceSelect; never written.
	Credited int64 `gorm:"->"`
}

// invoiceSelect reads an invoice row with Credited.
const invoiceSelect = "invoices.*, COALESCE((SELECT SUM(cn.total) FROM credit_notes cn WHERE cn.invoice_id = invoices.id), 0) AS credited"

func (invoiceRow) TableName() string { return "invoices" }

// toDomainInvoice converts a row read with invoiceSelect; Refunded and
// Status are derived from the credit notes (and any earlier refund).
func toDomainInvoice(r invoiceRow) domain.Invoice {
	cur := domain.Currency(r.Currency)
	total := domain.Money{AmountMinor: r.Total, Currency: cur}
	refunded := r.Refunded - r.Credited
	return domain.Invoice{
		ID: r.ID, Number: r.Number, Year: r.Year, Seq: r.Seq, OrgID: r.OrgID, OrderID: r.OrderID,
		OrderNumber: r.OrderNumber, IssuedAt: r.IssuedAt.UTC(), BilledTo: toInvoiceDetails(r.BilledTo.V),
		Lines:    toOrderLines(r.Lines.V),
		Subtotal: domain.Money{AmountMinor: r.Subtotal, Currency: cur},
		Tax:      domain.Money{AmountMinor: r.Tax, Currency: cur}, TaxRateBP: r.TaxRateBP,
		Total:  total,
		Status: domain.InvoiceStatusOf(total, refunded), Gateway: r.Gateway, Refunded: refunded,
	}
}

func fromDomainInvoice(inv domain.Invoice) (invoiceRow, error) {
	cur, err := amountsCurrency("invoice", inv.Total, inv.Subtotal, inv.Tax)
	if err != nil {
		return invoiceRow{}, err
	}
	return invoiceRow{
		ID: inv.ID, Number: inv.Number, Year: inv.Year, Seq: inv.Seq, OrgID: inv.OrgID, OrderID: inv.OrderID,
		OrderNumber: inv.OrderNumber, IssuedAt: utc(inv.IssuedAt),
		BilledTo: jsonColumn[invoiceDetailsJSON]{fromInvoiceDetails(inv.BilledTo)},
		Lines:    jsonColumn[[]orderLineJSON]{fromOrderLines(inv.Lines)},
		Subtotal: inv.Subtotal.AmountMinor, Tax: inv.Tax.AmountMinor, TaxRateBP: inv.TaxRateBP,
		Total: inv.Total.AmountMinor, Currency: cur,
		Status: string(domain.InvoicePaid), Gateway: inv.Gateway,
	}, nil
}

// CreateInvoice inserts an invoice; CONFLICT when its order already has
// one, or its ID, Number or (Year, Seq) exists. Status and Refunded are
// not saved (reads derive them from the credit notes).
func (d *DB) CreateInvoice(ctx context.Context, inv domain.Invoice) error {
	r, err := fromDomainInvoice(inv)
	if err != nil {
		return err
	}
	return d.insert(ctx, "invoice", &r)
}

// InvoiceByID returns an invoice or NOT_FOUND.
func (d *DB) InvoiceByID(ctx context.Context, id string) (domain.Invoice, error) {
	return d.invoiceWhere(ctx, "id = ?", id)
}

// InvoiceByOrder returns an order's invoice or NOT_FOUND.
func (d *DB) InvoiceByOrder(ctx context.Context, orderID string) (domain.Invoice, error) {
	return d.invoiceWhere(ctx, "order_id = ?", orderID)
}

func (d *DB) invoiceWhere(ctx context.Context, cond, arg string) (domain.Invoice, error) {
	var r invoiceRow
	if err := d.db(ctx).Select(invoiceSelect).Where(cond, arg).Take(&r).Error; err != nil {
		return domain.Invoice{}, mapErr(err, "invoice")
	}
	return toDomainInvoice(r), nil
}

// ListInvoices pages an org's invoices, newest first (keyset on issued_at,
// id, served by invoices_org_page_idx).
func (d *DB) ListInvoices(ctx context.Context, orgID string, p domain.Page) (domain.Connection[domain.Invoice], error) {
	q := d.db(ctx).Select(invoiceSelect).Where("org_id = ?", orgID)
	return pageByIssued(q, p, invoiceCursorTag, "invoice", toDomainInvoice,
		func(inv domain.Invoice) (time.Time, string) { return inv.IssuedAt, inv.ID })
}

// pageByIssued pages the rows R that q selects, newest first by keyset on
// (issued_at, id), with cursors tagged tag: the listing of an org's
// invoices and of its credit notes.
func pageByIssued[R, T any](q *gorm.DB, p domain.Page, tag, what string, conv func(R) T, key func(T) (time.Time, string)) (domain.Connection[T], error) {
	return pageByTime(q, "issued_at", p, tag, what, conv, key)
}

// pageByTime pages the rows R that q selects, newest first by keyset on
// (col, id), with cursors tagged tag.
func pageByTime[R, T any](q *gorm.DB, col string, p domain.Page, tag, what string, conv func(R) T, key func(T) (time.Time, string)) (domain.Connection[T], error) {
	var conn domain.Connection[T]
	n, err := pageSize(p)
	if err != nil {
		return conn, err
	}
	if p.After != "" {
		at, id, err := parseTimeIDCursor(p.After, tag)
		if err != nil {
			return conn, err
		}
		q = q.Where("("+col+" < ? OR ("+col+" = ? AND id < ?))", at, at, id)
	}
	var rows []R
	if err := q.Order(col + " DESC, id DESC").Limit(n + 1).Find(&rows).Error; err != nil {
		return conn, mapErr(err, what)
	}
	if len(rows) > n {
		rows, conn.HasNextPage = rows[:n], true
	}
	conn.Edges = make([]domain.Edge[T], 0, len(rows))
	for _, r := range rows {
		node := conv(r)
		at, id := key(node)
		conn.Edges = append(conn.Edges, domain.Edge[T]{Cursor: timeIDCursor(tag, at, id), Node: node})
	}
	return conn, nil
}
