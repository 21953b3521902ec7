package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"github.com/tallyhq/tally/domain"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef-test")

// The identity provider's issuer and the audience of Tally's tokens.
const (
	testIssuer   = "https://idp.example"
	testAudience = "tally"
)

// fakeUsers stands in for *domain.Service: users by subject, one API key.
type fakeUsers struct {
	mu        sync.Mutex
	users     map[string]domain.User
	ensures   int
	ensureErr error
}

const goodKey = "tly_goodkey"

func newFakeUsers() *fakeUsers { return &fakeUsers{users: map[string]domain.User{}} }

func (f *fakeUsers) EnsureUser(_ context.Context, subject, email, name string) (domain.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ensures++
	if f.ensureErr != nil {
		return domain.User{}, f.ensureErr
	}
	if subject == "" {
		return domain.User{}, domain.InvalidInput("sub", "token subject is required")
	}
	u, ok := f.users[subject]
	if !ok {
		u = domain.User{ID: fmt.Sprintf("user-%d", len(f.users)+1), Subject: subject}
	}
	u.Email, u.Name = strings.ToLower(email), name
	f.users[subject] = u
	return u, nil
}

func (f *fakeUsers) AuthenticateAPIKey(_ context.Context, secret string) (domain.Actor, error) {
	if secret == goodKey {
		return domain.Actor{APIKeyID: "key-1", APIKeyOrgID: "org-1"}, nil
	}
	return domain.Actor{}, domain.Errorf(domain.CodeUnauthenticated, "invalid API key")
}

func (f *fakeUsers) ensureCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ensures
}

// idp is an identity provider: an RSA and an EC signing key served as a JWKS.
type idp struct {
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
	url string
}

func newIDP(t *testing.T) *idp {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var set jwkset.JWKSMarshal
	for _, k := range []struct {
		pub any
		kid string
		alg jwkset.ALG
	}{{&rk.PublicKey, "rsa-1", jwkset.AlgRS256}, {&ek.PublicKey, "ec-1", jwkset.AlgES256}} {
		jwk, err := jwkset.NewJWKFromKey(k.pub, jwkset.JWKOptions{
			Metadata: jwkset.JWKMetadataOptions{KID: k.kid, ALG: k.alg, USE: jwkset.UseSig},
		})
		if err != nil {
			t.Fatal(err)
		}
		set.Keys = append(set.Keys, jwk.Marshal())
	}
	body, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return &idp{rsa: rk, ec: ek, url: srv.URL + "/.well-known/jwks.json"}
}

// claims are a token's payload; valid ones by default.
func claims(edit func(jwt.MapClaims)) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{
		"sub": "idp|42", "email": "Ada@Example.com", "email_verified": true, "name": "Ada",
		"iss": testIssuer, "aud": testAudience, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
	if edit != nil {
		edit(c)
	}
	return c
}

func sign(t *testing.T, m jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newAuth(t *testing.T, cfg Config, users Users) *Authenticator {
	t.Helper()
	cfg.Logger = slog.New(slog.DiscardHandler)
	a, err := New(t.Context(), cfg, users)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

func TestAuthenticate(t *testing.T) {
	p := newIDP(t)
	both := newAuth(t, Config{HS256Secret: testSecret, JWKSURL: p.url, Issuer: testIssuer, Audience: testAudience}, newFakeUsers())
	jwksOnly := newAuth(t, Config{JWKSURL: p.url, Issuer: testIssuer, Audience: testAudience}, newFakeUsers())
	checked := newAuth(t, Config{HS256Secret: testSecret, Issuer: testIssuer, Audience: testAudience}, newFakeUsers())
	shortLived := newAuth(t, Config{HS256Secret: testSecret, Issuer: testIssuer, Audience: testAudience, MaxTTL: time.Hour}, newFakeUsers())

	otherRSA, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaPubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&p.rsa.PublicKey))})
	minted := func(c Claims) string {
		if c.Issuer == "" && c.Audience == "" { // as `tally token` mints with the server's settings
			c.Issuer, c.Audience = testIssuer, testAudience
		}
		s, err := Mint(testSecret, c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	noneToken := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", claims(nil))

	tests := []struct {
		name      string
		auth      *Authenticator
		header    string
		want      domain.Actor // UserID compared as non-empty when "any"
		wantMsg   string       // UNAUTHENTICATED message; "" means success
		wantAdmin bool
	}{
		{name: "anonymous", auth: both, header: "", want: domain.Actor{}},
		{name: "valid HS256", auth: both, header: "Bearer " + minted(Claims{Email: "dev@example.com"}),
			want: domain.Actor{UserID: "any", Email: "dev@example.com", EmailVerified: true}},
		{name: "HS256 admin claim", auth: both, header: "Bearer " + minted(Claims{Email: "root@example.com", Admin: true}),
			want: domain.Actor{UserID: "any", Email: "root@example.com", EmailVerified: true, PlatformAdmin: true}},
		{name: "scheme is case-insensitive", auth: both, header: "bearer " + minted(Claims{Email: "dev@example.com"}),
			want: domain.Actor{UserID: "any", Email: "dev@example.com", EmailVerified: true}},
		{name: "bare token (websocket payload)", auth: both, header: minted(Claims{Email: "dev@example.com"}),
			want: domain.Actor{UserID: "any", Email: "dev@example.com", EmailVerified: true}},
		{name: "expired", auth: both,
			header:  "Bearer " + sign(t, jwt.SigningMethodHS256, testSecret, "", claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() })),
			wantMsg: "token has expired"},
		{name: "expired within the leeway", auth: both,
			header: "Bearer " + sign(t, jwt.SigningMethodHS256, testSecret, "", claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-10 * time.Second).Unix() })),
			want:   domain.Actor{UserID: "any", Email: "ada@example.com", EmailVerified: true}},
		{name: "no exp", auth: both,
			header:  "Bearer " + sign(t, jwt.SigningMethodHS256, testSecret, "", claims(func(c jwt.MapClaims) { delete(c, "exp") })),
			wantMsg: "token is missing a required claim"},
		{name: "issued in the future", auth: both,
			header:  "Bearer " + sign(t, jwt.SigningMethodHS256, testSecret, "", claims(func(c jwt.MapClaims) { c["iat"] = time.Now().Add(5 * time.Minute).Unix() })),
			wantMsg: "token is not valid yet"},
		{name: "wrong secret", auth: both,
			header:  "Bearer " + sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), "", claims(nil)),
			wantMsg: "token signature is not valid"},
		{name: "alg none", auth: both, header: "Bearer " + noneToken, wantMsg: "token signature is not valid"},
		{name: "alg none, JWKS only", auth: jwksOnly, header: "Bearer " + noneToken, wantMsg: "token signature is not valid"},
		{name: "HS384 is not accepted", auth: both,
			header:  "Bearer " + sign(t, jwt.SigningMethodHS384, testSecret, "", claims(nil)),
			wantMsg: "token signature is not valid"},
		{name: "missing sub", auth: both,
			header:  "Bearer " + sign(t, jwt.SigningMethodHS256, testSecret, "", claims(func(c jwt.MapClaims) { delete(c, "sub") })),
			wantMsg: "token has no subject"},
		{name: "RS256 from the JWKS", auth: jwksOnly, header: "Bearer " + sign(t, jwt.SigningMethodRS256, p.rsa, "rsa-1", claims(nil)),
			want: domain.Actor{UserID: "any", Email: "ada@example.com", EmailVerified: true}},
		{name: "ES256 from the JWKS", auth: jwksOnly, header: "Bearer " + sign(t, jwt.SigningMethodES256, p.ec, "ec-1", claims(nil)),
			want: domain.Actor{UserID: "any", Email: "ada@example.com", EmailVerified: true}},
		{name: "RS256 admin from the JWKS", auth: both,
			header: "Bearer " + sign(t, jwt.SigningMethodRS256, p.rsa, "rsa-1", claims(func(c jwt.MapClaims) { c["tally_admin"] = true })),
			want:   domain.Actor{UserID: "any", Email: "ada@example.com", EmailVerified: true, PlatformAdmin: true}},
		{name: "RS256 forged with another key under the served kid", auth: jwksOnly,
			header:  "Bearer " + sign(t, jwt.SigningMethodRS256, otherRSA, "rsa-1", claims(nil)),
			wantMsg: "token signature is not valid"},
		{name: "ES256 header on the RSA key", auth: jwksOnly,
			header:  "Bearer " + sign(t, jwt.SigningMethodES256, p.ec, "rsa-1", claims(nil)),
			wantMsg: "token signature is not valid"},
		{name: "HS256 presented to a JWKS-only config", auth: jwksOnly,
			header:  "Bearer " + sign(t, jwt.SigningMethodHS256, testSecret, "", claims(nil)),
			wantMsg: "token signature is not valid"},
		{name: "HS256 keyed with the IdP's public key (algorithm confusion)", auth: jwksOnly,
			header:  "Bearer " + sign(t, jwt.SigningMethodHS256, rsaPubPEM, "rsa-1", claims(nil)),
			wantMsg: "token signature is not valid"},
		{name: "HS256 keyed with the IdP's public key, HS256 also configured", auth: both,
			header:  "Bearer " + sign(t, jwt.SigningMethodHS256, rsaPubPEM, "rsa-1", claims(nil)),
			wantMsg: "token signature is not valid"},
		{name: "issuer and audience match", auth: checked,
			header: "Bearer " + minted(Claims{Email: "dev@example.com", Issuer: "https://idp.example", Audience: "tally"}),
			want:   domain.Actor{UserID: "any", Email: "dev@example.com", EmailVerified: true}},
		{name: "wrong issuer", auth: checked,
			header:  "Bearer " + minted(Claims{Email: "dev@example.com", Issuer: "https://evil.example", Audience: "tally"}),
			wantMsg: "token has the wrong issuer"},
		{name: "missing audience", auth: checked,
			header:  "Bearer " + minted(Claims{Email: "dev@example.com", Issuer: "https://idp.example"}),
			wantMsg: "token is missing a required claim"},
		{name: "wrong audience", auth: checked,
			header:  "Bearer " + minted(Claims{Email: "dev@example.com", Issuer: "https://idp.example", Audience: "other"}),
			wantMsg: "token has the wrong audience"},
		{name: "JWKS email_verified false", auth: jwksOnly,
			header: "Bearer " + sign(t, jwt.SigningMethodRS256, p.rsa, "rsa-1", claims(func(c jwt.MapClaims) { c["email_verified"] = false })),
			want:   domain.Actor{UserID: "any", Email: "ada@example.com"}},
		{name: "JWKS email_verified absent counts as unverified", auth: jwksOnly,
			header: "Bearer " + sign(t, jwt.SigningMethodRS256, p.rsa, "rsa-1", claims(func(c jwt.MapClaims) { delete(c, "email_verified") })),
			want:   domain.Actor{UserID: "any", Email: "ada@example.com"}},
		{name: "JWKS email_verified as the string \"true\" (Cognito)", auth: jwksOnly,
			header: "Bearer " + sign(t, jwt.SigningMethodES256, p.ec, "ec-1", claims(func(c jwt.MapClaims) { c["email_verified"] = "true" })),
			want:   domain.Actor{UserID: "any", Email: "ada@example.com", EmailVerified: true}},
		{name: "JWKS email_verified as the string \"false\"", auth: jwksOnly,
			header: "Bearer " + sign(t, jwt.SigningMethodES256, p.ec, "ec-1", claims(func(c jwt.MapClaims) { c["email_verified"] = "false" })),
			want:   domain.Actor{UserID: "any", Email: "ada@example.com"}},
		{name: "email_verified of another type", auth: jwksOnly,
			header:  "Bearer " + sign(t, jwt.SigningMethodRS256, p.rsa, "rsa-1", claims(func(c jwt.MapClaims) { c["email_verified"] = 1 })),
			wantMsg: "invalid token"},
		{name: "HS256 email_verified absent counts as verified (development tokens)", auth: both,
			header: "Bearer " + sign(t, jwt.SigningMethodHS256, testSecret, "", claims(func(c jwt.MapClaims) { delete(c, "email_verified") })),
			want:   domain.Actor{UserID: "any", Email: "ada@example.com", EmailVerified: true}},
		{name: "HS256 email_verified false", auth: both,
			header: "Bearer " + sign(t, jwt.SigningMethodHS256, testSecret, "", claims(func(c jwt.MapClaims) { c["email_verified"] = false })),
			want:   domain.Actor{UserID: "any", Email: "ada@example.com"}},
		{name: "JWKS without the audience", auth: jwksOnly,
			header:  "Bearer " + sign(t, jwt.SigningMethodRS256, p.rsa, "rsa-1", claims(func(c jwt.MapClaims) { delete(c, "aud") })),
			wantMsg: "token is missing a required claim"},
		{name: "JWKS token for another application", auth: jwksOnly,
			header:  "Bearer " + sign(t, jwt.SigningMethodRS256, p.rsa, "rsa-1", claims(func(c jwt.MapClaims) { c["aud"] = "other-app" })),
			wantMsg: "token has the wrong audience"},
		{name: "JWKS token of another issuer", auth: jwksOnly,
			header:  "Bearer " + sign(t, jwt.SigningMethodRS256, p.rsa, "rsa-1", claims(func(c jwt.MapClaims) { c["iss"] = "https://other.example" })),
			wantMsg: "token has the wrong issuer"},
		{name: "lifetime of exactly the maximum", auth: both,
			header: "Bearer " + minted(Claims{Email: "dev@example.com", TTL: DefaultMaxTTL}),
			want:   domain.Actor{UserID: "any", Email: "dev@example.com", EmailVerified: true}},
		{name: "lifetime over the maximum (HS256)", auth: both,
			header:  "Bearer " + minted(Claims{Email: "dev@example.com", TTL: DefaultMaxTTL + time.Second}),
			wantMsg: "token lifetime exceeds the maximum of 24h0m0s"},
		{name: "lifetime over the maximum (JWKS), issued long ago", auth: jwksOnly,
			header: "Bearer " + sign(t, jwt.SigningMethodRS256, p.rsa, "rsa-1", claims(func(c jwt.MapClaims) {
				c["iat"], c["exp"] = time.Now().Add(-30*24*time.Hour).Unix(), time.Now().Add(time.Hour).Unix()
			})),
			wantMsg: "token lifetime exceeds the maximum of 24h0m0s"},
		{name: "no iat, expiring beyond the maximum from now", auth: jwksOnly,
			header: "Bearer " + sign(t, jwt.SigningMethodRS256, p.rsa, "rsa-1", claims(func(c jwt.MapClaims) {
				delete(c, "iat")
				c["exp"] = time.Now().Add(DefaultMaxTTL + time.Minute).Unix()
			})),
			wantMsg: "token lifetime exceeds the maximum of 24h0m0s"},
		{name: "no iat, expiring within the maximum", auth: jwksOnly,
			header: "Bearer " + sign(t, jwt.SigningMethodRS256, p.rsa, "rsa-1", claims(func(c jwt.MapClaims) {
				delete(c, "iat")
				c["exp"] = time.Now().Add(time.Hour).Unix()
			})),
			want: domain.Actor{UserID: "any", Email: "ada@example.com", EmailVerified: true}},
		{name: "a two-hour token under a one-hour maximum", auth: shortLived,
			header:  "Bearer " + minted(Claims{Email: "dev@example.com", TTL: 2 * time.Hour}),
			wantMsg: "token lifetime exceeds the maximum of 1h0m0s"},
		{name: "garbage", auth: both, header: "Bearer not.a.jwt", wantMsg: "invalid token"},
		{name: "other scheme", auth: both, header: "Basic dXNlcjpwYXNz", wantMsg: "unsupported authorization scheme; use Bearer"},
		{name: "empty bearer", auth: both, header: "Bearer  ", wantMsg: "malformed bearer credential"},
		{name: "oversized credential", auth: both, header: "Bearer " + strings.Repeat("a", maxCredentialLen+1), wantMsg: "credential too long"},
		{name: "API key", auth: both, header: "Bearer " + goodKey, want: domain.Actor{APIKeyID: "key-1", APIKeyOrgID: "org-1"}},
		{name: "unknown API key", auth: both, header: "Bearer tly_nope", wantMsg: "invalid API key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.auth.Authenticate(context.Background(), tt.header)
			if tt.wantMsg != "" {
				var de *domain.Error
				if !errors.As(err, &de) || de.Code != domain.CodeUnauthenticated || de.Message != tt.wantMsg {
					t.Fatalf("err = %v, want UNAUTHENTICATED %q", err, tt.wantMsg)
				}
				if got != (domain.Actor{}) {
					t.Fatalf("actor %+v on failure", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if tt.want.UserID == "any" {
				if got.UserID == "" {
					t.Fatalf("actor %+v has no user", got)
				}
				tt.want.UserID = got.UserID
			}
			if got != tt.want {
				t.Fatalf("actor = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestMiddleware(t *testing.T) {
	token := must(Mint(testSecret, Claims{Email: "dev@example.com"}))
	tests := []struct {
		name       string
		headers    map[string]string
		ensureErr  error
		wantStatus int
		wantActor  domain.Actor // for 200; UserID "any" = some user
		wantBody   string       // for errors, exact JSON
	}{
		{name: "no credential: anonymous", wantStatus: http.StatusOK},
		{name: "bearer token", headers: map[string]string{"Authorization": "Bearer " + token},
			wantStatus: http.StatusOK, wantActor: domain.Actor{UserID: "any", Email: "dev@example.com", EmailVerified: true}},
		{name: "API key in Authorization", headers: map[string]string{"Authorization": "Bearer " + goodKey},
			wantStatus: http.StatusOK, wantActor: domain.Actor{APIKeyID: "key-1", APIKeyOrgID: "org-1"}},
		{name: "API key in X-Api-Key", headers: map[string]string{"X-Api-Key": goodKey},
			wantStatus: http.StatusOK, wantActor: domain.Actor{APIKeyID: "key-1", APIKeyOrgID: "org-1"}},
		{name: "forged token", headers: map[string]string{"Authorization": "Bearer " + token + "x"},
			wantStatus: http.StatusUnauthorized,
			wantBody:   `{"errors":[{"message":"token signature is not valid","extensions":{"code":"UNAUTHENTICATED"}}]}`},
		{name: "revoked API key", headers: map[string]string{"X-Api-Key": "tly_revoked"},
			wantStatus: http.StatusUnauthorized,
			wantBody:   `{"errors":[{"message":"invalid API key","extensions":{"code":"UNAUTHENTICATED"}}]}`},
		{name: "X-Api-Key holding a JWT", headers: map[string]string{"X-Api-Key": token},
			wantStatus: http.StatusUnauthorized,
			wantBody:   `{"errors":[{"message":"X-Api-Key must hold an API key","extensions":{"code":"UNAUTHENTICATED"}}]}`},
		{name: "user store down", headers: map[string]string{"Authorization": "Bearer " + token},
			ensureErr: errors.New("connection refused"), wantStatus: http.StatusInternalServerError,
			wantBody: `{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			users := newFakeUsers()
			users.ensureErr = tt.ensureErr
			a := newAuth(t, Config{HS256Secret: testSecret}, users)
			var reached bool
			var actor domain.Actor
			h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached = true
				actor, _ = domain.ActorFrom(r.Context())
			}))
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{}`))
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			res := rec.Result()
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus == http.StatusOK {
				if !reached {
					t.Fatal("handler not reached")
				}
				if tt.wantActor.UserID == "any" && actor.UserID != "" {
					tt.wantActor.UserID = actor.UserID
				}
				if actor != tt.wantActor {
					t.Fatalf("actor = %+v, want %+v", actor, tt.wantActor)
				}
				return
			}
			if reached {
				t.Fatal("handler reached despite a bad credential")
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type = %q", ct)
			}
			body, _ := io.ReadAll(res.Body)
			if got := strings.TrimSpace(string(body)); got != tt.wantBody {
				t.Fatalf("body = %s, want %s", got, tt.wantBody)
			}
		})
	}
}

func TestUserCacheAvoidsWritesPerRequest(t *testing.T) {
	users := newFakeUsers()
	a := newAuth(t, Config{HS256Secret: testSecret, UserCacheSize: 2}, users)
	tok := func(email, name string) string {
		return "Bearer " + must(Mint(testSecret, Claims{Subject: "sub|" + email, Email: email, Name: name}))
	}
	steps := []struct {
		name        string
		header      string
		wantEnsures int
	}{
		{"first request writes", tok("a@x.io", "A"), 1},
		{"repeat is cached", tok("a@x.io", "A"), 1},
		{"a new token for the same identity is cached", tok("a@x.io", "A"), 1},
		{"changed name refreshes the user", tok("a@x.io", "Ada"), 2},
		{"second user", tok("b@x.io", "B"), 3},
		{"third user evicts the least recently used", tok("c@x.io", "C"), 4},
		{"evicted user is written again", tok("a@x.io", "Ada"), 5},
		{"recently used stays cached", tok("c@x.io", "C"), 5},
	}
	for _, s := range steps {
		if _, err := a.Authenticate(context.Background(), s.header); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := users.ensureCount(); got != s.wantEnsures {
			t.Fatalf("%s: EnsureUser calls = %d, want %d", s.name, got, s.wantEnsures)
		}
	}
	if n := a.cache.len(); n != 2 {
		t.Fatalf("cache holds %d entries, want 2", n)
	}

	now := time.Now()
	a.cache.now = func() time.Time { return now.Add(defaultUserCacheTTL + time.Second) }
	if _, err := a.Authenticate(context.Background(), tok("c@x.io", "C")); err != nil {
		t.Fatal(err)
	}
	if got := users.ensureCount(); got != 6 {
		t.Fatalf("after the TTL: EnsureUser calls = %d, want 6", got)
	}
}

func TestConcurrentRequestsShareOneWrite(t *testing.T) {
	users := newFakeUsers()
	a := newAuth(t, Config{HS256Secret: testSecret}, users)
	h := "Bearer " + must(Mint(testSecret, Claims{Email: "busy@example.com"}))
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := a.Authenticate(context.Background(), h); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := users.ensureCount(); n < 1 || n > 5 {
		t.Fatalf("50 concurrent requests made %d EnsureUser calls", n)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"HS256 only", Config{HS256Secret: testSecret}, ""},
		{"nothing configured", Config{}, "configure an HS256 secret"},
		{"short secret", Config{HS256Secret: []byte("dev")}, "at least 32 bytes"},
		{"JWKS over http to another host", Config{JWKSURL: "http://idp.example/jwks.json", Issuer: testIssuer, Audience: testAudience}, "must use https"},
		{"JWKS URL not absolute", Config{JWKSURL: "/jwks.json", Issuer: testIssuer, Audience: testAudience}, "not an absolute URL"},
		{"JWKS without an issuer", Config{JWKSURL: "https://idp.example/jwks.json", Audience: testAudience}, "needs an issuer and an audience"},
		{"JWKS without an audience", Config{JWKSURL: "https://idp.example/jwks.json", Issuer: testIssuer}, "needs an issuer and an audience"},
		{"JWKS without either", Config{HS256Secret: testSecret, JWKSURL: "https://idp.example/jwks.json"}, "needs an issuer and an audience"},
		{"negative MaxTTL", Config{HS256Secret: testSecret, MaxTTL: -time.Second}, "MaxTTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(t.Context(), tt.cfg, newFakeUsers())
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
