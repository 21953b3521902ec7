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

// apiKeyTouchEvery bounds how often a key's LastUsedAt is written: the
// cached keys' uses are flushed this often (and at Close).
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
// instance is refused as soon as the bus delivers the revocation. With the
// key cache on, a cached key costs no statement: its use is written
// (LastUsedAt) in the background, and it is read again ahead of its
// expiry.
func (s *Service) AuthenticateAPIKey(ctx context.Context, secret string) (Actor, error) {
	if !strings.HasPrefix(secret, apiKeyPrefix) || len(secret) > 128 {
		return Actor{}, invalidAPIKey()
	}
	hash := hashSecret(secret)
	if s.keys != nil {
		a, err := s.keys.get(ctx, hash)
		return a, apiKeyError(err)
	}
	r, err := s.readAPIKey(ctx, hash)
	if err == nil && r.revoked {
		err = keyRevoked()
	}
	if err != nil {
		return Actor{}, apiKeyError(err)
	}
	if now := s.clock.Now(); now.Sub(r.lastUsed) > apiKeyTouchEvery {
		// best effort: usage stamps never fail a request
		_ = s.store.TouchAPIKeys(ctx, map[string]time.Time{r.actor.APIKeyID: now})
	}
	return r.actor, nil
}

// invalidAPIKey answers a secret that names no key.
func invalidAPIKey() *Error { return Errorf(CodeUnauthenticated, "invalid API key") }

// apiKeyError maps a key lookup's failure: an unknown key is
// UNAUTHENTICATED like a malformed one.
func apiKeyError(err error) error {
	switch {
	case err == nil:
		return nil
	case IsCode(err, CodeNotFound):
		return invalidAPIKey()
	}
	return asDomainError(err)
}

// readAPIKey reads the key whose secret hashes to hash from the store.
func (s *Service) readAPIKey(ctx context.Context, hash string) (keyRead, error) {
	k, err := s.store.APIKeyByHash(ctx, hash)
	if err != nil {
		return keyRead{}, err
	}
	r := keyRead{actor: Actor{APIKeyID: k.ID, APIKeyOrgID: k.OrgID}, revoked: k.RevokedAt != nil}
	if k.LastUsedAt != nil {
		r.lastUsed = *k.LastUsedAt
	}
	return r, nil
}

// flushKeyUses writes the uses of cached keys noted since the last flush,
// in one store call.
func (s *Service) flushKeyUses(ctx context.Context) {
	if s.keys == nil {
		return
	}
	uses := s.keys.takeUses()
	if len(uses) == 0 {
		return
	}
	if err := s.store.TouchAPIKeys(ctx, uses); err != nil {
		s.log.WarnContext(ctx, "writing API keys' last use failed", "keys", len(uses), "err", err)
	}
}

// keyUseFlusher writes the cached keys' uses every apiKeyTouchEvery until
// stop closes, then once more.
func (s *Service) keyUseFlusher(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(apiKeyTouchEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.flushKeyUses(context.Background())
		case <-stop:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			s.flushKeyUses(ctx)
			cancel()
			return
		}
	}
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
