package graph

import (
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

// Converters from domain types to GraphQL models and back. They map names
// and shapes only; every rule lives in domain.

func toOrg(o domain.Org) *model.Org {
	return &model.Org{
		ID: EncodeID(typeOrg, o.ID), OrgID: o.ID, Name: o.Name, Country: o.Country,
		Currency: toCurrency(o.Currency), Status: model.OrgStatus(o.Status), CreatedAt: o.CreatedAt,
		SuspendedAt: o.SuspendedAt,
	}
}

func toUser(u domain.User) *model.User {
	return &model.User{ID: EncodeID(typeUser, u.ID), Email: u.Email, Name: u.Name, CreatedAt: u.CreatedAt}
}

func toMembership(m domain.Membership) *model.Membership {
	return &model.Membership{OrgID: m.OrgID, Role: toRole(m.Role), CreatedAt: m.CreatedAt}
}

func toMember(m domain.Membership) *model.Member {
	return &model.Member{UserID: m.UserID, Role: toRole(m.Role), CreatedAt: m.CreatedAt}
}

func toMemberConnection(c domain.Connection[domain.Membership]) *model.MemberConnection {
	out := &model.MemberConnection{Edges: make([]*model.MemberEdge, len(c.Edges)), PageInfo: toPageInfo(c.HasNextPage, c.EndCursor())}
	for i, e := range c.Edges {
		out.Edges[i] = &model.MemberEdge{Cursor: e.Cursor, Node: toMember(e.Node)}
	}
	return out
}

func toInvitation(inv domain.Invitation) *model.Invitation {
	return &model.Invitation{
		ID: EncodeID(typeInvitation, inv.ID), InvitedByID: inv.InvitedBy, Email: inv.Email,
		Role: toRole(inv.Role), CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt,
		AcceptedAt: inv.AcceptedAt, RevokedAt: inv.RevokedAt,
	}
}

func toInvitations(invs []domain.Invitation) []*model.Invitation {
	return convertAll(invs, toInvitation)
}

func toSeats(s domain.Seats) *model.Seats {
	return &model.Seats{Total: s.Total, Used: s.Used, Available: s.Available, Pending: s.Pending}
}

func toAPIKey(k domain.APIKey) *model.ApiKey {
	return &model.ApiKey{
		ID: EncodeID(typeAPIKey, k.ID), CreatedByID: k.CreatedBy, Name: k.Name, Prefix: k.Prefix,
		CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt,
	}
}

func toAPIKeys(ks []domain.APIKey) []*model.ApiKey {
	return convertAll(ks, toAPIKey)
}

func toMoney(m domain.Money) *model.Money {
	return &model.Money{AmountMinor: m.AmountMinor, Currency: toCurrency(m.Currency), Amount: m.Decimal()}
}

func toPrices(ps []domain.Price) []*model.Money {
	return convertAll(ps, func(p domain.Price) *model.Money { return toMoney(p.Money()) })
}

func toPlan(p domain.Plan) *model.Plan {
	return &model.Plan{
		ID: EncodeID(typePlan, p.ID), Code: p.Code, Name: p.Name, Interval: model.BillingInterval(p.Interval),
		Prices: toPrices(p.Prices), IncludedCreditsPerSeat: p.IncludedCreditsPerSeat,
		Limits: &model.UsageLimits{
			Sessions: limit(p.Limits.Sessions), Events: limit(p.Limits.Events),
			Enrichments: limit(p.Limits.Enrichments), StorageBytes: limit(p.Limits.StorageBytes),
			DataTransferBytes: limit(p.Limits.DataTransferBytes),
		},
		ExtraCredits: toExtraCreditsAllowance(p.ExtraCredits),
		Seats:        p.Seats,
	}
}

// toExtraCreditsAllowance is nil for a rule that adds nothing.
func toExtraCreditsAllowance(a domain.ExtraCreditsAllowance) *model.ExtraCreditsAllowance {
	if a.DataTransferBlockCredits <= 0 || a.DataTransferPerBlock <= 0 {
		return nil
	}
	return &model.ExtraCreditsAllowance{DataTransferBlockCredits: a.DataTransferBlockCredits, DataTransferPerBlock: a.DataTransferPerBlock}
}

// limit maps domain's "zero means unlimited" to null.
func limit(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

func toPlans(ps []domain.Plan) []*model.Plan {
	return convertAll(ps, toPlan)
}

func toPack(p domain.Pack) *model.Pack {
	out := &model.Pack{
		ID: EncodeID(typePack, p.ID), Code: p.Code, Name: p.Name, Credits: p.Credits,
		Prices: toPrices(p.Prices), Validity: model.ValidityPolicy(p.Validity), Custom: p.Custom,
		StepPrices: toPrices(p.StepPrices),
	}
	if p.Validity == domain.ValidityRecurring {
		out.RecurringMonths = &p.RecurringMonths
	}
	if p.Custom {
		out.StepCredits = &p.StepCredits
	}
	return out
}

func toPacks(ps []domain.Pack) []*model.Pack {
	return convertAll(ps, toPack)
}

func toGrant(g domain.Grant) *model.CreditGrant {
	return &model.CreditGrant{
		ID: EncodeID(typeCreditGrant, g.ID), OrgID: g.OrgID, OrderID: g.OrderID, Kind: model.GrantKind(g.Kind), Paid: g.Kind.Paid(),
		Amount: g.Amount, Remaining: g.Remaining, ExpiresAt: g.ExpiresAt, CreatedAt: g.CreatedAt,
		StoredReason: g.Reason,
	}
}

func toBalance(b domain.Balance) *model.Balance {
	out := &model.Balance{Total: b.Total, Free: b.Free, Paid: b.Paid, UpdatedAt: b.UpdatedAt,
		Grants: make([]*model.CreditGrant, len(b.Grants))}
	for i, g := range b.Grants {
		out.Grants[i] = toGrant(g)
	}
	return out
}

func toLedgerEntry(e domain.LedgerEntry) *model.LedgerEntry {
	out := &model.LedgerEntry{
		ID: EncodeID(typeLedgerEntry, e.ID), GrantID: e.GrantID(), Kind: model.LedgerEntryKind(e.Kind),
		Amount: e.Amount, BalanceAfter: e.BalanceAfter, Sequence: e.Seq, Reason: e.Reason,
		Metadata: model.JSON(e.Metadata), CreatedAt: e.CreatedAt,
		Allocations: make([]*model.LedgerAllocation, len(e.Allocations)),
		Actor:       toLedgerActor(e.ActorKind, e.ActorID),
	}
	for i, a := range e.Allocations {
		out.Allocations[i] = &model.LedgerAllocation{GrantID: a.GrantID, Amount: a.Amount}
	}
	return out
}

func toLedgerActor(kind domain.ActorKind, id string) *model.LedgerActor {
	a := &model.LedgerActor{Kind: model.ActorKind(kind)}
	switch {
	case id == "":
	case kind == domain.ActorUser:
		gid := EncodeID(typeUser, id)
		a.ID, a.UserID = &gid, id
	case kind == domain.ActorAPIKey:
		gid := EncodeID(typeAPIKey, id)
		a.ID = &gid
	}
	return a
}

func toLedgerConnection(c domain.LedgerPage) *model.LedgerEntryConnection {
	out := &model.LedgerEntryConnection{Scope: model.UsageScope(c.Scope), Edges: make([]*model.LedgerEntryEdge, len(c.Edges)),
		PageInfo: toPageInfo(c.HasNextPage, c.EndCursor())}
	for i, e := range c.Edges {
		out.Edges[i] = &model.LedgerEntryEdge{Cursor: e.Cursor, Node: toLedgerEntry(e.Node)}
	}
	return out
}

func toPageInfo(hasNext bool, end string) *model.PageInfo {
	p := &model.PageInfo{HasNextPage: hasNext}
	if end != "" {
		p.EndCursor = &end
	}
	return p
}

func toUsage(u domain.Usage) *model.Usage {
	out := &model.Usage{Scope: model.UsageScope(u.Scope), PeriodStart: u.PeriodStart, PeriodEnd: u.PeriodEnd,
		CreditsConsumed: u.CreditsConsumed, OverLimitAction: model.OverLimitAction(u.OverLimit), ExtraCredits: u.ExtraCredits,
		Metrics: make([]*model.MetricUsage, len(u.Metrics))}
	if u.MemberID != "" {
		id := EncodeID(typeUser, u.MemberID)
		out.MemberID = &id
	}
	for i, m := range u.Metrics {
		mu := &model.MetricUsage{Metric: model.UsageMetric(m.Metric), Quantity: m.Quantity, Level: model.UsageLevel(m.Level),
			OverLimit: m.OverLimit, OverLimitEvents: m.OverLimitEvents, LimitFromExtraCredits: m.ExtraLimit}
		if m.Limit > 0 {
			limit, frac := m.Limit, m.Fraction
			mu.Limit, mu.FractionUsed = &limit, &frac
		}
		out.Metrics[i] = mu
	}
	return out
}

// balanceEvents converts balanceUpdated events; the subscribers of an org
// that see the same event share its model (read-only).
var balanceEvents = domain.NewBalanceConverter(toBalanceEvent)

func toBalanceEvent(ev domain.BalanceEvent) *model.BalanceEvent {
	out := &model.BalanceEvent{Balance: toBalance(ev.Balance)}
	if ev.Entry != nil {
		out.Entry = toLedgerEntry(*ev.Entry)
	}
	return out
}

func toCurrency(c domain.Currency) model.Currency { return model.Currency(c) }

func toRole(r domain.Role) model.Role { return model.Role(r) }

// Inputs: GraphQL enums to domain values (gqlgen has validated them).

func fromCurrency(c model.Currency) domain.Currency { return domain.Currency(c) }

func fromCurrencyPtr(c *model.Currency) *domain.Currency {
	if c == nil {
		return nil
	}
	d := fromCurrency(*c)
	return &d
}

func fromRole(r model.Role) domain.Role { return domain.Role(r) }

func fromGrantKind(k model.GrantKind) domain.GrantKind { return domain.GrantKind(k) }

// fromPage turns connection arguments into a domain page (bounds are the
// store's to apply).
func fromPage(first *int, after *string) domain.Page {
	var p domain.Page
	if first != nil {
		p.First = *first
	}
	p.After = deref(after)
	return p
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// convertAll converts a slice of domain values with one converter.
func convertAll[D, M any](in []D, conv func(D) M) []M {
	out := make([]M, len(in))
	for i, v := range in {
		out[i] = conv(v)
	}
	return out
}

// usageInputField names a usage event's field as RecordUsageInput does.
func usageInputField(f string) string {
	switch f {
	case "id":
		return "eventId"
	case "member":
		return "memberId"
	}
	return f
}
