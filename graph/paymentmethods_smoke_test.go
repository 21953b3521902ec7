package graph_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

const addMethod = `mutation($in: AddPaymentMethodInput!) { addPaymentMethod(input: $in) {
	paymentMethod { id brand last4 expMonth expYear isDefault gateway kind status createdAt }
	nextAction { kind redirectUrl clientSecret } } }`

type paymentMethod struct {
	ID, Brand, Gateway, Kind, Status, CreatedAt string
	Last4                                       *string
	ExpMonth, ExpYear                           *int
	IsDefault                                   bool
}

type methodSetup struct {
	PaymentMethod paymentMethod
	NextAction    nextAction
}

func (s *shopServer) addInput(token, key string, makeDefault bool) map[string]any {
	return map[string]any{"in": map[string]any{
		"orgId": s.orgID, "gateway": "vault", "token": token, "makeDefault": makeDefault, "idempotencyKey": key,
	}}
}

// methods reads Org.paymentMethods.
func (s *shopServer) methods() []paymentMethod {
	s.t.Helper()
	var res struct {
		Org struct{ PaymentMethods []paymentMethod }
	}
	s.must(`query($o: ID!) { org(id: $o) { paymentMethods { id brand last4 isDefault gateway kind status } } }`,
		map[string]any{"o": s.orgID}, &res)
	return res.Org.PaymentMethods
}

// TestPaymentMethodsFlow saves, confirms, lists, reads by node, sets the
// default of and removes payment methods over GraphQL.
func TestPaymentMethodsFlow(t *testing.T) {
	s := newShopServer(t, true)
	var first struct{ AddPaymentMethod methodSetup }
	s.must(addMethod, s.addInput("tok_visa", "m1", false), &first)
	m := first.AddPaymentMethod
	if pm := m.PaymentMethod; pm.Status != "ACTIVE" || !pm.IsDefault || pm.Gateway != "vault" || pm.Kind != "CARD" || pm.Brand != "visa" ||
		pm.Last4 == nil || *pm.Last4 != "4242" || pm.ExpYear == nil || pm.CreatedAt == "" || m.NextAction.Kind != "NONE" {
		t.Fatalf("first method = %+v", m)
	}
	if raw, _ := base64.StdEncoding.DecodeString(m.PaymentMethod.ID); !strings.HasPrefix(string(raw), "PaymentMethod:") {
		t.Fatalf("id %s is not a PaymentMethod global id", m.PaymentMethod.ID)
	}
	var again struct{ AddPaymentMethod methodSetup }
	s.must(addMethod, s.addInput("tok_visa", "m1", false), &again)
	if again.AddPaymentMethod.PaymentMethod.ID != m.PaymentMethod.ID {
		t.Fatal("a repeated key saved a second method")
	}

	var pending struct{ AddPaymentMethod methodSetup }
	s.must(addMethod, s.addInput(scripted.TokenAuthenticate, "m2", false), &pending)
	p := pending.AddPaymentMethod
	if p.PaymentMethod.Status != "PENDING" || p.PaymentMethod.IsDefault || p.NextAction.Kind != "CONFIRM" || p.NextAction.ClientSecret == "" {
		t.Fatalf("3-D Secure method = %+v", p)
	}
	const confirm = `mutation($id: ID!) { confirmPaymentMethod(id: $id) { paymentMethod { id status } nextAction { kind clientSecret } } }`
	var conf struct{ ConfirmPaymentMethod methodSetup }
	s.must(confirm, map[string]any{"id": p.PaymentMethod.ID}, &conf)
	if c := conf.ConfirmPaymentMethod; c.PaymentMethod.Status != "PENDING" || c.NextAction.Kind != "CONFIRM" {
		t.Fatalf("confirm before the buyer = %+v", c)
	}
	s.vault.Authenticate(strings.TrimSuffix(p.NextAction.ClientSecret, "_secret"))
	s.must(confirm, map[string]any{"id": p.PaymentMethod.ID}, &conf)
	if c := conf.ConfirmPaymentMethod; c.PaymentMethod.Status != "ACTIVE" || c.NextAction.Kind != "NONE" {
		t.Fatalf("confirm after 3-D Secure = %+v", c)
	}

	var def struct{ SetDefaultPaymentMethod paymentMethod }
	s.must(`mutation($id: ID!) { setDefaultPaymentMethod(id: $id) { id isDefault } }`, map[string]any{"id": p.PaymentMethod.ID}, &def)
	if !def.SetDefaultPaymentMethod.IsDefault {
		t.Fatalf("setDefaultPaymentMethod = %+v", def)
	}
	ms := s.methods()
	if len(ms) != 2 || ms[0].ID != p.PaymentMethod.ID || !ms[0].IsDefault || ms[1].IsDefault {
		t.Fatalf("paymentMethods = %+v; want the new default first", ms)
	}
	var node struct {
		Node struct {
			ID, Status string
			IsDefault  bool
		}
	}
	s.must(`query($id: ID!) { node(id: $id) { id ... on PaymentMethod { status isDefault } } }`, map[string]any{"id": m.PaymentMethod.ID}, &node)
	if node.Node.ID != m.PaymentMethod.ID || node.Node.Status != "ACTIVE" || node.Node.IsDefault {
		t.Fatalf("node = %+v", node)
	}

	var removed struct {
		RemovePaymentMethod struct{ PaymentMethod paymentMethod }
	}
	s.must(`mutation($id: ID!) { removePaymentMethod(id: $id) { paymentMethod { id isDefault } } }`, map[string]any{"id": p.PaymentMethod.ID}, &removed)
	if r := removed.RemovePaymentMethod.PaymentMethod; r.ID != p.PaymentMethod.ID || !r.IsDefault {
		t.Fatalf("removed = %+v", r)
	}
	if ms := s.methods(); len(ms) != 1 || ms[0].ID != m.PaymentMethod.ID || !ms[0].IsDefault {
		t.Fatalf("after removing the default: %+v; want the other one default", ms)
	}
	if code, _ := s.errCode(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": p.PaymentMethod.ID}); code != "NOT_FOUND" {
		t.Fatalf("node of a removed method = %s", code)
	}

	tests := []struct {
		name, query string
		vars        map[string]any
		code, field string
	}{
		{"declined while saving", addMethod, s.addInput(scripted.TokenDecline, "m3", false), "PAYMENT_FAILED", ""},
		{"gateway that cannot save", addMethod, map[string]any{"in": map[string]any{"orgId": s.orgID, "gateway": "scripted", "token": "t", "idempotencyKey": "m4"}},
			"INVALID_INPUT", "gateway"},
		{"return URL elsewhere", addMethod, map[string]any{"in": map[string]any{"orgId": s.orgID, "gateway": "vault", "token": "t",
			"returnUrl": "https://evil.example/x", "idempotencyKey": "m5"}}, "INVALID_INPUT", "returnUrl"},
		{"key reused", addMethod, s.addInput("tok_other", "m1", false), "CONFLICT", ""},
		{"an order's id", confirm, map[string]any{"id": s.packID}, "INVALID_INPUT", "id"},
		{"remove twice", `mutation($id: ID!) { removePaymentMethod(id: $id) { paymentMethod { id } } }`,
			map[string]any{"id": p.PaymentMethod.ID}, "NOT_FOUND", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, field := s.errCode(tc.query, tc.vars)
			if code != tc.code || field != tc.field {
				t.Fatalf("%s on %q, want %s on %q", code, field, tc.code, tc.field)
			}
		})
	}
}

// TestPaymentMethodsDenied: only OWNER and BILLING see or change payment
// methods; ADMIN, MEMBER and API keys are FORBIDDEN, outsiders NOT_FOUND,
// and a refused change leaves the methods as they were.
func TestPaymentMethodsDenied(t *testing.T) {
	s := newShopServer(t, true)
	var first struct{ AddPaymentMethod methodSetup }
	s.must(addMethod, s.addInput("tok_visa", "m1", false), &first)
	id := first.AddPaymentMethod.PaymentMethod.ID
	var key struct{ CreateApiKey struct{ Secret string } }
	s.must(`mutation($o: ID!) { createApiKey(orgId: $o, name: "backend") { secret } }`, map[string]any{"o": s.orgID}, &key)

	billing := s.member("billing@example.com", "BILLING")
	principals := []struct {
		name string
		as   *shopServer
		code string
	}{
		{"ADMIN", s.member("admin@example.com", "ADMIN"), "FORBIDDEN"},
		{"MEMBER", s.member("member@example.com", "MEMBER"), "FORBIDDEN"},
		{"API key", s.as(key.CreateApiKey.Secret), "FORBIDDEN"},
		{"outsider", s.as(mint(t, "outsider@example.com", false)), "NOT_FOUND"},
		{"platform admin, not a member", s.as(mint(t, "root@example.com", true)), "NOT_FOUND"},
		{"anonymous", s.as(""), "UNAUTHENTICATED"},
	}
	ops := []struct {
		name, query string
		vars        func(i int) map[string]any
	}{
		{"list", `query($o: ID!) { org(id: $o) { paymentMethods { id } } }`, func(int) map[string]any { return map[string]any{"o": s.orgID} }},
		{"node", `query($id: ID!) { node(id: $id) { id } }`, func(int) map[string]any { return map[string]any{"id": id} }},
		{"add", addMethod, func(i int) map[string]any { return s.addInput("tok_x", fmt.Sprint("deny-", i), true) }},
		{"confirm", `mutation($id: ID!) { confirmPaymentMethod(id: $id) { paymentMethod { id } } }`, func(int) map[string]any { return map[string]any{"id": id} }},
		{"set default", `mutation($id: ID!) { setDefaultPaymentMethod(id: $id) { id } }`, func(int) map[string]any { return map[string]any{"id": id} }},
		{"remove", `mutation($id: ID!) { removePaymentMethod(id: $id) { paymentMethod { id } } }`, func(int) map[string]any { return map[string]any{"id": id} }},
	}
	for i, p := range principals {
		for _, op := range ops {
			t.Run(p.name+" "+op.name, func(t *testing.T) {
				_, res := p.as.post(op.query, op.vars(i))
				if len(res.Errors) == 0 {
					t.Fatalf("answered: %s", res.Data)
				}
				code := res.Errors[0].Extensions["code"]
				if code != p.code {
					t.Fatalf("code %v (%s), want %s", code, res.Errors[0].Message, p.code)
				}
			})
		}
	}
	if ms := s.methods(); len(ms) != 1 || ms[0].ID != id || !ms[0].IsDefault {
		t.Fatalf("after the refusals: %+v", ms)
	}
	if n := len(s.vault.Saves()); n != 1 {
		t.Fatalf("%d saves reached the gateway, want 1", n)
	}
	var list struct {
		Org struct{ PaymentMethods []paymentMethod }
	}
	billing.must(`query($o: ID!) { org(id: $o) { paymentMethods { id } } }`, map[string]any{"o": s.orgID}, &list)
	if len(list.Org.PaymentMethods) != 1 {
		t.Fatalf("BILLING sees %+v", list)
	}
	var rm struct {
		RemovePaymentMethod struct{ PaymentMethod paymentMethod }
	}
	billing.must(`mutation($id: ID!) { removePaymentMethod(id: $id) { paymentMethod { id } } }`, map[string]any{"id": id}, &rm)
	if len(s.methods()) != 0 {
		t.Fatal("BILLING could not remove")
	}
}
