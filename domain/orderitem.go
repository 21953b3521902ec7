package domain

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Order items: one checkout, several items.
//
// An order made from a draft (draft.go) holds several items, each of one
// kind: a plan with its seats (subscribe, as subscribe does), seats added
// to the org's subscription, a credit pack (a RECURRING pack is an add-on
// with its term), or extra credits at the plan's price. Each item is one
// priced line of the order (the installment commission and tax are the
// order's, once); once the order is paid each item with credits gets its
// own grant, with its own validity: a pack's (NEVER: no expiry), an
// add-on's first month (the next monthly reset; later months as for any
// add-on), extra credits until the next monthly reset, and a plan's or
// added seats' included credits as SUBSCRIPTION credit until the next
// monthly reset. Single-purchase orders (purchasePack, subscribe, …) have
// no items and keep their one grant per order.

// OrderItemKind is what an order item buys.
type OrderItemKind string

// Order item kinds. A later kind (a top-up by amount) is one more case of
// priceItem and itemGrant.
const (
	// ItemPlan subscribes the org to a plan with seats (at most one per
	// order, only for an org without a subscription).
	ItemPlan OrderItemKind = "PLAN"
	// ItemSeats adds seats to the org's ACTIVE subscription, pro rata.
	ItemSeats OrderItemKind = "SEATS"
	// ItemPack buys packs; a RECURRING pack is an add-on for a term.
	ItemPack OrderItemKind = "PACK"
	// ItemExtraCredits buys extra credits at the plan's unit price.
	ItemExtraCredits OrderItemKind = "EXTRA_CREDITS"
)

// Valid reports whether k is a known kind.
func (k OrderItemKind) Valid() bool {
	return k == ItemPlan || k == ItemSeats || k == ItemPack || k == ItemExtraCredits
}

// Limits of draft orders (RULES.md, "Orders, payments and invoices").
const (
	// MaxOrderItems is the most items one order may hold.
	MaxOrderItems = 20
	// MaxOpenDrafts is the most draft orders an org may have at once.
	MaxOpenDrafts = 10
)

// OrderItem is one item of an order: what the buyer asked for, and what it
// was priced and granted as.
type OrderItem struct {
	ID   string
	Kind OrderItemKind
	// PlanID and Seats: the plan and seats of a PLAN item; Seats is the
	// number of seats added by a SEATS item.
	PlanID string
	Seats  int
	// PackID, Quantity, TermMonths: a PACK item's pack, how many, and an
	// add-on's term in months (0 for other packs).
	PackID     string
	Quantity   int
	TermMonths int
	// Amount is the credits of a custom pack (0 for a fixed pack) or the
	// extra credits an EXTRA_CREDITS item buys.
	Amount int64

	// Credits is what the item grants once paid (an add-on: its first
	// month's), with Validity.
	Credits  int64
	Validity ValidityPolicy
	// GrantID and ExpiresAt are the item's grant, once the order is paid
	// ("" and nil before, and for an item without credits).
	GrantID   string
	ExpiresAt *time.Time
}

// OrderItemInput is one item asked for.
type OrderItemInput struct {
	Kind       OrderItemKind
	PlanID     string
	Seats      int
	PackID     string
	Quantity   int
	TermMonths int
	// Credits is a custom pack's credits or the extra credits bought.
	Credits int64
}

// quantity is the number an item's quantity edit changes: seats of a PLAN
// or SEATS item, packs of a PACK item, credits of EXTRA_CREDITS.
func (it OrderItem) quantity() int64 {
	switch it.Kind {
	case ItemPlan, ItemSeats:
		return int64(it.Seats)
	case ItemExtraCredits:
		return it.Amount
	}
	return int64(it.Quantity)
}

// withQuantity returns it with its quantity (see quantity) set to n.
func (it OrderItem) withQuantity(n int64) OrderItem {
	switch it.Kind {
	case ItemPlan, ItemSeats:
		it.Seats = int(min(n, MaxSeats+1))
	case ItemExtraCredits:
		it.Amount = n
	default:
		it.Quantity = int(min(n, 1<<30))
	}
	return it
}

// itemFromInput is a new item of in (priced later).
func itemFromInput(in OrderItemInput) (OrderItem, error) {
	if !in.Kind.Valid() {
		return OrderItem{}, InvalidInput("kind", "unknown item kind %q", in.Kind)
	}
	it := OrderItem{ID: newID(), Kind: in.Kind}
	switch in.Kind {
	case ItemPlan, ItemSeats:
		it.PlanID, it.Seats = in.PlanID, in.Seats
		if in.PackID != "" || in.Quantity > 1 || in.Credits != 0 || in.TermMonths != 0 {
			return OrderItem{}, InvalidInput("kind", "a %s item takes a plan (PLAN only) and seats", in.Kind)
		}
		if in.Kind == ItemSeats && in.PlanID != "" {
			return OrderItem{}, InvalidInput("planId", "a SEATS item adds seats to the subscription's plan; change the plan with changePlan")
		}
	case ItemPack:
		it.PackID, it.Quantity, it.TermMonths, it.Amount = in.PackID, in.Quantity, in.TermMonths, in.Credits
		if in.PlanID != "" || in.Seats != 0 {
			return OrderItem{}, InvalidInput("kind", "a PACK item takes a pack, a quantity, credits of a custom pack and an add-on's term")
		}
	case ItemExtraCredits:
		it.Amount = in.Credits
		if in.PlanID != "" || in.Seats != 0 || in.PackID != "" || in.TermMonths != 0 {
			return OrderItem{}, InvalidInput("kind", "an EXTRA_CREDITS item takes credits only")
		}
	}
	return it, nil
}

// itemsQuote is a draft's items priced: the order's lines (each item's
// line naming it, then the commission line), amounts and credits, the
// items with their credits and validity, and what the order does to the
// org's subscription once paid (nil when nothing).
type itemsQuote struct {
	Quote
	Items []OrderItem
	// sub is the subscription part of a PLAN or SEATS item; plan the plan
	// a PLAN item subscribes to.
	sub  *OrderSubscription
	plan *Plan
}

// priceItems prices items for org in installments, by the same code the
// draft shows and checkout charges with (now is the time of pricing: the
// proration of added seats depends on it). INVALID_INPUT names the field
// and the item (items[i]); CONFLICT when a PLAN item meets a live
// subscription.
func (s *Service) priceItems(ctx context.Context, org Org, items []OrderItem, installments int, now time.Time) (itemsQuote, error) {
	var (
		out   itemsQuote
		lines []OrderLine
		total int64
	)
	installments = max(installments, 1)
	sub, err := s.store.LiveSubscription(ctx, org.ID)
	hasSub := err == nil
	if err != nil && !IsCode(err, CodeNotFound) {
		return itemsQuote{}, asDomainError(err)
	}
	// A PLAN item goes first: add-ons and extra credits price by it.
	order := slices.Clone(items)
	slices.SortStableFunc(order, func(a, b OrderItem) int {
		if (a.Kind == ItemPlan) == (b.Kind == ItemPlan) {
			return 0
		}
		if a.Kind == ItemPlan {
			return -1
		}
		return 1
	})
	priced := map[string]OrderItem{}
	seenAddon := map[string]bool{}
	t := PriceTarget{Currency: org.Currency, Country: org.Country, Installments: installments}
	for _, it := range order {
		l, err := s.priceItem(ctx, org, &out, &it, sub, hasSub, installments, t, now, seenAddon)
		if err != nil {
			return itemsQuote{}, itemError(err, items, it.ID)
		}
		l.ItemID = it.ID
		lines = append(lines, l)
		priced[it.ID] = it
		if it.Credits > MaxCredits-total {
			return itemsQuote{}, itemError(InvalidInput("quantity", "too many credits in one order"), items, it.ID)
		}
		total += it.Credits
	}
	// Lines and items in the draft's order.
	slices.SortStableFunc(lines, func(a, b OrderLine) int {
		return slices.IndexFunc(items, func(it OrderItem) bool { return it.ID == a.ItemID }) -
			slices.IndexFunc(items, func(it OrderItem) bool { return it.ID == b.ItemID })
	})
	for _, it := range items {
		out.Items = append(out.Items, priced[it.ID])
	}
	q, err := finishQuote(s.pricing, lines, t)
	if err != nil {
		return itemsQuote{}, err
	}
	q.Credits = total
	out.Quote = q
	return out, nil
}

// itemError names the item of a refusal: its field becomes
// items[i].field.
func itemError(err error, items []OrderItem, id string) error {
	return itemFieldError(err, slices.IndexFunc(items, func(it OrderItem) bool { return it.ID == id }))
}

// itemFieldError names item i in err's field: items[i].field.
func itemFieldError(err error, i int) error {
	e, ok := err.(*Error)
	if !ok || e.Field == "" || i < 0 {
		return err
	}
	c := *e
	c.Field = fmt.Sprintf("items[%d].%s", i, e.Field)
	return &c
}

// priceItem prices one item into its line and sets its Credits and
// Validity; a PLAN or SEATS item sets q's subscription part.
func (s *Service) priceItem(ctx context.Context, org Org, q *itemsQuote, it *OrderItem, sub Subscription, hasSub bool,
	installments int, t PriceTarget, now time.Time, seenAddon map[string]bool) (OrderLine, error) {
	switch it.Kind {
	case ItemPlan:
		if q.sub != nil {
			return OrderLine{}, InvalidInput("kind", "an order holds at most one plan or seats item")
		}
		if hasSub && sub.Status != SubIncomplete {
			return OrderLine{}, &Error{Code: CodeConflict, Field: "planId",
				Message: "the org already has a subscription; add seats or change its plan instead"}
		}
		plan, err := s.subscriptionPlan(ctx, it.PlanID, "planId")
		if err != nil {
			return OrderLine{}, err
		}
		if err := s.checkSeats(ctx, s.store, org.ID, it.Seats); err != nil {
			return OrderLine{}, err
		}
		unit, err := planPrice(plan, org.Currency, "planId")
		if err != nil {
			return OrderLine{}, err
		}
		if unit.AmountMinor <= 0 {
			return OrderLine{}, InvalidInput("planId", "plan %s is free: an org is on it without subscribing", plan.Code)
		}
		start, end := PeriodBounds(now, plan.Interval, 0)
		q.sub = &OrderSubscription{Action: ActionSubscribe, PlanID: plan.ID, Seats: it.Seats, PeriodStart: start, PeriodEnd: end}
		q.plan = &plan
		it.Credits, it.Validity = plan.IncludedCreditsPerSeat*int64(it.Seats), ValidityBillingCycle
		return planLine(plan, it.Seats, unit, seatWord(it.Seats)), nil
	case ItemSeats:
		if q.sub != nil {
			return OrderLine{}, InvalidInput("kind", "an order holds at most one plan or seats item")
		}
		if !hasSub || sub.Status != SubActive {
			return OrderLine{}, InvalidInput("kind", "seats are added to an active subscription; subscribe first")
		}
		if it.Seats < 1 || it.Seats > MaxSeats-sub.Seats {
			return OrderLine{}, InvalidInput("seats", "must be between 1 and %d", max(MaxSeats-sub.Seats, 1))
		}
		if installments != max(sub.Installments, 1) {
			return OrderLine{}, InvalidInput("installments", "seats are paid in the subscription's installment count, %d", max(sub.Installments, 1))
		}
		plan, err := s.store.PlanByID(ctx, sub.PlanID)
		if err != nil {
			return OrderLine{}, asDomainError(err)
		}
		sq, err := PriceChange(s.pricing, ChangeInput{
			Current: plan, CurrentSeats: sub.Seats, Next: plan, Seats: sub.Seats + it.Seats,
			PeriodStart: sub.CurrentPeriodStart, PeriodEnd: sub.CurrentPeriodEnd,
			ResetStart: AddMonths(sub.NextResetAt, -1), NextReset: sub.NextResetAt, Now: now,
		}, PriceTarget{Currency: org.Currency, Country: org.Country, Installments: 1})
		if err != nil {
			return OrderLine{}, err
		}
		q.sub = &OrderSubscription{SubscriptionID: sub.ID, Action: ActionAddSeats, PlanID: plan.ID, Seats: sub.Seats + it.Seats,
			PeriodStart: now, PeriodEnd: sub.CurrentPeriodEnd}
		it.Credits, it.Validity = sq.Credits, ValidityBillingCycle
		return sq.Lines[0], nil
	case ItemExtraCredits:
		var plan Plan
		if q.plan != nil {
			plan = *q.plan
		} else {
			var err error
			if plan, err = s.paidPlan(ctx, org.ID); err != nil {
				return OrderLine{}, err
			}
		}
		eq, err := PriceExtraCredits(s.pricing, plan, it.Amount, PriceTarget{Currency: org.Currency, Country: org.Country, Installments: 1})
		if err != nil {
			return OrderLine{}, err
		}
		it.Credits, it.Validity = it.Amount, ValidityBillingCycle
		return eq.Lines[0], nil
	}
	// ItemPack
	if !ValidID(it.PackID) {
		return OrderLine{}, InvalidInput("packId", "unknown pack")
	}
	pack, err := s.store.PackByID(ctx, it.PackID)
	if IsCode(err, CodeNotFound) || (err == nil && !pack.Active) {
		return OrderLine{}, InvalidInput("packId", "unknown pack")
	}
	if err != nil {
		return OrderLine{}, asDomainError(err)
	}
	maxQty := s.pricing.MaxQuantity
	if maxQty <= 0 {
		maxQty = DefaultPricing().MaxQuantity
	}
	if it.Quantity < 1 || it.Quantity > maxQty {
		return OrderLine{}, InvalidInput("quantity", "must be between 1 and %d", maxQty)
	}
	credits, unit, err := packUnit(pack, it.Amount, org.Currency)
	if err != nil {
		return OrderLine{}, err
	}
	qty := int64(it.Quantity)
	if credits > MaxCredits/qty || unit.AmountMinor > (1<<53)/qty {
		return OrderLine{}, InvalidInput("quantity", "too large")
	}
	it.Credits, it.Validity = credits*qty, pack.Validity
	if pack.Validity != ValidityRecurring {
		if it.TermMonths != 0 {
			return OrderLine{}, InvalidInput("termMonths", "pack %s is not a recurring add-on: it takes no term", pack.Code)
		}
		return OrderLine{
			Kind: LinePack, Description: fmt.Sprintf("%s (%s credits)", pack.Name, groupDigits(credits)), Quantity: qty, UnitPrice: unit,
			Amount: Money{AmountMinor: unit.AmountMinor * qty, Currency: org.Currency}, PackID: pack.ID, Credits: credits * qty,
		}, nil
	}
	if seenAddon[pack.ID] {
		return OrderLine{}, InvalidInput("packId", "add-on %s is already in the order; change its quantity instead", pack.Code)
	}
	seenAddon[pack.ID] = true
	least, most := max(pack.RecurringMonths, 1), 0
	switch {
	case q.plan != nil: // bought with the plan: the plan's first billing period
		most = max(least, IntervalMonths(q.plan.Interval))
	case hasSub && sub.Status == SubActive:
		most = max(least, MonthsLeft(sub))
		if installments != max(sub.Installments, 1) {
			return OrderLine{}, InvalidInput("installments", "an add-on is paid in the subscription's installment count, %d", max(sub.Installments, 1))
		}
	default:
		return OrderLine{}, InvalidInput("packId", "pack %s is a recurring add-on of a subscription: only an org with an active paid subscription, or an order with a plan, can buy it", pack.Code)
	}
	if it.TermMonths == 0 {
		it.TermMonths = least
	}
	if it.TermMonths < least || it.TermMonths > most {
		return OrderLine{}, InvalidInput("termMonths", "must be between %d and %d months", least, most)
	}
	return addonLine(pack, qty, credits, unit, it.TermMonths, "")
}

// itemGrant is how an item of a paid order is granted: the grant kind and
// expiry. reset is the next monthly reset of a subscription the order
// subscribed to or added seats to (zero otherwise).
func (s *Service) itemGrant(ctx context.Context, tx Store, o *Order, it OrderItem, reset time.Time, now time.Time) (GrantKind, *time.Time, error) {
	switch {
	case it.Kind == ItemPlan || it.Kind == ItemSeats:
		return GrantSubscription, &reset, nil
	case it.Kind == ItemPack && it.Validity == ValidityRecurring:
		i := slices.IndexFunc(o.Lines, func(l OrderLine) bool { return l.ItemID == it.ID })
		if i < 0 {
			return "", nil, Internal(fmt.Errorf("order %s has no line for add-on item %s", o.ID, it.ID))
		}
		exp, err := s.createAddonOfLine(ctx, tx, o, o.Lines[i], now)
		return GrantPurchased, exp, err
	}
	exp, err := s.packExpiry(ctx, tx, o.OrgID, it.Validity, now)
	return GrantPurchased, exp, err
}

// fulfilItems is fulfil for an order with items: its subscription part
// applied first (a plan subscribed, seats added), then one grant per item
// with credits, each with its own validity, linked to its item
// (OrderStore.LinkItemGrant: the database refuses a second grant for one
// item). It returns the balance version after the last grant and the
// subscription event to record (nil when none).
func (s *Service) fulfilItems(ctx context.Context, tx Store, o *Order, now time.Time) (int64, *subEvent, error) {
	var (
		reset time.Time
		sev   *subEvent
	)
	if o.Subscription != nil {
		var err error
		if reset, sev, err = s.applySubscriptionOrder(ctx, tx, o, now); err != nil {
			return 0, nil, err
		}
	}
	var version int64
	for i := range o.Items {
		it := &o.Items[i]
		kind, exp, err := s.itemGrant(ctx, tx, o, *it, reset, now)
		if err != nil {
			return 0, nil, err
		}
		res, err := s.applyCreditsTx(ctx, tx, o.OrgID,
			func(b *Balance, _ []Grant, now time.Time) (change, error) {
				if b.OrgStatus == OrgClosed {
					return change{}, Internal(errOrgDeleted)
				}
				if it.Credits == 0 {
					return change{}, nil
				}
				ch := grantChange(o.OrgID, kind, it.Credits, exp, "", fmt.Sprintf("order %s, item %s", o.Number, it.ID), Actor{}, now)
				ch.entries[0].Metadata = orderMetadata(o)
				return ch, nil
			})
		if err != nil {
			return 0, nil, err
		}
		it.ExpiresAt = utcPtr(exp)
		if it.Credits > 0 {
			it.GrantID = res.Entry.Allocations[0].GrantID
			if err := tx.LinkItemGrant(ctx, it.GrantID, o.ID, it.ID); err != nil {
				return 0, nil, err
			}
			version = res.Balance.Version
		}
	}
	return version, sev, nil
}

// itemsRefund is the credits a refund takes back per item of an order with
// items: each item's share of the refund, ⌊credits × refunded so far ÷
// total⌋ − ⌊credits × refunded before ÷ total⌋, from its own grant (all
// that is left of it on a full refund), never more than remains.
type itemsRefund struct {
	removed, notRecovered int64
}

// refundItems takes back, inside refundCredits, the refunded share of
// each item's credits from the item's grant, in one REFUND entry; it
// returns what was taken back and the share that could not be.
func (s *Service) refundItems(ctx context.Context, tx Store, o *Order, refunded int64, full bool) (int64, itemsRefund, error) {
	total := o.Total.AmountMinor
	take, shares, removed := map[string]int64{}, map[string]int64{}, map[string]int64{}
	var r itemsRefund
	for _, it := range o.Items {
		share := mulDiv(it.Credits, min(refunded, total), total) - mulDiv(it.Credits, min(o.Refunded, total), total)
		if it.GrantID == "" {
			r.notRecovered += share
			continue
		}
		shares[it.GrantID], take[it.GrantID] = share, share
		if full {
			take[it.GrantID] = it.Credits
		}
	}
	res, err := s.applyCreditsTx(ctx, tx, o.OrgID,
		func(b *Balance, open []Grant, _ time.Time) (change, error) {
			var ch change
			r.removed = 0
			clear(removed)
			entry := LedgerEntry{Kind: EntryRefund, Reason: "refund of order " + o.Number, Metadata: orderMetadata(o), ActorKind: ActorSystem}
			for _, g := range open {
				n := min(g.Remaining, take[g.ID])
				if n <= 0 {
					continue
				}
				g.Remaining -= n
				r.removed += n
				removed[g.ID] = n
				ch.touched = append(ch.touched, g)
				entry.Amount -= n
				entry.Allocations = append(entry.Allocations, Allocation{GrantID: g.ID, Amount: -n})
			}
			if entry.Amount != 0 {
				ch.entries = []LedgerEntry{entry}
			}
			return ch, nil
		})
	if err != nil {
		return 0, itemsRefund{}, err
	}
	for id, share := range shares {
		r.notRecovered += max(share-removed[id], 0)
	}
	if r.removed == 0 {
		return 0, r, nil
	}
	return res.Balance.Version, r, nil
}

// hasAddonItem reports whether an order with items bought an add-on.
func (o Order) hasAddonItem() bool {
	return slices.ContainsFunc(o.Items, func(it OrderItem) bool { return it.Kind == ItemPack && it.Validity == ValidityRecurring })
}
