package domain

import (
	"context"
	"fmt"
	"slices"
)

// OrgHistory pages an org's history of billing events (past due,
// suspended, restored, top-ups, alerts), newest first, each with whether
// its email went out. OWNER and BILLING may read it (ActionBilling, like
// orders and invoices). Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (s *Service) OrgHistory(ctx context.Context, orgID string, p Page) (Connection[OrgEvent], error) {
	if _, err := s.authorize(ctx, orgID, ActionBilling); err != nil {
		return Connection[OrgEvent]{}, err
	}
	c, err := s.store.ListOrgEvents(ctx, orgID, p)
	return c, asDomainError(err)
}

// watchWindow is how many of the newest events a watcher reads per bus
// event: more events than this between two reads are not all pushed.
const watchWindow = MaxPageSize

// WatchOrgEvents streams each new event of an org's history, oldest
// first, as it is recorded on whichever instance, until ctx ends.
// Authorized like OrgHistory, and again before each push, so a member who
// lost the right stops receiving. Bus events carry no state: on each
// EventOrg (or a resync) the watcher reads the newest events and pushes
// those it has not pushed or seen at the start.
func (s *Service) WatchOrgEvents(ctx context.Context, orgID string) (<-chan OrgEvent, error) {
	if _, err := s.authorize(ctx, orgID, ActionBilling); err != nil {
		return nil, err
	}
	if s.bus == nil {
		return nil, Internal(fmt.Errorf("no event bus configured"))
	}
	// Subscribe before the first read, so nothing recorded in between is lost.
	in := s.bus.Subscribe(ctx, orgID)
	seen, err := s.newestEventIDs(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make(chan OrgEvent, 8)
	go func() {
		defer close(out)
		for ev := range in {
			if ev.Kind != EventOrg && ev.Kind != EventResync {
				continue
			}
			if _, err := s.authorize(ctx, orgID, ActionBilling); err != nil {
				return
			}
			c, err := s.store.ListOrgEvents(ctx, orgID, Page{First: watchWindow})
			if err != nil {
				continue // a failed read: the next event reads again
			}
			next := make(map[string]bool, len(c.Edges))
			var fresh []OrgEvent
			for _, e := range c.Edges {
				next[e.Node.ID] = true
				if !seen[e.Node.ID] {
					fresh = append(fresh, e.Node)
				}
			}
			seen = next
			slices.Reverse(fresh) // oldest first
			for _, e := range fresh {
				select {
				case out <- e:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// newestEventIDs are the IDs of the org's newest events (watchWindow).
func (s *Service) newestEventIDs(ctx context.Context, orgID string) (map[string]bool, error) {
	c, err := s.store.ListOrgEvents(ctx, orgID, Page{First: watchWindow})
	if err != nil {
		return nil, asDomainError(err)
	}
	ids := make(map[string]bool, len(c.Edges))
	for _, e := range c.Edges {
		ids[e.Node.ID] = true
	}
	return ids, nil
}

// OrgEventKinds lists every kind of org event (the GraphQL enum
// OrgEventKind has the same values; each kind that Notifies has an email
// template in domain/notice).
var OrgEventKinds = []OrgEventKind{
	OrgEventPaymentFailed, OrgEventPaymentRetryFailed, OrgEventSuspended, OrgEventRestored,
	OrgEventClosed, OrgEventRenewalPaid, OrgEventAutoRechargeStarted, OrgEventAutoRechargePaid,
	OrgEventAutoRechargePaused, OrgEventAutoRechargeResumed, OrgEventAutoRechargeLimitReached,
	OrgEventLowBalance, OrgEventOrderPaid, OrgEventOrderFailed, OrgEventOrderRefunded,
	OrgEventCreditNoteIssued, OrgEventSubscriptionCreated, OrgEventSubscriptionChanged,
	OrgEventSubscriptionCanceled, OrgEventAutoRechargeFailed, OrgEventUsageThreshold,
	OrgEventWebhookEndpointDisabled, OrgEventWebhookTest,
}
