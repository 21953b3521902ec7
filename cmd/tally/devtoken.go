package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/auth"
	"github.com/tallyhq/tally/graph/httperror"
)

// devTokenPath is where the billing page's development sign-in mints a
// token: POST {"email": "…", "name": "…"} answers {"token": "…"}.
const devTokenPath = "/billing/dev/token"

// devTokenTTL is the lifetime of a token minted there (at most
// TALLY_JWT_MAX_TTL).
const devTokenTTL = 8 * time.Hour

// devTokens mints development tokens for the billing page, as `tally token`
// does on the command line. It is mounted only outside production on a
// server that signs with the public development secret (TALLY_JWT_SECRET
// unset), where anyone can already mint any token with that secret, so it
// grants nothing that was not open; it never mints a platform admin's token.
// Nil when the server is not such a one.
func devTokens(c Config, logger *slog.Logger) http.Handler {
	if c.Production || !c.DevSecret || len(c.JWTSecret) == 0 {
		return nil
	}
	ttl := min(devTokenTTL, c.JWTMaxTTL)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			httperror.Write(w, http.StatusMethodNotAllowed, domain.InvalidInput("", "use POST"))
			return
		}
		var in struct {
			Email string `json:"email"`
			Name  string `json:"name"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			httperror.WriteError(w, domain.InvalidInput("", "the body must be a JSON object with email and name"))
			return
		}
		email := strings.TrimSpace(in.Email)
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
			httperror.WriteError(w, domain.InvalidInput("email", "email must be an email address"))
			return
		}
		name := strings.TrimSpace(in.Name)
		if len(name) > 100 {
			httperror.WriteError(w, domain.InvalidInput("name", "name must be at most 100 characters"))
			return
		}
		tok, err := auth.Mint(c.JWTSecret, auth.Claims{
			Email: email, Name: name, TTL: ttl, Issuer: c.JWTIssuer, Audience: c.JWTAudience,
		})
		if err != nil {
			logger.ErrorContext(r.Context(), "minting a development token", "err", err)
			httperror.WriteError(w, errors.New("mint failed"))
			return
		}
		logger.InfoContext(r.Context(), "minted a development token for the billing page", "email", email)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"token": tok})
	})
}
