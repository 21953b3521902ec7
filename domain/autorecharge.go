package domain

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Auto-recharge: automatic top-ups when a spend leaves the balance below
// the org's threshold.
//
// A top-up is never part of the spend that triggers it: after a spend
// commits, the balance it returned (with the threshold read with it,
// Balance.RechargeBelow) decides whether to poke the background worker
// (autorecharge_worker.go), which calls checkAutoRecharge off the debit's
// path; a periodic sweep (RechargeDue) catches a poke lost to a crash.
//
// Never two top-ups in flight for one org, across instances: peers that
// shipped duplicate top-ups (Flexprice #2155, Lago #5870) checked "no
// pending top-up" and then inserted the order with neither a lock nor a
// constraint, so two workers that both saw none both bought. Here
// checkAutoRecharge reads and decides under the lock of the org's settings
// row (LockAutoRecharge: FOR UPDATE on PostgreSQL, the database's write
// lock on SQLite), so a second checker waits and then sees the first's
// order; and the unique partial index orders_auto_recharge_in_flight_idx
// refuses a second in-flight auto-recharge order outright, whatever path
// inserts it (the CONFLICT is read as "someone else is topping up").
//
// The spending limit and the overage cap count over a period: the
// subscription's current period when the org has a live (ACTIVE or
// PAST_DUE) subscription, else the calendar month (UTC) of the clock's
// now. Every auto-recharge order created in the period that is PAID,
// PARTIALLY_REFUNDED or still unpaid (PENDING, REQUIRES_ACTION,
// PROCESSING) counts with its total (tax included); FAILED, CANCELED and
// REFUNDED ones do not.
//
// Overage (seed 002): one purchase is OverageUnit credits at the plan's own
// unit price (the extra-credits rule: the per-seat price over the per-seat
// credits of the price's interval, for OverageUnit credits, rounded half
// up to the minor unit) plus a SURCHARGE line of OverageSurchargeBP of
// that amount (rounded half up to the minor unit), then tax on the
// subtotal. At most as many overage credits per period as the
// subscription includes in it (included credits per seat × seats × months
// of the interval): 80,000 included allows 8 purchases of 10,000.
//
// A failed automatic charge (declined, canceled, or needing the buyer:
// FailureAuthRequired) pauses auto-recharge (recharge_below = 0, so spends
// stop poking) and records AUTO_RECHARGE_PAUSED, mailed to the billing
// contacts with a link to act; spending goes on until the balance is used
// up. Resuming is explicit (ResumeAutoRecharge).

// AutoRechargeMode is what an automatic top-up buys: a pack, or overage
// units at the plan's unit price with a surcharge.
type AutoRechargeMode string

// Auto-recharge modes.
const (
	// RechargePack buys the configured pack (Quantity of it).
	RechargePack AutoRechargeMode = "PACK"
	// RechargeOverage buys units of overage credits at the plan's unit
	// price plus the surcharge, capped per period by the plan's included
	// credits.
	RechargeOverage AutoRechargeMode = "OVERAGE"
)

// AutoRecharge is an org's auto-recharge settings.
type AutoRecharge struct {
	OrgID   string
	Enabled bool
	Mode    AutoRechargeMode
	// Threshold: a top-up is bought when the balance is below it.
	Threshold int64
	// PackID and Quantity are what a PACK top-up buys ("" in OVERAGE).
	PackID   string
	Quantity int
	// SpendingLimit is the most top-ups may cost per period, in the org's
	// currency.
	SpendingLimit Money
	// PaymentMethodID is the saved card charged off session.
	PaymentMethodID string
	// PausedAt and PauseReason are set while a failed charge paused it.
	PausedAt    *time.Time
	PauseReason string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int64
}

// Active reports whether top-ups are made: enabled and not paused.
func (a AutoRecharge) Active() bool { return a.Enabled && a.PausedAt == nil }

// rechargeBelow is what orgs.recharge_below holds for a: the threshold
// while active, else 0.
func (a AutoRecharge) rechargeBelow() int64 {
	if a.Active() {
		return a.Threshold
	}
	return 0
}

// AutoRechargeStore keeps auto-recharge settings and answers what top-ups
// need.
type AutoRechargeStore interface {
	// AutoRechargeByOrg returns the org's settings or NOT_FOUND.
	AutoRechargeByOrg(ctx context.Context, orgID string) (AutoRecharge, error)
	// LockAutoRecharge returns the org's settings and, inside InTx, locks
	// their row until the transaction ends; NOT_FOUND when the org has
	// none.
	LockAutoRecharge(ctx context.Context, orgID string) (AutoRecharge, error)
	// SaveAutoRecharge inserts or updates a's row and sets the org's
	// recharge_below to rechargeBelow (the same transaction keeps them in
	// step).
	SaveAutoRecharge(ctx context.Context, a AutoRecharge, rechargeBelow int64) error
	// AutoRechargeOrders lists the org's auto-recharge orders created in
	// [from, to), newest first.
	AutoRechargeOrders(ctx context.Context, orgID string, from, to time.Time) ([]Order, error)
	// LatestAutoRechargeOrder returns the org's newest auto-recharge order
	// or NOT_FOUND. Only the newest can be in flight: a new one is made
	// only when none is.
	LatestAutoRechargeOrder(ctx context.Context, orgID string) (Order, error)
	// OrgsBelowRecharge lists up to limit orgs (not deleted) whose balance
	// is below their recharge_below and that have no auto-recharge order
	// in flight.
	OrgsBelowRecharge(ctx context.Context, limit int) ([]string, error)
}

// SetAutoRechargeInput is what setAutoRecharge takes.
type SetAutoRechargeInput struct {
	OrgID     string
	Enabled   bool
	Mode      AutoRechargeMode
	Threshold int64
	PackID    string
	// Quantity of the pack (0: 1).
	Quantity int
	// SpendingLimit per period; nil takes Config.AutoRecharge's default in
	// the org's currency, and an amount without a currency is in the
	// org's.
	SpendingLimit *Money
	// PaymentMethodID is the saved card to charge ("": the org's default).
	PaymentMethodID string
	IdempotencyKey  string
}

// AutoRechargeStatus is an org's settings with where the current period
// stands.
type AutoRechargeStatus struct {
	AutoRecharge
	// Saved is false for an org that never set auto-recharge (the
	// settings are then the defaults, off).
	Saved       bool
	PeriodStart time.Time
	PeriodEnd   time.Time
	// SpentThisPeriod sums the counted top-ups of the period.
	SpentThisPeriod Money
	// LastOrder is the newest top-up order, nil when none.
	LastOrder *Order
}

// Failure reasons of top-ups that could not be charged.
const (
	// PauseNoMethod: the saved card is gone or no longer usable.
	PauseNoMethod = FailureNoMethod
	// pauseCanceled: the top-up's payment was canceled.
	pauseCanceled = "canceled"
)

// errRechargeInFlight says another checker's top-up order won the
// in-flight index: nothing to do.
var errRechargeInFlight = errors.New("an auto-recharge order is in flight")

// SetAutoRecharge saves the org's auto-recharge settings, validated, once
// per idempotency key (a repeat answers with the current settings), and
// checks at once whether a top-up is due. Turning it off keeps the rest of
// the settings. A pause stays until ResumeAutoRecharge. Codes:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN (OWNER and BILLING only),
// INVALID_INPUT (mode, threshold, packId, quantity, spendingLimit,
// paymentMethodId, idempotencyKey), CONFLICT (key reused).
func (s *Service) SetAutoRecharge(ctx context.Context, in SetAutoRechargeInput) (AutoRechargeStatus, error) {
	if err := validateKey(in.IdempotencyKey); err != nil {
		return AutoRechargeStatus{}, err
	}
	if _, err := s.authorize(ctx, in.OrgID, ActionBilling); err != nil {
		return AutoRechargeStatus{}, err
	}
	if in.Quantity == 0 {
		in.Quantity = 1
	}
	var limit any
	if in.SpendingLimit != nil {
		limit = *in.SpendingLimit
	}
	hash := requestHash("setAutoRecharge", in.OrgID, in.Enabled, in.Mode, in.Threshold, in.PackID, in.Quantity, limit, in.PaymentMethodID)
	k := idemKey{orgID: in.OrgID, key: in.IdempotencyKey, op: "setAutoRecharge", hash: hash}
	// A repeat answers with the settings as they are now.
	replay := func(context.Context, IdempotencyRecord) (struct{}, error) { return struct{}{}, nil }
	_, err := once(ctx, s, k, replay, func(ctx context.Context, record recordFunc) (struct{}, error) {
		a, err := s.validateAutoRecharge(ctx, in)
		if err != nil {
			return struct{}{}, err
		}
		now := s.clock.Now()
		err = s.store.InTx(ctx, func(tx Store) error {
			cur, err := tx.LockAutoRecharge(ctx, in.OrgID)
			switch {
			case err == nil:
				a.CreatedAt, a.Version, a.PausedAt, a.PauseReason = cur.CreatedAt, cur.Version+1, cur.PausedAt, cur.PauseReason
				if !in.Enabled { // off: keep what was set
					a = cur
					a.Enabled, a.Version = false, cur.Version+1
				}
			case IsCode(err, CodeNotFound):
				a.CreatedAt, a.Version = now, 1
			default:
				return err
			}
			a.UpdatedAt = now
			if err := tx.SaveAutoRecharge(ctx, a, a.rechargeBelow()); err != nil {
				return err
			}
			return record(ctx, tx, nil)
		})
		return struct{}{}, asDomainError(err)
	})
	if err != nil {
		return AutoRechargeStatus{}, err
	}
	s.publishOrgEvent(ctx, in.OrgID)
	s.checkNow(ctx, in.OrgID)
	return s.autoRechargeStatus(ctx, in.OrgID)
}

// validateAutoRecharge checks in against the org, its catalog, plan and
// payment methods, and returns the settings it describes.
func (s *Service) validateAutoRecharge(ctx context.Context, in SetAutoRechargeInput) (AutoRecharge, error) {
	org, err := s.store.OrgByID(ctx, in.OrgID)
	if err != nil {
		return AutoRecharge{}, asDomainError(err)
	}
	a := AutoRecharge{
		OrgID: org.ID, Enabled: in.Enabled, Mode: in.Mode, Threshold: in.Threshold,
		PackID: in.PackID, Quantity: in.Quantity,
		SpendingLimit: Money{AmountMinor: s.cfg.AutoRecharge.DefaultLimitMinor, Currency: org.Currency},
	}
	if !in.Enabled {
		// Turning it off checks nothing else: the saved settings stay.
		if a.Mode == "" {
			a.Mode = RechargePack
		}
		return a, nil
	}
	if in.Mode != RechargePack && in.Mode != RechargeOverage {
		return AutoRecharge{}, InvalidInput("mode", "must be PACK or OVERAGE")
	}
	if in.Threshold <= 0 || in.Threshold > MaxCredits {
		return AutoRecharge{}, InvalidInput("threshold", "must be between 1 and %d credits", MaxCredits)
	}
	if in.SpendingLimit != nil {
		if in.SpendingLimit.Currency == "" {
			in.SpendingLimit.Currency = org.Currency
		}
		if in.SpendingLimit.Currency != org.Currency {
			return AutoRecharge{}, InvalidInput("spendingLimit", "must be in the org's currency, %s", org.Currency)
		}
		if in.SpendingLimit.AmountMinor <= 0 || in.SpendingLimit.AmountMinor > 1<<53 {
			return AutoRecharge{}, InvalidInput("spendingLimit", "must be a positive amount")
		}
		a.SpendingLimit = *in.SpendingLimit
	}
	var one Quote
	switch in.Mode {
	case RechargePack:
		if in.PackID == "" {
			return AutoRecharge{}, InvalidInput("packId", "a PACK auto-recharge needs the pack to buy")
		}
		if one, err = s.priceRechargePack(ctx, s.store, org, a); err != nil {
			return AutoRecharge{}, err
		}
	case RechargeOverage:
		if in.PackID != "" {
			return AutoRecharge{}, InvalidInput("packId", "an OVERAGE auto-recharge buys overage units, not a pack")
		}
		if in.Quantity != 1 {
			return AutoRecharge{}, InvalidInput("quantity", "an OVERAGE auto-recharge buys one unit at a time")
		}
		_, plan, err := s.overagePlan(ctx, s.store, org.ID)
		if err != nil {
			return AutoRecharge{}, err
		}
		if one, err = s.priceOverage(org, plan); err != nil {
			return AutoRecharge{}, err
		}
	}
	if one.Total.AmountMinor > a.SpendingLimit.AmountMinor {
		return AutoRecharge{}, InvalidInput("spendingLimit", "must be at least one top-up's price, %s", one.Total)
	}
	m, err := s.rechargeMethod(ctx, org.ID, in.PaymentMethodID)
	if err != nil {
		return AutoRecharge{}, err
	}
	a.PaymentMethodID = m.ID
	return a, nil
}

// rechargeMethod is the saved card a top-up charges: methodID, or the
// org's default when "". INVALID_INPUT on "paymentMethodId" for an unknown
// method, one of another org, one that is not an ACTIVE card, or one whose
// gateway is not configured.
func (s *Service) rechargeMethod(ctx context.Context, orgID, methodID string) (PaymentMethod, error) {
	if methodID != "" && !ValidID(methodID) {
		return PaymentMethod{}, InvalidInput("paymentMethodId", "unknown payment method")
	}
	var m PaymentMethod
	if methodID == "" {
		ms, err := s.store.ListPaymentMethods(ctx, orgID)
		if err != nil {
			return PaymentMethod{}, asDomainError(err)
		}
		if len(ms) == 0 || !ms[0].IsDefault {
			return PaymentMethod{}, InvalidInput("paymentMethodId", "the org has no default payment method: save a card first")
		}
		m = ms[0]
	} else {
		var err error
		m, err = s.store.PaymentMethodByID(ctx, methodID)
		if IsCode(err, CodeNotFound) || (err == nil && m.OrgID != orgID) {
			return PaymentMethod{}, InvalidInput("paymentMethodId", "unknown payment method")
		}
		if err != nil {
			return PaymentMethod{}, asDomainError(err)
		}
	}
	if m.Kind != MethodCard {
		return PaymentMethod{}, InvalidInput("paymentMethodId", "auto-recharge charges cards only, not %s", m.Kind)
	}
	if m.Status != MethodActive {
		return PaymentMethod{}, InvalidInput("paymentMethodId", "the payment method is %s, not ACTIVE", m.Status)
	}
	if _, _, err := s.vault(m.Gateway); err != nil {
		return PaymentMethod{}, InvalidInput("paymentMethodId", "the payment method's gateway is not available")
	}
	return m, nil
}

// priceRechargePack prices one PACK top-up of a for org: PricePack of the
// pack and quantity, in one payment. INVALID_INPUT on "packId" for an
// unknown or inactive pack, an add-on, or a pack not sold in the org's
// currency; on "quantity" out of range.
func (s *Service) priceRechargePack(ctx context.Context, st CatalogStore, org Org, a AutoRecharge) (Quote, error) {
	if !ValidID(a.PackID) {
		return Quote{}, InvalidInput("packId", "unknown pack")
	}
	pack, err := st.PackByID(ctx, a.PackID)
	if IsCode(err, CodeNotFound) || (err == nil && !pack.Active) {
		return Quote{}, InvalidInput("packId", "unknown pack")
	}
	if err != nil {
		return Quote{}, asDomainError(err)
	}
	if pack.Validity == ValidityRecurring || pack.Custom {
		return Quote{}, InvalidInput("packId", "pack %s cannot be bought automatically (add-ons and custom packs are bought on session)", pack.Code)
	}
	return PricePack(s.pricing, QuoteInput{Pack: pack, Quantity: a.Quantity, Currency: org.Currency, Country: org.Country, Installments: 1})
}

// overagePlan returns the org's live paid subscription and its plan;
// INVALID_INPUT on "mode" for an org without one.
func (s *Service) overagePlan(ctx context.Context, st Store, orgID string) (Subscription, Plan, error) {
	sub, err := st.LiveSubscription(ctx, orgID)
	if IsCode(err, CodeNotFound) || (err == nil && sub.Status == SubIncomplete) {
		return Subscription{}, Plan{}, InvalidInput("mode", "OVERAGE needs a paid plan; the org is on the Free plan")
	}
	if err != nil {
		return Subscription{}, Plan{}, asDomainError(err)
	}
	plan, err := st.PlanByID(ctx, sub.PlanID)
	if err != nil {
		return Subscription{}, Plan{}, asDomainError(err)
	}
	if pr, ok := plan.PriceIn(sub.Currency); !ok || pr.AmountMinor <= 0 || plan.IncludedCreditsPerSeat <= 0 {
		return Subscription{}, Plan{}, InvalidInput("mode", "OVERAGE needs a paid plan that includes credits")
	}
	return sub, plan, nil
}

// OverageQuote prices one overage purchase of unit credits for plan in
// target's currency and country: a PACK line of unit credits at the plan's
// unit price (price × unit / credits of the interval, rounded half up),
// a SURCHARGE line of surchargeBP basis points of it (rounded half up),
// and tax on their sum. Credits are BILLING_CYCLE (they end with the
// month, as extra credits do). INVALID_INPUT on "mode" for a plan without
// a price or credits.
func OverageQuote(cfg PricingConfig, plan Plan, unit, surchargeBP int64, t PriceTarget) (Quote, error) {
	pr, ok := plan.PriceIn(t.Currency)
	credits := plan.IncludedCreditsPerSeat * int64(IntervalMonths(plan.Interval))
	if !ok || pr.AmountMinor <= 0 || credits <= 0 || unit <= 0 {
		return Quote{}, InvalidInput("mode", "OVERAGE needs a paid plan that includes credits")
	}
	price := perCredits(pr.AmountMinor, unit, credits)
	surcharge := basisPoints(price, int(surchargeBP))
	lines := []OrderLine{{
		Kind:        LinePack,
		Description: fmt.Sprintf("Overage credits at the %s plan's price (%s credits)", plan.Name, groupDigits(unit)),
		Quantity:    1, UnitPrice: Money{AmountMinor: price, Currency: t.Currency},
		Amount: Money{AmountMinor: price, Currency: t.Currency}, Credits: unit,
	}}
	if surcharge > 0 {
		lines = append(lines, OrderLine{
			Kind: LineSurcharge, Description: fmt.Sprintf("Automatic purchase surcharge (%s)", percent(int(surchargeBP))),
			Quantity: 1, UnitPrice: Money{AmountMinor: surcharge, Currency: t.Currency}, Amount: Money{AmountMinor: surcharge, Currency: t.Currency},
		})
	}
	q, err := finishQuote(cfg, lines, t)
	if err != nil {
		return Quote{}, err
	}
	q.Credits, q.Validity = unit, ValidityBillingCycle
	return q, nil
}

// priceOverage prices one overage top-up for org on plan.
func (s *Service) priceOverage(org Org, plan Plan) (Quote, error) {
	return OverageQuote(s.pricing, plan, s.cfg.AutoRecharge.OverageUnit, s.cfg.AutoRecharge.OverageSurchargeBP,
		PriceTarget{Currency: org.Currency, Country: org.Country, Installments: 1})
}

// overageCap is the most overage credits per period: what sub includes in
// its period (credits per seat per month × seats × months of the plan's
// interval).
func overageCap(sub Subscription, plan Plan) int64 {
	return plan.IncludedCreditsPerSeat * int64(sub.Seats) * int64(IntervalMonths(plan.Interval))
}

// rechargePeriod is the period limits count over (see the top of this
// file): the live subscription's current period, else the calendar month
// (UTC) of now.
func rechargePeriod(ctx context.Context, st SubscriptionStore, orgID string, now time.Time) (time.Time, time.Time, error) {
	sub, err := st.LiveSubscription(ctx, orgID)
	if err != nil && !IsCode(err, CodeNotFound) {
		return time.Time{}, time.Time{}, err
	}
	if err == nil && sub.Status != SubIncomplete && sub.CurrentPeriodEnd.After(sub.CurrentPeriodStart) {
		return sub.CurrentPeriodStart, sub.CurrentPeriodEnd, nil
	}
	n := now.UTC()
	start := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(0, 1, 0), nil
}

// countsTowardLimit reports whether a top-up in status st counts against
// the spending limit: paid (and not wholly refunded) or still in flight.
func countsTowardLimit(st OrderStatus) bool {
	return st == OrderPaid || st == OrderPartiallyRefunded || st.Unpaid()
}

// spentIn sums the totals and credits of the counted orders.
func spentIn(orders []Order, c Currency) (Money, int64) {
	spent := Money{Currency: c}
	var credits int64
	for _, o := range orders {
		if !countsTowardLimit(o.Status) {
			continue
		}
		spent.AmountMinor += o.Total.AmountMinor
		if o.AutoRecharge == RechargeOverage {
			credits += o.Credits
		}
	}
	return spent, credits
}

// AutoRechargeOf returns the org's auto-recharge settings with the
// period's spending, or nil when the org never set them. Codes:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN (OWNER and BILLING only).
func (s *Service) AutoRechargeOf(ctx context.Context, orgID string) (*AutoRechargeStatus, error) {
	if _, err := s.authorize(ctx, orgID, ActionBilling); err != nil {
		return nil, err
	}
	st, err := s.autoRechargeStatus(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if !st.Saved {
		return nil, nil
	}
	return &st, nil
}

// autoRechargeStatus reads the org's settings and period figures.
func (s *Service) autoRechargeStatus(ctx context.Context, orgID string) (AutoRechargeStatus, error) {
	org, err := s.store.OrgByID(ctx, orgID)
	if err != nil {
		return AutoRechargeStatus{}, asDomainError(err)
	}
	a, err := s.store.AutoRechargeByOrg(ctx, orgID)
	saved := err == nil
	if IsCode(err, CodeNotFound) {
		a = AutoRecharge{OrgID: orgID, Mode: RechargePack, Quantity: 1,
			SpendingLimit: Money{AmountMinor: s.cfg.AutoRecharge.DefaultLimitMinor, Currency: org.Currency}}
	} else if err != nil {
		return AutoRechargeStatus{}, asDomainError(err)
	}
	start, end, err := rechargePeriod(ctx, s.store, orgID, s.clock.Now())
	if err != nil {
		return AutoRechargeStatus{}, asDomainError(err)
	}
	orders, err := s.store.AutoRechargeOrders(ctx, orgID, start, end)
	if err != nil {
		return AutoRechargeStatus{}, asDomainError(err)
	}
	spent, _ := spentIn(orders, org.Currency)
	st := AutoRechargeStatus{AutoRecharge: a, Saved: saved, PeriodStart: start, PeriodEnd: end, SpentThisPeriod: spent}
	last, err := s.store.LatestAutoRechargeOrder(ctx, orgID)
	if err == nil {
		st.LastOrder = &last
	} else if !IsCode(err, CodeNotFound) {
		return AutoRechargeStatus{}, asDomainError(err)
	}
	return st, nil
}

// ResumeAutoRecharge clears a pause (recording AUTO_RECHARGE_RESUMED) and
// checks at once whether a top-up is due; resuming settings that are not
// paused changes nothing. Once per idempotency key. Codes:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN (OWNER and BILLING only),
// INVALID_INPUT (idempotencyKey; orgId for an org that never set
// auto-recharge), CONFLICT (key reused).
func (s *Service) ResumeAutoRecharge(ctx context.Context, orgID, idempotencyKey string) (AutoRechargeStatus, error) {
	if err := validateKey(idempotencyKey); err != nil {
		return AutoRechargeStatus{}, err
	}
	acc, err := s.authorize(ctx, orgID, ActionBilling)
	if err != nil {
		return AutoRechargeStatus{}, err
	}
	k := idemKey{orgID: orgID, key: idempotencyKey, op: "resumeAutoRecharge", hash: requestHash("resumeAutoRecharge", orgID)}
	replay := func(context.Context, IdempotencyRecord) (struct{}, error) { return struct{}{}, nil }
	_, err = once(ctx, s, k, replay, func(ctx context.Context, record recordFunc) (struct{}, error) {
		now := s.clock.Now()
		err := s.store.InTx(ctx, func(tx Store) error {
			a, err := tx.LockAutoRecharge(ctx, orgID)
			if IsCode(err, CodeNotFound) {
				return InvalidInput("orgId", "the org has no auto-recharge settings to resume")
			}
			if err != nil {
				return err
			}
			if a.PausedAt != nil {
				paused := *a.PausedAt
				a.PausedAt, a.PauseReason, a.UpdatedAt = nil, "", now
				a.Version++
				if err := tx.SaveAutoRecharge(ctx, a, a.rechargeBelow()); err != nil {
					return err
				}
				if err := s.recordEventTx(ctx, tx, orgID, OrgEventAutoRechargeResumed,
					fmt.Sprintf("recharge_resumed:%s:%s", orgID, paused.UTC().Format(time.RFC3339Nano)),
					map[string]string{"userId": acc.Actor.UserID}, now); err != nil {
					return err
				}
			}
			return record(ctx, tx, nil)
		})
		return struct{}{}, asDomainError(err)
	})
	if err != nil {
		return AutoRechargeStatus{}, err
	}
	s.publishOrgEvent(ctx, orgID)
	s.checkNow(ctx, orgID)
	return s.autoRechargeStatus(ctx, orgID)
}

// checkNow runs checkAutoRecharge for a mutation that just changed the
// settings; a failure is logged (the mutation itself succeeded, and the
// sweep checks again).
func (s *Service) checkNow(ctx context.Context, orgID string) {
	if s.gateways == nil {
		return
	}
	if _, err := s.checkAutoRecharge(context.WithoutCancel(ctx), orgID); err != nil {
		s.log.WarnContext(ctx, "auto-recharge check failed", "org", orgID, "err", err)
	}
}

// RechargeDue checks up to limit orgs whose balance is below their
// auto-recharge threshold with no top-up in flight (the sweep that catches
// a poke lost after a spend committed) and returns how many top-ups it
// started.
func (s *Service) RechargeDue(ctx context.Context, limit int) (int, error) {
	if s.gateways == nil {
		return 0, nil
	}
	ids, err := s.store.OrgsBelowRecharge(ctx, limit)
	if err != nil {
		return 0, asDomainError(err)
	}
	return runEach(ids, func(id string) (bool, error) { return s.checkAutoRecharge(ctx, id) })
}

// checkAutoRecharge buys a top-up for the org when one is due, and reports
// whether it started one. In one transaction, under the settings row's
// lock, it re-reads the balance and stops unless auto-recharge is active,
// the balance is below the threshold, the org may spend, and no
// auto-recharge order is in flight; then it prices the top-up, and when
// the period's spending limit (or the overage cap) would be passed it
// records AUTO_RECHARGE_LIMIT_REACHED once per period and stops; a saved
// card that is gone pauses auto-recharge. Otherwise it creates the order
// (Order.AutoRecharge set) and records AUTO_RECHARGE_STARTED, commits,
// and charges the card off session through startPayment; settle applies
// the outcome (grant on PAID, pause on failure: autoRechargeSettledTx).
// An order whose payment never started (a crash, a gateway outage) is
// charged by the next check, with the same provider idempotency key.
//
// Two checkers never both buy (the duplicate top-ups of Flexprice #2155
// and Lago #5870 came from "check no pending top-up, then insert" with
// neither a lock nor a constraint): the decision is made under the
// settings row's lock, and orders_auto_recharge_in_flight_idx refuses a
// second in-flight order (CONFLICT here: someone else is topping up).
func (s *Service) checkAutoRecharge(ctx context.Context, orgID string) (bool, error) {
	if s.gateways == nil {
		return false, nil
	}
	now := s.clock.Now()
	var (
		charge   *Order
		methodID string
		created  bool
		events   bool
	)
	err := s.store.InTx(ctx, func(tx Store) error {
		charge, methodID, created, events = nil, "", false, false
		a, err := tx.LockAutoRecharge(ctx, orgID)
		if IsCode(err, CodeNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		last, err := tx.LatestAutoRechargeOrder(ctx, orgID)
		switch {
		case err == nil && last.Status.Unpaid():
			if last.Status == OrderPending && last.PaymentID == "" {
				// Decided, committed, but its payment never started
				// (a crash, an outage): charge it now.
				charge, methodID = &last, a.PaymentMethodID
			}
			return nil
		case err != nil && !IsCode(err, CodeNotFound):
			return err
		}
		if !a.Active() {
			return nil
		}
		b, err := tx.GetBalance(ctx, orgID)
		if err != nil {
			return err
		}
		if b.Total >= a.Threshold || !b.OrgStatus.CanSpend() {
			return nil
		}
		org, err := tx.OrgByID(ctx, orgID)
		if err != nil {
			return err
		}
		start, end, err := rechargePeriod(ctx, tx, orgID, now)
		if err != nil {
			return err
		}
		var (
			q      Quote
			capped bool
		)
		orders, err := tx.AutoRechargeOrders(ctx, orgID, start, end)
		if err != nil {
			return err
		}
		spent, overage := spentIn(orders, org.Currency)
		switch a.Mode {
		case RechargeOverage:
			sub, plan, err := s.overagePlan(ctx, tx, orgID)
			if IsCode(err, CodeInvalidInput) {
				events = true
				return s.pauseTx(ctx, tx, a, nil, "no_paid_plan", now)
			}
			if err != nil {
				return err
			}
			if q, err = s.priceOverage(org, plan); err != nil {
				return err
			}
			capped = overage+q.Credits > overageCap(sub, plan)
		default:
			if q, err = s.priceRechargePack(ctx, tx, org, a); IsCode(err, CodeInvalidInput) {
				events = true
				return s.pauseTx(ctx, tx, a, nil, "pack_unavailable", now)
			}
			if err != nil {
				return err
			}
		}
		if capped || q.Total.Currency != a.SpendingLimit.Currency || spent.AmountMinor+q.Total.AmountMinor > a.SpendingLimit.AmountMinor {
			events = true
			return s.recordEventTx(ctx, tx, orgID, OrgEventAutoRechargeLimitReached,
				fmt.Sprintf("recharge_limit:%s:%s", orgID, start.UTC().Format(time.RFC3339)),
				map[string]string{
					"limit": a.SpendingLimit.String(), "spent": spent.String(),
					"periodStart": start.UTC().Format(time.RFC3339), "periodEnd": end.UTC().Format(time.RFC3339),
					"link": s.cfg.Notify.BillingURL,
				}, now)
		}
		m, err := s.chargeMethod(ctx, tx, orgID, a.PaymentMethodID)
		if errors.Is(err, errNoMethodCause) || (err == nil && m.Kind != MethodCard) {
			events = true
			return s.pauseTx(ctx, tx, a, nil, PauseNoMethod, now)
		}
		if err != nil {
			return err
		}
		gw, found := s.gateways.Get(m.Gateway)
		if !found {
			events = true
			return s.pauseTx(ctx, tx, a, nil, PauseNoMethod, now)
		}
		o := Order{
			ID: newID(), OrgID: orgID, Status: OrderPending, Lines: q.Lines,
			Subtotal: q.Subtotal, Tax: q.Tax, TaxRateBP: q.TaxRateBP, Total: q.Total,
			Credits: q.Credits, Validity: q.Validity, Gateway: gw.Name(), Method: m.Kind,
			AutoRecharge: a.Mode, CreatedAt: now, UpdatedAt: now, Version: 1,
		}
		if err := s.createOrder(ctx, tx, &o); err != nil {
			if IsCode(err, CodeConflict) {
				return errRechargeInFlight // the in-flight index: someone else is topping up
			}
			return err
		}
		if err := s.recordEventTx(ctx, tx, orgID, OrgEventAutoRechargeStarted, "recharge_started:"+o.ID,
			rechargeDetail(o, m.ID), now); err != nil {
			return err
		}
		charge, methodID, created, events = &o, m.ID, true, true
		return nil
	})
	if errors.Is(err, errRechargeInFlight) {
		return false, nil
	}
	if err != nil {
		return false, asDomainError(err)
	}
	if events {
		s.publishOrgEvent(ctx, orgID)
	}
	if charge == nil {
		return false, nil
	}
	if created {
		s.publishOrder(ctx, *charge)
	}
	if _, err := s.startPayment(ctx, *charge, methodID, ""); err != nil && !IsCode(err, CodePaymentFailed) {
		// The order stays PENDING with no payment: the next check (a
		// spend, the sweep) charges it with the same idempotency key.
		s.log.WarnContext(ctx, "auto-recharge charge not started; retried on the next check",
			"org", orgID, "order", charge.ID, "err", err)
		return created, nil
	}
	return created, nil
}

// pauseTx pauses a (locked by the caller) for reason, turns the org's
// recharge_below off and records AUTO_RECHARGE_PAUSED (mailed) with the
// order (nil when none), the reason and the link to act; the caller
// publishes after commit. A pause already in place stays as it is.
func (s *Service) pauseTx(ctx context.Context, tx Store, a AutoRecharge, o *Order, reason string, now time.Time) error {
	if a.PausedAt != nil {
		return nil
	}
	a.PausedAt, a.PauseReason, a.UpdatedAt = &now, reason, now
	a.Version++
	if err := tx.SaveAutoRecharge(ctx, a, a.rechargeBelow()); err != nil {
		return err
	}
	detail := map[string]string{"reason": reason, "link": s.cfg.Notify.BillingURL}
	key := fmt.Sprintf("recharge_paused:%s:%s", a.OrgID, now.UTC().Format(time.RFC3339Nano))
	if o != nil {
		detail["orderNumber"], detail["amount"], detail["orderId"], detail["currency"] = o.Number, o.Total.String(), o.ID, string(o.Total.Currency)
		key = "recharge_paused:" + o.ID
	}
	if reason == FailureAuthRequired {
		detail["action"] = "the bank asks the cardholder to authenticate: pay on session or use another card, then resume auto-recharge"
	} else {
		detail["action"] = "update the card, then resume auto-recharge"
	}
	return s.recordEventTx(ctx, tx, a.OrgID, OrgEventAutoRechargePaused, key, detail, now)
}

// autoRechargeSettledTx is settle's hook for an auto-recharge order whose
// status changed (inside settle's transaction): PAID records
// AUTO_RECHARGE_PAID; FAILED or CANCELED records AUTO_RECHARGE_FAILED
// (key "recharge_failed:<order>"; detail rechargeDetail with reason and
// status) and pauses auto-recharge (pauseTx) with the order's failure reason — a charge that needed the
// buyer (FailureAuthRequired) included.
func (s *Service) autoRechargeSettledTx(ctx context.Context, tx Store, o Order, now time.Time) error {
	switch o.Status {
	case OrderPaid:
		return s.recordEventTx(ctx, tx, o.OrgID, OrgEventAutoRechargePaid, "recharge_paid:"+o.ID, rechargeDetail(o, ""), now)
	case OrderFailed, OrderCanceled:
		reason := o.FailureReason
		if reason == "" {
			reason = pauseCanceled
		}
		d := rechargeDetail(o, "")
		d["reason"], d["status"] = reason, string(o.Status)
		if err := s.recordEventTx(ctx, tx, o.OrgID, OrgEventAutoRechargeFailed, "recharge_failed:"+o.ID, d, now); err != nil {
			return err
		}
		a, err := tx.LockAutoRecharge(ctx, o.OrgID)
		if IsCode(err, CodeNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.pauseTx(ctx, tx, a, &o, reason, now)
	}
	return nil
}

// rechargeDetail is the detail of an automatic top-up's events:
// orderId, orderNumber, amount, currency, credits, mode (PACK or OVERAGE),
// packId (a pack top-up) and, when known (AUTO_RECHARGE_STARTED), the
// paymentMethodId charged.
func rechargeDetail(o Order, methodID string) map[string]string {
	d := map[string]string{
		"orderId": o.ID, "orderNumber": o.Number, "amount": o.Total.String(), "currency": string(o.Total.Currency),
		"credits": fmt.Sprint(o.Credits), "mode": string(o.AutoRecharge),
	}
	for _, l := range o.Lines {
		if l.Kind == LinePack && l.PackID != "" {
			d["packId"] = l.PackID
			break
		}
	}
	if methodID != "" {
		d["paymentMethodId"] = methodID
	}
	return d
}
