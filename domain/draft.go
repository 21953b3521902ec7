package domain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
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

// ErrDraftLimit is the cause of the CONFLICT of a draft beyond
// MaxOpenDrafts.
var ErrDraftLimit = errors.New("too many draft orders")

// draftEditAttempts is how many times an edit rereads the draft after a
// concurrent edit changed it first.
const draftEditAttempts = 4

// DraftStore keeps draft orders.
type DraftStore interface {
	// CreateDraft inserts a draft (Status DRAFT, Version 1); NOT_FOUND when
	// its org does not exist or was deleted. With maxOpen > 0 it is
	// CONFLICT wrapping ErrDraftLimit when the org already has maxOpen
	// drafts, counted and inserted atomically: concurrent creations for
	// one org never pass the limit together.
	CreateDraft(ctx context.Context, o Order, maxOpen int) error
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
	// Installments, when set, is the count to pay in (1 to the configured
	// maximum, as purchasePack takes it); 0 takes the draft's. Another
	// count than the draft's charges the draft priced in that count (its
	// DraftInstallmentOptions entry).
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
	now := s.clock.Now()
	d := Order{ID: newID(), OrgID: org.ID, Status: OrderDraft, CreatedBy: acc.Actor.UserID, CreatedAt: now, Version: 1}
	if err := s.repriceDraft(ctx, org, &d, items, max(in.Installments, 1), now); err != nil {
		return Order{}, err
	}
	// The limit is checked where the draft is inserted, in one transaction
	// holding the org's row: racing creations take turns.
	if err := s.store.CreateDraft(ctx, d, MaxOpenDrafts); err != nil {
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
	// The count to pay in: the draft's, or the buyer's choice now, checked
	// as purchasePack checks it (the range here; the org's country and
	// currency, an add-on's or seats' subscription count by pricing; a
	// gateway that takes it by routing).
	pay := n
	if in.Installments != 0 {
		if err := s.pricing.checkInstallments(in.Installments); err != nil {
			return Checkout{}, err
		}
		pay = in.Installments
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
	if pay != n {
		// Prices have not moved since the version the buyer saw, so this is
		// the draft's installmentOptions entry for pay at that version.
		if q, err = s.priceItems(ctx, org, d.Items, pay, now); err != nil {
			return Checkout{}, installmentsField(err)
		}
	}
	if err := s.checkRoom(ctx, org.ID, q.Credits, "items"); err != nil {
		return Checkout{}, err
	}
	gw, err := s.subscriptionPayment(ctx, org, in.Gateway, in.Method, pay, in.PaymentMethodID)
	if err != nil {
		return Checkout{}, err
	}
	o := d
	o.Items, o.Lines, o.Subtotal, o.Tax, o.TaxRateBP, o.Total = q.Items, q.Lines, q.Subtotal, q.Tax, q.TaxRateBP, q.Total
	o.Credits, o.Installments = q.Credits, q.Installments
	o.Status, o.Gateway, o.Method, o.InvoiceDetails = OrderPending, gw.gateway.Name(), gw.method, details
	o.CreatedBy, o.CreatedAt, o.UpdatedAt, o.Version = acc.Actor.UserID, now, now, 1
	o.Validity = ""
	var sub *Subscription
	if q.sub != nil {
		os := *q.sub
		o.Subscription = &os
		if os.Action == ActionSubscribe {
			sub = &Subscription{
				ID: newID(), OrgID: org.ID, PlanID: os.PlanID, Seats: os.Seats, Status: SubIncomplete,
				Currency: org.Currency, Gateway: gw.gateway.Name(), PaymentMethodID: gw.savedID, Installments: pay,
				Anchor: os.PeriodStart, CurrentPeriodStart: os.PeriodStart, CurrentPeriodEnd: os.PeriodEnd,
				NextResetAt: AddMonths(os.PeriodStart, 1), LatestOrderID: o.ID, CreatedBy: acc.Actor.UserID,
				CreatedAt: now, UpdatedAt: now, Version: 1,
			}
			o.Subscription.SubscriptionID = sub.ID
		}
	}
	if err := s.beforeOrder(ctx, o, gw.gateway, gw.paymentMethodID, returnURL, acc.Actor); err != nil {
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
	return s.startPayment(ctx, o, gw.paymentMethodID, returnURL)
}

// installmentsField names "installments" in a pricing refusal of the
// count (an item's add-on or seats count is the subscription's): the
// checkout's field, not the item's.
func installmentsField(err error) error {
	var e *Error
	if errors.As(err, &e) && strings.HasSuffix(e.Field, ".installments") {
		c := *e
		c.Field = "installments"
		return &c
	}
	return err
}

// isInstallmentsRefusal reports whether err refuses an installment count.
func isInstallmentsRefusal(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == CodeInvalidInput && (e.Field == "installments" || strings.HasSuffix(e.Field, ".installments"))
}

// DraftInstallmentOptions prices a draft in every installment count a
// gateway can take for its org (1 = at once), skipping counts its items
// refuse (an add-on or seats are paid in the subscription's count): each
// option is exactly what checkoutOrder charges with that count at the
// draft's version, while prices do not move. Nil for an order that is not
// a draft. Codes as Order's.
func (s *Service) DraftInstallmentOptions(ctx context.Context, orderID string) ([]InstallmentOption, error) {
	d, err := s.orderFor(ctx, orderID, s.authorizeOrderRead)
	if err != nil {
		return nil, err
	}
	if d.Status != OrderDraft {
		return nil, nil
	}
	org, err := s.store.OrgByID(ctx, d.OrgID)
	if err != nil {
		return nil, asDomainError(err)
	}
	now := s.clock.Now()
	out := []InstallmentOption{}
	for n := 1; n <= s.pricing.maxInstallments() && s.gateways != nil; n++ {
		if n > 1 && !s.pricing.installmentsAllowed(org.Country, org.Currency) {
			break
		}
		if _, err := s.gateways.Route(RouteRequest{Country: org.Country, Currency: org.Currency, Method: MethodCard, Installments: n}); err != nil {
			continue
		}
		q, err := s.priceItems(ctx, org, d.Items, n, now)
		if isInstallmentsRefusal(err) {
			continue
		}
		if IsCode(err, CodeInvalidInput) || IsCode(err, CodeConflict) {
			break // the draft cannot be checked out as it is: no option
		}
		if err != nil {
			return nil, err
		}
		out = append(out, installmentOption(n, &q.Quote, org.Currency))
	}
	return out, nil
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

// giveBackCartTx gives the cart of a checkout whose payment failed or was
// canceled back to the buyer, in the transaction that ends the order: an
// order of checkoutOrder (one with items) gets a new draft with its items,
// lines, amounts and installment count, exactly the quote it was checked
// out at (the buyer retries with another card at that draft's version; a
// price that moved since makes that checkout CONFLICT and reprices it, as
// for any draft). The draft's ID is kept on the order (RetryDraftID); it
// is made even when the org already has MaxOpenDrafts (it replaces the
// draft the checkout consumed). An order whose cart was already given
// back, and one of an org since deleted, gets none.
func (s *Service) giveBackCartTx(ctx context.Context, tx Store, o *Order, now time.Time) error {
	if o.Items == nil || o.RetryDraftID != "" || o.Status == OrderPaid {
		return nil
	}
	items := slices.Clone(o.Items)
	for i := range items {
		items[i].GrantID, items[i].ExpiresAt = "", nil
	}
	d := Order{
		ID: newID(), OrgID: o.OrgID, Status: OrderDraft, Items: items, Lines: slices.Clone(o.Lines),
		Subtotal: o.Subtotal, Tax: o.Tax, TaxRateBP: o.TaxRateBP, Total: o.Total, Credits: o.Credits,
		Installments: o.Installments, CreatedBy: o.CreatedBy, CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	err := tx.CreateDraft(ctx, d, 0)
	if IsCode(err, CodeNotFound) {
		return nil // the org is gone: nobody to give the cart to
	}
	if err != nil {
		return err
	}
	o.RetryDraftID = d.ID
	return nil
}

// reclaimCartTx decides, for money a gateway reports collected for order
// o whose cart was given back (RetryDraftID), whether o may still be
// paid: yes when the given-back draft is still a draft (it is removed in
// this transaction, so that cart cannot be paid a second time) or was
// discarded without a checkout; no when it was checked out (its order
// may be paid too: o is then held for review, never fulfilled). So one
// cart is paid at most once.
func (s *Service) reclaimCartTx(ctx context.Context, tx Store, o Order) (bool, error) {
	for range draftEditAttempts {
		d, err := tx.DraftByID(ctx, o.RetryDraftID)
		if IsCode(err, CodeNotFound) {
			// Checked out (an order under its ID) or discarded.
			_, err := tx.OrderByID(ctx, o.RetryDraftID)
			if IsCode(err, CodeNotFound) {
				return true, nil
			}
			return false, err
		}
		if err != nil {
			return false, err
		}
		err = tx.DeleteDraft(ctx, d.ID, d.Version)
		if err == nil {
			return true, nil
		}
		if !IsCode(err, CodeConflict) && !IsCode(err, CodeNotFound) {
			return false, err
		}
		// Edited or checked out meanwhile: look again.
	}
	return false, nil
}
