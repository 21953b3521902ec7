package model

import "time"

// Order is a purchase; its invoice is loaded on demand.
type Order struct {
	// ID is the order's global ID.
	ID string
	// OrderID is the domain ID the field resolvers use.
	OrderID        string
	Number         string
	Status         OrderStatus
	Lines          []*OrderLine
	Subtotal       *Money
	Tax            *Money
	Total          *Money
	Refunded       *Money
	Credits        int64
	Items          []*OrderItem
	Version        int64
	ExpiresAt      *time.Time
	Gateway        string
	Method         *PaymentMethodKind
	Installments   *InstallmentPlan
	NextAction     *NextAction
	FailureReason  *string
	InvoiceDetails *InvoiceDetails
	CreatedAt      time.Time
	PaidAt         *time.Time
	// RetryDraftID is the global ID of the draft a failed checkout gave
	// its items back in; nil otherwise.
	RetryDraftID *string
}

// IsNode marks Order as a Node.
func (Order) IsNode() {}

// GetID returns the global ID.
func (o Order) GetID() string { return o.ID }

// Invoice is the bill of a paid order; the order and the credit notes are
// loaded on demand.
type Invoice struct {
	// ID is the invoice's global ID.
	ID string
	// OrderID is the domain ID of the invoiced order.
	OrderID     string
	Number      string
	IssuedAt    time.Time
	BilledTo    *BillingDetails
	Lines       []*OrderLine
	Subtotal    *Money
	Tax         *Money
	Total       *Money
	Refunded    *Money
	Status      InvoiceStatus
	OrderNumber string
	// PDFURL is the path of the invoice's PDF on this server.
	PDFURL string
}

// IsNode marks Invoice as a Node.
func (Invoice) IsNode() {}

// GetID returns the global ID.
func (i Invoice) GetID() string { return i.ID }

// CreditNote is a refund's document against an invoice; its invoice and
// order are loaded on demand.
type CreditNote struct {
	// ID is the credit note's global ID.
	ID string
	// InvoiceID and OrderID are the domain IDs of the invoice it refers to
	// and the invoiced order.
	InvoiceID     string
	OrderID       string
	Number        string
	IssuedAt      time.Time
	InvoiceNumber string
	OrderNumber   string
	BilledTo      *BillingDetails
	Lines         []*OrderLine
	Subtotal      *Money
	Tax           *Money
	Total         *Money
	Reason        string
	// PDFURL is the path of the credit note's PDF on this server.
	PDFURL string
}

// IsNode marks CreditNote as a Node.
func (CreditNote) IsNode() {}

// GetID returns the global ID.
func (c CreditNote) GetID() string { return c.ID }

// CreditGrant is a lot of credits; the order that paid for it is loaded on
// demand, and its reason is shown as the caller's access allows (see the
// reason resolver).
type CreditGrant struct {
	// ID is the grant's global ID.
	ID string
	// OrgID is the domain ID of the org the grant belongs to.
	OrgID string
	// OrderID is the domain ID of the order that paid for the grant, or "".
	OrderID   string
	Kind      GrantKind
	Paid      bool
	Amount    int64
	Remaining int64
	ExpiresAt *time.Time
	CreatedAt time.Time
	// StoredReason is the grant's reason as stored. It is deliberately not
	// named Reason: the GraphQL field is resolved, not bound to it, so that
	// no path (query, subscription event, mutation answer, node) shows it
	// to a caller the ledger hides the grant's entry from.
	StoredReason string
}

// IsNode marks CreditGrant as a Node.
func (CreditGrant) IsNode() {}

// GetID returns the global ID.
func (g CreditGrant) GetID() string { return g.ID }

// AutoRecharge is an org's auto-recharge settings; its pack and payment
// method are resolved on demand.
type AutoRecharge struct {
	// PackID and PaymentMethodID are domain IDs ("" when none).
	PackID          string
	PaymentMethodID string
	Enabled         bool
	Mode            AutoRechargeMode
	Threshold       int64
	Quantity        int
	SpendingLimit   *Money
	Paused          bool
	PauseReason     *string
	PausedAt        *time.Time
	SpentThisPeriod *Money
	PeriodStart     time.Time
	PeriodEnd       time.Time
	LastOrder       *Order
}
