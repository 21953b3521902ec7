package model

import "time"

// Org is an organization; its lists, balance and usage are resolved on demand.
type Org struct {
	// ID is the org's global ID.
	ID string
	// OrgID is the domain ID the field resolvers use.
	OrgID     string
	Name      string
	Country   string
	Currency  Currency
	Status    OrgStatus
	CreatedAt time.Time
	// SuspendedAt is when dunning suspended the org; closesAt is resolved
	// from it.
	SuspendedAt *time.Time
	// ReadBalance is the org's balance, authorized and read with the org
	// when the query asked for both; nil: the balance resolver reads it.
	ReadBalance *Balance
}

// IsNode marks Org as a Node.
func (Org) IsNode() {}

// GetID returns the global ID.
func (o Org) GetID() string { return o.ID }

// Membership is one of the viewer's orgs with the viewer's role; the org is loaded on demand.
type Membership struct {
	// OrgID is the domain ID of the org.
	OrgID     string
	Role      Role
	CreatedAt time.Time
}

// Member is a member of an org; the user is loaded on demand.
type Member struct {
	// UserID is the domain ID of the member's user.
	UserID    string
	Role      Role
	CreatedAt time.Time
}

// Invitation is an offer of a seat; the inviter is loaded on demand.
type Invitation struct {
	// ID is the invitation's global ID.
	ID string
	// InvitedByID is the domain ID of the inviting user ("" when unknown).
	InvitedByID string
	Email       string
	Role        Role
	CreatedAt   time.Time
	ExpiresAt   time.Time
	AcceptedAt  *time.Time
	RevokedAt   *time.Time
}

// IsNode marks Invitation as a Node.
func (Invitation) IsNode() {}

// GetID returns the global ID.
func (i Invitation) GetID() string { return i.ID }

// ApiKey is an org API key; its creator is loaded on demand.
type ApiKey struct {
	// ID is the key's global ID.
	ID string
	// CreatedByID is the domain ID of the creating user ("" when unknown).
	CreatedByID string
	Name        string
	Prefix      string
	CreatedAt   time.Time
	LastUsedAt  *time.Time
	RevokedAt   *time.Time
}

// IsNode marks ApiKey as a Node.
func (ApiKey) IsNode() {}

// GetID returns the global ID.
func (k ApiKey) GetID() string { return k.ID }

// LedgerEntry is one change of a balance; its grants are loaded on demand.
type LedgerEntry struct {
	// ID is the entry's global ID.
	ID string
	// GrantID is the domain ID of the single grant the entry touched, or "".
	GrantID      string
	Kind         LedgerEntryKind
	Amount       int64
	BalanceAfter int64
	Sequence     int64
	Allocations  []*LedgerAllocation
	Reason       string
	Metadata     JSON
	CreatedAt    time.Time
	Actor        *LedgerActor
}

// IsNode marks LedgerEntry as a Node.
func (LedgerEntry) IsNode() {}

// GetID returns the global ID.
func (e LedgerEntry) GetID() string { return e.ID }

// LedgerAllocation is the part of an entry drawn from one grant; the grant is loaded on demand.
type LedgerAllocation struct {
	// GrantID is the domain ID of the grant.
	GrantID string
	Amount  int64
}

// LedgerActor says who caused an entry; a user is loaded on demand.
type LedgerActor struct {
	Kind ActorKind
	// ID is the global ID of the user or API key, nil for the system.
	ID *string
	// UserID is the domain ID of the user for USER entries, else "".
	UserID string
}

// WebhookEndpoint is an org's outbound webhook endpoint; deliveries are
// resolved lazily.
type WebhookEndpoint struct {
	// ID is the endpoint's global ID; EndpointID its domain ID.
	ID                      string
	EndpointID              string
	URL                     string
	Description             string
	EventTypes              []string
	Enabled                 bool
	DisabledReason          *string
	FailingSince            *time.Time
	PreviousSecretExpiresAt *time.Time
	CreatedAt               time.Time
	UpdatedAt               time.Time
}

// IsNode marks WebhookEndpoint as a Node.
func (WebhookEndpoint) IsNode() {}

// WebhookDelivery is one event sent to one endpoint; attempts are
// resolved lazily.
type WebhookDelivery struct {
	// ID is the delivery's global ID; DeliveryID its domain ID.
	ID            string
	DeliveryID    string
	EventID       string
	EventType     string
	Status        WebhookDeliveryStatus
	AttemptCount  int
	NextAttemptAt *time.Time
	CreatedAt     time.Time
}

// IsNode marks WebhookDelivery as a Node.
func (WebhookDelivery) IsNode() {}

// GetID returns the global ID.
func (e WebhookEndpoint) GetID() string { return e.ID }

// GetID returns the global ID.
func (d WebhookDelivery) GetID() string { return d.ID }
