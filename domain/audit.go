package domain

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// AuditKind names one invariant of a store that an audit checks; a
// discrepancy of that kind is a place where the store breaks it.
type AuditKind string

// The invariants an audit checks. Each holds for every store that only
// the domain's own operations wrote; a discrepancy means data was
// changed behind the domain's back, or a bug.
const (
	// AuditLedgerBalance: an org's ledger amounts do not sum to its stored
	// balance, its balance version is not the seq of its last entry, or
	// its free and paid counters are not the remainders of its FREE/PROMO
	// and other grants.
	AuditLedgerBalance AuditKind = "LEDGER_BALANCE"
	// AuditRunningBalance: an entry's balance_after is not the running sum
	// of the org's ledger up to it, its seq is not the next of 1, 2, 3…,
	// or the running balance went below zero.
	AuditRunningBalance AuditKind = "RUNNING_BALANCE"
	// AuditNegativeBalance: a stored balance counter (total, free, paid)
	// is below zero.
	AuditNegativeBalance AuditKind = "NEGATIVE_BALANCE"
	// AuditEntryAllocations: an entry's amount is not the sum of its
	// allocations, or an allocation names a grant that does not exist or
	// belongs to another org.
	AuditEntryAllocations AuditKind = "ENTRY_ALLOCATIONS"
	// AuditGrantRemaining: a grant's remaining amount is not its amount
	// less what its allocations took (spends, expiries, refunds,
	// forfeits), or it was not granted by exactly one GRANT entry of its
	// amount.
	AuditGrantRemaining AuditKind = "GRANT_REMAINING"
	// AuditOrderGrant: a paid order (see OrderStatus.Fulfilled) with
	// credits has not exactly one grant of its credits (the one its
	// grant_id names), a paid order without credits has one, or an order
	// never paid has one.
	AuditOrderGrant AuditKind = "ORDER_GRANT"
	// AuditOrderInvoice: a paid order has no invoice, an order never paid
	// has one, or the invoice's org or total is not the order's.
	AuditOrderInvoice AuditKind = "ORDER_INVOICE"
	// AuditRefundCreditNote: what an invoiced order says was refunded is
	// not what its credit notes (and any refund recorded on the invoice
	// before credit notes existed) gave back, a credit note's org or order
	// is not its invoice's, or an order not invoiced and not held for
	// review records a refund.
	AuditRefundCreditNote AuditKind = "REFUND_CREDIT_NOTE"
	// AuditInvoiceNumbering: a year's invoice numbers are not 1…n without
	// gaps or repeats, or the year's counter is not n.
	AuditInvoiceNumbering AuditKind = "INVOICE_NUMBERING"
	// AuditCreditNoteNumbering: the same for credit notes.
	AuditCreditNoteNumbering AuditKind = "CREDIT_NOTE_NUMBERING"
	// AuditIdempotency: an idempotency record does not point at what its
	// operation made (see IdempotencyRef): the row is missing, belongs to
	// another org or is of the wrong kind, the response cannot be read,
	// or the operation is unknown.
	AuditIdempotency AuditKind = "IDEMPOTENCY"
)

// AuditKinds lists every kind, in report order.
var AuditKinds = []AuditKind{
	AuditLedgerBalance, AuditRunningBalance, AuditNegativeBalance, AuditEntryAllocations,
	AuditGrantRemaining, AuditOrderGrant, AuditOrderInvoice, AuditRefundCreditNote,
	AuditInvoiceNumbering, AuditCreditNoteNumbering, AuditIdempotency,
}

// Fulfilled reports whether an order in status s was paid and fulfilled:
// PAID, or refunded since. Exactly these orders have an invoice, and a
// grant of their credits when they have any; this holds for every kind of
// order alike (packs, recurring add-ons, auto-recharge top-ups,
// subscriptions, plan changes, seat additions and renewals), since all are
// fulfilled by one path. An order held for review is never fulfilled.
func (s OrderStatus) Fulfilled() bool {
	return s == OrderPaid || s == OrderPartiallyRefunded || s == OrderRefunded
}

// AuditDiscrepancy is one place where a store breaks an invariant.
type AuditDiscrepancy struct {
	Kind  AuditKind `json:"kind"`
	OrgID string    `json:"orgId,omitempty"`
	// Refs names the rows involved, "table:id" (an idempotency record is
	// "idempotency_keys:<org>/<key>", a number series "INV-2026").
	Refs   []string `json:"refs"`
	Detail string   `json:"detail"`
}

// String is the discrepancy on one line.
func (d AuditDiscrepancy) String() string {
	org := ""
	if d.OrgID != "" {
		org = " org " + d.OrgID
	}
	return fmt.Sprintf("%s%s %v: %s", d.Kind, org, d.Refs, d.Detail)
}

// AuditCounts says how much an audit read.
type AuditCounts struct {
	Orgs          int64 `json:"orgs"`
	LedgerEntries int64 `json:"ledgerEntries"`
	Grants        int64 `json:"grants"`
	Orders        int64 `json:"orders"`
	Invoices      int64 `json:"invoices"`
	CreditNotes   int64 `json:"creditNotes"`
	Idempotency   int64 `json:"idempotencyRecords"`
}

// AuditReport is the result of one audit: what it read, how many
// discrepancies of each kind it found (all of them), and the first ones
// (up to the cap the audit was given).
type AuditReport struct {
	StartedAt time.Time           `json:"startedAt"`
	Duration  time.Duration       `json:"durationNs"`
	Checked   AuditCounts         `json:"checked"`
	Found     map[AuditKind]int64 `json:"found"`
	Listed    []AuditDiscrepancy  `json:"discrepancies"`
	// Truncated says Listed holds fewer discrepancies than were found.
	Truncated bool `json:"truncated"`
}

// NewAuditReport returns an empty report of an audit started at start,
// every kind counted at zero.
func NewAuditReport(start time.Time) AuditReport {
	r := AuditReport{StartedAt: start, Found: map[AuditKind]int64{}, Listed: []AuditDiscrepancy{}}
	for _, k := range AuditKinds {
		r.Found[k] = 0
	}
	return r
}

// Add counts d and lists it while fewer than maxList are listed.
func (r *AuditReport) Add(d AuditDiscrepancy, maxList int) {
	r.Found[d.Kind]++
	if len(r.Listed) < maxList {
		r.Listed = append(r.Listed, d)
	} else {
		r.Truncated = true
	}
}

// Total is the number of discrepancies found.
func (r AuditReport) Total() int64 {
	var n int64
	for _, c := range r.Found {
		n += c
	}
	return n
}

// Clean reports whether the audit found nothing wrong.
func (r AuditReport) Clean() bool { return r.Total() == 0 }

// Of returns the listed discrepancies of kind k.
func (r AuditReport) Of(k AuditKind) []AuditDiscrepancy {
	var out []AuditDiscrepancy
	for _, d := range r.Listed {
		if d.Kind == k {
			out = append(out, d)
		}
	}
	return out
}

// IdempotencyRef is what an idempotency record of an operation points
// at, read from its response: the table of the row the operation made or
// changed, and whether that row may since have been deleted (payment
// methods and webhook endpoints can be; then only a row that exists is
// checked, for its org). How the response names the row is the
// operation's (ParseIdempotencyRef).
type IdempotencyRef struct {
	Table string // "ledger_entries", "orders", "subscriptions", "auto_recharges", …; "" when none
	ID    string // the row's id; for auto_recharges and orgs, the org's
	// EntryKind is the ledger entry's kind the operation writes.
	EntryKind EntryKind
	// Deletable says the row may be gone legitimately.
	Deletable bool
}

// ParseIdempotencyRef reads what a record of operation op with response
// resp points at: ok false when op is unknown or resp cannot be read.
// refundOrder and setLowBalanceAlert and rotateWebhookEndpointSecret
// point at nothing a response names (their responses hold no id), so
// their Table is "".
func ParseIdempotencyRef(orgID, op string, resp []byte) (IdempotencyRef, bool) {
	switch op {
	case "grantCredits", "consumeCredits":
		id, ok := creditResultEntryID(resp)
		kind := EntryGrant
		if op == "consumeCredits" {
			kind = EntryConsume
		}
		return IdempotencyRef{Table: "ledger_entries", ID: id, EntryKind: kind}, ok
	case "purchasePack", "retrySubscriptionPayment", "checkoutOrder":
		return IdempotencyRef{Table: "orders", ID: string(resp)}, ValidID(string(resp))
	case "subscribe", "changeSubscription", "cancelSubscription", "resumeSubscription", "setAutoRenew":
		if id, ok := strings.CutPrefix(string(resp), "sub:"); ok {
			return IdempotencyRef{Table: "subscriptions", ID: id}, ValidID(id)
		}
		return IdempotencyRef{Table: "orders", ID: string(resp)}, ValidID(string(resp))
	case "setAutoRecharge", "resumeAutoRecharge":
		return IdempotencyRef{Table: "auto_recharges", ID: orgID}, true
	case "addPaymentMethod":
		return IdempotencyRef{Table: "payment_methods", ID: string(resp), Deletable: true}, ValidID(string(resp))
	case opCreateWebhookEndpoint:
		return IdempotencyRef{Table: "webhook_endpoints", ID: string(resp), Deletable: true}, ValidID(string(resp))
	case opSendWebhookTest:
		return IdempotencyRef{Table: "webhook_deliveries", ID: string(resp), Deletable: true}, ValidID(string(resp))
	case "refundOrder":
		var r RefundResult
		return IdempotencyRef{}, json.Unmarshal(resp, &r) == nil
	case opSetLowBalanceAlert, opRotateWebhookSecret:
		return IdempotencyRef{}, true
	}
	return IdempotencyRef{}, false
}

// creditResultEntryID is the ledger entry id in a CreditResult response.
func creditResultEntryID(resp []byte) (string, bool) {
	var r struct{ Entry struct{ ID string } }
	if err := json.Unmarshal(resp, &r); err != nil || !ValidID(r.Entry.ID) {
		return "", false
	}
	return r.Entry.ID, true
}

// SortedKinds returns the kinds of found in report order, then any other.
func (r AuditReport) SortedKinds() []AuditKind {
	out := slices.Clone(AuditKinds)
	for k := range r.Found {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
