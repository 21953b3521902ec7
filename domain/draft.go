package domain

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Draft orders.
//
// A draft is an order in DRAFT: items the buyer is still choosing, priced
// after every change exactly as checkout will charge them (the same
// priceItems call), never charged, and not an order awaiting payment
// (reconciliation, the org's in-flight checks and the order list by
// default do not see it). Every edit (add, remove, change a quantity) is
// a conditional write of the draft at the version it read (DraftStore.
// UpdateDraft), retried a few times when a concurrent edit won. Checkout
// takes the version the buyer saw: another version is CONFLICT, so
// nobody is charged for a quote they did not see. Checkout deletes the
// draft at that version and inserts the order (PENDING, same id) in one
// transaction; from then on every edit is CONFLICT and changes nothing.
// Drafts untouched for Config.DraftTTL are discarded (DiscardStaleDrafts).

// DefaultDraftTTL is how long a draft nobody touches is kept.
const DefaultDraftTTL = 7 * 24 * time.Hour

// draftEditAttempts is how many times an edit rereads the draft after a
// concurrent edit changed it first.
const draftEditAttempts = 4

// DraftStore keeps draft orders.
type DraftStore interface {
	// CreateDraft inserts a draft (Status DRAFT, Version 1); NOT_FOUND when
	// its org does not exist or was deleted.
	CreateDraft(ctx context.Context, o Order) error
	// DraftByID returns a draft or NOT_FOUND (also once checked out).
	DraftByID(ctx context.Context, id string) (Order, error)
	// UpdateDraft saves a draft's items, lines, amounts, credits,
	// installments, updated time and version when the stored version is
	// o.Version-1; CONFLICT when it differs, NOT_FOUND when the draft is
	// gone (checked out or discarded).
	UpdateDraft(ctx context.Context, o Order) error
	// DeleteDraft removes a draft when its stored version is version;
	// CONFLICT when it differs, NOT_FOUND when it is gone.
	DeleteDraft(ctx context.Context, id string, version int64) error
	// CountDrafts counts an org's drafts.
	CountDrafts(ctx context.Context, orgID string) (int, error)
	// DraftsOfOrg lists an org's drafts, newest first.
	DraftsOfOrg(ctx context.Context, orgID string) ([]Order, error)
	// DeleteStaleDrafts removes up to limit drafts last updated before
	// before, returning how many.
	DeleteStaleDrafts(ctx context.Context, before time.Time, limit int) (int, error)
}

// CreateOrderInput asks for a draft order (createOrder).
type CreateOrderInput struct {
	OrgID string
	// Currency, when set, must be the org's.
	Currency Currency
	Items    []OrderItemInput
	// Installments is the installment count the draft is priced in (0 or
	// 1: at once).
	Installments int
}

// CheckoutOrderInput pays a draft (checkoutOrder).
type CheckoutOrderInput struct {
	OrderID string
	// Version is the draft's version the buyer saw.
	Version int64
	Gateway string
	Method  PaymentMethodKind
	// Installments, when set, must be the draft's count.
	Installments    int
	PaymentMethodID string
	IdempotencyKey  string
	InvoiceDetails  *InvoiceDetails
	ReturnURL       string
}

// CreateDraftOrder creates a draft order of the org with items, priced in
// the org's currency. Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN (OWNER
// and BILLING only), ORG_SUSPENDED, INVALID_INPUT (items, with the item's
// field; currency; installments), CONFLICT (MaxOpenDrafts reached; a PLAN
// item when the org has a subscription; a CLOSED org).
func (s *Service) CreateDraftOrder(ctx context.Context, in CreateOrderInput) (Order, error) {
	acc, err := s.authorize(ctx, in.OrgID, ActionBilling)
	if err != nil {
		return Order{}, err
	}
	org, err := s.store.OrgByID(ctx, in.OrgID)
	if err != nil {
		return Order{}, asDomainError(err)
	}
	if err := checkBuyer(org); err != nil {
		return Order{}, err
	}
	if in.Currency != "" && in.Currency != org.Currency {
		return Order{}, InvalidInput("currency", "the org pays in %s", org.Currency)
	}
	if len(in.Items) > MaxOrderItems {
		return Order{}, InvalidInput("items", "at most %d items per order", MaxOrderItems)
	}
	if err := s.pricing.checkInstallments(max(in.Installments, 1)); err != nil {
		return Order{}, err
	}
	items := make([]OrderItem, 0, len(in.Items))
	for i, x := range in.Items {
		it, err := itemFromInput(x)
		if err != nil {
			return Order{}, itemFieldError(err, i)
		}
		items = append(items, it)
	}
	n, err := s.store.CountDrafts(ctx, org.ID)
	if err != nil {
		return Order{}, asDomainError(err)
	}
	if n >= MaxOpenDrafts {
		return Order{}, Errorf(CodeConflict, "the org has %d draft orders; check out or cancel one first", n)
	}
	now := s.clock.Now()
	d := Order{ID: newID(), OrgID: org.ID, Status: OrderDraft, CreatedBy: acc.Actor.UserID, CreatedAt: now, Version: 1}
	if err := s.repriceDraft(ctx, org, &d, items, max(in.Installments, 1), now); err != nil {
		return Order{}, err
	}
	if err := s.store.CreateDraft(ctx, d); err != nil {
		return Order{}, asDomainError(err)
	}
	return d, nil
}

// repriceDraft prices items into d (lines, amounts, credits, items,
// installments) as of now.
func (s *Service) repriceDraft(ctx context.Context, org Org, d *Order, items []OrderItem, installments int, now time.Time) error {
	q, err := s.priceItems(ctx, org, items, installments, now)
	if err != nil {
		return err
	}
	d.Items, d.Lines, d.Subtotal, d.Tax, d.TaxRateBP, d.Total = q.Items, q.Lines, q.Subtotal, q.Tax, q.TaxRateBP, q.Total
	d.Credits, d.Installments, d.UpdatedAt = q.Credits, q.Installments, now
	if d.Items == nil {
		d.Items = []OrderItem{}
	}
	return nil
}

// draftInstallments is the installment count d is priced in.
func draftInstallments(d Order) int {
	if d.Installments != nil {
		return d.Installments.Count
	}
	return 1
}

// AddOrderItem adds an item to a draft and reprices it. Codes as
// CreateDraftOrder's, and CONFLICT once checkout has started.
func (s *Service) AddOrderItem(ctx context.Context, orderID string, in OrderItemInput) (Order, error) {
	it, err := itemFromInput(in)
	if err != nil {
		return Order{}, err
	}
	return s.editDraft(ctx, orderID, func(items []OrderItem) ([]OrderItem, error) {
		if len(items) >= MaxOrderItems {
			return nil, InvalidInput("items", "at most %d items per order", MaxOrderItems)
		}
		return append(items, it), nil
	})
}

// SetOrderItemQuantity sets an item's quantity (packs; seats of a PLAN
// or SEATS item; credits of EXTRA_CREDITS) and reprices the draft.
// Codes as AddOrderItem's; NOT_FOUND for an unknown item.
func (s *Service) SetOrderItemQuantity(ctx context.Context, orderID, itemID string, quantity int64) (Order, error) {
	if quantity < 1 {
		return Order{}, InvalidInput("quantity", "must be at least 1; remove the item instead")
	}
	return s.editDraft(ctx, orderID, func(items []OrderItem) ([]OrderItem, error) {
		i := slices.IndexFunc(items, func(it OrderItem) bool { return it.ID == itemID })
		if i < 0 {
			return nil, NotFound("order item")
		}
		items[i] = items[i].withQuantity(quantity)
		return items, nil
	})
}

// RemoveOrderItem removes an item from a draft and reprices it: a
// removed item is neither charged nor granted. Codes as
// SetOrderItemQuantity's.
func (s *Service) RemoveOrderItem(ctx context.Context, orderID, itemID string) (Order, error) {
	return s.editDraft(ctx, orderID, func(items []OrderItem) ([]OrderItem, error) {
		i := slices.IndexFunc(items, func(it OrderItem) bool { return it.ID == itemID })
		if i < 0 {
			return nil, NotFound("order item")
		}
		return slices.Delete(items, i, i+1), nil
	})
}

// errCheckedOut is the CONFLICT of an edit of an order no longer in DRAFT.
func errCheckedOut(o Order) error {
	return &Error{Code: CodeConflict, Field: "orderId",
		Message: fmt.Sprintf("order %s is %s: checkout has started, the order can no longer be changed", o.Number, o.Status)}
}

// draftFor returns the caller's draft; CONFLICT when the order left DRAFT.
func (s *Service) draftFor(ctx context.Context, id string) (Order, error) {
	o, err := s.orderFor(ctx, id, s.authorizeOrderChange)
	if err != nil {
		return Order{}, err
	}
	if o.Status != OrderDraft {
		return Order{}, errCheckedOut(o)
	}
	return o, nil
}

// editDraft applies edit to the items of a draft, reprices it and saves it
// at the version it read; a concurrent edit that saved first makes it read
// again (draftEditAttempts times), a checkout that started makes it
// CONFLICT.
func (s *Service) editDraft(ctx context.Context, orderID string, edit func([]OrderItem) ([]OrderItem, error)) (Order, error) {
	for range draftEditAttempts {
		d, err := s.draftFor(ctx, orderID)
		if err != nil {
			return Order{}, err
		}
		org, err := s.store.OrgByID(ctx, d.OrgID)
		if err != nil {
			return Order{}, asDomainError(err)
		}
		if err := checkBuyer(org); err != nil {
			return Order{}, err
		}
		items, err := edit(slices.Clone(d.Items))
		if err != nil {
			return Order{}, err
		}
		if err := s.repriceDraft(ctx, org, &d, items, draftInstallments(d), s.clock.Now()); err != nil {
			return Order{}, err
		}
		d.Version++
		err = s.store.UpdateDraft(ctx, d)
		if IsCode(err, CodeConflict) || IsCode(err, CodeNotFound) {
			continue // changed or checked out meanwhile: read it again
		}
		if err != nil {
			return Order{}, asDomainError(err)
		}
		return d, nil
	}
	return Order{}, Errorf(CodeConflict, "the order kept changing; read it again")
}

// discardDraft is cancelOrder of a draft: it is removed (at the version
// read) and returned CANCELED.
func (s *Service) discardDraft(ctx context.Context, d Order) (Order, error) {
	err := s.store.DeleteDraft(ctx, d.ID, d.Version)
	if IsCode(err, CodeConflict) {
		return Order{}, Errorf(CodeConflict, "the order changed meanwhile; read it again")
	}
	if IsCode(err, CodeNotFound) {
		if o, err := s.store.OrderByID(ctx, d.ID); err == nil {
			return Order{}, errCheckedOut(o)
		}
		return Order{}, NotFound("order")
	}
	if err != nil {
		return Order{}, asDomainError(err)
	}
	d.Status, d.UpdatedAt = OrderCanceled, s.clock.Now()
	return d, nil
}

// checkoutHash is the request hash of a checkoutOrder.
func checkoutHash(in CheckoutOrderInput, details *InvoiceDetails) string {
	return requestHash("checkoutOrder", in.OrderID, in.Version, in.Gateway, string(in.Method), in.Installments,
		in.PaymentMethodID, fmt.Sprint(details))
}

// CheckoutOrder pays a draft at the version the buyer saw: it reprices the
// items (a price that moved since saves the repriced draft and answers
// CONFLICT), checks the credit ceiling, routes the payment as
// purchasePack does (a saved method fixes the gateway), and in one
// transaction deletes the draft at that version, creates the order
// (PENDING, same id; for a PLAN item the INCOMPLETE subscription too) and
// records the key; then starts the payment. A repeated key replays.
// Codes: as PurchasePack's, and CONFLICT when the version is not the
// draft's (an edit came first), when checkout already started, or when
// the prices moved.
func (s *Service) CheckoutOrder(ctx context.Context, in CheckoutOrderInput) (Checkout, error) {
	if err := validateKey(in.IdempotencyKey); err != nil {
		return Checkout{}, err
	}
	details, err := validInvoiceDetails(in.InvoiceDetails)
	if err != nil {
		return Checkout{}, err
	}
	returnURL, err := s.returnURL(in.ReturnURL)
	if err != nil {
		return Checkout{}, err
	}
	d, err := s.orderFor(ctx, in.OrderID, s.authorizeOrderChange)
	if err != nil {
		return Checkout{}, err
	}
	acc, err := s.authorize(ctx, d.OrgID, ActionBilling)
	if err != nil {
		return Checkout{}, err
	}
	if s.gateways == nil {
		return Checkout{}, Errorf(CodeGatewayUnavailable, "no payment gateway is configured")
	}
	k := idemKey{orgID: d.OrgID, key: in.IdempotencyKey, op: "checkoutOrder", hash: checkoutHash(in, details)}
	resume := func(ctx context.Context, rec IdempotencyRecord) (Checkout, error) {
		return s.resumePurchase(ctx, rec, in.PaymentMethodID, returnURL)
	}
	return once(ctx, s, k, resume, func(ctx context.Context, record recordFunc) (Checkout, error) {
		return s.checkout(ctx, in, acc, details, returnURL, record)
	})
}

// checkout is CheckoutOrder's first run for its key.
func (s *Service) checkout(ctx context.Context, in CheckoutOrderInput, acc Access, details *InvoiceDetails, returnURL string, record recordFunc) (Checkout, error) {
	d, err := s.draftFor(ctx, in.OrderID)
	if err != nil {
		return Checkout{}, err
	}
	if in.Version != d.Version {
		return Checkout{}, &Error{Code: CodeConflict, Field: "version",
			Message: fmt.Sprintf("the order changed since version %d (it is at version %d): review it and check out again", in.Version, d.Version)}
	}
	if len(d.Items) == 0 {
		return Checkout{}, InvalidInput("orderId", "the order has no items")
	}
	n := draftInstallments(d)
	if in.Installments != 0 && in.Installments != n {
		return Checkout{}, InvalidInput("installments", "the order is priced for %d installments", n)
	}
	org, err := s.store.OrgByID(ctx, d.OrgID)
	if err != nil {
		return Checkout{}, asDomainError(err)
	}
	if err := checkBuyer(org); err != nil {
		return Checkout{}, err
	}
	now := s.clock.Now()
	q, err := s.priceItems(ctx, org, d.Items, n, now)
	if err != nil {
		return Checkout{}, err
	}
	if !sameQuote(d, q) {
		// The buyer saw another price: show them this one.
		saved := d
		if err := s.repriceDraft(ctx, org, &saved, d.Items, n, now); err != nil {
			return Checkout{}, err
		}
		saved.Version++
		if err := s.store.UpdateDraft(ctx, saved); err != nil && !IsCode(err, CodeConflict) && !IsCode(err, CodeNotFound) {
			return Checkout{}, asDomainError(err)
		}
		return Checkout{}, &Error{Code: CodeConflict, Field: "version",
			Message: "the order's prices changed since it was shown; it was repriced: review it and check out again"}
	}
	if err := s.checkRoom(ctx, org.ID, q.Credits, "items"); err != nil {
		return Checkout{}, err
	}
	pay, err := s.subscriptionPayment(ctx, org, in.Gateway, in.Method, n, in.PaymentMethodID)
	if err != nil {
		return Checkout{}, err
	}
	o := d
	o.Status, o.Gateway, o.Method, o.InvoiceDetails = OrderPending, pay.gateway.Name(), pay.method, details
	o.CreatedBy, o.CreatedAt, o.UpdatedAt, o.Version = acc.Actor.UserID, now, now, 1
	o.Validity = ""
	var sub *Subscription
	if q.sub != nil {
		os := *q.sub
		o.Subscription = &os
		if os.Action == ActionSubscribe {
			sub = &Subscription{
				ID: newID(), OrgID: org.ID, PlanID: os.PlanID, Seats: os.Seats, Status: SubIncomplete,
				Currency: org.Currency, Gateway: pay.gateway.Name(), PaymentMethodID: pay.savedID, Installments: n,
				Anchor: os.PeriodStart, CurrentPeriodStart: os.PeriodStart, CurrentPeriodEnd: os.PeriodEnd,
				NextResetAt: AddMonths(os.PeriodStart, 1), LatestOrderID: o.ID, CreatedBy: acc.Actor.UserID,
				CreatedAt: now, UpdatedAt: now, Version: 1,
			}
			o.Subscription.SubscriptionID = sub.ID
		}
	}
	if err := s.beforeOrder(ctx, o, pay.gateway, pay.paymentMethodID, returnURL, acc.Actor); err != nil {
		return Checkout{}, err
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		// The draft at the version the buyer saw, or nothing: a racing
		// edit or checkout that came first wins.
		if err := tx.DeleteDraft(ctx, d.ID, d.Version); err != nil {
			if IsCode(err, CodeConflict) || IsCode(err, CodeNotFound) {
				return &Error{Code: CodeConflict, Field: "version", Message: "the order changed or was checked out meanwhile: review it"}
			}
			return err
		}
		if sub != nil {
			if err := s.replaceAbandoned(ctx, tx, org.ID, now); err != nil {
				return err
			}
			if err := tx.CreateSubscription(ctx, *sub); err != nil {
				if IsCode(err, CodeConflict) {
					return errAlreadySubscribed()
				}
				return err
			}
		}
		if err := s.createOrder(ctx, tx, &o); err != nil {
			return err
		}
		return record(ctx, tx, []byte(o.ID))
	})
	if err != nil {
		return Checkout{}, asDomainError(err)
	}
	if sub != nil {
		s.publishSubscription(ctx, *sub)
	}
	s.publishOrder(ctx, o)
	return s.startPayment(ctx, o, pay.paymentMethodID, returnURL)
}

// sameQuote reports whether q prices d's items exactly as d shows them.
func sameQuote(d Order, q itemsQuote) bool {
	a, _ := json.Marshal([]any{d.Items, d.Lines, d.Subtotal, d.Tax, d.TaxRateBP, d.Total, d.Credits, d.Installments})
	b, _ := json.Marshal([]any{q.Items, q.Lines, q.Subtotal, q.Tax, q.TaxRateBP, q.Total, q.Credits, q.Installments})
	return string(a) == string(b)
}

// DiscardStaleDrafts removes up to limit drafts nobody changed for
// Config.DraftTTL (the drafts sweep), returning how many.
func (s *Service) DiscardStaleDrafts(ctx context.Context, limit int) (int, error) {
	ttl := s.cfg.DraftTTL
	if ttl <= 0 {
		ttl = DefaultDraftTTL
	}
	n, err := s.store.DeleteStaleDrafts(ctx, s.clock.Now().Add(-ttl), limit)
	return n, asDomainError(err)
}

// draftsConnection lists an org's drafts as one page of orders.
func (s *Service) draftsConnection(ctx context.Context, orgID string) (Connection[Order], error) {
	ds, err := s.store.DraftsOfOrg(ctx, orgID)
	if err != nil {
		return Connection[Order]{}, asDomainError(err)
	}
	c := Connection[Order]{Edges: make([]Edge[Order], 0, len(ds))}
	for _, d := range ds {
		c.Edges = append(c.Edges, Edge[Order]{Cursor: d.ID, Node: d})
	}
	return c, nil
}
