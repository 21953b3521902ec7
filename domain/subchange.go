package domain

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// SubscriptionChange asks for the plan and seats an org's subscription
// should have (changePlan, changeSeats, previewChange). PlanID "" keeps the plan, Seats 0 keeps the seats.
type SubscriptionChange struct {
	OrgID  string
	PlanID string
	Seats  int
	// PaymentMethodID pays an immediate change with another saved method
	// or a token; "" charges the subscription's saved method, or lets the
	// buyer pay on the gateway's page when it has none.
	PaymentMethodID string
	ReturnURL       string
	IdempotencyKey  string
}

// changeContext is what pricing a change reads.
type changeContext struct {
	org     Org
	sub     Subscription
	current Plan
	next    Plan
	seats   int
	quote   SubscriptionQuote
}

// priceChange prices ch against the org's live subscription at now: the
// one function previewChange, changePlan and changeSeats price with.
func (s *Service) priceChange(ctx context.Context, ch SubscriptionChange) (changeContext, error) {
	var c changeContext
	org, err := s.store.OrgByID(ctx, ch.OrgID)
	if err != nil {
		return c, asDomainError(err)
	}
	sub, err := s.store.LiveSubscription(ctx, ch.OrgID)
	if IsCode(err, CodeNotFound) {
		return c, InvalidInput("orgId", "the org has no subscription; subscribe first")
	}
	if err != nil {
		return c, asDomainError(err)
	}
	if sub.Status != SubActive {
		return c, &Error{Code: CodeConflict, Field: "orgId", Message: fmt.Sprintf("the subscription is %s; it can be changed once it is paid", sub.Status)}
	}
	cur, err := s.store.PlanByID(ctx, sub.PlanID)
	if err != nil {
		return c, asDomainError(err)
	}
	next := cur
	if ch.PlanID != "" && ch.PlanID != cur.ID {
		if next, err = s.subscriptionPlan(ctx, ch.PlanID, "planId"); err != nil {
			return c, err
		}
	}
	seats := sub.Seats
	if ch.Seats != 0 {
		seats = ch.Seats
	}
	if err := s.checkSeats(ctx, s.store, org.ID, seats); err != nil {
		return c, err
	}
	now := s.clock.Now()
	resetStart := AddMonths(sub.NextResetAt, -1)
	q, err := PriceChange(s.pricing, ChangeInput{
		Current: cur, CurrentSeats: sub.Seats, Next: next, Seats: seats,
		PeriodStart: sub.CurrentPeriodStart, PeriodEnd: sub.CurrentPeriodEnd,
		ResetStart: resetStart, NextReset: sub.NextResetAt, Now: now,
	}, PriceTarget{Currency: org.Currency, Country: org.Country, Installments: sub.Installments})
	if err != nil {
		return c, err
	}
	return changeContext{org: org, sub: sub, current: cur, next: next, seats: seats, quote: q}, nil
}

// PreviewChange prices a change of the org's subscription without making
// it, by the code changePlan and changeSeats price with: what is charged
// now (an upgrade or added seats, pro rata), or when a downgrade or seat
// removal takes effect, and what the next renewal will cost. Codes:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID_INPUT, CONFLICT (the
// subscription is not paid yet or past due).
func (s *Service) PreviewChange(ctx context.Context, ch SubscriptionChange) (SubscriptionQuote, error) {
	if _, err := s.authorize(ctx, ch.OrgID, ActionBilling); err != nil {
		return SubscriptionQuote{}, err
	}
	c, err := s.priceChange(ctx, ch)
	return c.quote, err
}

// PreviewSubscribe prices subscribing the org to a plan, by the code
// subscribe prices with. Codes as PreviewChange's.
func (s *Service) PreviewSubscribe(ctx context.Context, in SubscribeInput) (SubscriptionQuote, error) {
	if _, err := s.authorize(ctx, in.OrgID, ActionBilling); err != nil {
		return SubscriptionQuote{}, err
	}
	org, err := s.store.OrgByID(ctx, in.OrgID)
	if err != nil {
		return SubscriptionQuote{}, asDomainError(err)
	}
	plan, err := s.subscriptionPlan(ctx, in.PlanID, "planId")
	if err != nil {
		return SubscriptionQuote{}, err
	}
	if err := s.checkSeats(ctx, s.store, org.ID, in.Seats); err != nil {
		return SubscriptionQuote{}, err
	}
	return PriceSubscribe(s.pricing, plan, in.Seats, PriceTarget{Currency: org.Currency, Country: org.Country, Installments: in.Installments}, s.clock.Now())
}

// ChangeSubscription changes the plan and/or seats of the org's
// subscription (changePlan, changeSeats). An upgrade or added seats are
// charged now, pro rata, and take effect once paid; a downgrade, a move to
// the other interval or fewer seats are scheduled for the period's end (a
// pending change, replacing any earlier one), and asking for what the
// subscription already is cancels a pending change. Codes: as Subscribe's,
// and CONFLICT when the subscription is not ACTIVE.
func (s *Service) ChangeSubscription(ctx context.Context, ch SubscriptionChange) (SubscriptionCheckout, error) {
	acc, returnURL, err := s.checkCharge(ctx, ch.OrgID, ch.IdempotencyKey, ch.ReturnURL)
	if err != nil {
		return SubscriptionCheckout{}, err
	}
	k := idemKey{orgID: ch.OrgID, key: ch.IdempotencyKey, op: "changeSubscription",
		hash: requestHash("changeSubscription", ch.OrgID, ch.PlanID, ch.Seats, ch.PaymentMethodID)}
	replay := func(ctx context.Context, rec IdempotencyRecord) (SubscriptionCheckout, error) {
		return s.resumeSubscriptionOrder(ctx, rec, ch.PaymentMethodID, returnURL)
	}
	return once(ctx, s, k, replay, func(ctx context.Context, record recordFunc) (SubscriptionCheckout, error) {
		c, err := s.priceChange(ctx, ch)
		if err != nil {
			return SubscriptionCheckout{}, err
		}
		if !c.quote.Immediate {
			return s.scheduleChange(ctx, c, record)
		}
		if err := s.checkRoom(ctx, c.org.ID, c.quote.Credits, "seats"); err != nil {
			return SubscriptionCheckout{}, err
		}
		pmID := ch.PaymentMethodID
		if pmID == "" {
			pmID = c.sub.PaymentMethodID
		}
		pay, err := s.subscriptionPayment(ctx, c.org, "", "", c.sub.Installments, pmID)
		if err != nil {
			return SubscriptionCheckout{}, err
		}
		if err := s.throttlePurchase(ctx, c.org.ID, acc.Actor); err != nil {
			return SubscriptionCheckout{}, err
		}
		action := ActionChangePlan
		if c.quote.Kind == ChangeAddSeats {
			action = ActionAddSeats
		}
		now := s.clock.Now()
		o := s.subscriptionOrder(c.org, c.sub, c.quote, action, pay, nil, acc.Actor.UserID, now)
		err = s.store.InTx(ctx, func(tx Store) error {
			if err := s.createOrder(ctx, tx, &o); err != nil {
				return err
			}
			return record(ctx, tx, []byte(o.ID))
		})
		if err != nil {
			return SubscriptionCheckout{}, asDomainError(err)
		}
		return s.chargeSubscriptionOrder(ctx, o, pay.paymentMethodID, returnURL, c.quote)
	})
}

// scheduleChange records a change for the period's end (or cancels the
// pending one when nothing is to change).
func (s *Service) scheduleChange(ctx context.Context, c changeContext, record recordFunc) (SubscriptionCheckout, error) {
	// The event names the plans by code: the current, the next and a
	// pending one being replaced or withdrawn.
	codes := map[string]string{c.current.ID: c.current.Code, c.next.ID: c.next.Code}
	if p := c.sub.Pending; p != nil && codes[p.PlanID] == "" {
		if pending, err := s.store.PlanByID(ctx, p.PlanID); err == nil {
			codes[pending.ID] = pending.Code
		}
	}
	sub, err := s.updateSubscription(ctx, c.sub.ID, record, codes, func(sub *Subscription) error {
		if sub.Status != SubActive || !sub.CurrentPeriodEnd.Equal(c.sub.CurrentPeriodEnd) {
			return &Error{Code: CodeConflict, Field: "orgId", Message: "the subscription changed meanwhile; preview the change again"}
		}
		if c.quote.Kind == ChangeNone {
			sub.Pending = nil
		} else {
			sub.Pending = &PendingChange{PlanID: c.next.ID, Seats: c.seats}
		}
		return nil
	})
	if err != nil {
		return SubscriptionCheckout{}, err
	}
	return SubscriptionCheckout{Subscription: sub, Quote: c.quote}, nil
}

// updateSubscription changes the org's subscription under its lock with
// fn, records what changed as an org event (settingEvent, naming plans
// by the codes given:
// SUBSCRIPTION_CHANGED or SUBSCRIPTION_CANCELED, none when nothing a
// receiver sees changed) and the key (response "sub:<id>") in the same
// transaction, and announces the change.
func (s *Service) updateSubscription(ctx context.Context, id string, record recordFunc, codes map[string]string, fn func(*Subscription) error) (Subscription, error) {
	var (
		sub      Subscription
		recorded bool
	)
	by := ""
	if a, ok := ActorFrom(ctx); ok {
		by = a.UserID
	}
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		if sub, err = tx.LockSubscription(ctx, id); err != nil {
			return err
		}
		was := sub
		if err := fn(&sub); err != nil {
			return err
		}
		now := s.clock.Now()
		sub.UpdatedAt = now
		sub.Version++
		if err := tx.UpdateSubscription(ctx, sub); err != nil {
			return err
		}
		recorded = false
		if kind, detail := settingEvent(was, sub, by, codes); kind != "" {
			key := strings.ToLower(string(kind)) + ":" + sub.ID + ":v" + strconv.FormatInt(sub.Version, 10)
			if err := s.recordEventTx(ctx, tx, sub.OrgID, kind, key, detail, now); err != nil {
				return err
			}
			recorded = true
		}
		if record != nil {
			return record(ctx, tx, []byte("sub:"+sub.ID))
		}
		return nil
	})
	if err != nil {
		return Subscription{}, asDomainError(err)
	}
	s.publishSubscription(ctx, sub)
	if recorded {
		s.publishOrgEvent(ctx, sub.OrgID)
	}
	return sub, nil
}

// SubscriptionSetting is a keyed switch of the org's subscription
// (cancelSubscription, resumeSubscription, setAutoRenew).
type SubscriptionSetting struct {
	OrgID          string
	IdempotencyKey string
	// On is the value of setAutoRenew.
	On bool
}

// settingOp is one of the keyed switches.
type settingOp struct {
	name  string
	apply func(*Subscription, SubscriptionSetting) error
}

var (
	opCancel = settingOp{"cancelSubscription", func(sub *Subscription, _ SubscriptionSetting) error {
		sub.CancelAtPeriodEnd = true
		return nil
	}}
	opResume = settingOp{"resumeSubscription", func(sub *Subscription, _ SubscriptionSetting) error {
		if !sub.CancelAtPeriodEnd {
			return nil
		}
		sub.CancelAtPeriodEnd = false
		return nil
	}}
	opAutoRenew = settingOp{"setAutoRenew", func(sub *Subscription, in SubscriptionSetting) error {
		if in.On && !sub.AutoRenew && sub.PaymentMethodID == "" {
			return InvalidInput("on", "auto-renewal needs a saved payment method: pay the subscription with one or set a default method")
		}
		sub.AutoRenew = in.On
		return nil
	}}
)

// CancelSubscription cancels the org's subscription at the end of the
// current period, when the org returns to the Free plan; until then the
// plan, its seats and its credits stay. Idempotent with a key. Codes:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID_INPUT (no subscription),
// CONFLICT (key reused with other input).
func (s *Service) CancelSubscription(ctx context.Context, in SubscriptionSetting) (Subscription, error) {
	return s.setSubscription(ctx, in, opCancel)
}

// ResumeSubscription undoes a cancellation before the period ends. Codes
// as CancelSubscription's.
func (s *Service) ResumeSubscription(ctx context.Context, in SubscriptionSetting) (Subscription, error) {
	return s.setSubscription(ctx, in, opResume)
}

// SetAutoRenew switches automatic renewal off or back on. Off, the
// subscription (and its recurring add-ons) is not charged again and ends
// with the current period. On needs a saved payment method on the
// subscription: INVALID_INPUT on "on" otherwise. Auto-renewal is also
// switched on by every paid subscription order. Codes as
// CancelSubscription's.
func (s *Service) SetAutoRenew(ctx context.Context, in SubscriptionSetting) (Subscription, error) {
	return s.setSubscription(ctx, in, opAutoRenew)
}

func (s *Service) setSubscription(ctx context.Context, in SubscriptionSetting, op settingOp) (Subscription, error) {
	if err := validateKey(in.IdempotencyKey); err != nil {
		return Subscription{}, err
	}
	if _, err := s.authorize(ctx, in.OrgID, ActionBilling); err != nil {
		return Subscription{}, err
	}
	k := idemKey{orgID: in.OrgID, key: in.IdempotencyKey, op: op.name, hash: requestHash(op.name, in.OrgID, in.On)}
	replay := func(ctx context.Context, rec IdempotencyRecord) (Subscription, error) {
		co, err := s.resumeSubscriptionOrder(ctx, rec, "", "")
		return co.Subscription, err
	}
	return once(ctx, s, k, replay, func(ctx context.Context, record recordFunc) (Subscription, error) {
		cur, err := s.store.LiveSubscription(ctx, in.OrgID)
		if IsCode(err, CodeNotFound) {
			return Subscription{}, InvalidInput("orgId", "the org has no subscription")
		}
		if err != nil {
			return Subscription{}, asDomainError(err)
		}
		return s.updateSubscription(ctx, cur.ID, record, nil, func(sub *Subscription) error {
			if !sub.Status.Live() {
				return InvalidInput("orgId", "the org has no subscription")
			}
			return op.apply(sub, in)
		})
	})
}
