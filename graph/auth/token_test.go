package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestMint(t *testing.T) {
	tests := []struct {
		name    string
		secret  []byte
		claims  Claims
		want    tokenClaims
		ttl     time.Duration
		wantErr string
	}{
		{name: "subject derived from email, default TTL",
			secret: testSecret, claims: Claims{Email: " Dev@Example.com ", Name: "Dev"},
			want: tokenClaims{RegisteredClaims: jwt.RegisteredClaims{Subject: "dev|dev@example.com"}, Email: "Dev@Example.com", Name: "Dev"},
			ttl:  DefaultTTL},
		{name: "explicit subject, admin, short TTL",
			secret: testSecret, claims: Claims{Subject: "idp|7", Email: "a@b.io", Admin: true, TTL: time.Hour},
			want: tokenClaims{RegisteredClaims: jwt.RegisteredClaims{Subject: "idp|7"}, Email: "a@b.io", Admin: true},
			ttl:  time.Hour},
		{name: "issuer and audience",
			secret: testSecret, claims: Claims{Email: "a@b.io", Issuer: "iss", Audience: "aud"},
			want: tokenClaims{RegisteredClaims: jwt.RegisteredClaims{Subject: "dev|a@b.io", Issuer: "iss", Audience: jwt.ClaimStrings{"aud"}}, Email: "a@b.io"},
			ttl:  DefaultTTL},
		{name: "short secret", secret: []byte("short"), claims: Claims{Email: "a@b.io"}, wantErr: "at least 32 bytes"},
		{name: "no subject, no email", secret: testSecret, claims: Claims{Name: "x"}, wantErr: "subject or an email"},
		{name: "negative TTL", secret: testSecret, claims: Claims{Email: "a@b.io", TTL: -time.Second}, wantErr: "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Mint(tt.secret, tt.claims)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got tokenClaims
			tok, err := jwt.ParseWithClaims(s, &got, func(*jwt.Token) (any, error) { return testSecret, nil },
				jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired())
			if err != nil || tok.Method != jwt.SigningMethodHS256 {
				t.Fatalf("parse: %v", err)
			}
			if got.IssuedAt == nil || got.ExpiresAt == nil || got.ExpiresAt.Sub(got.IssuedAt.Time) != tt.ttl {
				t.Fatalf("iat %v, exp %v: want a %v lifetime", got.IssuedAt, got.ExpiresAt, tt.ttl)
			}
			if d := time.Since(got.IssuedAt.Time); d < -time.Second || d > time.Minute {
				t.Fatalf("iat %v is not now", got.IssuedAt)
			}
			got.IssuedAt, got.ExpiresAt = nil, nil
			if got.Subject != tt.want.Subject || got.Issuer != tt.want.Issuer || strings.Join(got.Audience, ",") != strings.Join(tt.want.Audience, ",") ||
				got.Email != tt.want.Email || got.Name != tt.want.Name || got.Admin != tt.want.Admin {
				t.Fatalf("claims = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestMintOmitsAdminClaimForUsers(t *testing.T) {
	s, err := Mint(testSecret, Claims{Email: "a@b.io"})
	if err != nil {
		t.Fatal(err)
	}
	m := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(s, m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m[AdminClaim]; ok {
		t.Fatalf("non-admin token carries %s: %v", AdminClaim, m)
	}
}
