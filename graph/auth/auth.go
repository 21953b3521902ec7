// Package auth turns request credentials — HS256 development tokens, RS256
// and ES256 tokens of an identity provider (JWKS), and org API keys — into
// the domain.Actor the services authorize.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/sync/singleflight"

	"github.com/tallyhq/tally/domain"
)

// APIKeyPrefix starts every org API key secret.
const APIKeyPrefix = "tly_"

// maxCredentialLen bounds a credential before any parsing.
const maxCredentialLen = 8 << 10

// Config says which tokens an Authenticator accepts.
type Config struct {
	// HS256Secret verifies development tokens (`tally token`); at least
	// MinSecretLen bytes. Empty disables HS256 entirely.
	HS256Secret []byte
	// JWKSURL is the production identity provider's key set, for RS256 and
	// ES256 tokens; https, or http on a loopback address. Empty disables them.
	JWKSURL string
	// Issuer and Audience are checked against iss and aud when set; both
	// are required with a JWKSURL, since an identity provider signs tokens
	// for many applications and only these two claims say a token is meant
	// for this one.
	Issuer, Audience string
	// MaxTTL is the longest lifetime a token may have: exp − iat, or
	// exp − now when iat is missing; longer ones are UNAUTHENTICATED, so a
	// leaked token stays useful for a bounded time. DefaultMaxTTL when zero.
	MaxTTL time.Duration
	// Logger receives JWKS refresh failures and internal errors; nil means
	// slog.Default().
	Logger *slog.Logger
	// UserCacheTTL and UserCacheSize bound the subject → user cache;
	// 5 minutes and 10,000 entries when zero.
	UserCacheTTL  time.Duration
	UserCacheSize int
	// Guard, when set, limits failed authentications per client
	// (graph/ratelimit's AuthGuard).
	Guard Guard
}

// Guard is a budget of failed authentications per client, kept outside
// the Authenticator (graph/ratelimit.AuthGuard implements it).
type Guard interface {
	// Blocked reports, without I/O, whether the client in ctx has used up
	// its budget, and for how long it stays blocked.
	Blocked(ctx context.Context) (retryAfter time.Duration, blocked bool)
	// Failed counts a failed authentication of the client in ctx and
	// reports whether that used up its budget.
	Failed(ctx context.Context) (retryAfter time.Duration, blocked bool)
}

// Users is what authentication needs from the domain; *domain.Service
// implements it.
type Users interface {
	// EnsureUser returns the user behind a verified token, creating it on
	// first use. INVALID_INPUT for an unusable subject.
	EnsureUser(ctx context.Context, subject, email, name string) (domain.User, error)
	// AuthenticateAPIKey resolves an API key secret to its org's actor.
	// UNAUTHENTICATED for an unknown or revoked key.
	AuthenticateAPIKey(ctx context.Context, secret string) (domain.Actor, error)
}

// Authenticator verifies credentials and resolves them to actors. It is
// safe for concurrent use.
type Authenticator struct {
	users  Users
	secret []byte
	jwks   keyfunc.Keyfunc // nil without JWKSURL
	parser *jwt.Parser
	maxTTL time.Duration
	logger *slog.Logger
	cache  *userCache
	group  singleflight.Group
	guard  Guard // nil: failed authentications are not limited
}

// New returns an Authenticator for cfg. With a JWKS URL it fetches the key
// set in the background and refreshes it until ctx ends (an unreachable
// provider is logged, not fatal: its tokens fail until the keys load).
func New(ctx context.Context, cfg Config, users Users) (*Authenticator, error) {
	if users == nil {
		return nil, errors.New("auth: no Users given")
	}
	if len(cfg.HS256Secret) == 0 && cfg.JWKSURL == "" {
		return nil, errors.New("auth: configure an HS256 secret, a JWKS URL, or both")
	}
	if n := len(cfg.HS256Secret); n > 0 && n < MinSecretLen {
		return nil, fmt.Errorf("auth: the HS256 secret must be at least %d bytes, got %d", MinSecretLen, n)
	}
	if cfg.JWKSURL != "" && (cfg.Issuer == "" || cfg.Audience == "") {
		return nil, errors.New("auth: a JWKS URL needs an issuer and an audience, or any token the identity provider signs for another application would be accepted")
	}
	if cfg.MaxTTL < 0 {
		return nil, errors.New("auth: MaxTTL must not be negative")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	a := &Authenticator{
		users:  users,
		logger: logger.With("component", "auth"),
		cache:  newUserCache(cfg.UserCacheTTL, cfg.UserCacheSize),
		maxTTL: cfg.MaxTTL,
		guard:  cfg.Guard,
	}
	if a.maxTTL == 0 {
		a.maxTTL = DefaultMaxTTL
	}
	var methods []string
	if len(cfg.HS256Secret) > 0 {
		a.secret = append([]byte(nil), cfg.HS256Secret...)
		methods = append(methods, jwt.SigningMethodHS256.Alg())
	}
	if cfg.JWKSURL != "" {
		if err := checkJWKSURL(cfg.JWKSURL); err != nil {
			return nil, err
		}
		kf, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{cfg.JWKSURL}, keyfunc.Override{
			HTTPTimeout: 10 * time.Second,
			RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
				return func(ctx context.Context, err error) {
					a.logger.ErrorContext(ctx, "refreshing the JWKS failed", "url", u, "err", err)
				}
			},
		})
		if err != nil {
			return nil, fmt.Errorf("auth: JWKS %s: %w", cfg.JWKSURL, err)
		}
		a.jwks = kf
		methods = append(methods, jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg())
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(methods),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(Leeway),
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	a.parser = jwt.NewParser(opts...)
	return a, nil
}

// checkJWKSURL refuses key sets fetched in clear text from another host.
func checkJWKSURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("auth: JWKS URL %q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return fmt.Errorf("auth: JWKS URL %q must use https", raw)
}

// Authenticate resolves an Authorization header value ("Bearer <jwt>" or
// "Bearer tly_…"; a bare credential is accepted too) to an actor. An empty
// value is anonymous: the zero Actor and no error. A bad, expired or forged
// credential is UNAUTHENTICATED; a failing user store is INTERNAL; with a
// Guard, a client over its failed-authentication budget is RATE_LIMITED
// before its credential is checked.
func (a *Authenticator) Authenticate(ctx context.Context, authorization string) (domain.Actor, error) {
	c, err := a.Verify(ctx, authorization)
	return c.Actor, err
}

// Credential is a verified credential: who it names and until when.
type Credential struct {
	Actor domain.Actor
	// Expires is when a token stops being accepted (its exp plus Leeway);
	// zero for API keys, which last until revoked.
	Expires time.Time
}

// Verify is Authenticate that also says until when the credential holds,
// for sessions that outlive one request (websockets).
func (a *Authenticator) Verify(ctx context.Context, authorization string) (Credential, error) {
	if strings.TrimSpace(authorization) == "" {
		return Credential{}, nil
	}
	return a.guarded(ctx, func() (Credential, error) {
		cred, err := bearer(authorization)
		if err != nil || cred == "" {
			return Credential{}, err
		}
		return a.credential(ctx, cred)
	})
}

// guarded runs check, a credential check, within the Guard's budget: a
// blocked client is refused at once, and a failure that is not a token
// the server signed (see countsAsFailure) is counted; the one that uses up
// the budget is refused as RATE_LIMITED too.
func (a *Authenticator) guarded(ctx context.Context, check func() (Credential, error)) (Credential, error) {
	if a.guard == nil {
		return check()
	}
	if wait, blocked := a.guard.Blocked(ctx); blocked {
		return Credential{}, tooManyFailures(wait)
	}
	c, err := check()
	if countsAsFailure(err) {
		if wait, blocked := a.guard.Failed(ctx); blocked {
			return Credential{}, tooManyFailures(wait)
		}
	}
	return c, err
}

// countsAsFailure tells the failures that use up a client's budget: every
// UNAUTHENTICATED outcome except a token whose signature is valid but whose
// claims are not (expired, not yet valid, another audience). Such a token
// was issued by a trusted party, so it guesses nothing and costs no
// database lookup, and an office behind one address whose sessions expire
// must not lock itself out.
func countsAsFailure(err error) bool {
	return domain.IsCode(err, domain.CodeUnauthenticated) && !errors.Is(err, jwt.ErrTokenInvalidClaims)
}

func tooManyFailures(wait time.Duration) *domain.Error {
	return domain.RateLimited(wait, "too many failed authentications from this address; retry after extensions.retryAfter seconds")
}

// bearer extracts the credential from an Authorization value.
func bearer(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	scheme, cred, found := strings.Cut(v, " ")
	if !found {
		if strings.EqualFold(v, "Bearer") {
			return "", unauthenticated("malformed bearer credential")
		}
		return v, nil // a bare token, as some websocket clients send
	}
	if !strings.EqualFold(scheme, "Bearer") {
		return "", unauthenticated("unsupported authorization scheme; use Bearer")
	}
	cred = strings.TrimSpace(cred)
	if cred == "" || strings.ContainsAny(cred, " \t") {
		return "", unauthenticated("malformed bearer credential")
	}
	return cred, nil
}

// credential authenticates one API key or JWT.
func (a *Authenticator) credential(ctx context.Context, cred string) (Credential, error) {
	if len(cred) > maxCredentialLen {
		return Credential{}, unauthenticated("credential too long")
	}
	if strings.HasPrefix(cred, APIKeyPrefix) {
		actor, err := a.apiKey(ctx, cred)
		return Credential{Actor: actor}, err
	}
	return a.token(ctx, cred)
}

func (a *Authenticator) apiKey(ctx context.Context, secret string) (domain.Actor, error) {
	actor, err := a.users.AuthenticateAPIKey(ctx, secret)
	switch {
	case err == nil && actor.IsAPIKey():
		return actor, nil
	case err == nil:
		return domain.Actor{}, domain.Internal(errors.New("auth: API key resolved to a non-key actor"))
	case domain.IsCode(err, domain.CodeUnauthenticated), domain.IsCode(err, domain.CodeUnavailable):
		return domain.Actor{}, err
	}
	return domain.Actor{}, domain.Internal(err)
}

// token verifies a JWT and resolves its subject to a user.
func (a *Authenticator) token(ctx context.Context, raw string) (Credential, error) {
	var c tokenClaims
	tok, err := a.parser.ParseWithClaims(raw, &c, a.keyfunc(ctx))
	if err != nil {
		return Credential{}, tokenError(err)
	}
	if err := a.checkLifetime(c.RegisteredClaims, time.Now()); err != nil {
		return Credential{}, err
	}
	sub := strings.TrimSpace(c.Subject)
	if sub == "" {
		return Credential{}, unauthenticated("token has no subject")
	}
	u, err := a.user(ctx, sub, c.Email, c.Name)
	if err != nil {
		return Credential{}, err
	}
	return Credential{
		Actor: domain.Actor{
			UserID: u.ID, Email: u.Email, PlatformAdmin: c.Admin,
			EmailVerified: emailVerified(tok.Method, c.EmailVerified),
		},
		Expires: c.ExpiresAt.Add(Leeway), // exp is required by the parser
	}, nil
}

// checkLifetime refuses a token that lives longer than the maximum TTL:
// exp − iat, or exp − now without iat (exp is required by the parser).
func (a *Authenticator) checkLifetime(c jwt.RegisteredClaims, now time.Time) error {
	if c.ExpiresAt == nil {
		return unauthenticated("token is missing a required claim")
	}
	start := now
	if c.IssuedAt != nil {
		start = c.IssuedAt.Time
	}
	if c.ExpiresAt.Sub(start) > a.maxTTL {
		return unauthenticated(fmt.Sprintf("token lifetime exceeds the maximum of %s", a.maxTTL))
	}
	return nil
}

// emailVerified decides whether a token's email counts as verified.
// Identity-provider tokens (RS256, ES256 from the JWKS) must say
// email_verified: true; a provider that does not say so gives no evidence
// that the user owns the address. Development HS256 tokens (`tally token`,
// signed with this server's own secret) count as verified unless they say
// email_verified: false.
func emailVerified(m jwt.SigningMethod, claim *flexBool) bool {
	if m.Alg() == jwt.SigningMethodHS256.Alg() {
		return claim == nil || bool(*claim)
	}
	return claim != nil && bool(*claim)
}

// keyfunc picks the verification key by algorithm, so that a key of one
// kind is never used for another algorithm (no HS256 with a JWKS key).
func (a *Authenticator) keyfunc(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		switch t.Method.Alg() {
		case jwt.SigningMethodHS256.Alg():
			if a.secret != nil {
				return a.secret, nil
			}
		case jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg():
			if a.jwks != nil {
				return a.jwks.KeyfuncCtx(ctx)(t)
			}
		}
		return nil, fmt.Errorf("algorithm %s not accepted", t.Method.Alg())
	}
}

// user returns the user for a verified subject, from the cache when its
// email and name are unchanged; concurrent misses for one identity share
// one EnsureUser call.
func (a *Authenticator) user(ctx context.Context, sub, email, name string) (domain.User, error) {
	if u, ok := a.cache.get(sub, email, name); ok {
		return u, nil
	}
	key := sub + "\x00" + email + "\x00" + name
	v, err, _ := a.group.Do(key, func() (any, error) {
		// Detached from one caller's cancellation: others may share the result.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		u, err := a.users.EnsureUser(ctx, sub, email, name)
		if err != nil {
			return nil, err
		}
		a.cache.put(sub, email, name, u)
		return u, nil
	})
	if err != nil {
		switch {
		case domain.IsCode(err, domain.CodeInvalidInput):
			return domain.User{}, unauthenticated("token subject is not usable")
		case domain.IsCode(err, domain.CodeUnavailable):
			return domain.User{}, err
		}
		return domain.User{}, domain.Internal(err)
	}
	return v.(domain.User), nil
}

// tokenError turns a JWT verification failure into a client-safe error.
func tokenError(err error) *domain.Error {
	msg := "invalid token"
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		msg = "token has expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		msg = "token is not valid yet"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		msg = "token is missing a required claim"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		msg = "token has the wrong issuer"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		msg = "token has the wrong audience"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		msg = "token signature is not valid"
	}
	return &domain.Error{Code: domain.CodeUnauthenticated, Message: msg, Err: err}
}

func unauthenticated(msg string) *domain.Error {
	return domain.Errorf(domain.CodeUnauthenticated, "%s", msg)
}
