package domain

import (
	"context"
)

// Actor is who is calling: a signed-in user or an org API key.
type Actor struct {
	UserID string // set for users
	Email  string
	// EmailVerified says the identity provider vouches that the user owns
	// Email (the token's email_verified claim; see graph/auth). Invitations
	// are bound to an email, so only a verified one accepts them.
	EmailVerified bool
	PlatformAdmin bool   // the token's admin claim
	APIKeyID      string // set for API keys
	APIKeyOrgID   string // the org an API key belongs to
}

// IsAPIKey reports whether the actor is an org API key.
func (a Actor) IsAPIKey() bool { return a.APIKeyID != "" }

// Kind and ID name the actor for ledger entries.
func (a Actor) Kind() ActorKind {
	switch {
	case a.APIKeyID != "":
		return ActorAPIKey
	case a.UserID != "":
		return ActorUser
	}
	return ActorSystem
}

// ID returns the user or API key ID, or "" for the system.
func (a Actor) ID() string {
	if a.APIKeyID != "" {
		return a.APIKeyID
	}
	return a.UserID
}

type actorKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, and false when the call is anonymous.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok && (a.UserID != "" || a.APIKeyID != "")
}

// ActorKind says who caused a ledger entry.
type ActorKind string

// Actor kinds.
const (
	ActorUser   ActorKind = "USER"
	ActorAPIKey ActorKind = "API_KEY"
	ActorSystem ActorKind = "SYSTEM"
)
