package domain

import (
	"context"
	"encoding/json"
	"time"
)

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

// LedgerPage is one page of an org's ledger and whose entries it holds:
// UsageOrg when the caller reads every entry, UsageMember when only the
// ones they caused, so a narrowed page says so instead of looking complete.
type LedgerPage struct {
	Connection[LedgerEntry]
	Scope UsageScope
}

// Ledger pages an org's ledger, newest first, as ledgerScope allows: OWNER
// and BILLING see every entry; other members see their own ("own usage"),
// and the page's Scope says which. API keys may not.
func (s *Service) Ledger(ctx context.Context, orgID string, p Page) (LedgerPage, error) {
	acc, err := s.authorize(ctx, orgID, ActionReadOwnUsage)
	if err != nil {
		return LedgerPage{}, err
	}
	actorID, ok := ledgerScope(acc)
	if !ok {
		return LedgerPage{}, Errorf(CodeForbidden, "an API key may not read this org's ledger; sign in as a member of this org")
	}
	c, err := s.store.ListLedger(ctx, orgID, LedgerFilter{ActorID: actorID}, p)
	return LedgerPage{Connection: c, Scope: scopeOf(actorID)}, asDomainError(err)
}

// scopeOf is the UsageScope of what ledgerScope answered: every entry
// ("") or one actor's.
func scopeOf(actorID string) UsageScope {
	if actorID == "" {
		return UsageOrg
	}
	return UsageMember
}

// LedgerEntry returns one entry the caller may see (as Ledger decides).
func (s *Service) LedgerEntry(ctx context.Context, id string) (LedgerEntry, error) {
	if !ValidID(id) {
		return LedgerEntry{}, NotFound("ledger entry")
	}
	e, err := s.store.LedgerEntryByID(ctx, id)
	if err != nil {
		return LedgerEntry{}, asDomainError(err)
	}
	acc, err := s.authorize(ctx, e.OrgID, ActionReadOwnUsage)
	if err != nil {
		return LedgerEntry{}, notFoundFor(err, "ledger entry")
	}
	if !mayReadEntry(acc, e) {
		return LedgerEntry{}, NotFound("ledger entry")
	}
	return e, nil
}

// ReadsWholeLedger reports, for each of orgIDs, whether the caller reads
// every ledger entry of that org (ledgerScope: OWNER and BILLING); orgs the
// caller may not read at all are left out. A grant's reason is the reason of
// its GRANT entry (an operator's note, the paying order's number), which the
// ledger hides from everyone else, so the API shows a grant's reason only
// where this holds, on every path that shows grants.
func (s *Service) ReadsWholeLedger(ctx context.Context, orgIDs []string) (map[string]bool, error) {
	out := make(map[string]bool, len(orgIDs))
	for _, id := range orgIDs {
		acc, err := s.authorize(ctx, id, ActionReadOwnUsage)
		switch ErrorCode(err) {
		case "":
		case CodeNotFound, CodeForbidden, CodeUnauthenticated:
			continue
		default:
			return nil, err
		}
		actorID, ok := ledgerScope(acc)
		out[id] = ok && actorID == ""
	}
	return out, nil
}
