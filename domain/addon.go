package domain

import (
	"context"
	"fmt"
	"time"
)

// Recurring credit add-ons.
//
// A RECURRING pack is an add-on of the org's plan subscription: only an org
// with an ACTIVE subscription buys one, for a term of whole months from the
// pack's minimum (RecurringMonths) up to the months left in the
// subscription's current billing period when that is longer (annual
// plans). The term counts the subscription's monthly credit periods, the
// current one first: bought on 20 March on a subscription that resets on
// the 1st, a 3-month term grants on 20 March, 1 April and 1 May and ends
// on 1 June. It is priced pack price (a month's) × quantity × term months
// in the subscription's installment count (the same count applies to the
// subscription and its add-ons).
//
// Once paid, the first month's credits (pack credits × quantity) are
// granted as PURCHASED credit expiring at the subscription's next monthly
// reset, and every later reset within the term grants the month's again,
// expiring at the reset after: unused add-on credit never carries over.
//
// When the term ends at the subscription's renewal and the subscription
// renews automatically, the add-on renews with it: the renewal order has
// a PACK line for the add-on for the renewal's interval (1 month on
// monthly plans, 12 on annual ones) and paying it moves the term's end to
// the new period's end. An add-on whose term ends before the period does
// (a short term on an annual plan), or whose subscription does not renew
// (auto-renewal off, canceled, ended), ends at its term's end: switching
// auto-renewal off stops the subscription and its add-ons together.
// Buying an add-on is not a subscription action: it never switches
// auto-renewal on.

// AddonStatus is where a recurring add-on stands.
type AddonStatus string

// Add-on states.
const (
	// AddonActive: grants its credits at every monthly reset until TermEnd.
	AddonActive AddonStatus = "ACTIVE"
	// AddonEnded: over; grants nothing more.
	AddonEnded AddonStatus = "ENDED"
)

// SubscriptionAddon is a recurring credit add-on bought with a RECURRING
// pack for the org's subscription.
type SubscriptionAddon struct {
	ID             string
	OrgID          string
	SubscriptionID string
	// OrderID is the order that bought it.
	OrderID string
	PackID  string
	// Quantity is how many packs; CreditsPerMonth what they grant at each
	// monthly reset (the pack's credits × Quantity).
	Quantity        int
	CreditsPerMonth int64
	// TermEnd is the monthly reset at which its paid term ends: the last
	// grant is at the reset before it.
	TermEnd   time.Time
	Status    AddonStatus
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version increases with every change (optimistic concurrency).
	Version int64
}

// AddonStore keeps recurring add-ons.
type AddonStore interface {
	// CreateAddon inserts an add-on; CONFLICT when its order already made
	// one.
	CreateAddon(ctx context.Context, a SubscriptionAddon) error
	// AddonsOfSubscription lists a subscription's add-ons, ENDED ones
	// included, oldest first.
	AddonsOfSubscription(ctx context.Context, subscriptionID string) ([]SubscriptionAddon, error)
	// UpdateAddon saves TermEnd, Status, UpdatedAt and Version when the
	// stored Version is a.Version-1; CONFLICT otherwise.
	UpdateAddon(ctx context.Context, a SubscriptionAddon) error
}

// SubscriptionAddons lists the add-ons of the org's live subscription,
// ended ones included, oldest first; none when the org is on the Free
// plan. Every member may read them. Codes: UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN.
func (s *Service) SubscriptionAddons(ctx context.Context, orgID string) ([]SubscriptionAddon, error) {
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
	as, err := s.store.AddonsOfSubscription(ctx, sub.ID)
	return as, asDomainError(err)
}

// MonthsLeft counts the subscription's monthly credit periods from the
// current one to the end of its billing period: 1 on a monthly plan, up to
// 12 on an annual one.
func MonthsLeft(sub Subscription) int {
	n := 1
	for t := sub.NextResetAt; t.Before(sub.CurrentPeriodEnd) && n < 1200; t = NextReset(sub.Anchor, t) {
		n++
	}
	return n
}

// AddonTermEnd is when an add-on bought now for months monthly credit
// periods of sub, the current one first, ends: the months-th reset from
// now.
func AddonTermEnd(sub Subscription, months int) time.Time {
	t := sub.NextResetAt
	for i := 1; i < months; i++ {
		t = NextReset(sub.Anchor, t)
	}
	return t
}

// addonTerms checks that the org may buy the RECURRING pack (an ACTIVE
// subscription: INVALID_INPUT on "packId" otherwise) and returns the term
// in months (termMonths, or the pack's minimum when 0; INVALID_INPUT on
// "termMonths" outside [minimum, max(minimum, months left in the period)])
// and the installment count (the subscription's; 0 takes it, another is
// INVALID_INPUT on "installments").
func (s *Service) addonTerms(ctx context.Context, orgID string, pack Pack, termMonths, installments int) (int, int, error) {
	sub, err := s.store.LiveSubscription(ctx, orgID)
	if IsCode(err, CodeNotFound) || (err == nil && sub.Status != SubActive) {
		return 0, 0, InvalidInput("packId", "pack %s is a recurring add-on of a subscription: only an org with an active paid subscription can buy it", pack.Code)
	}
	if err != nil {
		return 0, 0, asDomainError(err)
	}
	least := max(pack.RecurringMonths, 1)
	most := max(least, MonthsLeft(sub))
	if termMonths == 0 {
		termMonths = least
	}
	if termMonths < least || termMonths > most {
		if least == most {
			return 0, 0, InvalidInput("termMonths", "pack %s is sold for a term of %d months", pack.Code, least)
		}
		return 0, 0, InvalidInput("termMonths", "must be between %d and %d months (the rest of the subscription's billing period)", least, most)
	}
	n := max(sub.Installments, 1)
	if installments == 0 {
		installments = n
	}
	if installments != n {
		return 0, 0, InvalidInput("installments", "an add-on is paid in the subscription's installment count, %d", n)
	}
	return termMonths, installments, nil
}

// addonLine is the PACK line of an add-on for months at a month's price
// unit of one pack.
func addonLine(p Pack, qty, credits int64, unit Money, months int, addonID string) (OrderLine, error) {
	if unit.AmountMinor > (1<<53)/int64(months)/qty {
		return OrderLine{}, InvalidInput("quantity", "too large")
	}
	price := Money{AmountMinor: unit.AmountMinor * int64(months), Currency: unit.Currency}
	what := "months"
	if months == 1 {
		what = "month"
	}
	return OrderLine{
		Kind: LinePack, Description: fmt.Sprintf("%s add-on (%s credits a month), %d %s", p.Name, groupDigits(credits), months, what),
		Quantity: qty, UnitPrice: price, Amount: Money{AmountMinor: price.AmountMinor * qty, Currency: unit.Currency},
		PackID: p.ID, Credits: credits * qty, Months: months, AddonID: addonID,
	}, nil
}

// createAddonTx records the add-on a paid RECURRING pack order bought,
// inside fulfil's transaction, and returns when its first month's credits
// expire (the subscription's next reset). Without a live paid
// subscription (it ended between checkout and payment) the order is held
// for review, wrapping errSubscriptionMoved.
func (s *Service) createAddonTx(ctx context.Context, tx Store, o *Order, now time.Time) (*time.Time, error) {
	var line *OrderLine
	for i := range o.Lines {
		if o.Lines[i].Kind == LinePack && o.Lines[i].Months > 0 {
			line = &o.Lines[i]
			break
		}
	}
	if line == nil {
		return nil, Internal(fmt.Errorf("recurring order %s has no add-on line", o.ID))
	}
	return s.createAddonOfLine(ctx, tx, o, *line, now)
}

// createAddonOfLine records the add-on an order's PACK line with a term
// bought (createAddonTx; one per add-on item of an order with items).
func (s *Service) createAddonOfLine(ctx context.Context, tx Store, o *Order, line OrderLine, now time.Time) (*time.Time, error) {
	sub, err := tx.LiveSubscription(ctx, o.OrgID)
	if IsCode(err, CodeNotFound) || (err == nil && sub.Status != SubActive && sub.Status != SubPastDue) {
		return nil, Internal(errSubscriptionMoved)
	}
	if err != nil {
		return nil, err
	}
	a := SubscriptionAddon{
		ID: newID(), OrgID: o.OrgID, SubscriptionID: sub.ID, OrderID: o.ID, PackID: line.PackID,
		Quantity: int(line.Quantity), CreditsPerMonth: line.Credits, TermEnd: AddonTermEnd(sub, line.Months),
		Status: AddonActive, CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	if err := tx.CreateAddon(ctx, a); err != nil {
		return nil, err
	}
	t := sub.NextResetAt
	return &t, nil
}

// grantAddonsTx grants, inside the transaction of a monthly reset of sub
// at at (a renewal's fulfil or an annual plan's reset), the month's
// credits of every ACTIVE add-on whose term runs past at, expiring at
// next, and ends the add-ons whose term is over. It returns the balance
// version after the grants (0 when none).
func (s *Service) grantAddonsTx(ctx context.Context, tx Store, sub Subscription, at, next, now time.Time) (int64, error) {
	as, err := tx.AddonsOfSubscription(ctx, sub.ID)
	if err != nil {
		return 0, err
	}
	var v int64
	for _, a := range as {
		if a.Status != AddonActive {
			continue
		}
		if !a.TermEnd.After(at) {
			if err := s.endAddonTx(ctx, tx, a, now); err != nil {
				return 0, err
			}
			continue
		}
		res, err := s.applyCreditsTx(ctx, tx, sub.OrgID, func(b *Balance, _ []Grant, now time.Time) (change, error) {
			if b.OrgStatus == OrgClosed {
				return change{}, nil
			}
			amount := min(a.CreditsPerMonth, MaxCredits-b.Total)
			if amount <= 0 {
				return change{}, nil
			}
			// Not tied to the order (one grant per order: its first month's).
			return grantChange(sub.OrgID, GrantPurchased, amount, &next, "",
				"add-on credits, month from "+at.Format(time.DateOnly)+", add-on "+a.ID, Actor{}, now), nil
		})
		if err != nil {
			return 0, err
		}
		v = max(v, res.Balance.Version)
	}
	return v, nil
}

// endAddonTx marks an add-on ENDED.
func (s *Service) endAddonTx(ctx context.Context, tx AddonStore, a SubscriptionAddon, now time.Time) error {
	a.Status, a.UpdatedAt = AddonEnded, now
	a.Version++
	return tx.UpdateAddon(ctx, a)
}

// endAddonsTx ends every ACTIVE add-on of a subscription that ends.
func (s *Service) endAddonsTx(ctx context.Context, tx AddonStore, subID string, now time.Time) error {
	as, err := tx.AddonsOfSubscription(ctx, subID)
	if err != nil {
		return err
	}
	for _, a := range as {
		if a.Status == AddonActive {
			if err := s.endAddonTx(ctx, tx, a, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// renewalAddonLines prices, for the renewal of sub starting at start for
// months, a PACK line for each ACTIVE add-on whose term ends at (or
// before) the renewal: those renew with the subscription.
func (s *Service) renewalAddonLines(ctx context.Context, tx Store, sub Subscription, org Org, start time.Time, months int) ([]OrderLine, error) {
	as, err := tx.AddonsOfSubscription(ctx, sub.ID)
	if err != nil {
		return nil, err
	}
	var lines []OrderLine
	for _, a := range as {
		if a.Status != AddonActive || a.TermEnd.After(start) {
			continue
		}
		p, err := tx.PackByID(ctx, a.PackID)
		if err != nil {
			return nil, err
		}
		perPack := a.CreditsPerMonth / int64(max(a.Quantity, 1))
		custom := int64(0)
		if p.Custom {
			custom = perPack
		}
		credits, unit, err := packUnit(p, custom, org.Currency)
		if err != nil {
			return nil, err
		}
		l, err := addonLine(p, int64(a.Quantity), credits, unit, months, a.ID)
		if err != nil {
			return nil, err
		}
		lines = append(lines, l)
	}
	return lines, nil
}

// renewAddonsTx moves on, inside a paid renewal's fulfil, the term of
// each add-on the renewal order paid for (its PACK lines) to the end of
// the period it paid.
func (s *Service) renewAddonsTx(ctx context.Context, tx AddonStore, o *Order, now time.Time) error {
	paid := map[string]bool{}
	for _, l := range o.Lines {
		if l.AddonID != "" {
			paid[l.AddonID] = true
		}
	}
	if len(paid) == 0 {
		return nil
	}
	as, err := tx.AddonsOfSubscription(ctx, o.Subscription.SubscriptionID)
	if err != nil {
		return err
	}
	for _, a := range as {
		if !paid[a.ID] || a.Status != AddonActive || !a.TermEnd.Before(o.Subscription.PeriodEnd) {
			continue
		}
		a.TermEnd, a.UpdatedAt = o.Subscription.PeriodEnd, now
		a.Version++
		if err := tx.UpdateAddon(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// endAddonOfOrderTx ends the ACTIVE add-ons that order o bought, if its
// subscription is still live (a fully refunded add-on).
func (s *Service) endAddonOfOrderTx(ctx context.Context, tx Store, o Order, now time.Time) error {
	sub, err := tx.LiveSubscription(ctx, o.OrgID)
	if IsCode(err, CodeNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	as, err := tx.AddonsOfSubscription(ctx, sub.ID)
	if err != nil {
		return err
	}
	for _, a := range as {
		if a.OrderID == o.ID && a.Status == AddonActive {
			if err := s.endAddonTx(ctx, tx, a, now); err != nil {
				return err
			}
		}
	}
	return nil
}
