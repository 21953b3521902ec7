package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tallyhq/tally/gateways/sandbox"
)

// Saved payment methods against the real binary with the sandbox: saving
// test cards, 3-D Secure on the sandbox's setup page, confirming, the
// default, removal, and who may do any of it.

const methodFields = `id brand last4 expMonth expYear isDefault gateway kind status`

// gqlMethod is a PaymentMethod as the tests read it.
type gqlMethod struct {
	ID, Brand, Gateway, Kind, Status string
	Last4                            *string
	IsDefault                        bool
}

// methodSetup is a PaymentMethodSetup.
type methodSetup struct {
	PaymentMethod gqlMethod
	NextAction    struct{ Kind, RedirectURL, ClientSecret string }
}

// addMethod runs addPaymentMethod with in and returns the raw result.
func (c *client) addMethod(t testing.TB, in map[string]any) result {
	t.Helper()
	return c.do(t, `mutation($in: AddPaymentMethodInput!) { addPaymentMethod(input: $in) {
  paymentMethod { `+methodFields+` } nextAction { kind redirectUrl clientSecret } } }`, map[string]any{"in": in})
}

// mustAddMethod saves token with the sandbox for org under key.
func (c *client) mustAddMethod(t testing.TB, org, token, key string) methodSetup {
	t.Helper()
	return c.mustAddGatewayMethod(t, org, "sandbox", token, key)
}

// mustAddGatewayMethod saves token with gateway for org under key.
func (c *client) mustAddGatewayMethod(t testing.TB, org, gateway, token, key string) methodSetup {
	t.Helper()
	r := c.addMethod(t, map[string]any{"orgId": org, "gateway": gateway, "token": token, "idempotencyKey": key})
	if len(r.Errors) > 0 {
		t.Fatalf("addPaymentMethod(%s, %q): %+v", gateway, token, r.Errors)
	}
	var m methodSetup
	if err := json.Unmarshal(r.Data["addPaymentMethod"], &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// methods lists the org's payment methods.
func (c *client) methods(t testing.TB, org string) []gqlMethod {
	t.Helper()
	var out struct{ PaymentMethods []gqlMethod }
	c.must(t, `query($o: ID!) { org(id: $o) { paymentMethods { `+methodFields+` } } }`, map[string]any{"o": org}, "org", &out)
	return out.PaymentMethods
}

const (
	confirmMethod    = `mutation($id: ID!) { confirmPaymentMethod(id: $id) { paymentMethod { id status } nextAction { kind } } }`
	removeMethod     = `mutation($id: ID!) { removePaymentMethod(id: $id) { paymentMethod { id } } }`
	setDefaultMethod = `mutation($id: ID!) { setDefaultPaymentMethod(id: $id) { id isDefault } }`
)

func TestPaymentMethodsWithSandbox(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		dbURL := b.newDB(t)
		seedCatalog(t, dbURL)
		s := startServer(t, dbURL, "TALLY_SANDBOX=on", "TALLY_SANDBOX_WEBHOOK_SECRET="+sandboxSecret)
		owner := s.user(t, "owner@vault.example")
		org := owner.createOrg(t, "Vault", "DE", "EUR")

		visa := owner.mustAddMethod(t, org, sandbox.CardSucceeds, "pm-1")
		if m := visa.PaymentMethod; m.Status != "ACTIVE" || !m.IsDefault || m.Gateway != "sandbox" || m.Kind != "CARD" ||
			m.Brand != "visa" || m.Last4 == nil || *m.Last4 != "4242" || visa.NextAction.Kind != "NONE" {
			t.Fatalf("first card = %+v", visa)
		}
		if again := owner.mustAddMethod(t, org, sandbox.CardSucceeds, "pm-1"); again.PaymentMethod.ID != visa.PaymentMethod.ID {
			t.Fatal("a repeated key saved a second card")
		}
		// Cards that save at once and fail only when charged off session.
		for _, c := range []struct{ card, key, last4 string }{
			{sandbox.CardAuthRequired, "pm-auth", "3184"},
			{sandbox.CardInsufficientFunds, "pm-funds", "9995"},
		} {
			m := owner.mustAddMethod(t, org, c.card, c.key)
			if m.PaymentMethod.Status != "ACTIVE" || m.PaymentMethod.IsDefault || *m.PaymentMethod.Last4 != c.last4 {
				t.Fatalf("saving %s = %+v", c.card, m)
			}
		}

		// 3-D Secure on the sandbox's setup page, back to the app.
		r := owner.addMethod(t, map[string]any{"orgId": org, "gateway": "sandbox", "token": sandbox.CardRequiresAction,
			"returnUrl": "http://app.example/billing", "makeDefault": true, "idempotencyKey": "pm-3ds"})
		var sca methodSetup
		if err := json.Unmarshal(r.Data["addPaymentMethod"], &sca); err != nil || len(r.Errors) > 0 {
			t.Fatalf("3-D Secure card: %+v %v", r.Errors, err)
		}
		if sca.PaymentMethod.Status != "PENDING" || !sca.PaymentMethod.IsDefault || sca.NextAction.Kind != "REDIRECT" ||
			!strings.Contains(sca.NextAction.RedirectURL, "/sandbox/setup/seti_") {
			t.Fatalf("3-D Secure card = %+v; want PENDING with a redirect to the setup page", sca)
		}
		var conf methodSetup
		owner.must(t, confirmMethod, map[string]any{"id": sca.PaymentMethod.ID}, "confirmPaymentMethod", &conf)
		if conf.PaymentMethod.Status != "PENDING" || conf.NextAction.Kind != "REDIRECT" {
			t.Fatalf("confirm before the page = %+v", conf)
		}
		u, err := url.Parse(sca.NextAction.RedirectURL)
		if err != nil {
			t.Fatal(err)
		}
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noRedirect.PostForm(s.URL+u.Path, url.Values{"action": {"pay"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "http://app.example/billing?") ||
			!strings.Contains(loc, "status=authenticated") {
			t.Fatalf("setup page answered %d to %q", resp.StatusCode, loc)
		}
		owner.must(t, confirmMethod, map[string]any{"id": sca.PaymentMethod.ID}, "confirmPaymentMethod", &conf)
		if conf.PaymentMethod.Status != "ACTIVE" || conf.NextAction.Kind != "NONE" {
			t.Fatalf("confirm after the page = %+v", conf)
		}

		// Refused while saving: nothing is saved.
		for _, c := range []struct{ name, card, code, field string }{
			{"declined", sandbox.CardDeclined, "PAYMENT_FAILED", ""},
			{"not a test card", "4111111111111111", "INVALID_INPUT", "token"},
		} {
			r := owner.addMethod(t, map[string]any{"orgId": org, "gateway": "sandbox", "token": c.card, "idempotencyKey": "pm-" + c.name})
			if r.code() != c.code || (c.field != "" && r.Errors[0].Extensions.Field != c.field) {
				t.Fatalf("%s: %+v, want %s", c.name, r.Errors, c.code)
			}
		}
		ms := owner.methods(t, org)
		if len(ms) != 4 || ms[0].ID != sca.PaymentMethod.ID || !ms[0].IsDefault {
			t.Fatalf("methods = %+v; want 4, the 3-D Secure card default and first", ms)
		}

		var def gqlMethod
		owner.must(t, setDefaultMethod, map[string]any{"id": visa.PaymentMethod.ID}, "setDefaultPaymentMethod", &def)
		if !def.IsDefault {
			t.Fatalf("setDefaultPaymentMethod = %+v", def)
		}
		owner.must(t, removeMethod, map[string]any{"id": visa.PaymentMethod.ID}, "removePaymentMethod", nil)
		ms = owner.methods(t, org)
		if len(ms) != 3 || !ms[0].IsDefault || ms[0].ID == visa.PaymentMethod.ID {
			t.Fatalf("after removing the default: %+v; want 3 with a new default", ms)
		}
		if r := owner.do(t, removeMethod, map[string]any{"id": visa.PaymentMethod.ID}); r.code() != "NOT_FOUND" {
			t.Fatalf("removing twice: %+v", r.Errors)
		}
	})
}

// testPaymentMethodRules: only OWNER and BILLING see or change an org's
// payment methods, a hosted flow returns only to allowed origins, and a
// refused request changes nothing (part of TestAbuseRules).
func testPaymentMethodRules(t *testing.T, f *rules) {
	s := f.s
	owner, org := f.org(t, "methods")
	billing, _ := s.join(t, owner, org, "billing@methods.example", "BILLING")
	admin, _ := s.join(t, owner, org, "admin@methods.example", "ADMIN")
	member, _ := s.join(t, owner, org, "member@methods.example", "MEMBER")
	_, secret := owner.createKey(t, org, "backend")
	key := s.as("Bearer " + secret)
	outsider := s.user(t, "outsider@methods.example")

	saved := owner.mustAddMethod(t, org, sandbox.CardSucceeds, f.key()).PaymentMethod
	before := owner.methods(t, org)
	for _, p := range []struct {
		name string
		c    *client
		code string
	}{
		{"an ADMIN", admin, "FORBIDDEN"},
		{"a MEMBER", member, "FORBIDDEN"},
		{"the org's API key", key, "FORBIDDEN"},
		{"a non-member", outsider, "NOT_FOUND"},
		{"a platform admin who is no member", f.admin, "NOT_FOUND"},
	} {
		for _, op := range []struct {
			name, query string
			vars        map[string]any
		}{
			{"adds", `mutation($in: AddPaymentMethodInput!) { addPaymentMethod(input: $in) { paymentMethod { id } } }`,
				map[string]any{"in": map[string]any{"orgId": org, "gateway": "sandbox", "token": sandbox.CardSucceeds, "makeDefault": true, "idempotencyKey": f.key()}}},
			{"confirms", confirmMethod, map[string]any{"id": saved.ID}},
			{"sets the default", setDefaultMethod, map[string]any{"id": saved.ID}},
			{"removes", removeMethod, map[string]any{"id": saved.ID}},
		} {
			t.Run(p.name+" "+op.name, func(t *testing.T) {
				r := quick(t, func() result { return p.c.do(t, op.query, op.vars) })
				refused(t, r, p.code, "")
			})
		}
		t.Run(p.name+" lists", func(t *testing.T) {
			r := quick(t, func() result {
				return p.c.do(t, `query($o: ID!) { org(id: $o) { paymentMethods { id } } }`, map[string]any{"o": org})
			})
			refused(t, r, p.code, "")
		})
	}
	for _, bad := range []string{"https://evil.example/billing", "javascript:alert(1)//http://app.example/"} {
		t.Run("return URL "+bad, func(t *testing.T) {
			r := quick(t, func() result {
				return owner.addMethod(t, map[string]any{"orgId": org, "gateway": "sandbox", "token": sandbox.CardRequiresAction,
					"returnUrl": bad, "idempotencyKey": f.key()})
			})
			refused(t, r, "INVALID_INPUT", "returnUrl")
		})
	}
	if after := owner.methods(t, org); len(after) != len(before) || after[0].ID != before[0].ID || !after[0].IsDefault {
		t.Fatalf("refused requests changed the methods: %+v → %+v", before, after)
	}
	// The control: BILLING may do all of it.
	if got := billing.methods(t, org); len(got) != len(before) {
		t.Fatalf("BILLING sees %d methods, want %d", len(got), len(before))
	}
	billing.must(t, removeMethod, map[string]any{"id": saved.ID}, "removePaymentMethod", nil)
	if n := len(owner.methods(t, org)); n != len(before)-1 {
		t.Fatalf("%d methods after BILLING removed one, want %d", n, len(before)-1)
	}
}
