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

// Usage reports consumption in one metering period (usage_meter.go):
// credits consumed and each metered metric against the plan's limits.
type Usage struct {
	OrgID string
	Scope UsageScope
	// MemberID is whose usage a MEMBER report is ("" for ORG).
	MemberID        string
	PeriodStart     time.Time
	PeriodEnd       time.Time
	CreditsConsumed int64
	// ExtraCredits is the net extra credits paid in the period, which
	// raise its data-transfer limit (extratransfer.go); 0 in a MEMBER
	// report.
	ExtraCredits int64
	// Metrics holds every metric, in UsageMetrics order.
	Metrics []MetricUsage
	// OverLimit says what the plan does past a limit.
	OverLimit OverLimitAction
}

// MetricUsage is one metric's total in a period against the org's limit.
type MetricUsage struct {
	Metric   UsageMetric
	Quantity int64
	// Limit is the plan's org-wide limit; 0 is unlimited. For
	// DATA_TRANSFER_BYTES it includes ExtraLimit.
	Limit int64
	// ExtraLimit is the part of Limit the period's extra credits added
	// (DATA_TRANSFER_BYTES only; 0 for the others).
	ExtraLimit int64
	// Fraction is Quantity/Limit (0 when unlimited).
	Fraction float64
	// Level is the org-wide total's level (a member's own share is not
	// measured against the org's limit alone).
	Level UsageLevel
	// OverLimitEvents counts events accepted past the limit (FLAG plans).
	OverLimitEvents int64
	// OverLimit: the total is past the limit or events were flagged.
	OverLimit bool
}

// UsageQuery picks the period and whose usage a report covers.
type UsageQuery struct {
	// At picks the period containing it; nil is now. A period that has
	// stored usage keeps the bounds it had then.
	At *time.Time
	// MemberID asks for one member's usage (OWNER and BILLING only; other
	// roles always get their own).
	MemberID string
}

// maxUsagePeriods bounds UsagePeriods.
const maxUsagePeriods = 120

// Usage reports one period's consumption: org-wide for OWNER and BILLING
// (or one member's when q.MemberID names one), the caller's own for other
// roles (ledgerScope); Scope says which. Levels are those of the org-wide
// totals against the org's current plan, the data-transfer limit raised
// by the period's extra credits (extratransfer.go).
func (s *Service) Usage(ctx context.Context, orgID string, q UsageQuery) (Usage, error) {
	acc, err := s.authorize(ctx, orgID, ActionReadOwnUsage)
	if err != nil {
		return Usage{}, err
	}
	// The ledger's rule: a report covers exactly the entries Ledger lists.
	actor, ok := ledgerScope(acc)
	if !ok {
		return Usage{}, Errorf(CodeForbidden, "an API key may not read this org's usage; sign in as a member of this org")
	}
	if q.MemberID != "" && q.MemberID != actor {
		if actor != "" {
			return Usage{}, Errorf(CodeForbidden, "a member with the %s role may read only their own usage; another member's takes the OWNER or BILLING role", acc.Role)
		}
		if !ValidID(q.MemberID) {
			return Usage{}, NotFound("member")
		}
		ok, err := s.store.UsageMembers(ctx, orgID, []string{q.MemberID})
		if err != nil {
			return Usage{}, asDomainError(err)
		}
		if len(ok) == 0 {
			return Usage{}, NotFound("member")
		}
		actor = q.MemberID
	}
	up, err := s.usagePlanOf(ctx, orgID)
	if err != nil {
		return Usage{}, asDomainError(err)
	}
	at := s.clock.Now().UTC()
	if q.At != nil {
		at = q.At.UTC()
	}
	p, err := s.usagePeriodAt(ctx, orgID, up.anchor, at)
	if err != nil {
		return Usage{}, err
	}
	u := Usage{OrgID: orgID, Scope: scopeOf(actor), MemberID: actor, PeriodStart: p.Start, PeriodEnd: p.End,
		OverLimit: up.action}
	u.CreditsConsumed, err = s.store.SumConsumed(ctx, orgID, actor, p.Start, p.End)
	if err != nil {
		return Usage{}, asDomainError(err)
	}
	// No Credits value exceeds MaxCredits. A month's consumption can only
	// pass it by spending repeated near-limit grants; it is then reported
	// as the limit (the ledger still holds every entry exactly).
	u.CreditsConsumed = min(u.CreditsConsumed, MaxCredits)
	orgWide, err := s.store.UsageTotals(ctx, orgID, p.Start, "")
	if err != nil {
		return Usage{}, asDomainError(err)
	}
	extraCredits, extraBytes, err := extraTransfer(ctx, s.store, orgID, up, p)
	if err != nil {
		return Usage{}, asDomainError(err)
	}
	if actor == "" { // what the org bought is for org-wide readers
		u.ExtraCredits = extraCredits
	}
	own := orgWide
	if actor != "" {
		if own, err = s.store.UsageTotals(ctx, orgID, p.Start, actor); err != nil {
			return Usage{}, asDomainError(err)
		}
	}
	byMetric := func(ts []UsageTotal, m UsageMetric) UsageTotal {
		for _, t := range ts {
			if t.Metric == m {
				return t
			}
		}
		return UsageTotal{}
	}
	for _, m := range UsageMetrics {
		limit := up.limits.limitWith(m, extraBytes)
		o, mine := byMetric(orgWide, m), byMetric(own, m)
		mu := MetricUsage{Metric: m, Quantity: mine.Quantity, Limit: limit, ExtraLimit: limit - up.limits.LimitOf(m),
			Level: s.cfg.Usage.level(o.Quantity, limit), OverLimitEvents: mine.OverLimitEvents}
		if limit > 0 {
			mu.Fraction = float64(mine.Quantity) / float64(limit)
		}
		mu.OverLimit = mine.OverLimitEvents > 0 || (limit > 0 && mine.Quantity > limit)
		u.Metrics = append(u.Metrics, mu)
	}
	return u, nil
}

// usagePeriodAt returns the period containing at: a stored one, else the
// one the org's current anchor makes.
func (s *Service) usagePeriodAt(ctx context.Context, orgID string, anchor, at time.Time) (UsagePeriod, error) {
	ps, err := s.store.UsagePeriods(ctx, orgID, maxUsagePeriods)
	if err != nil {
		return UsagePeriod{}, asDomainError(err)
	}
	for _, p := range ps {
		if !at.Before(p.Start) && at.Before(p.End) {
			return p, nil
		}
	}
	return usagePeriodOf(anchor, at), nil
}

// UsagePeriods lists the periods of org orgID that have metered usage,
// newest first (at most 120), for any member who may read usage.
func (s *Service) UsagePeriods(ctx context.Context, orgID string) ([]UsagePeriod, error) {
	acc, err := s.authorize(ctx, orgID, ActionReadOwnUsage)
	if err != nil {
		return nil, err
	}
	if _, ok := ledgerScope(acc); !ok {
		return nil, Errorf(CodeForbidden, "an API key may not read this org's usage; sign in as a member of this org")
	}
	ps, err := s.store.UsagePeriods(ctx, orgID, maxUsagePeriods)
	return ps, asDomainError(err)
}
