package domain

import (
	"context"
	"time"
)

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

// GrantInput is a platform admin's request to add credits to an org.
type GrantInput struct {
	OrgID          string
	Amount         int64
	Kind           GrantKind
	ExpiresAt      *time.Time
	Reason         string
	IdempotencyKey string
}

// GrantCredits adds credits to an org as a new grant (platform admins only).
// A CLOSED org (one its owner deleted) is NOT_FOUND: it takes no credits.
// Codes: INVALID_INPUT, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT.
func (s *Service) GrantCredits(ctx context.Context, in GrantInput) (CreditResult, error) {
	admin, err := requirePlatformAdmin(ctx)
	if err != nil {
		return CreditResult{}, err
	}
	if err := validateAmount("amount", in.Amount); err != nil {
		return CreditResult{}, err
	}
	if err := validateKey(in.IdempotencyKey); err != nil {
		return CreditResult{}, err
	}
	if !in.Kind.Valid() {
		return CreditResult{}, InvalidInput("kind", "unknown grant kind %q", in.Kind)
	}
	reason, err := validateReason(in.Reason)
	if err != nil {
		return CreditResult{}, err
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(s.clock.Now()) {
		return CreditResult{}, InvalidInput("expiresAt", "must be in the future")
	}
	if !ValidID(in.OrgID) {
		return CreditResult{}, NotFound("org")
	}
	exp := ""
	if in.ExpiresAt != nil {
		exp = in.ExpiresAt.UTC().Format(time.RFC3339Nano)
	}
	hash := requestHash("grantCredits", in.OrgID, in.Amount, string(in.Kind), exp, reason)
	// A replayed key shows the admin the stored grant entry; whether they
	// may see another admin's follows their own role in the org, if any.
	acc := Access{Actor: admin}
	if m, err := s.store.MembershipOf(ctx, in.OrgID, admin.UserID); err == nil {
		acc.Role = m.Role
	} else if !IsCode(err, CodeNotFound) {
		return CreditResult{}, asDomainError(err)
	}
	r := s.applyOps(ctx, in.OrgID, []creditOp{{key: idemKey{orgID: in.OrgID, key: in.IdempotencyKey, op: "grantCredits", hash: hash}, by: acc,
		fn: func(b *Balance, _ []Grant, now time.Time) (change, error) {
			if b.OrgStatus == OrgClosed { // deleted (DeleteOrg): its credits went with it
				return change{}, NotFound("org")
			}
			return grantChange(b.OrgID, in.Kind, in.Amount, in.ExpiresAt, "", reason, admin, now), nil
		}}})[0]
	return r.res, r.err
}

// grantChange is the change that adds a new grant with its GRANT entry.
func grantChange(orgID string, kind GrantKind, amount int64, expiresAt *time.Time, orderID, reason string, by Actor, now time.Time) change {
	g := Grant{
		ID: newID(), OrgID: orgID, Kind: kind, Amount: amount, Remaining: amount,
		ExpiresAt: utcPtr(expiresAt), OrderID: orderID, Reason: reason, CreatedAt: now,
	}
	return change{
		newGrants: []Grant{g},
		entries: []LedgerEntry{{
			Kind: EntryGrant, Amount: amount, Reason: reason,
			Allocations: []Allocation{{GrantID: g.ID, Amount: amount}},
			ActorKind:   by.Kind(), ActorID: by.ID(),
		}},
	}
}

// Grant returns one grant of an org whose balance the caller may read.
func (s *Service) Grant(ctx context.Context, id string) (Grant, error) {
	if !ValidID(id) {
		return Grant{}, NotFound("grant")
	}
	gs, err := s.store.GrantsByIDs(ctx, []string{id})
	if err != nil {
		return Grant{}, asDomainError(err)
	}
	if len(gs) == 0 {
		return Grant{}, NotFound("grant")
	}
	if _, err := s.authorize(ctx, gs[0].OrgID, ActionReadBalance); err != nil {
		return Grant{}, notFoundFor(err, "grant")
	}
	return gs[0], nil
}

// GrantsByIDs loads grants for relationship fields of objects the caller was
// already authorized to see.
func (s *Service) GrantsByIDs(ctx context.Context, ids []string) (map[string]Grant, error) {
	gs, err := s.store.GrantsByIDs(ctx, ids)
	if err != nil {
		return nil, asDomainError(err)
	}
	m := make(map[string]Grant, len(gs))
	for _, g := range gs {
		m[g.ID] = g
	}
	return m, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}
