package domain

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// OrgStatus is the lifecycle state of an organization.
type OrgStatus string

// Organization states. ACTIVE and PAST_DUE orgs may spend; SUSPENDED and
// CLOSED ones may not (README, Credits and errors).
const (
	OrgActive    OrgStatus = "ACTIVE"
	OrgPastDue   OrgStatus = "PAST_DUE"
	OrgSuspended OrgStatus = "SUSPENDED"
	OrgClosed    OrgStatus = "CLOSED"
)

// CanSpend reports whether an org in this state may consume credits.
func (s OrgStatus) CanSpend() bool { return s == OrgActive || s == OrgPastDue }

// Org is the billing unit: one shared credit balance spent by its members.
type Org struct {
	ID        string
	Name      string
	Country   string // ISO 3166-1 alpha-2, upper case
	Currency  Currency
	Status    OrgStatus
	Seats     int // seats paid for (the Free plan's configured count until recurring billing)
	CreatedAt time.Time
	UpdatedAt time.Time
	// DeletedAt is when its owner deleted the org (DeleteOrg); nil while
	// it is in use.
	DeletedAt *time.Time
	// SuspendedAt is when the org was last SUSPENDED (its retention runs
	// from there); nil when it never was or was restored.
	SuspendedAt *time.Time
}

// CreateOrgInput is what createOrg takes.
type CreateOrgInput struct {
	Name     string
	Country  string
	Currency Currency
}

// CreateOrg creates an org with the caller as OWNER, the Free plan's seats
// and the sign-up grant, all in one transaction. Codes: UNAUTHENTICATED,
// FORBIDDEN (API keys), INVALID_INPUT.
func (s *Service) CreateOrg(ctx context.Context, in CreateOrgInput) (Org, error) {
	a, err := requireUser(ctx)
	if err != nil {
		return Org{}, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) {
		return Org{}, InvalidInput("name", "must be 1 to 100 characters")
	}
	country := strings.ToUpper(strings.TrimSpace(in.Country))
	if !validCountry(country) {
		return Org{}, InvalidInput("country", "must be an ISO 3166-1 alpha-2 code")
	}
	if !in.Currency.Valid() {
		return Org{}, InvalidInput("currency", "unsupported currency %q", in.Currency)
	}
	now := s.clock.Now()
	org := Org{
		ID: newID(), Name: name, Country: country, Currency: in.Currency,
		Status: OrgActive, Seats: s.cfg.FreeSeats, CreatedAt: now, UpdatedAt: now,
	}
	var grant CreditResult
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.CreateOrg(ctx, org); err != nil {
			return err
		}
		if err := tx.AddMembership(ctx, Membership{OrgID: org.ID, UserID: a.UserID, Role: RoleOwner, CreatedAt: now}); err != nil {
			return err
		}
		if s.cfg.SignupGrant <= 0 {
			return nil
		}
		var exp *time.Time
		if s.cfg.SignupGrantTTL > 0 {
			t := now.Add(s.cfg.SignupGrantTTL)
			exp = &t
		}
		grant, err = s.applyCreditsTx(ctx, tx, org.ID,
			func(_ *Balance, _ []Grant, now time.Time) (change, error) {
				return grantChange(org.ID, GrantFree, s.cfg.SignupGrant, exp, "", "sign-up credit", Actor{}, now), nil
			})
		return err
	})
	if err != nil {
		return Org{}, asDomainError(err)
	}
	if grant.Entry.ID != "" {
		s.publish(ctx, Event{Kind: EventBalance, OrgID: org.ID, Version: grant.Balance.Version})
	}
	return org, nil
}

// validCountry accepts two upper-case ASCII letters.
func validCountry(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// Org returns an org the caller belongs to (or whose API key is calling).
// Codes: UNAUTHENTICATED, NOT_FOUND.
func (s *Service) Org(ctx context.Context, id string) (Org, error) {
	if _, err := s.authorize(ctx, id, ActionReadOrg); err != nil {
		return Org{}, err
	}
	o, err := s.store.OrgByID(ctx, id)
	if err == nil && o.DeletedAt != nil { // a key another instance still caches
		return Org{}, NotFound("org")
	}
	return o, asDomainError(err)
}

// OrgsByIDs loads orgs for relationship fields of objects the caller was
// already authorized to see.
func (s *Service) OrgsByIDs(ctx context.Context, ids []string) (map[string]Org, error) {
	os, err := s.store.OrgsByIDs(ctx, ids)
	if err != nil {
		return nil, asDomainError(err)
	}
	m := make(map[string]Org, len(os))
	for _, o := range os {
		m[o.ID] = o
	}
	return m, nil
}
