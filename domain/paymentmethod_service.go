package domain

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"
)

// AddPaymentMethodInput is a request to save a payment method with a
// gateway (addPaymentMethod).
type AddPaymentMethodInput struct {
	OrgID string
	// Gateway names the gateway to save with; it must be a MethodVault.
	Gateway string
	// Token is what the SPA collected (see SaveMethodRequest.Token).
	Token string
	// ReturnURL is where a hosted flow sends the buyer back to, under the
	// rules of PurchaseInput.ReturnURL.
	ReturnURL string
	// MakeDefault makes the method the org's default; the org's first
	// method becomes the default anyway.
	MakeDefault    bool
	IdempotencyKey string
}

// maxMethodToken bounds AddPaymentMethodInput.Token: gateway tokens are
// short ids.
const maxMethodToken = 255

// AddPaymentMethod saves a payment method for the org with the named
// gateway, under the org's customer there (one per org and gateway: the
// customer of the org's methods saved before, else one the gateway
// creates). The method is ACTIVE when the gateway saved it at once, else
// PENDING with the NextAction the buyer must take, after which
// ConfirmPaymentMethod completes it. The org's first method, or one with
// MakeDefault, becomes the default. While the org's subscription is
// PAST_DUE (the org PAST_DUE or SUSPENDED), an ACTIVE new method becomes
// the subscription's and its renewal is charged with it off session at
// once: paid, the org is ACTIVE again (payPastDueWith).
//
// A repeated IdempotencyKey with the same input returns the method the
// first request saved (as it is now); the gateway is called with a key
// derived from it, so a retry after a failure saves nothing twice.
// Attempts count against the purchase limits (WithThrottle), and so do
// cards refused while saving, as both can test stolen cards.
//
// Codes: INVALID_INPUT (key, token, return URL; a gateway not configured
// or that cannot save methods, on "gateway"; what the gateway refuses),
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN (OWNER and BILLING only),
// CONFLICT (key reused with other input), PAYMENT_FAILED (refused while
// saving; nothing is saved, DeclineMessage), GATEWAY_UNAVAILABLE,
// RATE_LIMITED.
func (s *Service) AddPaymentMethod(ctx context.Context, in AddPaymentMethodInput) (PaymentMethod, error) {
	if err := validateKey(in.IdempotencyKey); err != nil {
		return PaymentMethod{}, err
	}
	if len(in.Token) > maxMethodToken || !utf8.ValidString(in.Token) {
		return PaymentMethod{}, InvalidInput("token", "must be valid text of at most %d bytes", maxMethodToken)
	}
	returnURL, err := s.returnURL(in.ReturnURL)
	if err != nil {
		return PaymentMethod{}, err
	}
	acc, err := s.authorize(ctx, in.OrgID, ActionBilling)
	if err != nil {
		return PaymentMethod{}, err
	}
	gw, vault, err := s.vault(in.Gateway)
	if err != nil {
		return PaymentMethod{}, err
	}
	k := idemKey{orgID: in.OrgID, key: in.IdempotencyKey, op: "addPaymentMethod",
		hash: requestHash("addPaymentMethod", in.OrgID, gw.Name(), in.Token, in.MakeDefault)}
	replay := func(ctx context.Context, rec IdempotencyRecord) (PaymentMethod, error) {
		m, err := s.store.PaymentMethodByID(ctx, string(rec.Response))
		if err != nil || m.OrgID != in.OrgID {
			return PaymentMethod{}, notFoundOr(err, "payment method")
		}
		return m, nil
	}
	return once(ctx, s, k, replay, func(ctx context.Context, record recordFunc) (PaymentMethod, error) {
		return s.addPaymentMethod(ctx, in, acc, gw.Name(), vault, returnURL, record)
	})
}

// addPaymentMethod is AddPaymentMethod's first run for its key: it saves
// the method with the gateway, then writes it with its key (record).
func (s *Service) addPaymentMethod(ctx context.Context, in AddPaymentMethodInput, acc Access, gateway string,
	vault MethodVault, returnURL string, record recordFunc,
) (PaymentMethod, error) {
	org, err := s.store.OrgByID(ctx, in.OrgID)
	if err != nil {
		return PaymentMethod{}, asDomainError(err)
	}
	customerRef, err := s.store.CustomerRefOf(ctx, org.ID, gateway)
	if err != nil {
		return PaymentMethod{}, asDomainError(err)
	}
	if err := s.throttlePurchase(ctx, org.ID, acc.Actor); err != nil {
		return PaymentMethod{}, err
	}
	saved, err := vault.SaveMethod(ctx, SaveMethodRequest{
		Customer:    Customer{OrgID: org.ID, Name: org.Name, Email: acc.Actor.Email, Country: org.Country},
		CustomerRef: customerRef, Token: in.Token, ReturnURL: returnURL,
		// Derived from the org and the key: the same for every retry,
		// distinct between orgs, short enough for any provider.
		IdempotencyKey: "pm-" + requestHash(org.ID, in.IdempotencyKey)[:40],
	})
	if err != nil {
		if IsCode(err, CodePaymentFailed) {
			s.countDecline(ctx, org.ID)
			s.log.InfoContext(ctx, "a payment method was refused while saving", "org", org.ID, "gateway", gateway, "err", err)
			return PaymentMethod{}, declined(err)
		}
		return PaymentMethod{}, asDomainError(err)
	}
	now := s.clock.Now()
	m := PaymentMethod{ID: newID(), OrgID: org.ID, Gateway: gateway, CreatedBy: acc.Actor.UserID, CreatedAt: now}
	m = applySaved(m, saved, now)
	err = s.store.InTx(ctx, func(tx Store) error {
		ms, err := tx.ListPaymentMethods(ctx, org.ID)
		if err != nil {
			return err
		}
		m.IsDefault = in.MakeDefault || len(ms) == 0 || !ms[0].IsDefault
		// A concurrent save that made its method the default first
		// conflicts on the one-default index: retried (keyTaken), the
		// request then sees that default.
		if err := keyTaken(tx.CreatePaymentMethod(ctx, m)); err != nil {
			return err
		}
		return record(ctx, tx, []byte(m.ID))
	})
	if err != nil {
		return PaymentMethod{}, asDomainError(err)
	}
	if m.Status == MethodActive {
		s.payPastDueWith(ctx, m.OrgID, m.ID)
	}
	return m, nil
}

// applySaved copies the gateway's view of a method onto m.
func applySaved(m PaymentMethod, saved SavedMethod, now time.Time) PaymentMethod {
	m.Kind = saved.Kind
	if m.Kind == "" {
		m.Kind = MethodCard
	}
	m.Ref, m.CustomerRef, m.SetupRef = saved.Ref, saved.CustomerRef, saved.SetupRef
	m.Brand, m.Last4, m.ExpMonth, m.ExpYear = saved.Brand, saved.Last4, saved.ExpMonth, saved.ExpYear
	m.Status, m.NextAction = MethodActive, nil
	if !saved.Ready {
		m.Status, m.NextAction = MethodPending, saved.NextAction
	} else {
		m.SetupRef = ""
	}
	m.UpdatedAt = now
	return m
}

// vault returns the configured gateway named name and its MethodVault;
// INVALID_INPUT on "gateway" when there is none or it saves no methods.
func (s *Service) vault(name string) (Gateway, MethodVault, error) {
	if s.gateways == nil {
		return nil, nil, Errorf(CodeGatewayUnavailable, "no payment gateway is configured")
	}
	gw, ok := s.gateways.Get(name)
	if !ok {
		return nil, nil, InvalidInput("gateway", "unknown payment gateway")
	}
	v, ok := gw.(MethodVault)
	if !ok {
		return nil, nil, InvalidInput("gateway", "the %s gateway cannot save payment methods", gw.Name())
	}
	return gw, v, nil
}

// ConfirmPaymentMethod completes a PENDING method after the buyer took its
// NextAction (3-D Secure, an approval): it asks the gateway (CompleteSave)
// and returns the method, ACTIVE or still PENDING while the buyer has not
// finished. A method that became ACTIVE pays a PAST_DUE renewal at once,
// as in AddPaymentMethod. An ACTIVE method is returned unchanged. A setup the gateway
// refused for good is removed and PAYMENT_FAILED. Codes: UNAUTHENTICATED,
// NOT_FOUND, FORBIDDEN, PAYMENT_FAILED, GATEWAY_UNAVAILABLE.
func (s *Service) ConfirmPaymentMethod(ctx context.Context, id string) (PaymentMethod, error) {
	m, err := s.methodFor(ctx, id)
	if err != nil || m.Status == MethodActive {
		return m, err
	}
	_, vault, err := s.vault(m.Gateway)
	if err != nil {
		return PaymentMethod{}, Errorf(CodeGatewayUnavailable, "the %s gateway is not configured", m.Gateway)
	}
	saved, err := vault.CompleteSave(ctx, m.Saved())
	switch {
	case IsCode(err, CodePaymentFailed), IsCode(err, CodeNotFound):
		// The setup failed for good (or the gateway forgot it): the method
		// can never be charged, so it goes.
		if rerr := s.deleteMethod(ctx, m); rerr != nil && !IsCode(rerr, CodeNotFound) {
			return PaymentMethod{}, rerr
		}
		s.countDecline(ctx, m.OrgID)
		return PaymentMethod{}, declined(err)
	case err != nil:
		return PaymentMethod{}, asDomainError(err)
	}
	m = applySaved(m, saved, s.clock.Now())
	if err := s.store.UpdatePaymentMethod(ctx, m); err != nil {
		return PaymentMethod{}, asDomainError(err)
	}
	if m.Status == MethodActive {
		s.payPastDueWith(ctx, m.OrgID, m.ID)
	}
	return m, nil
}

// RemovePaymentMethod detaches a method at its gateway and forgets it, and
// returns it as it was. When it was the default, the org's newest ACTIVE
// method becomes the default (none when there is none). A gateway that is
// no longer configured is not asked. Codes: UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN, GATEWAY_UNAVAILABLE (nothing was removed; retry).
func (s *Service) RemovePaymentMethod(ctx context.Context, id string) (PaymentMethod, error) {
	m, err := s.methodFor(ctx, id)
	if err != nil {
		return PaymentMethod{}, err
	}
	if _, vault, err := s.vault(m.Gateway); err == nil {
		if err := vault.RemoveMethod(ctx, m.Saved()); err != nil {
			return PaymentMethod{}, asDomainError(err)
		}
	}
	if err := s.deleteMethod(ctx, m); err != nil {
		return PaymentMethod{}, err
	}
	return m, nil
}

// deleteMethod forgets m and, when it was the default, makes the org's
// newest ACTIVE method the default.
func (s *Service) deleteMethod(ctx context.Context, m PaymentMethod) error {
	err := s.store.InTx(ctx, func(tx Store) error {
		if err := tx.DeletePaymentMethod(ctx, m.OrgID, m.ID); err != nil {
			return err
		}
		ms, err := tx.ListPaymentMethods(ctx, m.OrgID)
		if err != nil {
			return err
		}
		for _, o := range ms {
			if o.IsDefault {
				return nil
			}
		}
		for _, o := range ms { // newest first
			if o.Status == MethodActive {
				return tx.SetDefaultPaymentMethod(ctx, m.OrgID, o.ID)
			}
		}
		return nil
	})
	return asDomainError(err)
}

// SetDefaultPaymentMethod makes an ACTIVE method the org's default (the
// one renewals and top-ups charge when they name none) and returns it.
// While the org's subscription is PAST_DUE it also becomes the
// subscription's method and pays its renewal at once (payPastDueWith).
// Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, CONFLICT (the method is
// still PENDING).
func (s *Service) SetDefaultPaymentMethod(ctx context.Context, id string) (PaymentMethod, error) {
	m, err := s.methodFor(ctx, id)
	if err != nil {
		return PaymentMethod{}, err
	}
	if m.Status != MethodActive {
		return PaymentMethod{}, Errorf(CodeConflict, "the payment method is %s; confirm it first", m.Status)
	}
	if !m.IsDefault {
		if err := s.store.SetDefaultPaymentMethod(ctx, m.OrgID, m.ID); err != nil {
			return PaymentMethod{}, asDomainError(err)
		}
		m.IsDefault = true
	}
	s.payPastDueWith(ctx, m.OrgID, m.ID)
	return m, nil
}

// PaymentMethods lists the org's saved methods, the default first, then
// newest first. Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (s *Service) PaymentMethods(ctx context.Context, orgID string) ([]PaymentMethod, error) {
	if _, err := s.authorize(ctx, orgID, ActionBilling); err != nil {
		return nil, err
	}
	ms, err := s.store.ListPaymentMethods(ctx, orgID)
	return ms, asDomainError(err)
}

// PaymentMethod returns one saved method, authorized like PaymentMethods;
// a method of an org the caller may not see is NOT_FOUND. Codes:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (s *Service) PaymentMethod(ctx context.Context, id string) (PaymentMethod, error) {
	return s.methodFor(ctx, id)
}

// methodFor loads a method and checks the caller has the billing right on
// its org: a malformed id, an unknown method and a method of an org the
// caller is no member of are all NOT_FOUND; a member without the right is
// FORBIDDEN.
func (s *Service) methodFor(ctx context.Context, id string) (PaymentMethod, error) {
	if _, ok := ActorFrom(ctx); !ok {
		return PaymentMethod{}, Errorf(CodeUnauthenticated, "sign in required")
	}
	if !ValidID(id) {
		return PaymentMethod{}, NotFound("payment method")
	}
	m, err := s.store.PaymentMethodByID(ctx, id)
	if err != nil {
		return PaymentMethod{}, notFoundOr(err, "payment method")
	}
	if _, err := s.authorize(ctx, m.OrgID, ActionBilling); err != nil {
		return PaymentMethod{}, memberOrNotFound(err, "payment method")
	}
	return m, nil
}

// chargeMethod returns, read from st (the caller's transaction), the saved
// method an off-session charge of the org uses: methodID, or when it is ""
// the org's default. It checks no caller
// (renewals and top-ups run as the system). The method must be ACTIVE
// and its gateway configured as a MethodVault. Codes: PAYMENT_FAILED with
// the message errNoMethod's when the org has no usable method (methodID
// unknown, of another org, still PENDING, no default, or its gateway gone):
// the charge cannot be made, as a decline could not, and the caller
// records it as the renewal's failure (Subscription.RenewalFailure
// FailureNoMethod); INTERNAL on a storage error.
func (s *Service) chargeMethod(ctx context.Context, st PaymentMethodStore, orgID, methodID string) (PaymentMethod, error) {
	var m PaymentMethod
	if methodID != "" {
		var err error
		if !ValidID(methodID) {
			return PaymentMethod{}, errNoMethod()
		}
		m, err = st.PaymentMethodByID(ctx, methodID)
		if IsCode(err, CodeNotFound) || (err == nil && m.OrgID != orgID) {
			return PaymentMethod{}, errNoMethod()
		}
		if err != nil {
			return PaymentMethod{}, asDomainError(err)
		}
	} else {
		ms, err := st.ListPaymentMethods(ctx, orgID)
		if err != nil {
			return PaymentMethod{}, asDomainError(err)
		}
		if len(ms) == 0 || !ms[0].IsDefault {
			return PaymentMethod{}, errNoMethod()
		}
		m = ms[0]
	}
	if m.Status != MethodActive {
		return PaymentMethod{}, errNoMethod()
	}
	if _, _, err := s.vault(m.Gateway); err != nil {
		return PaymentMethod{}, errNoMethod()
	}
	return m, nil
}

// FailureNoMethod is the failure reason of an off-session charge that had
// no usable saved method to charge (see chargeMethod).
const FailureNoMethod = "no_payment_method"

// errNoMethodCause is the cause of chargeMethod's PAYMENT_FAILED.
var errNoMethodCause = errors.New(FailureNoMethod)

// errNoMethod is chargeMethod's refusal.
func errNoMethod() error {
	return &Error{Code: CodePaymentFailed, Message: "no active saved payment method to charge; add one or pay on session", Err: errNoMethodCause}
}

// notFoundOr is NOT_FOUND for what when err is nil (a record of another
// org) or NOT_FOUND, else err as a domain error.
func notFoundOr(err error, what string) error {
	if err == nil || IsCode(err, CodeNotFound) {
		return NotFound(what)
	}
	return asDomainError(err)
}
