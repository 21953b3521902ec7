package domain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// PurchaseInput is a request to buy a credit pack (purchasePack).
type PurchaseInput struct {
	OrgID    string
	PackID   string
	Quantity int
	// Credits is the amount of a custom pack; 0 for a fixed pack.
	Credits int64
	// Gateway is the buyer's explicit choice; "" lets the router decide.
	Gateway string
	// Method is the payment method kind; "" lets the gateway offer its own.
	Method PaymentMethodKind
	// Installments splits a card payment: 1 (at once) to 12.
	Installments    int
	PaymentMethodID string
	IdempotencyKey  string
	InvoiceDetails  *InvoiceDetails
	// ReturnURL is where a hosted payment page sends the buyer back to;
	// "" means Config.PublicURL. Its origin must be allowed (CheckReturnURL).
	ReturnURL string
}

// Checkout is purchasePack's answer: the order and what the SPA must do next.
type Checkout struct {
	Order      Order
	NextAction *NextAction
}

// InstallmentOption is one way to split a purchase.
type InstallmentOption struct {
	Count      int
	Amount     Money // each installment
	Commission Money
	Total      Money
}

// RefundResult says what a refund did to the order's credits.
type RefundResult struct {
	Order Order
	// CreditsRemoved were taken back from the order's unspent credits.
	CreditsRemoved int64
	// CreditsNotRecovered is the refunded share already spent or expired,
	// which could not be taken back.
	CreditsNotRecovered int64
}

// ReconcileChange is one order reconciliation settled.
type ReconcileChange struct {
	OrderID     string
	OrderNumber string
	From, To    OrderStatus
}

// ReconcileReport is what one reconciliation pass did.
type ReconcileReport struct {
	Checked int
	Changed []ReconcileChange
	// Errors are orders that could not be checked (gateway still down).
	Errors []string
}

// paymentUpdate is a gateway-reported state to apply to an order.
type paymentUpdate struct {
	status        PaymentStatus
	refunded      int64
	failureReason string
	paymentID     string
	nextAction    *NextAction
	// amount is what the gateway says the payment is for (collected, once
	// it succeeded); zero when it did not say.
	amount Money
	// method is how the gateway says the buyer pays; "" when it did not say.
	method PaymentMethodKind
}

func updateFromPayment(p Payment) paymentUpdate {
	return paymentUpdate{status: p.Status, refunded: p.Refunded, failureReason: p.FailureReason, paymentID: p.ID,
		nextAction: p.NextAction, amount: p.Amount, method: p.Method}
}

func updateFromEvent(ev WebhookEvent) paymentUpdate {
	u := paymentUpdate{paymentID: ev.PaymentID, failureReason: ev.FailureReason, refunded: ev.Refunded, amount: ev.Amount}
	switch ev.Kind {
	case EventPaymentSucceeded:
		u.status = PaymentSucceeded
	case EventPaymentFailed:
		u.status = PaymentFailed
	case EventPaymentCanceled:
		u.status = PaymentCanceled
	case EventPaymentProcessing:
		u.status = PaymentProcessing
	case EventPaymentRequiresAction:
		u.status = PaymentRequiresAction
	case EventPaymentRefunded:
		// A refund implies the payment had succeeded, whatever order the
		// events arrive in.
		u.status = PaymentSucceeded
	}
	return u
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
// FORBIDDEN (only OWNER and BILLING buy), CONFLICT (key reused with other
// input), PAYMENT_FAILED (declined: the order is FAILED; the message is
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
	hash := requestHash("purchasePack", in.OrgID, in.PackID, in.Quantity, in.Credits, in.Gateway, string(in.Method),
		in.Installments, in.PaymentMethodID, fmt.Sprint(details))
	if rec, ok, err := s.store.FindIdempotency(ctx, in.OrgID, in.IdempotencyKey); err != nil {
		return Checkout{}, asDomainError(err)
	} else if ok {
		return s.resumePurchase(ctx, rec, "purchasePack", hash)
	}

	org, err := s.store.OrgByID(ctx, in.OrgID)
	if err != nil {
		return Checkout{}, asDomainError(err)
	}
	if !ValidID(in.PackID) {
		return Checkout{}, InvalidInput("packId", "unknown pack")
	}
	pack, err := s.store.PackByID(ctx, in.PackID)
	if IsCode(err, CodeNotFound) || (err == nil && !pack.Active) {
		return Checkout{}, InvalidInput("packId", "unknown pack")
	}
	if err != nil {
		return Checkout{}, asDomainError(err)
	}
	if in.Installments < 1 || in.Installments > 12 {
		return Checkout{}, InvalidInput("installments", "must be between 1 and 12")
	}
	q, err := PricePack(s.pricing, QuoteInput{
		Pack: pack, Quantity: in.Quantity, Credits: in.Credits, Currency: org.Currency,
		Country: org.Country, Installments: in.Installments,
	})
	if err != nil {
		return Checkout{}, err
	}
	field := "quantity"
	if in.Credits != 0 {
		field = "credits"
	}
	if err := s.checkRoom(ctx, org.ID, q.Credits, field); err != nil {
		return Checkout{}, err
	}
	gw, err := s.gateways.Route(RouteRequest{
		Country: org.Country, Currency: org.Currency, Method: in.Method, Installments: in.Installments, Gateway: in.Gateway,
	})
	if err != nil {
		return Checkout{}, err
	}
	now := s.clock.Now()
	o := Order{
		ID: newID(), OrgID: org.ID, Status: OrderPending, Lines: q.Lines,
		Subtotal: q.Subtotal, Tax: q.Tax, TaxRateBP: q.TaxRateBP, Total: q.Total,
		Credits: q.Credits, Validity: q.Validity, Gateway: gw.Name(), Method: orderMethod(in, gw),
		Installments: q.Installments, InvoiceDetails: details, CreatedBy: acc.Actor.UserID,
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	// What the gateway can refuse without asking its provider (an unknown
	// sandbox card, a malformed card token) is refused here, before any
	// order exists.
	if c, ok := gw.(PaymentChecker); ok {
		req, err := s.paymentRequest(ctx, o, in.PaymentMethodID, returnURL)
		if err != nil {
			return Checkout{}, err
		}
		if err := c.CheckPayment(req); err != nil {
			return Checkout{}, err
		}
	}
	if err := s.throttlePurchase(ctx, org.ID, acc.Actor); err != nil {
		// A concurrent request with the same key may have made the order
		// meanwhile: its replay is not a new attempt.
		if rec, ok, ferr := s.store.FindIdempotency(ctx, in.OrgID, in.IdempotencyKey); ferr == nil && ok {
			return s.resumePurchase(ctx, rec, "purchasePack", hash)
		}
		return Checkout{}, err
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		n, err := tx.NextNumber(ctx, fmt.Sprintf(orderSeriesFmt, now.Year()))
		if err != nil {
			return err
		}
		o.Number = fmt.Sprintf("ORD-%d-%06d", now.Year(), n)
		if err := tx.CreateOrder(ctx, o); err != nil {
			return err
		}
		return tx.CreateIdempotency(ctx, IdempotencyRecord{
			OrgID: org.ID, Key: in.IdempotencyKey, Operation: "purchasePack", RequestHash: hash,
			Response: []byte(o.ID), CreatedAt: now,
		})
	})
	if IsCode(err, CodeConflict) { // a concurrent request with the same key won
		if rec, ok, ferr := s.store.FindIdempotency(ctx, in.OrgID, in.IdempotencyKey); ferr == nil && ok {
			return s.resumePurchase(ctx, rec, "purchasePack", hash)
		}
	}
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

// orderMethod is how the buyer of in pays with gw, as far as it is known
// before the payment starts: the method they named; else the gateway's
// only method (Stripe and the installment gateway take cards, PayPal
// PayPal); else a card when they gave a payment method to charge (every
// payment method id is a card: a saved card, a card token, a test card).
// "" leaves it to the gateway's page, and to the gateway to report
// (Payment.Method).
func orderMethod(in PurchaseInput, gw Gateway) PaymentMethodKind {
	if in.Method != "" {
		return in.Method
	}
	if m := gw.Capabilities().Methods; len(m) == 1 {
		return m[0]
	}
	if in.PaymentMethodID != "" {
		return MethodCard
	}
	return ""
}

// resumePurchase answers a repeated purchasePack key: the order it made,
// with its payment started if the first attempt could not start it.
func (s *Service) resumePurchase(ctx context.Context, rec IdempotencyRecord, op, hash string) (Checkout, error) {
	if rec.Operation != op || rec.RequestHash != hash {
		return Checkout{}, errKeyReused()
	}
	o, err := s.store.OrderByID(ctx, string(rec.Response))
	if err != nil {
		return Checkout{}, asDomainError(err)
	}
	switch {
	case o.PaymentID == "" && o.Status == OrderPending:
		return s.startPayment(ctx, o, "", "")
	case o.Status == OrderFailed && o.FailureReason == failureCreditLimit:
		return Checkout{}, creditLimitError("quantity", o.Credits)
	case o.Status == OrderFailed:
		// The first answer was this decline: repeat it.
		return Checkout{}, declined(errors.New(o.FailureReason))
	}
	return Checkout{Order: o, NextAction: o.NextAction}, nil
}

// startPayment asks the order's gateway to collect its total. The
// gateway's idempotency key is derived from the order, so a retry (by the
// buyer or by reconciliation) never makes a second payment. An order whose
// credits no longer fit under MaxCredits (credits were added since it was
// made) is FAILED instead, with no payment: INVALID_INPUT.
func (s *Service) startPayment(ctx context.Context, o Order, paymentMethodID, returnURL string) (Checkout, error) {
	gw, ok := s.gateways.Get(o.Gateway)
	if !ok {
		return Checkout{}, Errorf(CodeGatewayUnavailable, "gateway %s is not configured", o.Gateway)
	}
	if err := s.checkRoom(ctx, o.OrgID, o.Credits, "quantity"); err != nil {
		if errors.Is(err, errCreditCeiling) {
			if _, serr := s.settle(ctx, o.ID, paymentUpdate{status: PaymentFailed, failureReason: failureCreditLimit}); serr != nil {
				return Checkout{}, serr
			}
		}
		return Checkout{}, err
	}
	req, err := s.paymentRequest(ctx, o, paymentMethodID, returnURL)
	if err != nil {
		return Checkout{}, err
	}
	p, err := gw.CreatePayment(ctx, req)
	if err != nil {
		if IsCode(err, CodePaymentFailed) {
			if _, uerr := s.settleDecline(ctx, o.ID, p, err); uerr != nil {
				return Checkout{}, uerr
			}
			return Checkout{}, declined(err)
		}
		return Checkout{}, err
	}
	o, err = s.settle(ctx, o.ID, updateFromPayment(p))
	if err != nil {
		return Checkout{}, err
	}
	return Checkout{Order: o, NextAction: o.NextAction}, nil
}

// paymentRequest is what o's gateway is asked for to collect its total
// (startPayment), or to check before o is written (PaymentChecker).
func (s *Service) paymentRequest(ctx context.Context, o Order, paymentMethodID, returnURL string) (PaymentRequest, error) {
	org, err := s.store.OrgByID(ctx, o.OrgID)
	if err != nil {
		return PaymentRequest{}, asDomainError(err)
	}
	n := 1
	if o.Installments != nil {
		n = o.Installments.Count
	}
	customer := Customer{OrgID: org.ID, Name: org.Name, Country: org.Country}
	if o.CreatedBy != "" { // the buyer: providers want a payer email
		u, err := s.store.UserByID(ctx, o.CreatedBy)
		if err != nil && !IsCode(err, CodeNotFound) {
			return PaymentRequest{}, asDomainError(err)
		}
		customer.Email = u.Email
	}
	if returnURL == "" {
		returnURL = s.cfg.PublicURL
	}
	return PaymentRequest{
		OrderID: o.ID, OrderNumber: o.Number, Amount: o.Total, Installments: n, Method: o.Method,
		Customer:        customer,
		PaymentMethodID: paymentMethodID, Description: orderDescription(o),
		IdempotencyKey: "order-" + o.ID, ReturnURL: returnURL,
	}, nil
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

// DeclineMessage is all a buyer is told of a declined payment, whatever the
// provider's reason. An itemized reason ("insufficient_funds",
// "incorrect_cvc", "stolen_card") tells a card tester which stolen cards are
// live, so it stays on the order (Order.FailureReason, for operators) and
// in the error's cause (Err), never in the message.
const DeclineMessage = "the payment was declined; use another payment method or contact your card issuer"

// declined is the PAYMENT_FAILED error a buyer gets for a decline whose
// provider error (or recorded reason) is cause.
func declined(cause error) *Error {
	return &Error{Code: CodePaymentFailed, Message: DeclineMessage, Err: cause}
}

// settleDecline records a gateway's decline on the order: FAILED, with the
// provider's reason in the one form every report of it takes (the FAILED
// payment's FailureReason, as a webhook or the provider's page would
// report it), else, from a gateway that returns no payment with its
// decline, the error's message.
func (s *Service) settleDecline(ctx context.Context, orderID string, p Payment, decline error) (Order, error) {
	reason := p.FailureReason
	if reason == "" {
		reason = decline.Error()
		var e *Error
		if errors.As(decline, &e) {
			reason = e.Message
		}
	}
	return s.settle(ctx, orderID, paymentUpdate{status: PaymentFailed, failureReason: reason, paymentID: p.ID, method: p.Method})
}

func orderDescription(o Order) string {
	if len(o.Lines) == 0 {
		return o.Number
	}
	return o.Number + ": " + o.Lines[0].Description
}

// settle applies a gateway-reported payment state to an order in one
// transaction and announces the change after commit: the status moves only
// along valid transitions, a payment collects credits exactly once
// (fulfilment grants the order's credits and issues its invoice), a failure
// after success is ignored, and a refund total beyond what was applied
// takes back the refunded share of the order's unspent credits.
//
// A success is accepted only for the order's total in the order's currency
// (when the gateway states the amount) and only while the order's credits
// fit under MaxCredits. Otherwise the money is real but cannot be
// accepted as it is: the order is not paid (no credits, no invoice), is
// marked for review (Order.Review) and PROCESSING (the buyer has nothing
// left to do), and an ERROR is logged with the order, expected and got.
// It stays in reconciliation, so a later matching report still pays it (a
// balance spent below the ceiling again, a provider correcting itself);
// otherwise an operator refunds the payment at the provider, and the
// report that all of it was refunded closes the order as CANCELED. Money
// is never silently kept without credits, and credits are never granted
// for an amount that was not collected.
func (s *Service) settle(ctx context.Context, orderID string, u paymentUpdate) (Order, error) {
	var (
		o               Order
		changed, failed bool
		balanceAt       int64
	)
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		o, changed, failed, balanceAt, err = s.settleTx(ctx, tx, orderID, u)
		return err
	})
	if err != nil {
		return Order{}, asDomainError(err)
	}
	s.announce(ctx, o, changed, balanceAt)
	if failed {
		s.countDecline(ctx, o.OrgID)
	}
	return o, nil
}

// settleTx is settle inside the caller's transaction. It returns the order,
// whether it changed, whether it became FAILED (a declined payment), and
// the balance version when credits moved (0 when they did not).
func (s *Service) settleTx(ctx context.Context, tx Store, orderID string, u paymentUpdate) (o Order, changed, failed bool, balanceAt int64, err error) {
	o, err = tx.LockOrder(ctx, orderID)
	if err != nil {
		return Order{}, false, false, 0, err
	}
	before := o
	now := s.clock.Now()
	if u.paymentID != "" && o.PaymentID == "" {
		o.PaymentID = u.paymentID
	}
	if u.method != "" && o.Method == "" {
		o.Method = u.method
	}
	switch u.status {
	case PaymentSucceeded:
		if o.Status == OrderPaid || !o.Status.CanMove(OrderPaid) {
			break
		}
		if o.Review != "" && (o.Refunded > 0 || refundedAll(o, u)) {
			// Held money given back (an operator refunded it): nothing
			// to grant, now or on a late success report; the order is
			// closed, its review reason kept.
			if o.Status.CanMove(OrderCanceled) {
				o.Status, o.NextAction = OrderCanceled, nil
			}
			o.Refunded = max(o.Refunded, min(u.refunded, o.Total.AmountMinor))
			break
		}
		if u.amount != (Money{}) && u.amount != o.Total {
			s.log.ErrorContext(ctx, "payment collected an amount other than the order total: order not paid, held for review",
				"order", o.ID, "number", o.Number, "org", o.OrgID, "gateway", o.Gateway, "payment", o.PaymentID,
				"expected", o.Total.String(), "got", u.amount.String())
			holdForReview(&o, fmt.Sprintf("amount mismatch: the gateway reports %s collected for a total of %s", u.amount, o.Total))
			break
		}
		paid := o
		v, err := s.fulfil(ctx, tx, &paid, now)
		if errors.Is(err, errCreditCeiling) {
			s.log.ErrorContext(ctx, "payment collected but its credits would take the balance over the limit: order not paid, held for review",
				"order", o.ID, "number", o.Number, "org", o.OrgID, "gateway", o.Gateway, "payment", o.PaymentID,
				"credits", o.Credits, "limit", MaxCredits, "collected", o.Total.String())
			holdForReview(&o, fmt.Sprintf("credit limit: the payment was collected but %d credits would take the balance over %d", o.Credits, MaxCredits))
			break
		}
		if err != nil {
			return Order{}, false, false, 0, err
		}
		o, balanceAt = paid, v
	case PaymentFailed:
		if o.Status.CanMove(OrderFailed) {
			o.Status, o.FailureReason, o.NextAction = OrderFailed, u.failureReason, nil
		}
	case PaymentCanceled:
		if o.Status.CanMove(OrderCanceled) {
			o.Status, o.NextAction = OrderCanceled, nil
		}
	case PaymentProcessing:
		if o.Status != OrderProcessing && o.Status.CanMove(OrderProcessing) {
			o.Status, o.NextAction = OrderProcessing, nil
		}
	case PaymentRequiresAction, PaymentPending:
		next := OrderPending
		if u.status == PaymentRequiresAction {
			next = OrderRequiresAction
		}
		if o.Status != next && o.Status.CanMove(next) {
			o.Status = next
		}
		if o.Status.Unpaid() && u.nextAction != nil {
			o.NextAction = u.nextAction
		}
	}
	if u.refunded > o.Refunded && (o.Status == OrderPaid || o.Status == OrderPartiallyRefunded) {
		v, _, err := s.refundCredits(ctx, tx, &o, min(u.refunded, o.Total.AmountMinor), now)
		if err != nil {
			return Order{}, false, false, 0, err
		}
		balanceAt = max(balanceAt, v)
	}
	if orderEqual(before, o) {
		return o, false, false, balanceAt, nil
	}
	o.UpdatedAt = now
	o.Version++
	if err := tx.UpdateOrder(ctx, o); err != nil {
		return Order{}, false, false, 0, err
	}
	return o, true, before.Status != OrderFailed && o.Status == OrderFailed, balanceAt, nil
}

// holdForReview records why money a gateway reports collected was not
// accepted: the order stays unpaid, PROCESSING when it was waiting on the
// buyer (who has paid: no next action to show), with the reason in Review.
func holdForReview(o *Order, reason string) {
	o.Review = reason
	if o.Status != OrderProcessing && o.Status.CanMove(OrderProcessing) {
		o.Status = OrderProcessing
	}
	if o.Status.Unpaid() {
		o.NextAction = nil
	}
}

// refundedAll reports whether u says everything its payment collected (the
// order's total when the gateway does not state an amount) was refunded.
func refundedAll(o Order, u paymentUpdate) bool {
	collected := o.Total.AmountMinor
	if u.amount != (Money{}) {
		collected = u.amount.AmountMinor
	}
	return u.refunded > 0 && u.refunded >= collected
}

func orderEqual(a, b Order) bool {
	aj, _ := json.Marshal(a)
	bj, _ := json.Marshal(b)
	return string(aj) == string(bj)
}

// fulfil marks an order PAID, grants its credits with the pack's validity
// (the database refuses a second grant for one order) and issues its
// invoice with the next gap-free number of the year.
func (s *Service) fulfil(ctx context.Context, tx Store, o *Order, now time.Time) (int64, error) {
	o.Status, o.PaidAt, o.NextAction, o.FailureReason = OrderPaid, &now, nil, ""
	exp := grantExpiry(o.Validity, now)
	o.ExpiresAt = exp
	res, _, err := s.applyCreditsTx(ctx, tx, o.OrgID, "", "", "",
		func(b *Balance, _ []Grant, now time.Time) (change, error) {
			ch := grantChange(o.OrgID, GrantPurchased, o.Credits, exp, o.ID, "order "+o.Number, Actor{}, now)
			ch.entries[0].Metadata = orderMetadata(o)
			return ch, nil
		})
	if err != nil {
		return 0, err
	}
	o.GrantID = res.Entry.Allocations[0].GrantID
	if err := s.issueInvoice(ctx, tx, *o, now); err != nil {
		return 0, err
	}
	return res.Balance.Version, nil
}

func orderMetadata(o *Order) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"orderId": o.ID, "orderNumber": o.Number})
	return b
}

// issueInvoice creates the invoice of a paid order.
func (s *Service) issueInvoice(ctx context.Context, tx Store, o Order, now time.Time) error {
	billed := InvoiceDetails{}
	if o.InvoiceDetails != nil {
		billed = *o.InvoiceDetails
	}
	if billed.CompanyName == "" || billed.Country == "" {
		org, err := tx.OrgByID(ctx, o.OrgID)
		if err != nil {
			return err
		}
		if billed.CompanyName == "" {
			billed.CompanyName = org.Name
		}
		if billed.Country == "" {
			billed.Country = org.Country
		}
	}
	seq, err := tx.NextNumber(ctx, fmt.Sprintf(invoiceSeries, now.Year()))
	if err != nil {
		return err
	}
	return tx.CreateInvoice(ctx, Invoice{
		ID: newID(), Number: fmt.Sprintf("INV-%d-%06d", now.Year(), seq), Year: now.Year(), Seq: seq,
		OrgID: o.OrgID, OrderID: o.ID, OrderNumber: o.Number, IssuedAt: now, BilledTo: billed,
		Lines: o.Lines, Subtotal: o.Subtotal, Tax: o.Tax, TaxRateBP: o.TaxRateBP, Total: o.Total,
		Status: InvoicePaid, Gateway: o.Gateway,
	})
}

// refundCredits records that refunded (cumulative, minor units) of the
// order's total has been given back: it takes the refunded share of the
// order's credits from what is left of its grant (REFUND ledger entry),
// moves the order and its invoice to (PARTIALLY_)REFUNDED, and returns the
// balance version after the change (0 if no credits moved) and the
// credits it could not take back.
//
// The share of one refund is the share of the cumulative refunded total
// less that of the total refunded before, so the shares of all refunds of
// an order add up to its credits once it is fully refunded: what each
// refund took back and could not take back (spent or expired) together
// account for every credit the order granted. A full refund takes back
// whatever is left of the grant.
func (s *Service) refundCredits(ctx context.Context, tx Store, o *Order, refunded int64, now time.Time) (int64, RefundResult, error) {
	total := o.Total.AmountMinor
	full := refunded >= total
	share := mulDiv(o.Credits, min(refunded, total), total) - mulDiv(o.Credits, min(o.Refunded, total), total)
	take := share
	if full {
		take = o.Credits // everything still attributable to the order
	}
	var removed int64
	res, _, err := s.applyCreditsTx(ctx, tx, o.OrgID, "", "", "",
		func(b *Balance, open []Grant, _ time.Time) (change, error) {
			for _, g := range open {
				if g.ID != o.GrantID {
					continue
				}
				removed = min(g.Remaining, take)
				if removed == 0 {
					return change{}, nil
				}
				g.Remaining -= removed
				return change{
					touched: []Grant{g},
					entries: []LedgerEntry{{
						Kind: EntryRefund, Amount: -removed, Reason: "refund of order " + o.Number,
						Allocations: []Allocation{{GrantID: g.ID, Amount: -removed}},
						Metadata:    orderMetadata(o), ActorKind: ActorSystem,
					}},
				}, nil
			}
			return change{}, nil
		})
	if err != nil {
		return 0, RefundResult{}, err
	}
	o.Refunded = refunded
	status, invStatus := OrderPartiallyRefunded, InvoicePartiallyRefunded
	if full {
		status, invStatus = OrderRefunded, InvoiceRefunded
	}
	if o.Status.CanMove(status) {
		o.Status = status
	}
	inv, err := tx.InvoiceByOrder(ctx, o.ID)
	if err == nil {
		inv.Status, inv.Refunded = invStatus, refunded
		err = tx.UpdateInvoice(ctx, inv)
	}
	if err != nil && !IsCode(err, CodeNotFound) {
		return 0, RefundResult{}, err
	}
	var version int64
	if removed > 0 {
		version = res.Balance.Version
	}
	notRecovered := max(share-removed, 0)
	return version, RefundResult{CreditsRemoved: removed, CreditsNotRecovered: notRecovered}, nil
}

// mulDiv returns a*b/c rounded down, without overflowing for credit and
// minor-unit magnitudes.
func mulDiv(a, b, c int64) int64 {
	if c == 0 {
		return 0
	}
	q, r := a/c, a%c
	return q*b + r*b/c
}

// ConfirmOrder completes a payment the buyer approved (PayPal capture) and
// returns the order as the gateway now reports it. Idempotent. Codes:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, PAYMENT_FAILED,
// GATEWAY_UNAVAILABLE, INVALID_INPUT (an order with no payment to confirm).
func (s *Service) ConfirmOrder(ctx context.Context, orderID string) (Order, error) {
	o, err := s.orderFor(ctx, orderID, s.authorizeOrderChange)
	if err != nil {
		return Order{}, err
	}
	if !o.Status.Unpaid() {
		return o, nil
	}
	if o.PaymentID == "" {
		return Order{}, InvalidInput("orderId", "the order has no payment to confirm yet")
	}
	gw, ok := s.gateways.Get(o.Gateway)
	if !ok {
		return Order{}, Errorf(CodeGatewayUnavailable, "gateway %s is not configured", o.Gateway)
	}
	p, err := gw.ConfirmPayment(ctx, o.PaymentID, "confirm-"+o.ID)
	if err != nil {
		if IsCode(err, CodePaymentFailed) {
			if _, serr := s.settleDecline(ctx, o.ID, p, err); serr != nil {
				return Order{}, serr
			}
			return Order{}, declined(err)
		}
		return Order{}, err
	}
	return s.settle(ctx, o.ID, updateFromPayment(p))
}

// CancelOrder cancels an order that is not paid yet. A gateway that later
// reports the payment collected after all still makes it PAID (money is
// never dropped). Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, CONFLICT
// (the order is already paid, failed or canceled, or its collected payment
// is held for review: only an operator's refund closes it).
func (s *Service) CancelOrder(ctx context.Context, orderID string) (Order, error) {
	o, err := s.orderFor(ctx, orderID, s.authorizeOrderChange)
	if err != nil {
		return Order{}, err
	}
	if !o.Status.Unpaid() {
		if o.Status == OrderCanceled {
			return o, nil
		}
		return Order{}, Errorf(CodeConflict, "order %s is %s and cannot be canceled", o.Number, o.Status)
	}
	if o.Review != "" {
		return Order{}, Errorf(CodeConflict, "order %s has a collected payment held for review and cannot be canceled", o.Number)
	}
	o, err = s.settle(ctx, o.ID, paymentUpdate{status: PaymentCanceled})
	if err != nil {
		return Order{}, err
	}
	if o.Status != OrderCanceled {
		return Order{}, Errorf(CodeConflict, "order %s is %s and cannot be canceled", o.Number, o.Status)
	}
	return o, nil
}

// RefundInput asks for money back on a paid order (platform admins only).
type RefundInput struct {
	OrderID string
	// Amount in the order's currency; nil refunds everything not yet refunded.
	Amount         *int64
	Reason         string
	IdempotencyKey string
}

// RefundOrder refunds all or part of a paid order through its gateway and
// takes back the refunded share of the order's credits that are still
// unspent. Repeating the key with the same input returns the first result.
// Codes: UNAUTHENTICATED, FORBIDDEN (not a platform admin), NOT_FOUND,
// INVALID_INPUT (amount not in 1..refundable), CONFLICT (key reused,
// order not paid), PAYMENT_FAILED, GATEWAY_UNAVAILABLE.
func (s *Service) RefundOrder(ctx context.Context, in RefundInput) (RefundResult, error) {
	return s.refundOrder(ctx, in, false)
}

// refundOrder is RefundOrder; retried says this is the one retry after a
// concurrent request with the same key recorded its result first, which
// the retry then replays.
func (s *Service) refundOrder(ctx context.Context, in RefundInput, retried bool) (RefundResult, error) {
	if _, err := requirePlatformAdmin(ctx); err != nil {
		return RefundResult{}, err
	}
	if err := validateKey(in.IdempotencyKey); err != nil {
		return RefundResult{}, err
	}
	reason, err := validateReason(in.Reason)
	if err != nil {
		return RefundResult{}, err
	}
	if !ValidID(in.OrderID) {
		return RefundResult{}, NotFound("order")
	}
	o, err := s.store.OrderByID(ctx, in.OrderID)
	if err != nil {
		return RefundResult{}, asDomainError(err)
	}
	amountKey := "all"
	if in.Amount != nil {
		amountKey = fmt.Sprint(*in.Amount)
	}
	hash := requestHash("refundOrder", o.ID, amountKey, reason)
	if rec, ok, err := s.store.FindIdempotency(ctx, o.OrgID, in.IdempotencyKey); err != nil {
		return RefundResult{}, asDomainError(err)
	} else if ok {
		if rec.Operation != "refundOrder" || rec.RequestHash != hash {
			return RefundResult{}, errKeyReused()
		}
		var r RefundResult
		if err := json.Unmarshal(rec.Response, &r); err != nil {
			return RefundResult{}, Internal(err)
		}
		cur, err := s.store.OrderByID(ctx, o.ID)
		if err != nil {
			return RefundResult{}, asDomainError(err)
		}
		r.Order = cur
		return r, nil
	}
	if o.Status != OrderPaid && o.Status != OrderPartiallyRefunded {
		return RefundResult{}, Errorf(CodeConflict, "order %s is %s: only paid orders can be refunded", o.Number, o.Status)
	}
	refundable := o.Total.AmountMinor - o.Refunded
	amount := refundable
	if in.Amount != nil {
		amount = *in.Amount
	}
	if amount < 1 || amount > refundable {
		return RefundResult{}, InvalidInput("amount", "must be between 1 and %s", Money{AmountMinor: refundable, Currency: o.Total.Currency}.Decimal())
	}
	gw, ok := s.gateways.Get(o.Gateway)
	if !ok {
		return RefundResult{}, Errorf(CodeGatewayUnavailable, "gateway %s is not configured", o.Gateway)
	}
	if _, err := gw.RefundPayment(ctx, RefundRequest{
		PaymentID: o.PaymentID, Amount: Money{AmountMinor: amount, Currency: o.Total.Currency},
		Reason: reason, IdempotencyKey: "refund-" + o.ID + "-" + in.IdempotencyKey,
	}); err != nil {
		return RefundResult{}, err
	}
	var (
		res       RefundResult
		changed   bool
		balanceAt int64
	)
	err = s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.LockOrder(ctx, o.ID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		target := cur.Refunded + amount
		if target > cur.Total.AmountMinor || cur.Refunded > o.Refunded {
			// A webhook for this refund (or another) landed first: apply
			// the cumulative total the gateway has confirmed so far.
			target = min(max(cur.Refunded, o.Refunded+amount), cur.Total.AmountMinor)
		}
		if target > cur.Refunded {
			balanceAt, res, err = s.refundCredits(ctx, tx, &cur, target, now)
			if err != nil {
				return err
			}
			cur.UpdatedAt = now
			cur.Version++
			if err := tx.UpdateOrder(ctx, cur); err != nil {
				return err
			}
			changed = true
		}
		res.Order = cur
		resp, _ := json.Marshal(RefundResult{CreditsRemoved: res.CreditsRemoved, CreditsNotRecovered: res.CreditsNotRecovered})
		return tx.CreateIdempotency(ctx, IdempotencyRecord{
			OrgID: cur.OrgID, Key: in.IdempotencyKey, Operation: "refundOrder", RequestHash: hash, Response: resp, CreatedAt: now,
		})
	})
	if IsCode(err, CodeConflict) && !retried {
		// The same key committed first (the gateway replayed its refund
		// under the shared key): answer with its recorded result.
		return s.refundOrder(ctx, in, true)
	}
	if err != nil {
		return RefundResult{}, asDomainError(err)
	}
	s.announce(ctx, res.Order, changed, balanceAt)
	return res, nil
}

// HandleWebhook verifies a gateway's webhook and applies its events, each
// in one transaction with the record of its event id, so a repeated
// delivery is a no-op and a failed one is retried by the provider.
// Codes: NOT_FOUND (no such gateway), INVALID_INPUT (bad signature or
// body), GATEWAY_UNAVAILABLE, INTERNAL.
func (s *Service) HandleWebhook(ctx context.Context, gateway string, req WebhookRequest) error {
	if s.gateways == nil {
		return NotFound("gateway")
	}
	gw, ok := s.gateways.Get(gateway)
	if !ok {
		return NotFound("gateway")
	}
	events, err := gw.ParseWebhook(ctx, req)
	if err != nil {
		return err
	}
	for _, ev := range events {
		if err := s.applyEvent(ctx, gw.Name(), ev); err != nil {
			return err
		}
	}
	return nil
}

// applyEvent applies one event in a transaction with the record of its id.
// A write conflict means a concurrent delivery of the same event (or a
// concurrent change of the order) committed first; after it, the event is
// either on record (a duplicate) or applies cleanly, so it is retried.
func (s *Service) applyEvent(ctx context.Context, gateway string, ev WebhookEvent) error {
	for attempt := 0; attempt < 3; attempt++ {
		err := s.applyEventOnce(ctx, gateway, ev)
		if !IsCode(err, CodeConflict) {
			return err
		}
	}
	return Errorf(CodeConflict, "event %s kept conflicting; the provider will retry", ev.ID)
}

func (s *Service) applyEventOnce(ctx context.Context, gateway string, ev WebhookEvent) error {
	var (
		o               Order
		changed, failed bool
		balanceAt       int64
	)
	err := s.store.InTx(ctx, func(tx Store) error {
		fresh, err := tx.RecordGatewayEvent(ctx, gateway, ev.ID, s.clock.Now())
		if err != nil || !fresh {
			return err
		}
		orderID, err := s.orderOfEvent(ctx, tx, gateway, ev)
		if err != nil || orderID == "" {
			return err
		}
		o, changed, failed, balanceAt, err = s.settleTx(ctx, tx, orderID, updateFromEvent(ev))
		return err
	})
	if err != nil {
		return asDomainError(err)
	}
	s.announce(ctx, o, changed, balanceAt)
	if failed {
		s.countDecline(ctx, o.OrgID)
	}
	return nil
}

// orderOfEvent finds the order an event is about: by the gateway's payment
// id, else by the order id the provider echoed back. "" when the event is
// about a payment Tally did not make (acknowledged and ignored).
func (s *Service) orderOfEvent(ctx context.Context, tx Store, gateway string, ev WebhookEvent) (string, error) {
	if ev.PaymentID != "" {
		o, err := tx.OrderByPayment(ctx, gateway, ev.PaymentID)
		if err == nil {
			return o.ID, nil
		}
		if !IsCode(err, CodeNotFound) {
			return "", err
		}
	}
	if ev.OrderID != "" && ValidID(ev.OrderID) {
		o, err := tx.OrderByID(ctx, ev.OrderID)
		if err == nil && o.Gateway == gateway {
			return o.ID, nil
		}
		if err != nil && !IsCode(err, CodeNotFound) {
			return "", err
		}
	}
	return "", nil
}

// Reconcile re-checks with their gateways up to limit orders left PENDING,
// REQUIRES_ACTION or PROCESSING for longer than olderThan, completes
// payments the buyer approved (ConfirmPayment), and settles them as the
// gateway reports. An order whose payment never started (the
// gateway was down) is started again with the same gateway idempotency
// key. Safe to run on many instances at once.
func (s *Service) Reconcile(ctx context.Context, olderThan time.Duration, limit int) (ReconcileReport, error) {
	var rep ReconcileReport
	if s.gateways == nil {
		return rep, nil
	}
	orders, err := s.store.OrdersToReconcile(ctx,
		[]OrderStatus{OrderPending, OrderRequiresAction, OrderProcessing}, s.clock.Now().Add(-olderThan), limit)
	if err != nil {
		return rep, asDomainError(err)
	}
	for _, o := range orders {
		rep.Checked++
		after, err := s.reconcileOne(ctx, o)
		if err != nil {
			rep.Errors = append(rep.Errors, fmt.Sprintf("%s: %v", o.Number, err))
			continue
		}
		if after.Status != o.Status {
			rep.Changed = append(rep.Changed, ReconcileChange{OrderID: o.ID, OrderNumber: o.Number, From: o.Status, To: after.Status})
		}
	}
	return rep, nil
}

func (s *Service) reconcileOne(ctx context.Context, o Order) (Order, error) {
	gw, ok := s.gateways.Get(o.Gateway)
	if !ok {
		return o, Errorf(CodeGatewayUnavailable, "gateway %s is not configured", o.Gateway)
	}
	if o.PaymentID == "" {
		c, err := s.startPayment(ctx, o, "", "")
		if IsCode(err, CodePaymentFailed) || errors.Is(err, errCreditCeiling) {
			return s.store.OrderByID(ctx, o.ID)
		}
		return c.Order, err
	}
	// Confirm, not just read: a buyer who approved (PayPal) and left before
	// the SPA called confirmOrder still gets the payment completed, under
	// the same gateway idempotency key confirmOrder uses.
	p, err := gw.ConfirmPayment(ctx, o.PaymentID, "confirm-"+o.ID)
	if IsCode(err, CodePaymentFailed) {
		return s.settleDecline(ctx, o.ID, p, err)
	}
	if err != nil {
		return o, err
	}
	after, err := s.settle(ctx, o.ID, updateFromPayment(p))
	if err != nil {
		return o, err
	}
	if after.Version == o.Version {
		// Still waiting on the buyer or the provider: touch it so the next
		// pass checks other orders first.
		err = s.store.InTx(ctx, func(tx Store) error {
			cur, err := tx.LockOrder(ctx, o.ID)
			if err != nil || cur.Version != o.Version {
				return err
			}
			cur.UpdatedAt = s.clock.Now()
			cur.Version++
			return tx.UpdateOrder(ctx, cur)
		})
	}
	return after, asDomainError(err)
}

// Order returns an order the caller may read (authorizeOrderRead): members
// with the billing right (OWNER, BILLING), and platform admins. Codes:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (s *Service) Order(ctx context.Context, id string) (Order, error) {
	return s.orderFor(ctx, id, s.authorizeOrderRead)
}

// orderFor loads an order and authorizes the caller on its org with allow
// (authorizeOrderRead or authorizeOrderChange); NOT_FOUND for an order of
// an org the caller cannot see.
func (s *Service) orderFor(ctx context.Context, id string, allow func(context.Context, string) error) (Order, error) {
	if _, ok := ActorFrom(ctx); !ok {
		return Order{}, Errorf(CodeUnauthenticated, "sign in required")
	}
	if !ValidID(id) {
		return Order{}, NotFound("order")
	}
	o, err := s.store.OrderByID(ctx, id)
	if err != nil {
		return Order{}, asDomainError(err)
	}
	if err := allow(ctx, o.OrgID); err != nil {
		if IsCode(err, CodeNotFound) {
			return Order{}, NotFound("order")
		}
		return Order{}, err
	}
	return o, nil
}

// Orders pages an org's orders, newest first, optionally by status.
// Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (s *Service) Orders(ctx context.Context, orgID string, f OrderFilter, p Page) (Connection[Order], error) {
	if _, err := s.authorize(ctx, orgID, ActionBilling); err != nil {
		return Connection[Order]{}, err
	}
	for _, st := range f.Statuses {
		if !st.Valid() {
			return Connection[Order]{}, InvalidInput("status", "unknown order status %q", st)
		}
	}
	c, err := s.store.ListOrders(ctx, orgID, f, p)
	return c, asDomainError(err)
}

// Invoice returns an invoice, authorized exactly like its order
// (authorizeOrderRead), so invoice(id) and order(id){invoice} agree. Codes:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (s *Service) Invoice(ctx context.Context, id string) (Invoice, error) {
	if _, ok := ActorFrom(ctx); !ok {
		return Invoice{}, Errorf(CodeUnauthenticated, "sign in required")
	}
	if !ValidID(id) {
		return Invoice{}, NotFound("invoice")
	}
	inv, err := s.store.InvoiceByID(ctx, id)
	if err != nil {
		return Invoice{}, asDomainError(err)
	}
	return s.invoiceFor(ctx, inv)
}

// InvoiceOfOrder returns a paid order's invoice (NOT_FOUND before payment)
// for an order's invoice field, authorized like Invoice.
func (s *Service) InvoiceOfOrder(ctx context.Context, orderID string) (Invoice, error) {
	if _, ok := ActorFrom(ctx); !ok {
		return Invoice{}, Errorf(CodeUnauthenticated, "sign in required")
	}
	inv, err := s.store.InvoiceByOrder(ctx, orderID)
	if err != nil {
		return Invoice{}, asDomainError(err)
	}
	return s.invoiceFor(ctx, inv)
}

// invoiceFor returns inv when the caller may read its org's orders.
func (s *Service) invoiceFor(ctx context.Context, inv Invoice) (Invoice, error) {
	if err := s.authorizeOrderRead(ctx, inv.OrgID); err != nil {
		if IsCode(err, CodeNotFound) {
			return Invoice{}, NotFound("invoice")
		}
		return Invoice{}, err
	}
	return inv, nil
}

// Invoices pages an org's invoices, newest first. Codes: UNAUTHENTICATED,
// NOT_FOUND, FORBIDDEN.
func (s *Service) Invoices(ctx context.Context, orgID string, p Page) (Connection[Invoice], error) {
	if _, err := s.authorize(ctx, orgID, ActionBilling); err != nil {
		return Connection[Invoice]{}, err
	}
	c, err := s.store.ListInvoices(ctx, orgID, p)
	return c, asDomainError(err)
}

// InstallmentOptions prices a pack for every installment count a gateway
// can take for the org (1 = at once). Codes: UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN, INVALID_INPUT.
func (s *Service) InstallmentOptions(ctx context.Context, orgID, packID string, quantity int) ([]InstallmentOption, error) {
	if _, err := s.authorize(ctx, orgID, ActionBilling); err != nil {
		return nil, err
	}
	org, err := s.store.OrgByID(ctx, orgID)
	if err != nil {
		return nil, asDomainError(err)
	}
	if !ValidID(packID) {
		return nil, InvalidInput("packId", "unknown pack")
	}
	pack, err := s.store.PackByID(ctx, packID)
	if IsCode(err, CodeNotFound) || (err == nil && !pack.Active) {
		return nil, InvalidInput("packId", "unknown pack")
	}
	if err != nil {
		return nil, asDomainError(err)
	}
	var out []InstallmentOption
	for n := 1; n <= 12; n++ {
		if s.gateways == nil || (n > 1 && !s.pricing.installmentsAllowed(org.Country, org.Currency)) {
			break
		}
		if _, err := s.gateways.Route(RouteRequest{Country: org.Country, Currency: org.Currency, Method: MethodCard, Installments: n}); err != nil {
			continue
		}
		q, err := PricePack(s.pricing, QuoteInput{Pack: pack, Quantity: quantity, Currency: org.Currency, Country: org.Country, Installments: n})
		if err != nil {
			return nil, err
		}
		opt := InstallmentOption{Count: n, Amount: q.Total, Commission: Money{Currency: org.Currency}, Total: q.Total}
		if q.Installments != nil {
			opt.Amount, opt.Commission = q.Installments.Amount, q.Installments.Commission
		}
		out = append(out, opt)
	}
	return out, nil
}

// OrderEvent is pushed to orderUpdated subscribers.
type OrderEvent struct {
	Order Order
}

// WatchOrders streams an org's orders as they change, on whichever
// instance changed them, until ctx ends; authorized like Orders, and again
// before each event.
func (s *Service) WatchOrders(ctx context.Context, orgID string) (<-chan Order, error) {
	if _, err := s.authorize(ctx, orgID, ActionBilling); err != nil {
		return nil, err
	}
	if s.bus == nil {
		return nil, Internal(fmt.Errorf("no event bus configured"))
	}
	in := s.bus.Subscribe(ctx, orgID)
	out := make(chan Order, 4)
	go func() {
		defer close(out)
		seen := map[string]int64{}
		for ev := range in {
			if ev.Kind != EventOrder || ev.RefID == "" {
				continue
			}
			if _, err := s.authorize(ctx, orgID, ActionBilling); err != nil {
				return
			}
			o, err := s.store.OrderByID(ctx, ev.RefID)
			if err != nil || o.OrgID != orgID || o.Version <= seen[o.ID] {
				continue
			}
			seen[o.ID] = o.Version
			select {
			case out <- o:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// announce publishes, after commit, what a settled order changed: the
// balance when credits moved (balanceAt > 0), the order when it changed.
func (s *Service) announce(ctx context.Context, o Order, changed bool, balanceAt int64) {
	if balanceAt > 0 {
		s.publish(ctx, Event{Kind: EventBalance, OrgID: o.OrgID, Version: balanceAt})
	}
	if changed {
		s.publishOrder(ctx, o)
	}
}

func (s *Service) publishOrder(ctx context.Context, o Order) {
	s.publish(ctx, Event{Kind: EventOrder, OrgID: o.OrgID, RefID: o.ID, Version: o.Version})
}

// validInvoiceDetails trims and bounds the optional checkout details.
func validInvoiceDetails(d *InvoiceDetails) (*InvoiceDetails, error) {
	if d == nil {
		return nil, nil
	}
	out := InvoiceDetails{
		CompanyName: strings.TrimSpace(d.CompanyName), Country: strings.ToUpper(strings.TrimSpace(d.Country)),
		Address: strings.TrimSpace(d.Address), TaxID: strings.TrimSpace(d.TaxID),
	}
	for field, v := range map[string]string{
		"invoiceDetails.companyName": out.CompanyName, "invoiceDetails.address": out.Address, "invoiceDetails.taxId": out.TaxID,
	} {
		if len(v) > maxInvoiceField || !utf8.ValidString(v) {
			return nil, InvalidInput(field, "must be valid text of at most %d bytes", maxInvoiceField)
		}
	}
	if out.Country != "" && !validCountry(out.Country) {
		return nil, InvalidInput("invoiceDetails.country", "must be an ISO 3166-1 alpha-2 code")
	}
	if out == (InvoiceDetails{}) {
		return nil, nil
	}
	return &out, nil
}
