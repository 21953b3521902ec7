package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/tallyhq/tally/domain"
)

// Middleware authenticates each request from "Authorization: Bearer <jwt>",
// "Authorization: Bearer tly_…" or "X-Api-Key: tly_…" and puts the actor in
// the request context (domain.WithActor). A request without credentials
// proceeds anonymously; a bad, expired or forged credential is answered with
// HTTP 401 and a GraphQL-shaped error whose extensions.code is
// UNAUTHENTICATED (500 and INTERNAL when the user store fails).
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
	if !strings.HasPrefix(key, APIKeyPrefix) {
		return Credential{}, unauthenticated("X-Api-Key must hold an API key")
	}
	return a.credential(r.Context(), key)
}

type credentialKey struct{}

// CredentialFrom returns the credential the middleware verified for the
// request of ctx, and false for an anonymous request.
func CredentialFrom(ctx context.Context) (Credential, bool) {
	c, ok := ctx.Value(credentialKey{}).(Credential)
	return c, ok
}

// errorBody is the GraphQL response shape of an authentication failure.
type errorBody struct {
	Errors []errorItem `json:"errors"`
}

type errorItem struct {
	Message    string            `json:"message"`
	Extensions map[string]string `json:"extensions"`
}

// fail writes err as a GraphQL error response.
func (a *Authenticator) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, status, msg := domain.CodeInternal, http.StatusInternalServerError, "internal error"
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.CodeUnauthenticated {
		code, status, msg = de.Code, http.StatusUnauthorized, de.Message
		if msg == "" {
			msg = "unauthenticated"
		}
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	} else {
		a.logger.ErrorContext(r.Context(), "authentication failed", "err", err, "path", r.URL.Path)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody{Errors: []errorItem{{
		Message: msg, Extensions: map[string]string{"code": string(code)},
	}}})
}
