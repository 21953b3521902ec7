package graph

import (
	"net/url"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

// Converters of orders, invoices and checkouts between domain types and
// GraphQL models.

func toOrder(o domain.Order) *model.Order {
	out := &model.Order{
		ID: EncodeID(typeOrder, o.ID), OrderID: o.ID, Number: o.Number, Status: model.OrderStatus(o.Status),
		Lines: toOrderLines(o.Lines), Subtotal: toMoney(o.Subtotal), Tax: toMoney(o.Tax), Total: toMoney(o.Total),
		Refunded: toMoney(domain.Money{AmountMinor: o.Refunded, Currency: o.Total.Currency}),
		Credits:  o.Credits, Items: toOrderItems(o.Items), Version: o.Version, ExpiresAt: o.ExpiresAt, Gateway: o.Gateway, Method: toPaymentMethodKind(o.Method),
		Installments: toInstallmentPlan(o.Installments), FailureReason: optional(failureReason(o)),
		InvoiceDetails: toInvoiceDetails(o.InvoiceDetails), CreatedAt: o.CreatedAt, PaidAt: o.PaidAt,
	}
	if o.Status.Unpaid() {
		out.NextAction = toNextAction(o.NextAction)
	}
	if o.RetryDraftID != "" {
		id := EncodeID(typeOrder, o.RetryDraftID)
		out.RetryDraftID = &id
	}
	return out
}

// failureReason is what the API shows of why an order failed:
// domain.DeclineMessage, never the provider's itemized reason, which would
// tell a card tester which cards are live (operators find it on the
// order's row).
func failureReason(o domain.Order) string {
	if o.FailureReason == "" {
		return ""
	}
	return domain.DeclineMessage
}

func toOrderLines(ls []domain.OrderLine) []*model.OrderLine {
	return convertAll(ls, func(l domain.OrderLine) *model.OrderLine {
		return &model.OrderLine{
			Description: l.Description, Quantity: int(l.Quantity), UnitPrice: toMoney(l.UnitPrice),
			Amount: toMoney(l.Amount), Kind: model.OrderLineKind(l.Kind), ItemID: optional(l.ItemID),
		}
	})
}

func toInstallmentPlan(p *domain.InstallmentPlan) *model.InstallmentPlan {
	if p == nil {
		return nil
	}
	return &model.InstallmentPlan{
		Count: p.Count, InstallmentAmount: toMoney(p.Amount), Commission: toMoney(p.Commission), Total: toMoney(p.Total),
	}
}

func toInstallmentOption(o domain.InstallmentOption) *model.InstallmentOption {
	return &model.InstallmentOption{
		Count: o.Count, InstallmentAmount: toMoney(o.Amount), Commission: toMoney(o.Commission), Total: toMoney(o.Total),
	}
}

// nextActionKinds maps the domain's next actions to the schema's.
var nextActionKinds = map[domain.NextActionKind]model.NextActionKind{
	domain.NextActionNone:                model.NextActionKindNone,
	domain.NextActionRedirect:            model.NextActionKindRedirect,
	domain.NextActionConfirmClientSecret: model.NextActionKindConfirm,
}

// toNextAction returns what the buyer must do, or nil when nothing: a nil
// action, NONE, or a kind this API does not know.
func toNextAction(a *domain.NextAction) *model.NextAction {
	if a == nil {
		return nil
	}
	kind, ok := nextActionKinds[a.Kind]
	if !ok || kind == model.NextActionKindNone {
		return nil
	}
	out := &model.NextAction{Kind: kind}
	switch kind {
	case model.NextActionKindRedirect:
		out.RedirectURL = optional(a.URL)
	case model.NextActionKindConfirm:
		out.ClientSecret = optional(a.ClientSecret)
	}
	return out
}

// toCheckout converts purchasePack's answer; its next action is NONE when
// the buyer has nothing to do.
func toCheckout(c domain.Checkout) *model.Checkout {
	out := &model.Checkout{Order: toOrder(c.Order), NextAction: &model.NextAction{Kind: model.NextActionKindNone}}
	if c.Order.Status.Unpaid() {
		if a := toNextAction(c.NextAction); a != nil {
			out.NextAction = a
		}
	}
	return out
}

func toPaymentMethodKind(m domain.PaymentMethodKind) *model.PaymentMethodKind {
	if m == "" {
		return nil
	}
	k := model.PaymentMethodKind(m)
	return &k
}

func toInvoiceDetails(d *domain.InvoiceDetails) *model.InvoiceDetails {
	if d == nil {
		return nil
	}
	return &model.InvoiceDetails{
		CompanyName: optional(d.CompanyName), Country: optional(d.Country),
		Address: optional(d.Address), TaxID: optional(d.TaxID),
	}
}

// toBillingDetails is who an invoice or credit note is made out to.
func toBillingDetails(d domain.InvoiceDetails) *model.BillingDetails {
	return &model.BillingDetails{
		Name: d.CompanyName, Country: d.Country, Address: optional(d.Address), TaxID: optional(d.TaxID),
	}
}

func toInvoice(inv domain.Invoice) *model.Invoice {
	gid := EncodeID(typeInvoice, inv.ID)
	return &model.Invoice{
		ID: gid, OrderID: inv.OrderID, Number: inv.Number, IssuedAt: inv.IssuedAt,
		BilledTo: toBillingDetails(inv.BilledTo),
		Lines:    toOrderLines(inv.Lines), Subtotal: toMoney(inv.Subtotal), Tax: toMoney(inv.Tax), Total: toMoney(inv.Total),
		Refunded: toMoney(domain.Money{AmountMinor: inv.Refunded, Currency: inv.Total.Currency}),
		Status:   model.InvoiceStatus(inv.Status), OrderNumber: inv.OrderNumber, PDFURL: invoicePDFPath(gid),
	}
}

func toCreditNote(cn domain.CreditNote) *model.CreditNote {
	gid := EncodeID(typeCreditNote, cn.ID)
	return &model.CreditNote{
		ID: gid, InvoiceID: cn.InvoiceID, OrderID: cn.OrderID, Number: cn.Number, IssuedAt: cn.IssuedAt,
		InvoiceNumber: cn.InvoiceNumber, OrderNumber: cn.OrderNumber, BilledTo: toBillingDetails(cn.BilledTo),
		Lines: toOrderLines(cn.Lines), Subtotal: toMoney(cn.Subtotal), Tax: toMoney(cn.Tax), Total: toMoney(cn.Total),
		Reason: cn.Reason, PDFURL: creditNotePDFPath(gid),
	}
}

// The paths InvoicePDF serves, Invoice.pdfUrl and CreditNote.pdfUrl name:
// /invoices/<path-escaped global ID>.pdf and
// /credit-notes/<path-escaped global ID>.pdf.
const (
	invoicePathPrefix    = "/invoices/"
	creditNotePathPrefix = "/credit-notes/"
	invoicePathSuffix    = ".pdf"
)

// invoicePDFPath is where InvoicePDF serves the invoice with global ID gid
// (escaped: a global ID may hold "/" and "+").
func invoicePDFPath(gid string) string {
	return invoicePathPrefix + url.PathEscape(gid) + invoicePathSuffix
}

// creditNotePDFPath is where InvoicePDF serves the credit note with global
// ID gid.
func creditNotePDFPath(gid string) string {
	return creditNotePathPrefix + url.PathEscape(gid) + invoicePathSuffix
}

func toOrderConnection(c domain.Connection[domain.Order]) *model.OrderConnection {
	out := &model.OrderConnection{Edges: make([]*model.OrderEdge, len(c.Edges)), PageInfo: toPageInfo(c.HasNextPage, c.EndCursor())}
	for i, e := range c.Edges {
		out.Edges[i] = &model.OrderEdge{Cursor: e.Cursor, Node: toOrder(e.Node)}
	}
	return out
}

func toInvoiceConnection(c domain.Connection[domain.Invoice]) *model.InvoiceConnection {
	out := &model.InvoiceConnection{Edges: make([]*model.InvoiceEdge, len(c.Edges)), PageInfo: toPageInfo(c.HasNextPage, c.EndCursor())}
	for i, e := range c.Edges {
		out.Edges[i] = &model.InvoiceEdge{Cursor: e.Cursor, Node: toInvoice(e.Node)}
	}
	return out
}

func toCreditNoteConnection(c domain.Connection[domain.CreditNote]) *model.CreditNoteConnection {
	out := &model.CreditNoteConnection{Edges: make([]*model.CreditNoteEdge, len(c.Edges)), PageInfo: toPageInfo(c.HasNextPage, c.EndCursor())}
	for i, e := range c.Edges {
		out.Edges[i] = &model.CreditNoteEdge{Cursor: e.Cursor, Node: toCreditNote(e.Node)}
	}
	return out
}

func toRefundResult(r domain.RefundResult) *model.RefundResult {
	return &model.RefundResult{Order: toOrder(r.Order), CreditsRemoved: r.CreditsRemoved, CreditsNotRecovered: r.CreditsNotRecovered}
}

// Inputs.

// fromPurchaseInput converts purchasePack's input; orgID and packID are
// the decoded domain IDs.
func fromPurchaseInput(in model.PurchasePackInput, orgID, packID string) domain.PurchaseInput {
	out := domain.PurchaseInput{
		OrgID: orgID, PackID: packID, Quantity: in.Quantity, Installments: in.Installments, Gateway: deref(in.Gateway),
		PaymentMethodID: deref(in.PaymentMethodID), IdempotencyKey: in.IdempotencyKey,
		InvoiceDetails: fromInvoiceDetails(in.InvoiceDetails), ReturnURL: deref(in.ReturnURL),
		Method: fromPaymentMethodKind(in.Method),
	}
	if in.Credits != nil {
		out.Credits = *in.Credits
	}
	if in.TermMonths != nil {
		out.TermMonths = *in.TermMonths
	}
	return out
}

// fromPaymentMethodKind maps a chosen payment method kind; nil (the
// gateway's choice) is "".
func fromPaymentMethodKind(m *model.PaymentMethodKind) domain.PaymentMethodKind {
	if m == nil {
		return ""
	}
	return domain.PaymentMethodKind(*m)
}

// fromExtraCreditsInput maps buyExtraCredits' input.
func fromExtraCreditsInput(in model.BuyExtraCreditsInput, orgID string) domain.ExtraCreditsInput {
	return domain.ExtraCreditsInput{
		OrgID: orgID, Credits: in.Credits, Installments: in.Installments, Gateway: deref(in.Gateway),
		PaymentMethodID: deref(in.PaymentMethodID), IdempotencyKey: in.IdempotencyKey,
		InvoiceDetails: fromInvoiceDetails(in.InvoiceDetails), ReturnURL: deref(in.ReturnURL),
		Method: fromPaymentMethodKind(in.Method),
	}
}

// toSubscriptionAddon converts an add-on with its pack.
func toSubscriptionAddon(a domain.SubscriptionAddon, p domain.Pack) *model.SubscriptionAddon {
	return &model.SubscriptionAddon{
		Pack: toPack(p), Quantity: a.Quantity, CreditsPerMonth: a.CreditsPerMonth, TermEnd: a.TermEnd,
		Status: model.AddonStatus(a.Status), CreatedAt: a.CreatedAt,
	}
}

func fromInvoiceDetails(d *model.InvoiceDetailsInput) *domain.InvoiceDetails {
	if d == nil {
		return nil
	}
	return &domain.InvoiceDetails{
		CompanyName: deref(d.CompanyName), Country: deref(d.Country), Address: deref(d.Address), TaxID: deref(d.TaxID),
	}
}

func fromOrderStatuses(ss []model.OrderStatus) domain.OrderFilter {
	return domain.OrderFilter{Statuses: convertAll(ss, func(s model.OrderStatus) domain.OrderStatus { return domain.OrderStatus(s) })}
}

// optional maps "" to nil.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
