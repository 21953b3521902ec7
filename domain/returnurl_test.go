package domain_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

// allowedOrigins is a deployment's SPA origins plus its public URL.
var allowedOrigins = []string{"https://tally.example.com/api", "https://app.example.com", "http://localhost:5173", "*"}

func TestCheckReturnURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
		ok   bool
	}{
		{"SPA origin with a path and query", "https://app.example.com/orders/1?tab=pay#top", true},
		{"SPA origin, bare", "https://app.example.com", true},
		{"the server's public origin", "https://tally.example.com/", true},
		{"public origin, another path", "https://tally.example.com/elsewhere", true},
		{"upper-case scheme and host", "HTTPS://APP.Example.COM/x", true},
		{"explicit default port", "https://app.example.com:443/x", true},
		{"development origin with its port", "http://localhost:5173/done", true},

		{"another host", "https://evil.example/", false},
		{"a suffix of an allowed host", "https://app.example.com.evil.example/", false},
		{"a prefix of an allowed host", "https://evilapp.example.com/", false},
		{"an allowed host as a subdomain", "https://x.app.example.com/", false},
		{"the wrong scheme for the origin", "http://app.example.com/", false},
		{"the wrong port", "https://app.example.com:8443/", false},
		{"development origin without its port", "http://localhost/", false},
		{"userinfo naming the allowed host", "https://app.example.com@evil.example/", false},
		{"userinfo on the allowed host", "https://user:pw@app.example.com/", false},
		{"backslash authority", `https://app.example.com\@evil.example/`, false},
		{"backslash instead of slashes", `https:\\evil.example`, false},
		{"backslash in the path", `https://app.example.com/\evil.example`, false},
		{"scheme-relative", "//evil.example/", false},
		{"relative path", "/orders/1", false},
		{"javascript", "javascript:alert(document.domain)//https://app.example.com", false},
		{"javascript with an allowed-looking tail", "javascript://app.example.com/%0aalert(1)", false},
		{"data", "data:text/html,<script>alert(1)</script>", false},
		{"ftp", "ftp://app.example.com/", false},
		{"one slash", "https:/app.example.com/", false},
		{"three slashes", "https:///evil.example/", false},
		{"tab inside the scheme", "java\tscript:alert(1)", false},
		{"newline in the host", "https://app.example.com\n.evil.example/", false},
		{"space", "https://app.example.com /x", false},
		{"percent-encoded host", "https://app%2eexample.com/", false},
		{"percent-encoded at sign", "https://evil.example%40app.example.com/", false},
		{"non-ASCII host", "https://аpp.example.com/", false},
		{"empty port", "https://app.example.com:/", false},
		{"port zero-padded", "https://app.example.com:0443/", false},
		{"port out of range", "https://app.example.com:70000/", false},
		{"over-long", "https://app.example.com/" + strings.Repeat("a", domain.MaxReturnURLLen), false},
		{"empty", "", false},
		{"wildcard does not allow every origin", "https://anything.example/", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := domain.CheckReturnURL(tt.raw, allowedOrigins)
			if tt.ok {
				if err != nil {
					t.Fatalf("CheckReturnURL(%q) = %v, want accepted", tt.raw, err)
				}
				return
			}
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != "returnUrl" {
				t.Fatalf("CheckReturnURL(%q) = %v, want INVALID_INPUT on returnUrl", tt.raw, err)
			}
		})
	}
}

func TestReturnURLOriginIPv6(t *testing.T) {
	t.Parallel()
	if o, err := domain.ReturnURLOrigin("http://[::1]:8080/x"); err != nil || o != "http://[::1]:8080" {
		t.Fatalf("origin = %q, %v", o, err)
	}
	for _, raw := range []string{"http://[::1/x", "http://[1.2.3.4]/", "http://[::1]x/"} {
		if _, err := domain.ReturnURLOrigin(raw); err == nil {
			t.Errorf("ReturnURLOrigin(%q) accepted", raw)
		}
	}
}

// TestPurchaseReturnURL: a purchase may only send its buyer back to an
// allowed origin; any other return URL is refused before an order exists
// or a gateway hears of it.
func TestPurchaseReturnURL(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		gw := scripted.New("fake", domain.GatewayCapabilities{
			Currencies: []domain.Currency{domain.EUR}, Methods: []domain.PaymentMethodKind{domain.MethodCard}, MaxInstallments: 1,
		})
		gw.Next(scripted.Redirect) // a hosted flow: the buyer comes back
		reg, err := gateways.New(nil, gw)
		if err != nil {
			t.Fatal(err)
		}
		svc := domain.NewService(d, domain.Config{
			SignupGrantDisabled: true, PublicURL: "https://tally.example.com",
			ReturnOrigins: []string{"https://app.example.com", "*"},
		}, domain.WithClock(&clock{now: t0}), domain.WithGateways(reg))
		owner := signIn(t, svc, "owner")
		org, err := svc.CreateOrg(owner, domain.CreateOrgInput{Name: "Acme", Country: "DE", Currency: domain.EUR})
		if err != nil {
			t.Fatal(err)
		}
		cat, err := svc.LoadCatalog(context.Background(), domain.Catalog{Packs: []domain.Pack{{
			Code: "pro", Name: "Pro", Credits: 1000, Validity: domain.ValidityNever, Active: true,
			Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 2500}},
		}}})
		if err != nil {
			t.Fatal(err)
		}
		buy := func(key, returnURL string) (domain.Checkout, error) {
			return svc.PurchasePack(owner, domain.PurchaseInput{
				OrgID: org.ID, PackID: cat.Packs[0].ID, Quantity: 1, Installments: 1, IdempotencyKey: key, ReturnURL: returnURL,
			})
		}
		for i, bad := range []string{
			"https://evil.example/", "https://app.example.com@evil.example/", `https://app.example.com\@evil.example/`,
			"//evil.example/", "javascript:alert(1)", "https://anything.example/",
		} {
			_, err := buy("bad-"+string(rune('a'+i)), bad)
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != "returnUrl" {
				t.Fatalf("returnUrl %q = %v, want INVALID_INPUT on returnUrl", bad, err)
			}
		}
		if orders, err := svc.Orders(owner, org.ID, domain.OrderFilter{}, domain.Page{}); err != nil || len(orders.Edges) != 0 {
			t.Fatalf("refused purchases left orders: %+v, %v", orders.Edges, err)
		}
		if reqs := gw.Requests(); len(reqs) != 0 {
			t.Fatalf("refused return URLs reached the gateway: %+v", reqs)
		}

		for _, tc := range []struct{ key, in, want string }{
			{"spa", "https://app.example.com/orders?tab=pay", "https://app.example.com/orders?tab=pay"},
			{"self", "https://tally.example.com/thanks", "https://tally.example.com/thanks"},
			{"none named: the gateway decides", "", ""},
		} {
			if _, err := buy(tc.key, tc.in); err != nil {
				t.Fatalf("returnUrl %q: %v", tc.in, err)
			}
			reqs := gw.Requests()
			if got := reqs[len(reqs)-1].ReturnURL; got != tc.want {
				t.Fatalf("returnUrl %q reached the gateway as %q, want %q", tc.in, got, tc.want)
			}
		}
	})
}
