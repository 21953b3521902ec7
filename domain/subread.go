package domain

import (
	"context"
	"fmt"
)

// Reads of plan subscriptions for the API: pricing a plan and seat count
// whether or not the org is subscribed, the included credits left this
// month, and the subscriptionUpdated stream.

// IncludedCredits is what plan includes each month for seats.
func (p Plan) IncludedCredits(seats int) int64 { return p.IncludedCreditsPerSeat * int64(seats) }

// PreviewPlan prices in.PlanID for in.Seats (previewChange): subscribing
// (PreviewSubscribe) when the org has no live subscription, otherwise
// changing it (PreviewChange, in the subscription's own installments).
// Seats are required (0 does not keep the current ones). Codes: as
// PreviewChange's.
func (s *Service) PreviewPlan(ctx context.Context, in SubscribeInput) (SubscriptionQuote, error) {
	if _, err := s.authorize(ctx, in.OrgID, ActionBilling); err != nil {
		return SubscriptionQuote{}, err
	}
	if in.Seats < 1 || in.Seats > MaxSeats {
		return SubscriptionQuote{}, InvalidInput("seats", "must be between 1 and %d", MaxSeats)
	}
	_, err := s.store.LiveSubscription(ctx, in.OrgID)
	if IsCode(err, CodeNotFound) {
		return s.PreviewSubscribe(ctx, in)
	}
	if err != nil {
		return SubscriptionQuote{}, asDomainError(err)
	}
	return s.PreviewChange(ctx, SubscriptionChange{OrgID: in.OrgID, PlanID: in.PlanID, Seats: in.Seats})
}

// IncludedCreditsLeft returns the org's included subscription credits left
// this month: what remains of its SUBSCRIPTION grants that have not
// expired (they expire at the next monthly reset). Authorized like
// Subscription: every member and the org's API keys. Codes:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (s *Service) IncludedCreditsLeft(ctx context.Context, orgID string) (int64, error) {
	if _, err := s.authorize(ctx, orgID, ActionReadOrg); err != nil {
		return 0, err
	}
	b, err := s.balanceOf(ctx, orgID) // leaves out grants past their expiry
	if err != nil {
		return 0, err
	}
	var left int64
	for _, g := range b.Grants {
		if g.Kind == GrantSubscription {
			left += g.Remaining
		}
	}
	return left, nil
}

// WatchSubscription streams the org's live subscription after every
// committed change of one of its subscriptions, on whichever instance made
// it, until ctx ends: the subscription as it then stands, or nil once the
// org has none any more (ended). Each state is sent once. Authorized like
// Subscription, and again before each event, so a removed member stops
// receiving. Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (s *Service) WatchSubscription(ctx context.Context, orgID string) (<-chan *Subscription, error) {
	if _, err := s.authorize(ctx, orgID, ActionReadOrg); err != nil {
		return nil, err
	}
	if s.bus == nil {
		return nil, Internal(fmt.Errorf("no event bus configured"))
	}
	in := s.bus.Subscribe(ctx, orgID)
	out := make(chan *Subscription, 4)
	go func() {
		defer close(out)
		var last string // id and version of the state sent last; "none" after a nil
		for ev := range in {
			if ev.Kind != EventSubscription {
				continue
			}
			if _, err := s.authorize(ctx, orgID, ActionReadOrg); err != nil {
				return
			}
			var next *Subscription
			sub, err := s.store.LiveSubscription(ctx, orgID)
			switch {
			case err == nil:
				next = &sub
			case !IsCode(err, CodeNotFound):
				continue // a failed read: the next event reads again
			}
			state := "none"
			if next != nil {
				state = fmt.Sprintf("%s@%d", next.ID, next.Version)
			}
			if state == last {
				continue
			}
			last = state
			select {
			case out <- next:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
