package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MaxSeats is the most seats one subscription may have.
const MaxSeats = 10_000

// SubscribeInput is a request to subscribe an org to a plan (subscribe).
type SubscribeInput struct {
	OrgID  string
	PlanID string
	Seats  int
	// Gateway, Method and Installments route and split the payment as for
	// a pack; Installments also applies to every renewal.
	Gateway      string
	Method       PaymentMethodKind
	Installments int
	// PaymentMethodID is a saved payment method's ID (charged now and on
	// renewals) or a gateway token for this payment only; "" lets the
	// buyer pay on the gateway's page.
	PaymentMethodID string
	ReturnURL       string
	IdempotencyKey  string
	InvoiceDetails  *InvoiceDetails
}

// SubscriptionCheckout is the answer of a subscription change: the
// subscription as it now stands and, when the change is charged, the
// order and what the SPA must do to pay it.
type SubscriptionCheckout struct {
	Subscription Subscription
	Order        *Order
	NextAction   *NextAction
	// Quote is how the change was priced (what previewChange shows).
	Quote SubscriptionQuote
}

// Subscription returns the org's live subscription, nil when the org is on
// the Free plan. Every member may read it. Codes: UNAUTHENTICATED,
// NOT_FOUND, FORBIDDEN.
func (s *Service) Subscription(ctx context.Context, orgID string) (*Subscription, error) {
	if _, err := s.authorize(ctx, orgID, ActionReadOrg); err != nil {
		return nil, err
	}
	sub, err := s.store.LiveSubscription(ctx, orgID)
	if IsCode(err, CodeNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, asDomainError(err)
	}
	return &sub, nil
}

// SubscriptionByID returns a subscription its reader's org owns (node).
// Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (s *Service) SubscriptionByID(ctx context.Context, id string) (Subscription, error) {
	if !ValidID(id) {
		return Subscription{}, NotFound("subscription")
	}
	sub, err := s.store.SubscriptionByID(ctx, id)
	if err != nil {
		return Subscription{}, asDomainError(err)
	}
	if _, err := s.authorize(ctx, sub.OrgID, ActionReadOrg); err != nil {
		return Subscription{}, err
	}
	return sub, nil
}

// subscribeHash is the request hash of a subscribe.
func subscribeHash(in SubscribeInput, details *InvoiceDetails) string {
	return requestHash("subscribe", in.OrgID, in.PlanID, in.Seats, in.Gateway, string(in.Method),
		in.Installments, in.PaymentMethodID, fmt.Sprint(details))
}

// Subscribe starts a subscription to a paid plan: the subscription is
// INCOMPLETE until its first order is paid, which makes it ACTIVE from the
// moment of payment (the anchor of every later period), switches
// auto-renewal on, sets the org's paid seats and grants the month's
// included credits. Seats must cover the org's members and pending
// invitations. Codes: INVALID_INPUT (planId, seats, installments,
// gateway, returnUrl, …), UNAUTHENTICATED, NOT_FOUND, FORBIDDEN (OWNER and
// BILLING only), CONFLICT (the org already has a subscription: change it
// instead; or the key reused with other input), PAYMENT_FAILED,
// GATEWAY_UNAVAILABLE, RATE_LIMITED.
func (s *Service) Subscribe(ctx context.Context, in SubscribeInput) (SubscriptionCheckout, error) {
	acc, returnURL, err := s.checkCharge(ctx, in.OrgID, in.IdempotencyKey, in.ReturnURL)
	if err != nil {
		return SubscriptionCheckout{}, err
	}
	details, err := validInvoiceDetails(in.InvoiceDetails)
	if err != nil {
		return SubscriptionCheckout{}, err
	}
	k := idemKey{orgID: in.OrgID, key: in.IdempotencyKey, op: "subscribe", hash: subscribeHash(in, details)}
	replay := func(ctx context.Context, rec IdempotencyRecord) (SubscriptionCheckout, error) {
		return s.resumeSubscriptionOrder(ctx, rec, in.PaymentMethodID, returnURL)
	}
	return once(ctx, s, k, replay, func(ctx context.Context, record recordFunc) (SubscriptionCheckout, error) {
		return s.subscribe(ctx, in, acc, details, returnURL, record)
	})
}

// subscriptionPlan returns an active plan for a subscription; INVALID_INPUT
// on field otherwise.
func (s *Service) subscriptionPlan(ctx context.Context, id, field string) (Plan, error) {
	if !ValidID(id) {
		return Plan{}, InvalidInput(field, "unknown plan")
	}
	p, err := s.store.PlanByID(ctx, id)
	if IsCode(err, CodeNotFound) || (err == nil && !p.Active) {
		return Plan{}, InvalidInput(field, "unknown plan")
	}
	return p, asDomainError(err)
}

// checkSeats accepts 1 to MaxSeats seats that cover the org's members and
// pending invitations; INVALID_INPUT on "seats" otherwise.
func (s *Service) checkSeats(ctx context.Context, st seatStore, orgID string, seats int) error {
	if seats < 1 || seats > MaxSeats {
		return InvalidInput("seats", "must be between 1 and %d", MaxSeats)
	}
	used, err := s.seats(ctx, st, orgID)
	if err != nil {
		return err
	}
	if need := used.Used + used.Pending; seats < need {
		return InvalidInput("seats", "the org has %d members and pending invitations; remove some before going below %d seats", need, need)
	}
	return nil
}

func (s *Service) subscribe(ctx context.Context, in SubscribeInput, acc Access, details *InvoiceDetails, returnURL string, record recordFunc) (SubscriptionCheckout, error) {
	org, err := s.store.OrgByID(ctx, in.OrgID)
	if err != nil {
		return SubscriptionCheckout{}, asDomainError(err)
	}
	if err := checkBuyer(org); err != nil {
		return SubscriptionCheckout{}, err
	}
	plan, err := s.subscriptionPlan(ctx, in.PlanID, "planId")
	if err != nil {
		return SubscriptionCheckout{}, err
	}
	if err := s.checkSeats(ctx, s.store, org.ID, in.Seats); err != nil {
		return SubscriptionCheckout{}, err
	}
	now := s.clock.Now()
	q, err := PriceSubscribe(s.pricing, plan, in.Seats, PriceTarget{Currency: org.Currency, Country: org.Country, Installments: in.Installments}, now)
	if err != nil {
		return SubscriptionCheckout{}, err
	}
	if err := s.checkRoom(ctx, org.ID, q.Credits, "seats"); err != nil {
		return SubscriptionCheckout{}, err
	}
	pay, err := s.subscriptionPayment(ctx, org, in.Gateway, in.Method, in.Installments, in.PaymentMethodID)
	if err != nil {
		return SubscriptionCheckout{}, err
	}
	if err := s.throttlePurchase(ctx, org.ID, acc.Actor); err != nil {
		return SubscriptionCheckout{}, err
	}
	sub := Subscription{
		ID: newID(), OrgID: org.ID, PlanID: plan.ID, Seats: in.Seats, Status: SubIncomplete,
		Currency: org.Currency, Gateway: pay.gateway.Name(), PaymentMethodID: pay.savedID, Installments: max(in.Installments, 1),
		Anchor: q.PeriodStart, CurrentPeriodStart: q.PeriodStart, CurrentPeriodEnd: q.PeriodEnd,
		NextResetAt: AddMonths(q.PeriodStart, 1), CreatedBy: acc.Actor.UserID, CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	o := s.subscriptionOrder(org, sub, q, ActionSubscribe, pay, details, acc.Actor.UserID, now)
	sub.LatestOrderID = o.ID
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := s.replaceAbandoned(ctx, tx, org.ID, now); err != nil {
			return err
		}
		if err := tx.CreateSubscription(ctx, sub); err != nil {
			if IsCode(err, CodeConflict) {
				return errAlreadySubscribed()
			}
			return err
		}
		if err := s.createOrder(ctx, tx, &o); err != nil {
			return err
		}
		return record(ctx, tx, []byte(o.ID))
	})
	if err != nil {
		return SubscriptionCheckout{}, asDomainError(err)
	}
	s.publishSubscription(ctx, sub)
	return s.chargeSubscriptionOrder(ctx, o, pay.paymentMethodID, returnURL, q)
}

func errAlreadySubscribed() error {
	return &Error{Code: CodeConflict, Field: "orgId", Message: "the org already has a subscription; change its plan or seats instead"}
}

// replaceAbandoned ends the org's INCOMPLETE subscription whose first
// order will never be paid (failed, canceled or removed), so a new
// subscribe can take its place. A live one stays: the new subscribe is
// then refused.
func (s *Service) replaceAbandoned(ctx context.Context, tx Store, orgID string, now time.Time) error {
	cur, err := tx.LiveSubscription(ctx, orgID)
	if IsCode(err, CodeNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if cur.Status != SubIncomplete {
		return errAlreadySubscribed()
	}
	if cur.LatestOrderID != "" {
		o, err := tx.OrderByID(ctx, cur.LatestOrderID)
		if err != nil && !IsCode(err, CodeNotFound) {
			return err
		}
		if err == nil && o.Status != OrderFailed && o.Status != OrderCanceled {
			return &Error{Code: CodeConflict, Field: "orgId",
				Message: fmt.Sprintf("the org's subscription is waiting for the payment of order %s; pay or cancel it first", o.Number)}
		}
	}
	cur, err = tx.LockSubscription(ctx, cur.ID)
	if err != nil {
		return err
	}
	cur.Status, cur.EndedAt, cur.UpdatedAt = SubEnded, &now, now
	cur.Version++
	return tx.UpdateSubscription(ctx, cur)
}

// subPayment is how a subscription order is paid: the routed gateway and
// either a saved method (savedID, charged off session now and on
// renewals) or a one-time token or page (paymentMethodID as given).
type subPayment struct {
	gateway         Gateway
	savedID         string
	paymentMethodID string
	method          PaymentMethodKind
	installments    int
}

// subscriptionPayment routes a subscription's payment: a saved method
// fixes the gateway (INVALID_INPUT on "gateway" when another is named);
// otherwise the router picks as for packs.
func (s *Service) subscriptionPayment(ctx context.Context, org Org, gateway string, method PaymentMethodKind, installments int, paymentMethodID string) (subPayment, error) {
	pay := subPayment{paymentMethodID: paymentMethodID, method: method, installments: max(installments, 1)}
	if saved, ok, err := s.savedMethodOf(ctx, org.ID, paymentMethodID); err != nil {
		return subPayment{}, err
	} else if ok {
		if gateway != "" && gateway != saved.Gateway {
			return subPayment{}, InvalidInput("gateway", "payment method %s is saved with %s", paymentMethodID, saved.Gateway)
		}
		gateway, pay.savedID = saved.Gateway, saved.ID
		if method == "" {
			pay.method = saved.Kind
		}
	}
	gw, err := s.gateways.Route(RouteRequest{Country: org.Country, Currency: org.Currency, Method: pay.method, Installments: pay.installments, Gateway: gateway})
	if err != nil {
		return subPayment{}, err
	}
	pay.gateway, pay.method = gw, orderMethod(pay.method, paymentMethodID, gw)
	return pay, nil
}

// subscriptionOrder is the PENDING order of a subscription action.
func (s *Service) subscriptionOrder(org Org, sub Subscription, q SubscriptionQuote, action SubscriptionAction, pay subPayment, details *InvoiceDetails, by string, now time.Time) Order {
	return Order{
		ID: newID(), OrgID: org.ID, Status: OrderPending, Lines: q.Lines,
		Subtotal: q.Subtotal, Tax: q.Tax, TaxRateBP: q.TaxRateBP, Total: q.Total,
		Credits: q.Credits, Validity: ValidityBillingCycle, Gateway: pay.gateway.Name(), Method: pay.method,
		Installments: q.Installments, InvoiceDetails: details, CreatedBy: by, CreatedAt: now, UpdatedAt: now, Version: 1,
		Subscription: &OrderSubscription{
			SubscriptionID: sub.ID, Action: action, PlanID: q.Plan.ID, Seats: q.Seats,
			PeriodStart: q.PeriodStart, PeriodEnd: q.PeriodEnd,
		},
	}
}

// createOrder numbers o in the year's order series and inserts it.
func (s *Service) createOrder(ctx context.Context, tx Store, o *Order) error {
	n, err := tx.NextNumber(ctx, fmt.Sprintf(orderSeriesFmt, o.CreatedAt.Year()))
	if err != nil {
		return err
	}
	o.Number = fmt.Sprintf("ORD-%d-%06d", o.CreatedAt.Year(), n)
	return tx.CreateOrder(ctx, *o)
}

// chargeSubscriptionOrder starts the payment of a subscription order and
// answers with the subscription as it stands after it.
func (s *Service) chargeSubscriptionOrder(ctx context.Context, o Order, paymentMethodID, returnURL string, q SubscriptionQuote) (SubscriptionCheckout, error) {
	s.publishOrder(ctx, o)
	co, err := s.startPayment(ctx, o, paymentMethodID, returnURL)
	if err != nil {
		return SubscriptionCheckout{}, err
	}
	sub, err := s.store.SubscriptionByID(ctx, o.Subscription.SubscriptionID)
	if err != nil {
		return SubscriptionCheckout{}, asDomainError(err)
	}
	return SubscriptionCheckout{Subscription: sub, Order: &co.Order, NextAction: co.NextAction, Quote: q}, nil
}

// resumeSubscriptionOrder answers a repeated key of a charged subscription
// change: its order (with its payment started if the first attempt could
// not) and the subscription as it stands now.
func (s *Service) resumeSubscriptionOrder(ctx context.Context, rec IdempotencyRecord, paymentMethodID, returnURL string) (SubscriptionCheckout, error) {
	resp := string(rec.Response)
	if subID, ok := strings.CutPrefix(resp, "sub:"); ok { // a change made without an order
		sub, err := s.store.SubscriptionByID(ctx, subID)
		if err != nil {
			return SubscriptionCheckout{}, asDomainError(err)
		}
		return SubscriptionCheckout{Subscription: sub}, nil
	}
	co, err := s.resumePurchase(ctx, rec, paymentMethodID, returnURL)
	if err != nil {
		return SubscriptionCheckout{}, err
	}
	if co.Order.Subscription == nil {
		return SubscriptionCheckout{}, Internal(errors.New("a subscription key recorded an order without a subscription"))
	}
	sub, err := s.store.SubscriptionByID(ctx, co.Order.Subscription.SubscriptionID)
	if err != nil {
		return SubscriptionCheckout{}, asDomainError(err)
	}
	return SubscriptionCheckout{Subscription: sub, Order: &co.Order, NextAction: co.NextAction}, nil
}

// publishSubscription announces a committed change of a subscription.
func (s *Service) publishSubscription(ctx context.Context, sub Subscription) {
	s.publish(ctx, Event{Kind: EventSubscription, OrgID: sub.OrgID, RefID: sub.ID, Version: sub.Version})
}

// savedMethodOf returns the org's saved payment method id, ok false when
// id names none (a gateway token, a test card, or nothing). A saved method
// still waiting for the buyer is INVALID_INPUT on "paymentMethodId".
func (s *Service) savedMethodOf(ctx context.Context, orgID, id string) (PaymentMethod, bool, error) {
	if id == "" || !ValidID(id) {
		return PaymentMethod{}, false, nil
	}
	m, err := s.store.PaymentMethodByID(ctx, id)
	if IsCode(err, CodeNotFound) || (err == nil && m.OrgID != orgID) {
		return PaymentMethod{}, false, nil
	}
	if err != nil {
		return PaymentMethod{}, false, asDomainError(err)
	}
	if m.Status != MethodActive {
		return PaymentMethod{}, false, InvalidInput("paymentMethodId", "the payment method is not ready; confirm it first")
	}
	return m, true, nil
}

// checkCharge is what every charged subscription mutation checks first, in
// order: the idempotency key, the return URL (before anything could
// redirect a buyer to it), that the caller may buy for the org, and that a
// gateway is configured. It returns the caller's access and the accepted
// return URL.
func (s *Service) checkCharge(ctx context.Context, orgID, key, returnURL string) (Access, string, error) {
	if err := validateKey(key); err != nil {
		return Access{}, "", err
	}
	url, err := s.returnURL(returnURL)
	if err != nil {
		return Access{}, "", err
	}
	acc, err := s.authorize(ctx, orgID, ActionBilling)
	if err != nil {
		return Access{}, "", err
	}
	if s.gateways == nil {
		return Access{}, "", Errorf(CodeGatewayUnavailable, "no payment gateway is configured")
	}
	return acc, url, nil
}
