package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/httperror"
)

// Middleware authenticates each request from "Authorization: Bearer <jwt>",
// "Authorization: Bearer tly_…" or "X-Api-Key: tly_…" and puts the actor in
// the request context (domain.WithActor). A request without credentials
// proceeds anonymously; a bad, expired or forged credential is answered with
// HTTP 401 and a GraphQL-shaped error whose extensions.code is
// UNAUTHENTICATED (500 and INTERNAL when the user store fails; 429 and
// RATE_LIMITED when the client is over its failed-authentication budget,
// see Config.Guard).
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := a.request(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if c.Actor.UserID != "" || c.Actor.APIKeyID != "" {
			ctx := domain.WithActor(r.Context(), c.Actor)
			r = r.WithContext(context.WithValue(ctx, credentialKey{}, c))
		}
		next.ServeHTTP(w, r)
	})
}

// request authenticates the credential of r, if any.
func (a *Authenticator) request(r *http.Request) (Credential, error) {
	if h := r.Header.Get("Authorization"); strings.TrimSpace(h) != "" {
		return a.Verify(r.Context(), h)
	}
	key := strings.TrimSpace(r.Header.Get("X-Api-Key"))
	if key == "" {
		return Credential{}, nil
	}
	return a.guarded(r.Context(), func() (Credential, error) {
		if !strings.HasPrefix(key, APIKeyPrefix) {
			return Credential{}, unauthenticated("X-Api-Key must hold an API key")
		}
		return a.credential(r.Context(), key)
	})
}

type credentialKey struct{}

// CredentialFrom returns the credential the middleware verified for the
// request of ctx, and false for an anonymous request.
func CredentialFrom(ctx context.Context) (Credential, bool) {
	c, ok := ctx.Value(credentialKey{}).(Credential)
	return c, ok
}

// fail writes err as a GraphQL error response: UNAUTHENTICATED is 401,
// RATE_LIMITED (a client over its failed-authentication budget) 429 with
// Retry-After, UNAVAILABLE (the database could not be reached) 503 with
// Retry-After, anything else a logged 500 INTERNAL.
func (a *Authenticator) fail(w http.ResponseWriter, r *http.Request, err error) {
	var de *domain.Error
	errors.As(err, &de)
	switch domain.ErrorCode(err) {
	case domain.CodeUnauthenticated:
		if de.Message == "" {
			de = &domain.Error{Code: de.Code, Message: "unauthenticated"}
		}
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		httperror.WriteError(w, de)
	case domain.CodeRateLimited:
		httperror.WriteError(w, de)
	case domain.CodeUnavailable:
		a.logger.WarnContext(r.Context(), "authentication: database unavailable", "err", err, "path", r.URL.Path)
		httperror.WriteError(w, de)
	default:
		a.logger.ErrorContext(r.Context(), "authentication failed", "err", err, "path", r.URL.Path)
		httperror.WriteError(w, domain.Internal(err))
	}
}
