package domain

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

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

// apiKeyPrefix starts every API key secret, so a leaked key is recognizable.
const apiKeyPrefix = "tly_"

// apiKeyTouchEvery bounds how often a key's LastUsedAt is written.
const apiKeyTouchEvery = time.Minute

// CreateAPIKey creates an org API key (OWNER, ADMIN) and returns it with its
// secret, which is never shown again. Codes: INVALID_INPUT, NOT_FOUND,
// FORBIDDEN.
func (s *Service) CreateAPIKey(ctx context.Context, orgID, name string) (APIKey, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) {
		return APIKey{}, "", InvalidInput("name", "must be 1 to 100 characters")
	}
	acc, err := s.authorize(ctx, orgID, ActionManageAPIKeys)
	if err != nil {
		return APIKey{}, "", err
	}
	secret, hash := newSecret(apiKeyPrefix)
	k := APIKey{
		ID: newID(), OrgID: orgID, Name: name, Prefix: secret[:len(apiKeyPrefix)+8],
		Hash: hash, CreatedBy: acc.Actor.UserID, CreatedAt: s.clock.Now(),
	}
	if err := s.store.CreateAPIKey(ctx, k); err != nil {
		return APIKey{}, "", asDomainError(err)
	}
	return k, secret, nil
}

// RevokeAPIKey revokes a key at once (OWNER, ADMIN); revoking twice is a no-op.
func (s *Service) RevokeAPIKey(ctx context.Context, id string) (APIKey, error) {
	k, err := s.APIKey(ctx, id)
	if err != nil {
		return APIKey{}, err
	}
	if k.RevokedAt != nil {
		return k, nil
	}
	now := s.clock.Now()
	k.RevokedAt = &now
	if err := s.store.UpdateAPIKey(ctx, k); err != nil {
		return APIKey{}, asDomainError(err)
	}
	s.keys.forget(k.ID)
	s.publish(ctx, Event{Kind: EventAPIKeyRevoked, OrgID: SystemTopic, RefID: k.ID})
	return k, nil
}

// APIKeys lists an org's keys, revoked ones included (OWNER, ADMIN).
func (s *Service) APIKeys(ctx context.Context, orgID string) ([]APIKey, error) {
	if _, err := s.authorize(ctx, orgID, ActionManageAPIKeys); err != nil {
		return nil, err
	}
	ks, err := s.store.ListAPIKeys(ctx, orgID)
	return ks, asDomainError(err)
}

// AuthenticateAPIKey resolves a secret to the actor of its org.
// UNAUTHENTICATED for an unknown or revoked key. A key revoked on another
// instance is refused as soon as the bus delivers the revocation.
func (s *Service) AuthenticateAPIKey(ctx context.Context, secret string) (Actor, error) {
	bad := Errorf(CodeUnauthenticated, "invalid API key")
	if !strings.HasPrefix(secret, apiKeyPrefix) || len(secret) > 128 {
		return Actor{}, bad
	}
	hash := hashSecret(secret)
	now := s.clock.Now()
	if a, ok := s.keys.get(hash, now); ok {
		return a, nil
	}
	k, err := s.store.APIKeyByHash(ctx, hash)
	if IsCode(err, CodeNotFound) {
		return Actor{}, bad
	}
	if err != nil {
		return Actor{}, asDomainError(err)
	}
	if k.RevokedAt != nil {
		return Actor{}, Errorf(CodeUnauthenticated, "API key was revoked")
	}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) > apiKeyTouchEvery {
		k.LastUsedAt = &now
		_ = s.store.UpdateAPIKey(ctx, k) // best effort: usage stamps never fail a request
	}
	a := Actor{APIKeyID: k.ID, APIKeyOrgID: k.OrgID}
	s.keys.put(hash, a, now)
	return a, nil
}

// APIKey returns one key of an org whose keys the caller may manage:
// FORBIDDEN for other members of its org, NOT_FOUND for everyone else.
func (s *Service) APIKey(ctx context.Context, id string) (APIKey, error) {
	if !ValidID(id) {
		return APIKey{}, NotFound("API key")
	}
	k, err := s.store.APIKeyByID(ctx, id)
	if err != nil {
		return APIKey{}, asDomainError(err)
	}
	if _, err := s.authorize(ctx, k.OrgID, ActionManageAPIKeys); err != nil {
		return APIKey{}, memberOrNotFound(err, "API key")
	}
	return k, nil
}

// forgetRevokedKeys drops cached keys as revocations arrive from any
// instance; after a bus reconnect (events may be lost) it drops them all.
func (s *Service) forgetRevokedKeys(events <-chan Event) {
	for ev := range events {
		switch ev.Kind {
		case EventAPIKeyRevoked:
			s.keys.forget(ev.RefID)
		case EventResync:
			s.keys.clear()
		}
	}
}
