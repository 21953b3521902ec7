package domain_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

// vaultShop is a shop whose "vault" gateway saves payment methods; "fake"
// does not.
type vaultShop struct {
	*shop
	vault *scripted.Vault
}

func newVaultShop(t *testing.T, d domain.Store, opts ...domain.Option) *vaultShop {
	t.Helper()
	v := scripted.NewVault("vault", domain.EUR, domain.BRL)
	fake := scripted.Card("fake", domain.EUR)
	reg, err := gateways.New(nil, fake, v)
	if err != nil {
		t.Fatal(err)
	}
	s := newShop(t, d, append([]domain.Option{domain.WithGateways(reg)}, opts...)...)
	return &vaultShop{shop: s, vault: v}
}

// add saves token with the vault gateway as the owner.
func (s *vaultShop) add(t *testing.T, token, key string, makeDefault bool) domain.PaymentMethod {
	t.Helper()
	m, err := s.svc.AddPaymentMethod(s.owner, domain.AddPaymentMethodInput{
		OrgID: s.org.ID, Gateway: "vault", Token: token, MakeDefault: makeDefault, IdempotencyKey: key,
	})
	if err != nil {
		t.Fatalf("AddPaymentMethod(%s): %v", token, err)
	}
	return m
}

// methods lists the org's methods as "id-prefix:status:default" strings
// keyed by position, for comparisons.
func (s *vaultShop) ids(t *testing.T) ([]string, string) {
	t.Helper()
	ms, err := s.svc.PaymentMethods(s.owner, s.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	def := ""
	for _, m := range ms {
		ids = append(ids, m.ID)
		if m.IsDefault {
			if def != "" {
				t.Fatalf("two defaults: %s and %s", def, m.ID)
			}
			def = m.ID
		}
	}
	return ids, def
}

func TestAddPaymentMethod(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newVaultShop(t, d)
		first := s.add(t, "tok_visa", "k1", false)
		if first.Status != domain.MethodActive || !first.IsDefault || first.Gateway != "vault" || first.Kind != domain.MethodCard ||
			first.Last4 != "4242" || first.CustomerRef == "" || first.NextAction != nil || first.OrgID != s.org.ID {
			t.Fatalf("first method = %+v; want ACTIVE, default, with the vault's customer", first)
		}
		second := s.add(t, "tok_mc", "k2", false)
		if second.IsDefault || second.CustomerRef != first.CustomerRef {
			t.Fatalf("second method = %+v; want not default, on the first's customer %s", second, first.CustomerRef)
		}
		if n := s.vault.Customers(); n != 1 {
			t.Fatalf("%d customers created, want 1 per org and gateway", n)
		}
		saves := s.vault.Saves()
		if saves[0].CustomerRef != "" || saves[1].CustomerRef != first.CustomerRef || saves[1].Customer.OrgID != s.org.ID ||
			saves[1].Customer.Email != "owner@example.com" || saves[0].IdempotencyKey == saves[1].IdempotencyKey ||
			strings.Contains(saves[0].IdempotencyKey, "k1") {
			t.Fatalf("save requests = %+v", saves)
		}
		third := s.add(t, "tok_amex", "k3", true)
		ids, def := s.ids(t)
		if def != third.ID || len(ids) != 3 || ids[0] != third.ID || ids[1] != second.ID || ids[2] != first.ID {
			t.Fatalf("list %v default %s; want the new default first, then newest first", ids, def)
		}

		t.Run("replay", func(t *testing.T) {
			n := len(s.vault.Saves())
			again, err := s.svc.AddPaymentMethod(s.owner, domain.AddPaymentMethodInput{OrgID: s.org.ID, Gateway: "vault", Token: "tok_mc", IdempotencyKey: "k2"})
			if err != nil || again.ID != second.ID {
				t.Fatalf("replay = %+v, %v; want %s", again, err, second.ID)
			}
			if len(s.vault.Saves()) != n {
				t.Fatal("a replay called the gateway")
			}
			_, err = s.svc.AddPaymentMethod(s.owner, domain.AddPaymentMethodInput{OrgID: s.org.ID, Gateway: "vault", Token: "tok_other", IdempotencyKey: "k2"})
			if codeOf(err) != domain.CodeConflict {
				t.Fatalf("key reused with another token = %v, want CONFLICT", err)
			}
		})

		tests := []struct {
			name  string
			in    domain.AddPaymentMethodInput
			code  domain.Code
			field string
		}{
			{"no key", domain.AddPaymentMethodInput{Gateway: "vault", Token: "t"}, domain.CodeInvalidInput, "idempotencyKey"},
			{"unknown gateway", domain.AddPaymentMethodInput{Gateway: "nope", Token: "t", IdempotencyKey: "e1"}, domain.CodeInvalidInput, "gateway"},
			{"gateway that cannot save", domain.AddPaymentMethodInput{Gateway: "fake", Token: "t", IdempotencyKey: "e2"}, domain.CodeInvalidInput, "gateway"},
			{"return URL elsewhere", domain.AddPaymentMethodInput{Gateway: "vault", Token: "t", ReturnURL: "https://evil.test/x", IdempotencyKey: "e3"},
				domain.CodeInvalidInput, "returnUrl"},
			{"token too long", domain.AddPaymentMethodInput{Gateway: "vault", Token: strings.Repeat("x", 256), IdempotencyKey: "e4"}, domain.CodeInvalidInput, "token"},
			{"refused by the provider", domain.AddPaymentMethodInput{Gateway: "vault", Token: scripted.TokenRefuse, IdempotencyKey: "e5"}, domain.CodeInvalidInput, "token"},
			{"declined while saving", domain.AddPaymentMethodInput{Gateway: "vault", Token: scripted.TokenDecline, IdempotencyKey: "e6"}, domain.CodePaymentFailed, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tc.in.OrgID = s.org.ID
				_, err := s.svc.AddPaymentMethod(s.owner, tc.in)
				var de *domain.Error
				if !errors.As(err, &de) || de.Code != tc.code || de.Field != tc.field {
					t.Fatalf("err = %v, want %s on %q", err, tc.code, tc.field)
				}
				if tc.code == domain.CodePaymentFailed && de.Message != domain.DeclineMessage {
					t.Fatalf("decline message %q leaks the reason", de.Message)
				}
				if ids, _ := s.ids(t); len(ids) != 3 {
					t.Fatalf("%d methods after a refusal, want 3", len(ids))
				}
			})
		}
		t.Run("a refused key is free again", func(t *testing.T) {
			m := s.add(t, "tok_ok", "e6", false)
			if m.Status != domain.MethodActive {
				t.Fatalf("method = %+v", m)
			}
		})
		t.Run("outage saves nothing, retry with the key saves once", func(t *testing.T) {
			s.vault.Outage(true)
			_, err := s.svc.AddPaymentMethod(s.owner, domain.AddPaymentMethodInput{OrgID: s.org.ID, Gateway: "vault", Token: "tok_x", IdempotencyKey: "o1"})
			s.vault.Outage(false)
			if codeOf(err) != domain.CodeGatewayUnavailable {
				t.Fatalf("during an outage = %v", err)
			}
			before, _ := s.ids(t)
			s.add(t, "tok_x", "o1", false)
			if after, _ := s.ids(t); len(after) != len(before)+1 {
				t.Fatalf("%d methods after the retry, want %d", len(after), len(before)+1)
			}
		})
	})
}

func TestConfirmPaymentMethod(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newVaultShop(t, d)
		m := s.add(t, scripted.TokenAuthenticate, "k1", false)
		if m.Status != domain.MethodPending || m.SetupRef == "" || m.NextAction == nil ||
			m.NextAction.Kind != domain.NextActionConfirmClientSecret || !m.IsDefault {
			t.Fatalf("3-D Secure method = %+v; want PENDING with a client secret, default as the first", m)
		}
		if _, err := s.svc.ChargeMethod(context.Background(), s.org.ID, ""); codeOf(err) != domain.CodePaymentFailed {
			t.Fatalf("charging a PENDING default = %v, want PAYMENT_FAILED", err)
		}
		if _, err := s.svc.SetDefaultPaymentMethod(s.owner, m.ID); codeOf(err) != domain.CodeConflict {
			t.Fatalf("SetDefault of a PENDING method = %v, want CONFLICT", err)
		}
		still, err := s.svc.ConfirmPaymentMethod(s.owner, m.ID)
		if err != nil || still.Status != domain.MethodPending || still.NextAction == nil {
			t.Fatalf("confirm before the buyer acted = %+v, %v; want still PENDING", still, err)
		}
		s.vault.Authenticate(m.SetupRef)
		done, err := s.svc.ConfirmPaymentMethod(s.owner, m.ID)
		if err != nil || done.Status != domain.MethodActive || done.NextAction != nil || done.SetupRef != "" || done.Last4 != "4242" {
			t.Fatalf("confirm after 3-D Secure = %+v, %v", done, err)
		}
		again, err := s.svc.ConfirmPaymentMethod(s.owner, m.ID)
		if err != nil || again.Status != domain.MethodActive || !again.UpdatedAt.Equal(done.UpdatedAt) {
			t.Fatalf("confirming twice = %+v, %v", again, err)
		}
		got, err := s.svc.ChargeMethod(context.Background(), s.org.ID, "")
		if err != nil || got.ID != m.ID {
			t.Fatalf("ChargeMethod default = %+v, %v", got, err)
		}

		failing := s.add(t, scripted.TokenAuthenticate, "k2", false)
		s.vault.FailSetup(failing.SetupRef)
		if _, err := s.svc.ConfirmPaymentMethod(s.owner, failing.ID); codeOf(err) != domain.CodePaymentFailed {
			t.Fatalf("confirm of a failed setup = %v, want PAYMENT_FAILED", err)
		}
		if _, err := s.svc.PaymentMethod(s.owner, failing.ID); codeOf(err) != domain.CodeNotFound {
			t.Fatalf("a failed setup is kept: %v", err)
		}
	})
}

func TestRemoveAndDefaultPaymentMethod(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newVaultShop(t, d)
		a := s.add(t, "tok_a", "a", false)
		b := s.add(t, "tok_b", "b", false)
		pending := s.add(t, scripted.TokenAuthenticate, "p", false)
		c := s.add(t, "tok_c", "c", false)
		var late domain.PaymentMethod
		steps := []struct {
			name    string
			do      func() (domain.PaymentMethod, error)
			code    domain.Code
			wantDef string
			wantN   int
		}{
			{"first is default", func() (domain.PaymentMethod, error) { return a, nil }, "", a.ID, 4},
			{"set default", func() (domain.PaymentMethod, error) { return s.svc.SetDefaultPaymentMethod(s.owner, b.ID) }, "", b.ID, 4},
			{"set default again", func() (domain.PaymentMethod, error) { return s.svc.SetDefaultPaymentMethod(s.owner, b.ID) }, "", b.ID, 4},
			{"remove a non-default", func() (domain.PaymentMethod, error) { return s.svc.RemovePaymentMethod(s.owner, a.ID) }, "", b.ID, 3},
			{"remove it again", func() (domain.PaymentMethod, error) { return s.svc.RemovePaymentMethod(s.owner, a.ID) }, domain.CodeNotFound, b.ID, 3},
			{"remove the default: the newest ACTIVE takes over, not the PENDING one",
				func() (domain.PaymentMethod, error) { return s.svc.RemovePaymentMethod(s.owner, b.ID) }, "", c.ID, 2},
			{"remove the last ACTIVE: no default",
				func() (domain.PaymentMethod, error) { return s.svc.RemovePaymentMethod(s.owner, c.ID) }, "", "", 1},
			{"malformed id", func() (domain.PaymentMethod, error) { return s.svc.RemovePaymentMethod(s.owner, "x") }, domain.CodeNotFound, "", 1},
			{"a method added while there is no default becomes it",
				func() (domain.PaymentMethod, error) { late = s.add(t, "tok_d", "d", false); return late, nil }, "", "d", 2},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				_, err := st.do()
				if codeOf(err) != st.code {
					t.Fatalf("err = %v, want %q", err, st.code)
				}
				ids, def := s.ids(t)
				if st.wantDef == "d" {
					st.wantDef = late.ID
				}
				if def != st.wantDef || len(ids) != st.wantN {
					t.Fatalf("default %q of %d methods, want %q of %d", def, len(ids), st.wantDef, st.wantN)
				}
			})
		}
		if r := s.vault.Removed(); len(r) != 3 || r[0] != a.Ref || r[1] != b.Ref || r[2] != c.Ref {
			t.Fatalf("removed at the gateway: %v", r)
		}
		t.Run("an outage removes nothing", func(t *testing.T) {
			s.vault.Outage(true)
			_, err := s.svc.RemovePaymentMethod(s.owner, pending.ID)
			s.vault.Outage(false)
			if codeOf(err) != domain.CodeGatewayUnavailable {
				t.Fatalf("err = %v", err)
			}
			if _, err := s.svc.PaymentMethod(s.owner, pending.ID); err != nil {
				t.Fatalf("method gone after a failed removal: %v", err)
			}
		})
	})
}

func TestChargeMethod(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newVaultShop(t, d)
		ctx := context.Background()
		if _, err := s.svc.ChargeMethod(ctx, s.org.ID, ""); codeOf(err) != domain.CodePaymentFailed {
			t.Fatalf("no methods = %v, want PAYMENT_FAILED", err)
		}
		a := s.add(t, "tok_a", "a", false)
		b := s.add(t, "tok_b", "b", false)
		pending := s.add(t, scripted.TokenAuthenticate, "p", false)
		other := newVaultShop(t, d)
		foreign := other.add(t, "tok_f", "f", false)
		tests := []struct {
			name, id, want string
		}{
			{"default", "", a.ID},
			{"named", b.ID, b.ID},
			{"pending", pending.ID, ""},
			{"another org's", foreign.ID, ""},
			{"unknown", "0190d4a2-0000-7000-8000-000000000000", ""},
			{"malformed", "nope", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				m, err := s.svc.ChargeMethod(ctx, s.org.ID, tc.id)
				if tc.want == "" {
					var de *domain.Error
					if !errors.As(err, &de) || de.Code != domain.CodePaymentFailed || !strings.Contains(err.Error(), domain.FailureNoMethod) {
						t.Fatalf("err = %v, want PAYMENT_FAILED (%s)", err, domain.FailureNoMethod)
					}
					return
				}
				if err != nil || m.ID != tc.want || m.Status != domain.MethodActive {
					t.Fatalf("ChargeMethod = %+v, %v; want %s", m, err, tc.want)
				}
			})
		}
	})
}

func TestPaymentMethodAccess(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newVaultShop(t, d)
		m := s.add(t, "tok_a", "a", false)
		member, _ := s.join(t, "member", domain.RoleMember)
		admin, _ := s.join(t, "admin", domain.RoleAdmin)
		billing, _ := s.join(t, "billing", domain.RoleBilling)
		principals := []struct {
			name string
			ctx  context.Context
			want domain.Code
		}{
			{"OWNER", s.owner, ""},
			{"BILLING", billing, ""},
			{"ADMIN", admin, domain.CodeForbidden},
			{"MEMBER", member, domain.CodeForbidden},
			{"API key", keyCtx(t, s.svc, s.owner, s.org.ID), domain.CodeForbidden},
			{"outsider", signIn(t, s.svc, "outsider"), domain.CodeNotFound},
			{"platform admin, not a member", s.admin, domain.CodeNotFound},
			{"anonymous", context.Background(), domain.CodeUnauthenticated},
		}
		for i, p := range principals {
			calls := []struct {
				op string
				do func() error
			}{
				{"list", func() error { _, err := s.svc.PaymentMethods(p.ctx, s.org.ID); return err }},
				{"read", func() error { _, err := s.svc.PaymentMethod(p.ctx, m.ID); return err }},
				{"add", func() error {
					_, err := s.svc.AddPaymentMethod(p.ctx, domain.AddPaymentMethodInput{OrgID: s.org.ID, Gateway: "vault", Token: "t", IdempotencyKey: fmt.Sprint("acc", i)})
					return err
				}},
				{"confirm", func() error { _, err := s.svc.ConfirmPaymentMethod(p.ctx, m.ID); return err }},
				{"set default", func() error { _, err := s.svc.SetDefaultPaymentMethod(p.ctx, m.ID); return err }},
			}
			for _, c := range calls {
				if err := c.do(); codeOf(err) != p.want {
					t.Errorf("%s %s: %v, want %q", p.name, c.op, err, p.want)
				}
			}
		}
		// Removal last, by a refused principal first: nothing is removed.
		if _, err := s.svc.RemovePaymentMethod(member, m.ID); codeOf(err) != domain.CodeForbidden {
			t.Fatalf("MEMBER removes: %v", err)
		}
		if len(s.vault.Removed()) != 0 {
			t.Fatal("a refused removal reached the gateway")
		}
		if _, err := s.svc.RemovePaymentMethod(billing, m.ID); err != nil {
			t.Fatalf("BILLING removes: %v", err)
		}
	})
}

func TestAddPaymentMethodConcurrentFirst(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newVaultShop(t, d)
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				// Half with one key (one method), half with their own.
				key := "same"
				if i%2 == 1 {
					key = fmt.Sprint("own", i)
				}
				_, errs[i] = s.svc.AddPaymentMethod(s.owner, domain.AddPaymentMethodInput{OrgID: s.org.ID, Gateway: "vault", Token: "tok", IdempotencyKey: key})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("add %d: %v", i, err)
			}
		}
		ids, def := s.ids(t)
		if len(ids) != 1+n/2 || def == "" {
			t.Fatalf("%d methods, default %q; want %d with one default", len(ids), def, 1+n/2)
		}
	})
}

func TestDeleteOrgForgetsPaymentMethods(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newVaultShop(t, d)
		a := s.add(t, "tok_a", "a", false)
		b := s.add(t, scripted.TokenAuthenticate, "b", false)
		if _, err := s.svc.DeleteOrg(s.owner, domain.DeleteOrgInput{OrgID: s.org.ID, ConfirmName: s.org.Name}); err != nil {
			t.Fatal(err)
		}
		ms, err := d.ListPaymentMethods(context.Background(), s.org.ID)
		if err != nil || len(ms) != 0 {
			t.Fatalf("a deleted org keeps %d methods (%v)", len(ms), err)
		}
		if r := s.vault.Removed(); len(r) != 2 || r[0] != a.Ref && r[1] != a.Ref || r[0] != b.Ref && r[1] != b.Ref {
			t.Fatalf("removed at the gateway: %v, want %s and %s", r, a.Ref, b.Ref)
		}
		if _, err := s.svc.ChargeMethod(context.Background(), s.org.ID, ""); codeOf(err) != domain.CodePaymentFailed {
			t.Fatalf("charging a deleted org = %v", err)
		}
	})
}
