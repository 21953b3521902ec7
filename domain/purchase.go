package domain

import (
	"context"
	"errors"
	"fmt"
)

// PurchaseInput is a request to buy a credit pack (purchasePack).
type PurchaseInput struct {
	OrgID    string
	PackID   string
	Quantity int
	// Credits is the amount of a custom pack; 0 for a fixed pack.
	Credits int64
	// TermMonths is the term of a RECURRING pack (a subscription add-on),
	// 0 for the pack's minimum; other packs take none (see addon.go).
	TermMonths int
	// ExtraCredits, with PackID "", buys that many extra credits at the
	// plan's unit price instead of a pack (BuyExtraCredits).
	ExtraCredits int64
	// TopUpMinor, with PackID "", buys the credits that amount (minor
	// units of the org's currency) pays for under the catalog's top-up
	// rule instead of a pack (TopUp).
	TopUpMinor int64
	// Gateway is the buyer's explicit choice; "" lets the router decide.
	Gateway string
	// Method is the payment method kind; "" lets the gateway offer its own.
	Method PaymentMethodKind
	// Installments splits a card payment: 1 (at once) to the configured
	// maximum (PricingConfig.MaxInstallments, 12 by default). An add-on
	// is paid in its subscription's count: 0 takes it, another is
	// INVALID_INPUT.
	Installments    int
	PaymentMethodID string
	IdempotencyKey  string
	InvoiceDetails  *InvoiceDetails
	// ReturnURL is where a hosted payment page sends the buyer back to; ""
	// leaves it to the gateway (see PaymentRequest.ReturnURL). Its origin
	// must be allowed (CheckReturnURL).
	ReturnURL string
}

// Checkout is purchasePack's answer: the order and what the SPA must do next.
type Checkout struct {
	Order      Order
	NextAction *NextAction
}

const (
	maxInvoiceField = 300
	orderSeriesFmt  = "ORD-%d"
	invoiceSeries   = "INV-%d"
	// failureCreditLimit is the FailureReason of an order whose payment was
	// never started because its credits no longer fit under MaxCredits.
	failureCreditLimit = "credit_limit"
)

// PurchasePack prices a pack for the org, creates the order and starts the
// payment with the routed gateway. A ReturnURL must be on an allowed origin
// (Config.ReturnOrigins or PublicURL's; see CheckReturnURL), else
// INVALID_INPUT on "returnUrl" before anything else. Codes: INVALID_INPUT
// (also when the pack's credits would take the balance over MaxCredits:
// refused before any order or payment exists; invalid input of any kind
// leaves no order and no key: what the gateway can refuse on its own is
// checked before the order is written (PaymentChecker), and an order whose
// payment the provider refuses as malformed is removed again, see
// undoOrder), UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN (only OWNER and BILLING buy), ORG_SUSPENDED (the org is
// SUSPENDED, see checkBuyer), CONFLICT (key reused with other input; the
// org is CLOSED), PAYMENT_FAILED (declined: the order is FAILED; the message is
// DeclineMessage, the provider's reason is on the order),
// GATEWAY_UNAVAILABLE (the order stays unpaid; retry with the same key or
// let reconciliation settle it), RATE_LIMITED (too many attempts or
// declines in the window of the PurchaseLimits, see WithThrottle; nothing
// was written or charged).
func (s *Service) PurchasePack(ctx context.Context, in PurchaseInput) (Checkout, error) {
	if err := validateKey(in.IdempotencyKey); err != nil {
		return Checkout{}, err
	}
	details, err := validInvoiceDetails(in.InvoiceDetails)
	if err != nil {
		return Checkout{}, err
	}
	// Before any order or gateway call: the hosted page must not become an
	// open redirect.
	returnURL, err := s.returnURL(in.ReturnURL)
	if err != nil {
		return Checkout{}, err
	}
	acc, err := s.authorize(ctx, in.OrgID, ActionBilling)
	if err != nil {
		return Checkout{}, err
	}
	if s.gateways == nil {
		return Checkout{}, Errorf(CodeGatewayUnavailable, "no payment gateway is configured")
	}
	parts := []any{"purchasePack", in.OrgID, in.PackID, in.Quantity, in.Credits, in.Gateway, string(in.Method),
		in.Installments, in.PaymentMethodID, fmt.Sprint(details)}
	if in.TermMonths != 0 || in.ExtraCredits != 0 { // appended only when set: older keys keep their hash
		parts = append(parts, in.TermMonths, in.ExtraCredits)
	}
	if in.TopUpMinor != 0 {
		parts = append(parts, "topUp", in.TopUpMinor)
	}
	k := idemKey{orgID: in.OrgID, key: in.IdempotencyKey, op: "purchasePack", hash: requestHash(parts...)}
	resume := func(ctx context.Context, rec IdempotencyRecord) (Checkout, error) {
		return s.resumePurchase(ctx, rec, in.PaymentMethodID, returnURL)
	}
	return once(ctx, s, k, resume, func(ctx context.Context, record recordFunc) (Checkout, error) {
		return s.purchase(ctx, in, acc, details, returnURL, record)
	})
}

// purchase is PurchasePack's first run for its key: it prices the pack,
// writes the order with its key (record) and starts the payment.
func (s *Service) purchase(ctx context.Context, in PurchaseInput, acc Access, details *InvoiceDetails, returnURL string, record recordFunc) (Checkout, error) {
	org, err := s.store.OrgByID(ctx, in.OrgID)
	if err != nil {
		return Checkout{}, asDomainError(err)
	}
	if err := checkBuyer(org); err != nil {
		return Checkout{}, err
	}
	q, field, err := s.pricePurchase(ctx, org, in)
	if err != nil {
		return Checkout{}, err
	}
	if err := s.checkRoom(ctx, org.ID, q.Credits, field); err != nil {
		return Checkout{}, err
	}
	installments := 1
	if q.Installments != nil {
		installments = q.Installments.Count
	}
	gw, err := s.gateways.Route(RouteRequest{
		Country: org.Country, Currency: org.Currency, Method: in.Method, Installments: installments, Gateway: in.Gateway,
	})
	if err != nil {
		return Checkout{}, err
	}
	now := s.clock.Now()
	o := Order{
		ID: newID(), OrgID: org.ID, Status: OrderPending, Lines: q.Lines,
		Subtotal: q.Subtotal, Tax: q.Tax, TaxRateBP: q.TaxRateBP, Total: q.Total,
		Credits: q.Credits, Validity: q.Validity, Gateway: gw.Name(), Method: orderMethod(in.Method, in.PaymentMethodID, gw),
		Installments: q.Installments, InvoiceDetails: details, CreatedBy: acc.Actor.UserID,
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	// What the gateway can refuse without asking its provider (an unknown
	// sandbox card, a malformed card token) is refused here, before any
	// order exists.
	if err := s.beforeOrder(ctx, o, gw, in.PaymentMethodID, returnURL, acc.Actor); err != nil {
		return Checkout{}, err
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := s.createOrder(ctx, tx, &o); err != nil {
			return err
		}
		return record(ctx, tx, []byte(o.ID))
	})
	if err != nil {
		return Checkout{}, asDomainError(err)
	}
	co, err := s.startPayment(ctx, o, in.PaymentMethodID, returnURL)
	if IsCode(err, CodeInvalidInput) && s.undoOrder(ctx, o, in.IdempotencyKey) {
		return Checkout{}, err
	}
	s.publishOrder(ctx, o)
	return co, err
}

// pricePurchase prices what in buys for org, by the one code
// purchasePack and quote price with: extra credits at the plan's price
// (ExtraCredits with no PackID), a top-up by amount (TopUpMinor with no
// PackID), an add-on (a RECURRING pack, for its term
// and in the subscription's installment count) or a pack. It returns the
// field a refusal of its credits names.
func (s *Service) pricePurchase(ctx context.Context, org Org, in PurchaseInput) (Quote, string, error) {
	if in.PackID == "" && in.ExtraCredits != 0 {
		q, err := s.priceExtraCredits(ctx, org, in.ExtraCredits, in.Installments)
		return q, "credits", err
	}
	if in.PackID == "" && in.TopUpMinor != 0 && in.ExtraCredits == 0 {
		q, err := s.priceTopUp(ctx, org, in.TopUpMinor, in.Installments)
		return q, "amount", err
	}
	if in.ExtraCredits != 0 || in.TopUpMinor != 0 {
		return Quote{}, "", InvalidInput("extraCredits", "buy one of a pack, extra credits or a top-up")
	}
	if !ValidID(in.PackID) {
		return Quote{}, "", InvalidInput("packId", "unknown pack")
	}
	pack, err := s.store.PackByID(ctx, in.PackID)
	if IsCode(err, CodeNotFound) || (err == nil && !pack.Active) {
		return Quote{}, "", InvalidInput("packId", "unknown pack")
	}
	if err != nil {
		return Quote{}, "", asDomainError(err)
	}
	if pack.Validity == ValidityRecurring {
		if in.TermMonths, in.Installments, err = s.addonTerms(ctx, org.ID, pack, in.TermMonths, in.Installments); err != nil {
			return Quote{}, "", err
		}
	}
	if err := s.pricing.checkInstallments(in.Installments); err != nil {
		return Quote{}, "", err
	}
	q, err := PricePack(s.pricing, QuoteInput{
		Pack: pack, Quantity: in.Quantity, Credits: in.Credits, Currency: org.Currency,
		Country: org.Country, Installments: in.Installments, TermMonths: in.TermMonths,
	})
	field := "quantity"
	if in.Credits != 0 {
		field = "credits"
	}
	return q, field, err
}

// errOrderKept says undoOrder found the order moved on.
var errOrderKept = errors.New("the order moved on")

// undoOrder removes, with its idempotency record, an order whose gateway
// refused to start its payment as malformed (INVALID_INPUT the provider
// decided, which CheckPayment could not foresee), so that refused input
// leaves nothing behind: no PENDING order for reconciliation to start
// again without the buyer's payment method, and a key free for the
// corrected request. An order that moved on meanwhile (a concurrent retry
// with the same key started its payment) is kept. It reports whether the
// order is gone.
func (s *Service) undoOrder(ctx context.Context, o Order, key string) bool {
	err := s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.LockOrder(ctx, o.ID)
		if err != nil {
			return err
		}
		if cur.Version != o.Version || cur.Status != OrderPending || cur.PaymentID != "" {
			return errOrderKept
		}
		if err := tx.DeleteOrder(ctx, o.ID); err != nil {
			return err
		}
		return tx.DeleteIdempotency(ctx, o.OrgID, key)
	})
	if err != nil && !errors.Is(err, errOrderKept) {
		s.log.WarnContext(ctx, "could not remove an order its gateway refused; reconciliation will retry its payment",
			"order", o.ID, "number", o.Number, "org", o.OrgID, "err", err)
	}
	return err == nil
}

// orderMethod is how a buyer who named method and paymentMethodID pays
// with gw, as far as it is known before the payment starts: the method
// they named; else the gateway's only method (Stripe and the installment
// gateway take cards, PayPal PayPal); else a card when they gave a payment
// method to charge (every payment method id is a card: a saved card, a card
// token, a test card).
// "" leaves it to the gateway's page, and to the gateway to report
// (Payment.Method).
func orderMethod(method PaymentMethodKind, paymentMethodID string, gw Gateway) PaymentMethodKind {
	if method != "" {
		return method
	}
	if m := gw.Capabilities().Methods; len(m) == 1 {
		return m[0]
	}
	if paymentMethodID != "" {
		return MethodCard
	}
	return ""
}

// resumePurchase answers a repeated purchasePack key: the order it made,
// with its payment started, with the repeated request's payment method and
// return URL (the same request: the key's hash covers them), if the first
// attempt could not start it.
func (s *Service) resumePurchase(ctx context.Context, rec IdempotencyRecord, paymentMethodID, returnURL string) (Checkout, error) {
	o, err := s.store.OrderByID(ctx, string(rec.Response))
	if IsCode(err, CodeNotFound) {
		// The first attempt's provider refused the payment and undoOrder
		// removed the order with its key after we found the key: start
		// again, as the key is free.
		return Checkout{}, errTaken()
	}
	if err != nil {
		return Checkout{}, asDomainError(err)
	}
	switch {
	case o.PaymentID == "" && o.Status == OrderPending:
		return s.startPayment(ctx, o, paymentMethodID, returnURL)
	case o.Status == OrderFailed && o.FailureReason == failureCreditLimit:
		return Checkout{}, creditLimitError("quantity", o.Credits)
	case o.Status == OrderFailed:
		// The first answer was this decline: repeat it.
		return Checkout{}, declined(errors.New(o.FailureReason))
	}
	return Checkout{Order: o, NextAction: o.NextAction}, nil
}

// checkRoom refuses, with INVALID_INPUT on field (wrapping
// errCreditCeiling), credits that would take the org's balance over
// MaxCredits: a purchase is refused before any money is asked for.
func (s *Service) checkRoom(ctx context.Context, orgID string, credits int64, field string) error {
	b, err := s.balanceOf(ctx, orgID)
	if err != nil {
		return err
	}
	if credits > MaxCredits-b.Total {
		return creditLimitError(field, credits)
	}
	return nil
}

// creditLimitError is checkRoom's refusal.
func creditLimitError(field string, credits int64) error {
	return &Error{Code: CodeInvalidInput, Field: field, Err: errCreditCeiling,
		Message: fmt.Sprintf("%d more credits would take the balance over the limit of %d credits", credits, MaxCredits)}
}

// beforeOrder is what a purchase checks once its order o is priced and
// before it is written: what gateway gw can refuse without asking its
// provider (PaymentChecker: an unknown sandbox card, a malformed token),
// then the purchase throttle of the org and the actor. Nothing is written
// when it refuses.
func (s *Service) beforeOrder(ctx context.Context, o Order, gw Gateway, paymentMethodID, returnURL string, actor Actor) error {
	if c, ok := gw.(PaymentChecker); ok {
		req, err := s.paymentRequest(ctx, o, paymentMethodID, returnURL)
		if err != nil {
			return err
		}
		if err := c.CheckPayment(req); err != nil {
			return err
		}
	}
	return s.throttlePurchase(ctx, o.OrgID, actor)
}
