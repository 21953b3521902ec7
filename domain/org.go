package domain

import "time"

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
}

// User is a person known from an identity token (subject + email).
type User struct {
	ID        string
	Subject   string // the token's sub claim; unique
	Email     string
	Name      string
	CreatedAt time.Time
}

// Role is a member's role in an org.
type Role string

// The four member roles (README, Roles).
const (
	RoleOwner   Role = "OWNER"
	RoleAdmin   Role = "ADMIN"
	RoleBilling Role = "BILLING"
	RoleMember  Role = "MEMBER"
)

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case RoleOwner, RoleAdmin, RoleBilling, RoleMember:
		return true
	}
	return false
}

// Membership ties a user to an org with a role.
type Membership struct {
	OrgID     string
	UserID    string
	Role      Role
	CreatedAt time.Time
}

// Invitation offers a seat in an org to an email address. The token is shown
// once to the inviter; only its hash is stored.
type Invitation struct {
	ID         string
	OrgID      string
	Email      string
	Role       Role
	TokenHash  string
	InvitedBy  string // user ID
	ExpiresAt  time.Time
	CreatedAt  time.Time
	AcceptedAt *time.Time
	AcceptedBy string // user ID, when accepted
	RevokedAt  *time.Time
}

// Pending reports whether the invitation can still be accepted at now.
func (i Invitation) Pending(now time.Time) bool {
	return i.AcceptedAt == nil && i.RevokedAt == nil && now.Before(i.ExpiresAt)
}

// Seats summarizes an org's seat usage.
type Seats struct {
	Total     int
	Used      int // members
	Available int // Total - Used - pending invitations, never below zero
	Pending   int // pending invitations (they reserve a seat)
}

// APIKey lets the product's backend read an org's balance and spend its
// credits. The secret is shown once at creation; only its SHA-256 is stored.
type APIKey struct {
	ID         string
	OrgID      string
	Name       string
	Prefix     string // first characters of the secret, for recognition
	Hash       string // hex SHA-256 of the secret
	CreatedBy  string // user ID
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}
