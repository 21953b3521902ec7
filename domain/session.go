package domain

import "context"

// Revocation tells long-lived sessions (websockets) that a credential or a
// membership they may rely on changed, on whichever instance changed it.
type Revocation struct {
	// APIKeyID is set when an API key was revoked.
	APIKeyID string
	// UserID is set when a user lost a membership or changed role.
	UserID string
	// Resync is set when revocations may have been missed (the bus
	// reconnected): sessions must re-check their credentials.
	Resync bool
}

// WatchRevocations streams revocations from every instance until ctx ends
// or the bus closes. Without a bus it returns a channel closed at once.
func (s *Service) WatchRevocations(ctx context.Context) <-chan Revocation {
	out := make(chan Revocation, 16)
	if s.bus == nil {
		close(out)
		return out
	}
	in := s.bus.Subscribe(ctx, SystemTopic)
	go func() {
		defer close(out)
		for ev := range in {
			var r Revocation
			switch ev.Kind {
			case EventAPIKeyRevoked:
				r.APIKeyID = ev.RefID
			case EventMembershipChanged:
				r.UserID = ev.RefID
			case EventResync:
				r.Resync = true
			default:
				continue
			}
			select {
			case out <- r:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// CheckAPIKey confirms, from the store and not from any cache, that an API
// key still exists and is not revoked: UNAUTHENTICATED otherwise. Long-lived
// sessions call it before each operation they start.
func (s *Service) CheckAPIKey(ctx context.Context, id string) error {
	if !ValidID(id) {
		return Errorf(CodeUnauthenticated, "invalid API key")
	}
	k, err := s.store.APIKeyByID(ctx, id)
	switch {
	case IsCode(err, CodeNotFound):
		return Errorf(CodeUnauthenticated, "invalid API key")
	case err != nil:
		return asDomainError(err)
	case k.RevokedAt != nil:
		return Errorf(CodeUnauthenticated, "API key was revoked")
	}
	return nil
}

// publishMembershipChanged announces, after commit, that userID's rights in
// some org changed.
func (s *Service) publishMembershipChanged(ctx context.Context, userID string) {
	s.publish(ctx, Event{Kind: EventMembershipChanged, OrgID: SystemTopic, RefID: userID})
}
