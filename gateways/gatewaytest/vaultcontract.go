package gatewaytest

import (
	"context"
	"slices"
	"testing"

	"github.com/tallyhq/tally/domain"
)

// VaultGateway is a gateway plugin that saves payment methods.
type VaultGateway interface {
	domain.Gateway
	domain.MethodVault
}

// VaultHarness drives a domain.MethodVault plugin through the saved-method
// contract: save (with the buyer's approval where the provider wants it),
// charge without the buyer, decline, remove.
type VaultHarness struct {
	// Gateway is the plugin under test, configured against its emulator.
	Gateway VaultGateway
	// Save returns a request that saves a method which, charged without
	// the buyer, ends in outcome o (Succeed, Decline, or RequireAction:
	// FAILED with domain.FailureAuthRequired). IdempotencyKey must be
	// unique per call.
	Save func(t *testing.T, o Outcome) domain.SaveMethodRequest
	// Approve plays the buyer approving a save that waits for them (PayPal
	// approval); nil when saves never wait.
	Approve func(t *testing.T, m domain.SavedMethod)
	// Script, when not nil, runs once a method for outcome o is saved and
	// before it is charged (to script the outcome on the emulator).
	Script func(t *testing.T, o Outcome, m domain.SavedMethod)
	// Request returns a payment request the gateway accepts, with a unique
	// OrderID and IdempotencyKey; the suite sets Saved on it.
	Request func(t *testing.T) domain.PaymentRequest
	// AuthRequired says whether the harness can make a RequireAction
	// method.
	AuthRequired bool
}

// RunVault runs the saved-method contract suite against h.
func RunVault(t *testing.T, h VaultHarness) {
	t.Helper()
	ctx := context.Background()
	gw := h.Gateway
	caps := gw.Capabilities()
	if !caps.SavedCards {
		t.Fatalf("a MethodVault gateway whose capabilities deny saved methods: %+v", caps)
	}

	// save saves a method for outcome o and plays the buyer's part.
	save := func(t *testing.T, o Outcome) domain.SavedMethod {
		t.Helper()
		req := h.Save(t, o)
		m, err := gw.SaveMethod(ctx, req)
		if err != nil {
			t.Fatalf("SaveMethod: %v", err)
		}
		if again, err := gw.SaveMethod(ctx, req); err != nil || again.Ref != m.Ref || again.SetupRef != m.SetupRef {
			t.Fatalf("a retried SaveMethod = %+v, %v; want the same method as %+v", again, err, m)
		}
		if !m.Ready {
			if m.SetupRef == "" || m.NextAction == nil || m.NextAction.Kind != domain.NextActionRedirect || m.NextAction.URL == "" {
				t.Fatalf("a save waiting for the buyer = %+v (next %+v); want a setup ref and a redirect", m, m.NextAction)
			}
			if h.Approve == nil {
				t.Fatalf("the save waits for the buyer and the harness cannot approve it: %+v", m)
			}
			waiting, err := gw.CompleteSave(ctx, m)
			if err != nil || waiting.Ready {
				t.Fatalf("CompleteSave before the buyer approved = %+v, %v; want still waiting", waiting, err)
			}
			h.Approve(t, m)
			if m, err = gw.CompleteSave(ctx, m); err != nil {
				t.Fatalf("CompleteSave: %v", err)
			}
		}
		if !m.Ready || m.Ref == "" || !slices.Contains(caps.Methods, m.Kind) || m.Brand == "" {
			t.Fatalf("saved method %+v; want Ready with a ref, a brand and a kind in %v", m, caps.Methods)
		}
		if again, err := gw.CompleteSave(ctx, m); err != nil || !again.Ready || again.Ref != m.Ref {
			t.Fatalf("CompleteSave of a ready method = %+v, %v; want it as it is", again, err)
		}
		if h.Script != nil {
			h.Script(t, o, m)
		}
		return m
	}
	charge := func(t *testing.T, m domain.SavedMethod) (domain.PaymentRequest, domain.Payment, error) {
		t.Helper()
		req := h.Request(t)
		req.Saved, req.PaymentMethodID = &m, ""
		if c, ok := gw.(domain.PaymentChecker); ok {
			if err := c.CheckPayment(req); err != nil {
				t.Fatalf("CheckPayment of an off-session charge: %v", err)
			}
		}
		p, err := gw.CreatePayment(ctx, req)
		return req, p, err
	}

	t.Run("save and charge off session", func(t *testing.T) {
		m := save(t, Succeed)
		req, p, err := charge(t, m)
		if err != nil || p.ID == "" || p.Status != domain.PaymentSucceeded || p.NextAction != nil || p.Amount != req.Amount {
			t.Fatalf("off-session charge = %+v, %v; want SUCCEEDED for %v with no next action", p, err, req.Amount)
		}
		again, err := gw.CreatePayment(ctx, req)
		if err != nil || again.ID != p.ID {
			t.Fatalf("a retried charge (same idempotency key) = %+v, %v; want payment %s again", again, err, p.ID)
		}
		if got, err := gw.GetPayment(ctx, p.ID); err != nil || got.Status != domain.PaymentSucceeded || got.Amount != req.Amount {
			t.Fatalf("GetPayment = %+v, %v; want SUCCEEDED", got, err)
		}
	})

	t.Run("decline off session", func(t *testing.T) {
		_, p, err := charge(t, save(t, Decline))
		if domain.ErrorCode(err) != domain.CodePaymentFailed || p.Status != domain.PaymentFailed || p.FailureReason == "" || p.NextAction != nil {
			t.Fatalf("declined off-session charge = %+v, %v; want FAILED with a reason and PAYMENT_FAILED", p, err)
		}
	})

	t.Run("authentication required off session", func(t *testing.T) {
		if !h.AuthRequired {
			t.Skip("harness cannot make a method that needs the buyer")
		}
		_, p, err := charge(t, save(t, RequireAction))
		if domain.ErrorCode(err) != domain.CodePaymentFailed || p.Status != domain.PaymentFailed || p.FailureReason != domain.FailureAuthRequired || p.NextAction != nil {
			t.Fatalf("off-session charge needing the buyer = %+v, %v; want FAILED %s and PAYMENT_FAILED", p, err, domain.FailureAuthRequired)
		}
	})

	t.Run("remove", func(t *testing.T) {
		m := save(t, Succeed)
		if err := gw.RemoveMethod(ctx, m); err != nil {
			t.Fatalf("RemoveMethod: %v", err)
		}
		if err := gw.RemoveMethod(ctx, m); err != nil {
			t.Fatalf("RemoveMethod of a removed method: %v; want nil", err)
		}
		_, p, err := charge(t, m)
		if err == nil || p.Status == domain.PaymentSucceeded {
			t.Fatalf("a charge of a removed method = %+v, %v; want it refused", p, err)
		}
	})

	t.Run("not ready", func(t *testing.T) {
		req := h.Request(t)
		req.Saved = &domain.SavedMethod{SetupRef: "setup", Kind: caps.Methods[0]}
		p, err := gw.CreatePayment(ctx, req)
		if domain.ErrorCode(err) != domain.CodeInvalidInput || p.ID != "" {
			t.Fatalf("a charge of a method not ready = %+v, %v; want INVALID_INPUT and no payment", p, err)
		}
	})
}
