package domain

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// OrderStatus is where an order is in its life.
type OrderStatus string

// Order states (the schema's OrderStatus). PAID, FAILED, CANCELED, REFUNDED and
// PARTIALLY_REFUNDED are reached only through orderTransitions.
const (
	// OrderDraft: a draft being edited (draft.go): never charged, not
	// awaiting payment; checkout makes it an order PENDING.
	OrderDraft             OrderStatus = "DRAFT"
	OrderPending           OrderStatus = "PENDING"
	OrderRequiresAction    OrderStatus = "REQUIRES_ACTION"
	OrderProcessing        OrderStatus = "PROCESSING"
	OrderPaid              OrderStatus = "PAID"
	OrderFailed            OrderStatus = "FAILED"
	OrderCanceled          OrderStatus = "CANCELED"
	OrderRefunded          OrderStatus = "REFUNDED"
	OrderPartiallyRefunded OrderStatus = "PARTIALLY_REFUNDED"
)

// Valid reports whether s is a known status.
func (s OrderStatus) Valid() bool {
	_, ok := orderTransitions[s]
	return ok
}

// Unpaid reports whether money has not been collected yet: the order can
// still be paid, canceled or fail.
func (s OrderStatus) Unpaid() bool {
	return s == OrderPending || s == OrderRequiresAction || s == OrderProcessing
}

// orderTransitions lists, per status, the statuses it may move to.
var orderTransitions = map[OrderStatus][]OrderStatus{
	OrderDraft:             {OrderPending, OrderCanceled},
	OrderPending:           {OrderRequiresAction, OrderProcessing, OrderPaid, OrderFailed, OrderCanceled},
	OrderRequiresAction:    {OrderPending, OrderProcessing, OrderPaid, OrderFailed, OrderCanceled},
	OrderProcessing:        {OrderRequiresAction, OrderPaid, OrderFailed, OrderCanceled},
	OrderPaid:              {OrderPartiallyRefunded, OrderRefunded},
	OrderPartiallyRefunded: {OrderPartiallyRefunded, OrderRefunded},
	// A gateway may still collect money for a failed or canceled order (a
	// buyer retrying with another card, a cancel racing a capture): the
	// money is real, so the order becomes PAID and is fulfilled.
	OrderFailed:   {OrderPaid},
	OrderCanceled: {OrderPaid},
	OrderRefunded: {},
}

// CanMove reports whether an order may go from s to next.
func (s OrderStatus) CanMove(next OrderStatus) bool {
	for _, t := range orderTransitions[s] {
		if t == next {
			return true
		}
	}
	return false
}

// OrderLineKind classifies an order line.
type OrderLineKind string

// Order line kinds.
const (
	LinePack                  OrderLineKind = "PACK"
	LineInstallmentCommission OrderLineKind = "INSTALLMENT_COMMISSION"
	LinePlan                  OrderLineKind = "PLAN"
	LineSeats                 OrderLineKind = "SEATS"
	LineProration             OrderLineKind = "PRORATION"
	LineSurcharge             OrderLineKind = "SURCHARGE"
	// LineTopUp is a top-up by amount: its amount buys Credits at the
	// catalog's top-up rule (topup.go).
	LineTopUp OrderLineKind = "TOP_UP"
)

// OrderLine is one priced line of an order (tax is on the order, not a line).
type OrderLine struct {
	Kind        OrderLineKind
	Description string
	Quantity    int64
	UnitPrice   Money
	Amount      Money
	// PackID and Credits describe a PACK line: the credits it grants in
	// all, or for a recurring add-on line (Months > 0) each month. A
	// TOP_UP line has Credits and no PackID.
	PackID  string
	Credits int64
	// Months is the term a recurring add-on line pays for (its UnitPrice
	// is a pack's price for the whole term); 0 on other lines.
	Months int
	// AddonID is the add-on a renewal's PACK line renews ("" otherwise).
	AddonID string
	// ItemID is the order item the line prices, on orders with items ("" on
	// other lines and orders).
	ItemID string
}

// InstallmentPlan is how an order is split into monthly installments.
type InstallmentPlan struct {
	Count int
	// Amount is one installment; Commission is the commission line's total
	// (zero below the commission threshold); Total is what the buyer pays in
	// all.
	Amount     Money
	Commission Money
	Total      Money
}

// Order is one purchase.
type Order struct {
	ID     string
	Number string // human readable, unique: ORD-2026-000042
	OrgID  string
	Status OrderStatus
	Lines  []OrderLine
	// Subtotal is the sum of the lines, Tax is charged on it at TaxRateBP
	// basis points, Total = Subtotal + Tax is what the gateway collects.
	Subtotal  Money
	Tax       Money
	TaxRateBP int
	Total     Money

	// Credits is what the order grants once PAID, with the pack's validity.
	Credits   int64
	Validity  ValidityPolicy
	ExpiresAt *time.Time // for BILLING_CYCLE and RECURRING grants

	Gateway      string
	Method       PaymentMethodKind // orderMethod at checkout, else what the gateway reports
	PaymentID    string            // the gateway's payment reference
	Installments *InstallmentPlan
	NextAction   *NextAction
	// FailureReason says why a FAILED order failed: the provider's bare
	// decline reason ("generic_decline"), in one form however the decline
	// was reported (settleDecline).
	FailureReason string
	// Review says why the order needs an operator: money the gateway
	// reports collected that Tally did not accept (an amount or currency
	// other than Total, or credits that would take the org's balance over
	// MaxCredits). Such an order is never fulfilled on that report; it
	// stays unpaid, is logged at ERROR and keeps being reconciled. "" when
	// nothing is wrong. Tally never clears it: an operator does, after
	// settling the money with the provider.
	Review string
	// Refunded is the total refunded so far, in minor units of Total.
	Refunded int64
	// GrantID is the credit grant made when the order was paid ("" before,
	// and on an order with items: each item has its own).
	GrantID string
	// Items are the order's items when it was made from a draft
	// (orderitem.go): each with its own credits, validity and, once paid,
	// grant and expiry. Credits is then their sum; Validity, ExpiresAt and
	// GrantID are empty. Nil for every other order.
	Items []OrderItem
	// RetryDraftID is, on an order of checkoutOrder whose payment failed
	// or was canceled, the draft its items were given back in
	// (giveBackCartTx): the cart to pay again, perhaps with another card.
	// It also marks the order as one whose cart was given back, so money
	// still collected for it later is not fulfilled twice (reclaimCartTx).
	// "" on every other order.
	RetryDraftID string
	// Subscription is what the order does to the org's plan subscription
	// once paid (subscribe, renew, change plan, add seats); nil for an
	// order that only buys credits. Its credits (Credits) are then the
	// period's included credits, granted as SUBSCRIPTION credit.
	Subscription *OrderSubscription
	// AutoRecharge is how an automatic top-up made the order (PACK or
	// OVERAGE); "" for every other order. Its credits are AUTO_RECHARGE
	// grants, and the database keeps one such order in flight per org.
	AutoRecharge   AutoRechargeMode
	InvoiceDetails *InvoiceDetails
	CreatedBy      string // user who bought
	CreatedAt      time.Time
	UpdatedAt      time.Time
	PaidAt         *time.Time
	// Version increases with every change (optimistic concurrency and
	// subscription ordering).
	Version int64
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
	if IsCode(err, CodeNotFound) {
		o, err = s.store.DraftByID(ctx, id) // a draft is an order too
	}
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
	if slices.Contains(f.Statuses, OrderDraft) {
		if len(f.Statuses) > 1 {
			return Connection[Order]{}, InvalidInput("status", "list DRAFT orders on their own")
		}
		return s.draftsConnection(ctx, orgID)
	}
	c, err := s.store.ListOrders(ctx, orgID, f, p)
	return c, asDomainError(err)
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
// balance when credits moved (balanceAt > 0), the order when it changed,
// and the org's history when it changed to a status whose event settle
// recorded.
func (s *Service) announce(ctx context.Context, o Order, changed bool, balanceAt int64) {
	if balanceAt > 0 {
		s.publish(ctx, Event{Kind: EventBalance, OrgID: o.OrgID, Version: balanceAt})
	}
	if changed {
		s.publishOrder(ctx, o)
		switch o.Status {
		case OrderPaid, OrderFailed, OrderCanceled, OrderRefunded, OrderPartiallyRefunded:
			// settleTx recorded the order's event (and maybe dunning's):
			// the org's history (and maybe its status) changed.
			s.publishOrgEvent(ctx, o.OrgID)
		}
	}
}

func (s *Service) publishOrder(ctx context.Context, o Order) {
	s.publish(ctx, Event{Kind: EventOrder, OrgID: o.OrgID, RefID: o.ID, Version: o.Version})
}
