package domain

import (
	"context"
	"time"
)

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

// Usage reports this calendar month's consumption: org-wide for OWNER and
// BILLING, the caller's own for other roles.
func (s *Service) Usage(ctx context.Context, orgID string) (Usage, error) {
	acc, err := s.authorize(ctx, orgID, ActionReadOwnUsage)
	if err != nil {
		return Usage{}, err
	}
	now := s.clock.Now()
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, 0)
	// The ledger's rule: a report covers exactly the entries Ledger lists.
	actor, ok := ledgerScope(acc)
	if !ok {
		return Usage{}, Errorf(CodeForbidden, "an API key may not read this org's usage; sign in as a member of this org")
	}
	u := Usage{OrgID: orgID, Scope: scopeOf(actor), PeriodStart: from, PeriodEnd: to}
	u.CreditsConsumed, err = s.store.SumConsumed(ctx, orgID, actor, from, to)
	// No Credits value exceeds MaxCredits. A month's consumption can only
	// pass it by spending repeated near-limit grants; it is then reported
	// as the limit (the ledger still holds every entry exactly).
	u.CreditsConsumed = min(u.CreditsConsumed, MaxCredits)
	return u, asDomainError(err)
}
