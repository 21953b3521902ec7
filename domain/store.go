package domain

import (
	"context"
	"time"
)

// Page asks for one page of a connection: at most First items after the
// opaque cursor After ("" for the first page). Lists are newest first.
type Page struct {
	First int
	After string
}

// DefaultPageSize and MaxPageSize bound Page.First.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Edge is one item of a connection with its opaque cursor.
type Edge[T any] struct {
	Cursor string
	Node   T
}

// Connection is one page of a list.
type Connection[T any] struct {
	Edges       []Edge[T]
	HasNextPage bool
}

// EndCursor is the cursor of the last edge, or "".
func (c Connection[T]) EndCursor() string {
	if len(c.Edges) == 0 {
		return ""
	}
	return c.Edges[len(c.Edges)-1].Cursor
}

// LedgerWrite is everything one balance change writes, applied by
// LedgerStore.WriteLedger as one unit.
type LedgerWrite struct {
	Balance     Balance             // counters after the change
	NewGrants   []Grant             // grants to insert
	Grants      []Grant             // existing grants whose Remaining changed
	Entries     []LedgerEntry       // entries to append, Seq ascending
	Idempotency []IdempotencyRecord // the requests' keys and first results
}

// IdemRef names one org's idempotency key.
type IdemRef struct {
	OrgID string
	Key   string
}

// LockedGroup is what LedgerStore.LockBalances returns: the balance
// counters of the orgs that exist, their open grants and the idempotency
// records found among the keys asked.
type LockedGroup struct {
	Balances    []Balance           // without Grants, with OrgStatus; org id ascending
	Grants      []Grant             // the orgs' grants with Remaining > 0, in any order
	Idempotency []IdempotencyRecord // the records among the keys asked
}

// LedgerFilter narrows a ledger listing.
type LedgerFilter struct {
	// ActorID, when set, keeps only entries caused by that user or key
	// (a member's "own usage").
	ActorID string
}

// OrderFilter narrows an order listing.
type OrderFilter struct {
	// Statuses keeps only orders in one of them; empty keeps all.
	Statuses []OrderStatus
}

// Store is the persistence the domain needs: the small stores below, one
// per concept, plus transactions. The db package implements it on
// PostgreSQL and SQLite; a component that needs only part of it takes the
// small interface it uses. Methods return *Error with CodeNotFound for a
// missing row and CodeConflict for a unique-key clash; anything else is
// internal.
type Store interface {
	Transactor
	UserStore
	OrgStore
	MemberStore
	InvitationStore
	APIKeyStore
	CatalogStore
	LedgerStore
	IdempotencyStore
	CounterStore
	OrderStore
	DraftStore
	InvoiceStore
	CreditNoteStore
	GatewayEventStore
	OrgDeletionStore
	SubscriptionStore
	PaymentMethodStore
	AddonStore
	FreeCreditStore
	OrgEventStore
	AutoRechargeStore
	DunningStore
	LowBalanceStore
	UsageStore
	WebhookEndpointStore
	ExtraCreditStore
}

// Transactor runs work in one transaction. Its function receives the whole
// Store bound to the transaction, since a transaction's work usually
// crosses concepts (an order's payment grants credits and issues an
// invoice).
type Transactor interface {
	// InTx runs fn in one transaction: every change fn makes through tx
	// commits together or not at all. fn's error is returned unchanged after
	// rollback. Nested calls on tx reuse the transaction.
	InTx(ctx context.Context, fn func(tx Store) error) error
}

// UserStore keeps users, identified by their sign-in subject.
type UserStore interface {
	// UpsertUser creates the user with u.Subject or updates its email and
	// name, returning the stored user (ID and CreatedAt kept from the first
	// insert). u.ID is used only on insert.
	UpsertUser(ctx context.Context, u User) (User, error)
	// UserByID returns a user or NOT_FOUND.
	UserByID(ctx context.Context, id string) (User, error)
	// UsersByIDs returns the users that exist among ids, in any order.
	UsersByIDs(ctx context.Context, ids []string) ([]User, error)
}

// OrgStore keeps organizations.
type OrgStore interface {
	// CreateOrg inserts the org and its zero balance row.
	CreateOrg(ctx context.Context, o Org) error
	// OrgByID returns an org or NOT_FOUND.
	OrgByID(ctx context.Context, id string) (Org, error)
	// OrgsByIDs returns the orgs that exist among ids, in any order.
	OrgsByIDs(ctx context.Context, ids []string) ([]Org, error)
	// OrgBalance reads an org, its balance counters (as GetBalance) and
	// its open grants in one statement: every open grant with allGrants,
	// else at least those that may have expired at now. NOT_FOUND for an
	// unknown org.
	OrgBalance(ctx context.Context, orgID string, allGrants bool, now time.Time) (Org, Balance, []Grant, error)
	// UpdateOrg saves name, country, currency, status and seats.
	UpdateOrg(ctx context.Context, o Org) error
}

// MemberStore keeps memberships: who belongs to which org, in which role.
type MemberStore interface {
	// AddMembership inserts a membership; CONFLICT when the user is already a member.
	AddMembership(ctx context.Context, m Membership) error
	// MembershipOf returns the user's membership in the org or NOT_FOUND.
	MembershipOf(ctx context.Context, orgID, userID string) (Membership, error)
	// MembershipsOfUser lists all of a user's memberships, oldest first.
	MembershipsOfUser(ctx context.Context, userID string) ([]Membership, error)
	// ListMembers pages an org's members, newest first.
	ListMembers(ctx context.Context, orgID string, p Page) (Connection[Membership], error)
	// CountMembers counts an org's members, or those with role when role != "".
	CountMembers(ctx context.Context, orgID string, role Role) (int, error)
	// UpdateMembershipRole changes a member's role; NOT_FOUND when absent.
	UpdateMembershipRole(ctx context.Context, orgID, userID string, role Role) error
	// DeleteMembership removes a member; NOT_FOUND when absent.
	DeleteMembership(ctx context.Context, orgID, userID string) error
}

// InvitationStore keeps invitations to join an org.
type InvitationStore interface {
	// CreateInvitation inserts an invitation.
	CreateInvitation(ctx context.Context, inv Invitation) error
	// InvitationByTokenHash finds an invitation by its token's hash or NOT_FOUND.
	InvitationByTokenHash(ctx context.Context, hash string) (Invitation, error)
	// InvitationByID finds an invitation or NOT_FOUND.
	InvitationByID(ctx context.Context, id string) (Invitation, error)
	// UpdateInvitation saves AcceptedAt, AcceptedBy and RevokedAt.
	UpdateInvitation(ctx context.Context, inv Invitation) error
	// ListInvitations lists an org's invitations pending at now, newest first.
	ListInvitations(ctx context.Context, orgID string, now time.Time) ([]Invitation, error)
}

// APIKeyStore keeps an org's API keys (their secrets only as hashes).
type APIKeyStore interface {
	// CreateAPIKey inserts a key.
	CreateAPIKey(ctx context.Context, k APIKey) error
	// APIKeyByID returns a key or NOT_FOUND.
	APIKeyByID(ctx context.Context, id string) (APIKey, error)
	// APIKeyByHash returns the key whose secret hashes to hash, or NOT_FOUND.
	APIKeyByHash(ctx context.Context, hash string) (APIKey, error)
	// ListAPIKeys lists an org's keys, newest first, revoked ones included.
	ListAPIKeys(ctx context.Context, orgID string) ([]APIKey, error)
	// UpdateAPIKey saves LastUsedAt and RevokedAt.
	UpdateAPIKey(ctx context.Context, k APIKey) error
	// TouchAPIKeys sets the LastUsedAt of keys (by ID) in one statement,
	// never moving one back; unknown IDs are skipped.
	TouchAPIKeys(ctx context.Context, uses map[string]time.Time) error
}

// CatalogStore keeps what is for sale: plans, credit packs and the top-up
// by amount rules.
type CatalogStore interface {
	// UpsertPlan inserts or updates a plan by Code (ID kept on update).
	UpsertPlan(ctx context.Context, p Plan) (Plan, error)
	// UpsertPack inserts or updates a pack by Code (ID kept on update).
	UpsertPack(ctx context.Context, p Pack) (Pack, error)
	// ListPlans lists active plans by Position.
	ListPlans(ctx context.Context) ([]Plan, error)
	// ListPacks lists active packs by Position.
	ListPacks(ctx context.Context) ([]Pack, error)
	// PlanByID returns a plan or NOT_FOUND.
	PlanByID(ctx context.Context, id string) (Plan, error)
	// PackByID returns a pack or NOT_FOUND.
	PackByID(ctx context.Context, id string) (Pack, error)
	// UpsertTopUpRule inserts or updates the top-up rule of r.Currency.
	UpsertTopUpRule(ctx context.Context, r TopUpRule) (TopUpRule, error)
	// TopUpRule returns the rule of currency, active or not, or NOT_FOUND.
	TopUpRule(ctx context.Context, currency Currency) (TopUpRule, error)
	// ListTopUpRules lists the active rules by currency.
	ListTopUpRules(ctx context.Context) ([]TopUpRule, error)
}

// LedgerStore keeps each org's credits: the balance counters, the grants
// credits come from and the append-only ledger of every change.
type LedgerStore interface {
	// LockBalance returns the org's balance counters (without Grants, with
	// OrgStatus) and, inside InTx, holds a lock on them until the
	// transaction ends, so that balance changes of one org are serialized.
	// It also returns the org's idempotency records among keys ("" ignored),
	// read after the lock was granted. NOT_FOUND for an unknown org.
	LockBalance(ctx context.Context, orgID string, keys ...string) (Balance, []IdempotencyRecord, error)
	// GetBalance returns the org's balance counters without locking and
	// without Grants, with OrgStatus. NOT_FOUND for an unknown org.
	GetBalance(ctx context.Context, orgID string) (Balance, error)
	// WriteLedger persists, as one unit, one balance change made under
	// LockBalance: it inserts w.NewGrants, saves Remaining of w.Grants,
	// appends w.Entries (CONFLICT if an (OrgID, Seq) exists), saves the
	// counters of w.Balance (Total, Free, Paid, Version, UpdatedAt) and,
	// when set, inserts w.Idempotency (CONFLICT when its key exists). Inside
	// InTx the write's failure may be reported by InTx (or by the
	// transaction's next call) instead of by WriteLedger, so callers must
	// treat InTx's error as the outcome.
	WriteLedger(ctx context.Context, w LedgerWrite) error
	// LockBalances is LockBalance and OpenGrants for the spends of several
	// orgs that share one transaction (group commit): inside InTx it locks
	// the balances of orgIDs in ascending org id order, whatever the order
	// of orgIDs, so that two transactions locking overlapping sets never
	// deadlock; it then reads those orgs' open grants and the idempotency
	// records among keys, after the locks were granted. An unknown org is
	// left out of the result rather than failing the call.
	LockBalances(ctx context.Context, orgIDs []string, keys []IdemRef) (LockedGroup, error)
	// WriteLedgers is WriteLedger for several orgs' changes made under
	// LockBalances (at most one LedgerWrite per org), written as one unit:
	// CONFLICT if an entry's (OrgID, Seq) or an idempotency key exists,
	// NOT_FOUND if an org's balance row does not. Inside InTx its failure
	// may be reported by InTx instead, as for WriteLedger.
	WriteLedgers(ctx context.Context, ws []LedgerWrite) error
	// OpenGrants lists the org's grants with Remaining > 0, in any order.
	OpenGrants(ctx context.Context, orgID string) ([]Grant, error)
	// Balances reads, in one statement, the balance counters (without
	// OrgStatus and thresholds) and the grants with Remaining > 0 (in any
	// order, expired ones included) of every org among orgIDs. Orgs
	// without a balance are left out.
	Balances(ctx context.Context, orgIDs []string) (map[string]Balance, error)
	// GrantsByIDs returns the grants that exist among ids, in any order.
	GrantsByIDs(ctx context.Context, ids []string) ([]Grant, error)
	// LedgerEntryByID returns an entry or NOT_FOUND.
	LedgerEntryByID(ctx context.Context, id string) (LedgerEntry, error)
	// LedgerEntryBySeq returns the org's entry at seq or NOT_FOUND.
	LedgerEntryBySeq(ctx context.Context, orgID string, seq int64) (LedgerEntry, error)
	// ListLedger pages an org's entries, newest (highest Seq) first.
	ListLedger(ctx context.Context, orgID string, f LedgerFilter, p Page) (Connection[LedgerEntry], error)
	// SumLedger returns the sum of an org's entry amounts (for audits and tests).
	SumLedger(ctx context.Context, orgID string) (int64, error)
	// SumConsumed returns the credits consumed (a positive number) by the
	// org's CONSUME entries created in [from, to), only those of actorID when
	// it is not "".
	SumConsumed(ctx context.Context, orgID, actorID string, from, to time.Time) (int64, error)
	// OrgsWithExpiredGrants lists up to limit orgs that have a grant with
	// Remaining > 0 and ExpiresAt <= now.
	OrgsWithExpiredGrants(ctx context.Context, now time.Time, limit int) ([]string, error)
}

// IdempotencyStore keeps the idempotency keys of requests and their first
// results, per org. Balance changes record theirs through
// LedgerStore.WriteLedger; these methods serve everything else.
type IdempotencyStore interface {
	// FindIdempotency returns the record for (orgID, key) if one exists.
	FindIdempotency(ctx context.Context, orgID, key string) (IdempotencyRecord, bool, error)
	// PurgeIdempotency deletes up to limit records created before before,
	// oldest first, and returns how many it deleted.
	PurgeIdempotency(ctx context.Context, before time.Time, limit int) (int, error)
	// CreateIdempotency records a key outside a balance change (purchases);
	// CONFLICT when the org already has it.
	CreateIdempotency(ctx context.Context, rec IdempotencyRecord) error
	// DeleteIdempotency removes the org's record of key (a purchase undone
	// before anything happened, see OrderStore.DeleteOrder); NOT_FOUND when
	// absent.
	DeleteIdempotency(ctx context.Context, orgID, key string) error
}

// CounterStore hands out numbers from named series (order, invoice and
// credit note numbers).
type CounterStore interface {
	// NextNumber increments and returns the counter named series (starting
	// at 1). Inside InTx the counter stays locked until the transaction
	// ends, so numbers taken by a transaction that rolls back are reused:
	// numbering has no gaps.
	NextNumber(ctx context.Context, series string) (int64, error)
}

// OrderStore keeps orders: purchases of plans and packs and the state of
// their payments.
type OrderStore interface {
	// CreateOrder inserts an order; CONFLICT when its Number exists or
	// when it renews (ActionRenew) a subscription period that already has
	// a renewal order not FAILED or CANCELED, NOT_FOUND when its org does
	// not exist or was deleted. Inside InTx it holds a shared lock on the
	// org until the transaction ends, so a deletion
	// (OrgDeletionStore.MarkOrgDeleted) waits for it and then sees the
	// order, or goes first and the order is refused.
	CreateOrder(ctx context.Context, o Order) error
	// DeleteOrder removes an order nothing refers to yet (no payment,
	// invoice or grant): a purchase whose gateway refused its input, undone
	// so it leaves nothing behind. NOT_FOUND when absent. Its number is
	// not reused: order numbers are unique, not gap-free.
	DeleteOrder(ctx context.Context, id string) error
	// OrderByID returns an order or NOT_FOUND.
	OrderByID(ctx context.Context, id string) (Order, error)
	// LockOrder returns an order and, inside InTx, locks it until the
	// transaction ends. NOT_FOUND when absent.
	LockOrder(ctx context.Context, id string) (Order, error)
	// OrderByPayment finds the order a gateway payment belongs to, or NOT_FOUND.
	OrderByPayment(ctx context.Context, gateway, paymentID string) (Order, error)
	// UpdateOrder saves every mutable field of o (status, payment, next
	// action, refunded, grant, paid time, updated time, version) when the
	// stored Version is o.Version-1; CONFLICT otherwise (a concurrent change).
	UpdateOrder(ctx context.Context, o Order) error
	// ListOrders pages an org's orders, newest first.
	ListOrders(ctx context.Context, orgID string, f OrderFilter, p Page) (Connection[Order], error)
	// OrdersToReconcile lists up to limit orders in one of statuses last
	// updated before before, oldest first, across all orgs.
	OrdersToReconcile(ctx context.Context, statuses []OrderStatus, before time.Time, limit int) ([]Order, error)
	// OrdersOfSubscription lists up to limit orders of a subscription
	// (Order.Subscription.SubscriptionID), newest first.
	OrdersOfSubscription(ctx context.Context, subscriptionID string, limit int) ([]Order, error)
	// LinkItemGrant records that grant grantID is the grant of item itemID
	// of order orderID; CONFLICT when the item already has one (the
	// database keeps one grant per item).
	LinkItemGrant(ctx context.Context, grantID, orderID, itemID string) error
}

// InvoiceStore keeps invoices, at most one per paid order. An invoice is
// never changed once created: what is refunded later is recorded as credit
// notes (CreditNoteStore).
type InvoiceStore interface {
	// CreateInvoice inserts an invoice; CONFLICT when its order already has
	// one or its Number exists. Status and Refunded are not saved: reads
	// derive them.
	CreateInvoice(ctx context.Context, inv Invoice) error
	// InvoiceByID returns an invoice or NOT_FOUND.
	InvoiceByID(ctx context.Context, id string) (Invoice, error)
	// InvoiceByOrder returns an order's invoice or NOT_FOUND.
	InvoiceByOrder(ctx context.Context, orderID string) (Invoice, error)
	// ListInvoices pages an org's invoices, newest first.
	//
	// Every read sets Refunded to what the invoice's credit notes gave
	// back (plus any refund recorded on the invoice before credit notes
	// existed) and Status to InvoiceStatusOf(Total, Refunded).
	ListInvoices(ctx context.Context, orgID string, p Page) (Connection[Invoice], error)
}

// CreditNoteStore keeps credit notes, the documents refunds issue against
// invoices. A credit note is never changed once created.
type CreditNoteStore interface {
	// CreateCreditNote inserts a credit note; CONFLICT when its ID, Number
	// or (Year, Seq) exists.
	CreateCreditNote(ctx context.Context, cn CreditNote) error
	// CreditNoteByID returns a credit note or NOT_FOUND.
	CreditNoteByID(ctx context.Context, id string) (CreditNote, error)
	// CreditNotesOfInvoice lists an invoice's credit notes, oldest first.
	CreditNotesOfInvoice(ctx context.Context, invoiceID string) ([]CreditNote, error)
	// ListCreditNotes pages an org's credit notes, newest first.
	ListCreditNotes(ctx context.Context, orgID string, p Page) (Connection[CreditNote], error)
}

// GatewayEventStore remembers which payment gateway events were handled, so
// a redelivered webhook has no second effect.
type GatewayEventStore interface {
	// RecordGatewayEvent remembers a gateway's event id; false when it was
	// already recorded (a duplicate delivery). Inside InTx the record
	// commits or rolls back with the event's effects; a concurrent
	// transaction recording the same id waits for this one and then reports
	// a duplicate (or CONFLICT, which callers treat as one).
	RecordGatewayEvent(ctx context.Context, gateway, eventID string, at time.Time) (bool, error)
	// PurgeGatewayEvents deletes up to limit event ids received before
	// before, oldest first, and returns how many it deleted.
	PurgeGatewayEvents(ctx context.Context, before time.Time, limit int) (int, error)
}

// OrgDeletionStore takes apart what a deleted org no longer needs: who may
// reach it (members, invitations, API keys) and the personal data no
// record has to keep. Its orders, invoices and ledger stay. Every method
// is meant to run inside InTx, under the org's lock (LockBalance).
type OrgDeletionStore interface {
	// CountOrdersInFlight counts the org's orders whose money is not
	// settled: those in one of statuses, and those held for review (Order.Review
	// set) whatever their status.
	CountOrdersInFlight(ctx context.Context, orgID string, statuses []OrderStatus) (int, error)
	// MarkOrgDeleted sets the org's DeletedAt to at, its status to CLOSED
	// and replaces its name with name; NOT_FOUND when the org does not
	// exist or is already deleted.
	MarkOrgDeleted(ctx context.Context, orgID, name string, at time.Time) error
	// DeleteOrgMembers removes every membership of the org and returns the
	// users who had one.
	DeleteOrgMembers(ctx context.Context, orgID string) ([]string, error)
	// DeleteOrgInvitations removes every invitation of the org, pending or
	// not, and returns how many there were.
	DeleteOrgInvitations(ctx context.Context, orgID string) (int, error)
	// RevokeOrgAPIKeys revokes, at at, every key of the org not revoked yet
	// and returns their IDs.
	RevokeOrgAPIKeys(ctx context.Context, orgID string, at time.Time) ([]string, error)
	// ForgetInvoiceDetails removes the checkout's invoice details from the
	// org's orders in one of statuses (orders that never became an
	// invoice) and returns how many orders had some.
	ForgetInvoiceDetails(ctx context.Context, orgID string, statuses []OrderStatus) (int, error)
}

// Clock tells the time; tests substitute a fixed one.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock, in UTC truncated to microseconds (what
// both databases store).
type SystemClock struct{}

// Now returns the current UTC time truncated to microseconds.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
