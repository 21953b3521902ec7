package scripted

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/tallyhq/tally/domain"
)

// Tokens that script Vault.SaveMethod; any other token saves at once.
const (
	// TokenAuthenticate saves only after the buyer passes 3-D Secure: the
	// method waits (CONFIRM_CLIENT_SECRET) until Authenticate or FailSetup.
	TokenAuthenticate = "tok_authenticate"
	// TokenDecline is refused while saving (PAYMENT_FAILED).
	TokenDecline = "tok_decline"
	// TokenRefuse is refused as malformed (INVALID_INPUT on "token").
	TokenRefuse = "tok_refuse"
)

// Vault is a scripted gateway that also saves payment methods
// (domain.MethodVault); make one with NewVault. Payments, saved methods
// charged off session included, answer as the embedded Gateway's script.
type Vault struct {
	*Gateway

	vmu       sync.Mutex
	saves     []domain.SaveMethodRequest
	byKey     map[string]domain.SavedMethod // idempotency key → first result
	setups    map[string]string             // setup ref → "pending", "ok" or "failed"
	removed   []string
	customers int
}

var _ domain.MethodVault = (*Vault)(nil)

// NewVault returns a card gateway named name for currencies that saves
// methods.
func NewVault(name string, currencies ...domain.Currency) *Vault {
	return WithVault(Card(name, currencies...))
}

// WithVault makes g save payment methods too (its capabilities say
// SavedCards); g must not be used on its own afterwards.
func WithVault(g *Gateway) *Vault {
	g.caps.SavedCards = true
	return &Vault{Gateway: g, byKey: map[string]domain.SavedMethod{}, setups: map[string]string{}}
}

// SaveMethod saves req.Token as its script says, under req.CustomerRef or
// a new customer; a repeated idempotency key returns the first result.
func (v *Vault) SaveMethod(_ context.Context, req domain.SaveMethodRequest) (domain.SavedMethod, error) {
	v.mu.Lock()
	down := v.down()
	v.mu.Unlock()
	v.vmu.Lock()
	defer v.vmu.Unlock()
	v.saves = append(v.saves, req)
	if down != nil {
		return domain.SavedMethod{}, down
	}
	if m, ok := v.byKey[req.IdempotencyKey]; ok && req.IdempotencyKey != "" {
		return m, nil
	}
	switch req.Token {
	case TokenDecline:
		return domain.SavedMethod{}, &domain.Error{Code: domain.CodePaymentFailed, Message: "card declined: generic_decline"}
	case TokenRefuse:
		return domain.SavedMethod{}, domain.InvalidInput("token", "the provider knows no such payment method")
	}
	n := paymentSeq.Add(1)
	m := domain.SavedMethod{
		Ref: fmt.Sprintf("pm_%d", n), CustomerRef: req.CustomerRef, Kind: domain.MethodCard,
		Brand: "visa", Last4: "4242", ExpMonth: 12, ExpYear: 2030, Ready: true,
	}
	if m.CustomerRef == "" {
		v.customers++
		m.CustomerRef = fmt.Sprintf("cus_%d", n)
	}
	if req.Token == TokenAuthenticate {
		m.Ready, m.SetupRef = false, fmt.Sprintf("seti_%d", n)
		m.NextAction = &domain.NextAction{Kind: domain.NextActionConfirmClientSecret, ClientSecret: m.SetupRef + "_secret"}
		v.setups[m.SetupRef] = "pending"
	}
	v.byKey[req.IdempotencyKey] = m
	return m, nil
}

// Authenticate plays the buyer passing 3-D Secure for a waiting setup.
func (v *Vault) Authenticate(setupRef string) { v.setSetup(setupRef, "ok") }

// FailSetup plays the buyer failing 3-D Secure for a waiting setup.
func (v *Vault) FailSetup(setupRef string) { v.setSetup(setupRef, "failed") }

func (v *Vault) setSetup(ref, state string) {
	v.vmu.Lock()
	defer v.vmu.Unlock()
	v.setups[ref] = state
}

// CompleteSave reports a waiting setup: Ready once authenticated,
// unchanged while waiting, PAYMENT_FAILED once failed, NOT_FOUND when
// unknown.
func (v *Vault) CompleteSave(_ context.Context, m domain.SavedMethod) (domain.SavedMethod, error) {
	v.mu.Lock()
	down := v.down()
	v.mu.Unlock()
	if down != nil {
		return domain.SavedMethod{}, down
	}
	v.vmu.Lock()
	defer v.vmu.Unlock()
	switch v.setups[m.SetupRef] {
	case "":
		return domain.SavedMethod{}, domain.NotFound("setup")
	case "failed":
		return domain.SavedMethod{}, &domain.Error{Code: domain.CodePaymentFailed, Message: "card declined: authentication_failed"}
	case "ok":
		m.Ready, m.NextAction = true, nil
	}
	return m, nil
}

// RemoveMethod records the removal.
func (v *Vault) RemoveMethod(_ context.Context, m domain.SavedMethod) error {
	v.mu.Lock()
	down := v.down()
	v.mu.Unlock()
	if down != nil {
		return down
	}
	v.vmu.Lock()
	defer v.vmu.Unlock()
	v.removed = append(v.removed, m.Ref)
	return nil
}

// Saves returns the SaveMethod requests received so far.
func (v *Vault) Saves() []domain.SaveMethodRequest {
	v.vmu.Lock()
	defer v.vmu.Unlock()
	return append([]domain.SaveMethodRequest(nil), v.saves...)
}

// Removed returns the refs of the methods removed so far.
func (v *Vault) Removed() []string {
	v.vmu.Lock()
	defer v.vmu.Unlock()
	return append([]string(nil), v.removed...)
}

// Customers returns how many customers SaveMethod created.
func (v *Vault) Customers() int {
	v.vmu.Lock()
	defer v.vmu.Unlock()
	return v.customers
}

// BySavedRef is a Decide function for off-session charges: the outcome is
// named by a prefix of the saved method's ref, def for others and for
// payments not made with a saved method.
func BySavedRef(outcomes map[string]Outcome, def Outcome) func(domain.PaymentRequest) Outcome {
	return func(req domain.PaymentRequest) Outcome {
		if req.Saved == nil {
			return def
		}
		for prefix, o := range outcomes {
			if strings.HasPrefix(req.Saved.Ref, prefix) {
				return o
			}
		}
		return def
	}
}
