package domain

import (
	"encoding/json"
	"time"
)

// MaxCredits is the largest credit amount accepted in one operation: 2^53-1,
// so that every amount survives a round trip through a JSON number.
const MaxCredits int64 = 1<<53 - 1

// GrantKind says where credits came from.
type GrantKind string

// Grant kinds: FREE and PROMO are the Free chip, the rest Paid.
const (
	GrantFree         GrantKind = "FREE"
	GrantSubscription GrantKind = "SUBSCRIPTION"
	GrantPurchased    GrantKind = "PURCHASED"
	GrantAutoRecharge GrantKind = "AUTO_RECHARGE"
	GrantPromo        GrantKind = "PROMO"
	GrantAdjustment   GrantKind = "ADJUSTMENT"
)

// Valid reports whether k is a known kind.
func (k GrantKind) Valid() bool {
	switch k {
	case GrantFree, GrantSubscription, GrantPurchased, GrantAutoRecharge, GrantPromo, GrantAdjustment:
		return true
	}
	return false
}

// Paid reports whether credits of this kind count in the Paid chip
// (FREE and PROMO are the Free chip).
func (k GrantKind) Paid() bool { return k != GrantFree && k != GrantPromo }

// Grant is a lot of credits with its own expiry; spends draw from grants in
// the spending order of SortForSpending.
type Grant struct {
	ID        string
	OrgID     string
	Kind      GrantKind
	Amount    int64 // as granted
	Remaining int64 // not yet spent, expired or refunded
	ExpiresAt *time.Time
	OrderID   string // the order that paid for it, if any
	Reason    string
	CreatedAt time.Time
}

// Expired reports whether the grant is past its expiry at now.
func (g Grant) Expired(now time.Time) bool { return g.ExpiresAt != nil && !now.Before(*g.ExpiresAt) }

// EntryKind classifies a ledger entry.
type EntryKind string

// Ledger entry kinds.
const (
	EntryGrant   EntryKind = "GRANT"
	EntryConsume EntryKind = "CONSUME"
	EntryExpire  EntryKind = "EXPIRE"
	EntryRefund  EntryKind = "REFUND"
	EntryAdjust  EntryKind = "ADJUST"
)

// ActorKind says who caused a ledger entry.
type ActorKind string

// Actor kinds.
const (
	ActorUser   ActorKind = "USER"
	ActorAPIKey ActorKind = "API_KEY"
	ActorSystem ActorKind = "SYSTEM"
)

// Allocation is the part of a ledger entry drawn from (or added to) one grant.
type Allocation struct {
	GrantID string `json:"grantId"`
	Amount  int64  `json:"amount"` // signed like the entry
}

// LedgerEntry is one append-only change of an org's balance. The sum of an
// org's entries' amounts is its balance, always.
type LedgerEntry struct {
	ID           string
	OrgID        string
	Seq          int64 // per-org position, 1, 2, 3…; equals Balance.Version after it
	Kind         EntryKind
	Amount       int64 // signed: positive adds credits
	BalanceAfter int64
	Allocations  []Allocation
	Reason       string
	Metadata     json.RawMessage // client-supplied JSON object, or nil
	ActorKind    ActorKind
	ActorID      string // user or API key ID; empty for the system
	CreatedAt    time.Time
}

// GrantID returns the single grant the entry touched, or "" when it touched
// none or several.
func (e LedgerEntry) GrantID() string {
	if len(e.Allocations) == 1 {
		return e.Allocations[0].GrantID
	}
	return ""
}

// Balance is an org's current credit balance: the stored counters plus the
// grants that make it up.
type Balance struct {
	OrgID     string
	Total     int64
	Free      int64 // FREE + PROMO grants
	Paid      int64 // every other kind
	Version   int64 // Seq of the last ledger entry
	UpdatedAt time.Time
	OrgStatus OrgStatus // the org's status, read with the counters
	Grants    []Grant   // grants with credits remaining, in spending order
}

// ConsumeInput is a request to spend credits.
type ConsumeInput struct {
	OrgID          string
	Amount         int64
	IdempotencyKey string
	Reason         string
	Metadata       json.RawMessage
}

// GrantInput is a platform admin's request to add credits to an org.
type GrantInput struct {
	OrgID          string
	Amount         int64
	Kind           GrantKind
	ExpiresAt      *time.Time
	Reason         string
	IdempotencyKey string
}

// CreditResult is what a credit-moving operation returns: the entry it wrote
// and the balance right after it.
type CreditResult struct {
	Entry   LedgerEntry
	Balance Balance
}

// IdempotencyRecord remembers the outcome of a credit-moving request so a
// retry with the same key returns the same result and has no second effect.
type IdempotencyRecord struct {
	OrgID       string
	Key         string
	Operation   string // e.g. "consumeCredits"
	RequestHash string // hex SHA-256 of the canonical request
	Response    []byte // JSON of the first result
	CreatedAt   time.Time
}

// UsageScope says whose entries a Usage report or a LedgerPage covers.
type UsageScope string

// Usage scopes: the whole org (OWNER, BILLING) or the caller's own (ADMIN,
// MEMBER; see ledgerScope).
const (
	UsageOrg    UsageScope = "ORG"
	UsageMember UsageScope = "MEMBER"
)

// Usage reports consumption in the current calendar-month period.
type Usage struct {
	OrgID           string
	Scope           UsageScope
	PeriodStart     time.Time
	PeriodEnd       time.Time
	CreditsConsumed int64
}
