package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MinSecretLen is the shortest HS256 secret accepted: 256 bits, as RFC 7518
// requires for HMAC-SHA256 keys.
const MinSecretLen = 32

// Leeway is the clock skew tolerated on exp, nbf and iat.
const Leeway = 30 * time.Second

// DefaultTTL is the lifetime of a minted token when Claims.TTL is zero.
const DefaultTTL = 24 * time.Hour

// DefaultMaxTTL is the longest token lifetime accepted when Config.MaxTTL is
// zero: a day, as long as a development token lives by default.
const DefaultMaxTTL = 24 * time.Hour

// DevSubjectPrefix starts the subject Mint derives from an email address.
const DevSubjectPrefix = "dev|"

// AdminClaim is the boolean claim that makes the bearer a platform admin.
const AdminClaim = "tally_admin"

// Claims describe a development token to Mint.
type Claims struct {
	// Subject is the stable user identity; "dev|"+Email when empty.
	Subject string
	Email   string
	Name    string
	// Admin sets the tally_admin claim (platform admin).
	Admin bool
	// TTL is the token's lifetime; DefaultTTL when zero.
	TTL time.Duration
	// Issuer and Audience set iss and aud, for servers configured to check them.
	Issuer, Audience string
}

// tokenClaims is the JWT payload Tally reads and writes.
type tokenClaims struct {
	jwt.RegisteredClaims
	Email string `json:"email,omitempty"`
	// EmailVerified is OpenID Connect's email_verified; nil when absent.
	EmailVerified *flexBool `json:"email_verified,omitempty"`
	Name          string    `json:"name,omitempty"`
	Admin         bool      `json:"tally_admin,omitempty"`
}

// flexBool is a boolean claim that some identity providers (Amazon
// Cognito) send as the string "true" or "false".
type flexBool bool

// UnmarshalJSON accepts true, false, "true" and "false".
func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case "true", `"true"`:
		*b = true
	case "false", `"false"`:
		*b = false
	default:
		return fmt.Errorf("auth: email_verified must be a boolean, got %s", data)
	}
	return nil
}

// Mint signs an HS256 development token with secret, as `tally token` prints.
func Mint(secret []byte, c Claims) (string, error) {
	if len(secret) < MinSecretLen {
		return "", fmt.Errorf("auth: the HS256 secret must be at least %d bytes", MinSecretLen)
	}
	if c.TTL < 0 {
		return "", errors.New("auth: token TTL must not be negative")
	}
	if c.TTL == 0 {
		c.TTL = DefaultTTL
	}
	email := strings.TrimSpace(c.Email)
	sub := strings.TrimSpace(c.Subject)
	if sub == "" {
		if email == "" {
			return "", errors.New("auth: a token needs a subject or an email")
		}
		sub = DevSubjectPrefix + strings.ToLower(email)
	}
	now := time.Now()
	tc := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   sub,
			Issuer:    c.Issuer,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(c.TTL)),
		},
		Email: email,
		Name:  strings.TrimSpace(c.Name),
		Admin: c.Admin,
	}
	if c.Audience != "" {
		tc.Audience = jwt.ClaimStrings{c.Audience}
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, tc).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("auth: sign token: %w", err)
	}
	return s, nil
}
