package domain

import "context"

// EventKind names what changed.
type EventKind string

// Event kinds.
const (
	EventBalance EventKind = "balance"
	EventOrder   EventKind = "order"
	// EventSubscription: the org's plan subscription changed (RefID).
	EventSubscription EventKind = "subscription"
	// EventOrg: the org's history gained an event (OrgEvent), and its
	// status or auto-recharge settings may have changed with it.
	EventOrg EventKind = "org"
	// EventResync tells subscribers that events may have been missed (the
	// bus reconnected): re-read the current state.
	EventResync EventKind = "resync"
	// EventAPIKeyRevoked tells every instance to forget a cached API key
	// (RefID). It travels on SystemTopic.
	EventAPIKeyRevoked EventKind = "apikey_revoked"
	// EventMembershipChanged tells every instance that a user (RefID) lost
	// a membership or changed role, so sessions relying on the old rights
	// end. It travels on SystemTopic.
	EventMembershipChanged EventKind = "membership_changed"
)

// SystemTopic is the pseudo org ID of events meant for every instance
// rather than an org's subscribers.
const SystemTopic = "_system"

// Event says that something of an org changed and committed. Events carry
// no state: a receiver reads the current state. Several events for one org
// may be coalesced into one.
type Event struct {
	Kind  EventKind `json:"k"`
	OrgID string    `json:"o"`
	// Version is the balance version (ledger Seq) after the change, when known.
	Version int64 `json:"v,omitempty"`
	// RefID identifies the changed object (an order) when relevant.
	RefID string `json:"r,omitempty"`
}

// Bus delivers events from the instance that committed a change to every
// subscriber on every instance. Implementations: in-process (SQLite, tests)
// and PostgreSQL LISTEN/NOTIFY.
type Bus interface {
	// Publish queues ev for delivery; it never blocks on subscribers and is
	// called only after the change committed.
	Publish(ctx context.Context, ev Event)
	// Subscribe delivers the events of one org until ctx ends; the channel is
	// closed then. Slow receivers get coalesced, never stale-only, events.
	Subscribe(ctx context.Context, orgID string) <-chan Event
}
