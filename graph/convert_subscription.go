package graph

import (
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

// Converters of plan subscriptions, their quotes and checkouts between
// domain types and GraphQL models; orders, lines, money and next actions
// convert as in convert_orders.go.

func toSubscription(s domain.Subscription) *model.Subscription {
	out := &model.Subscription{
		ID: EncodeID(typeSubscription, s.ID), SubscriptionID: s.ID, OrgID: s.OrgID, PlanID: s.PlanID,
		Status: subscriptionStatus(s), Seats: s.Seats,
		CurrentPeriodStart: s.CurrentPeriodStart, CurrentPeriodEnd: s.CurrentPeriodEnd, NextCreditResetAt: s.NextResetAt,
		AutoRenew: s.AutoRenew, CancelAtPeriodEnd: s.CancelAtPeriodEnd, Installments: max(s.Installments, 1),
		LatestOrderID: s.LatestOrderID, RenewalFailure: renewalFailure(s), CreatedAt: s.CreatedAt, EndedAt: s.EndedAt,
	}
	if s.Status.Live() && s.Status != domain.SubIncomplete && s.AutoRenew && !s.CancelAtPeriodEnd {
		at := s.CurrentPeriodEnd
		out.RenewsAt = &at
	}
	if s.Status == domain.SubPastDue {
		out.PastDueAt, out.NextRetryAt, out.DunningAttempts = s.PastDueAt, s.NextRetryAt, s.DunningAttempts
	}
	if p := s.Pending; p != nil {
		out.ScheduledChange = &model.ScheduledChange{PlanID: p.PlanID, Seats: p.Seats, EffectiveAt: s.CurrentPeriodEnd}
	}
	return out
}

// subscriptionStatus is the schema's status: the domain's, with a paid
// subscription that ends with its period shown as CANCELED (one INCOMPLETE
// or PAST_DUE keeps its status, which says that money is owed).
func subscriptionStatus(s domain.Subscription) model.SubscriptionStatus {
	if s.Status == domain.SubActive && s.CancelAtPeriodEnd {
		return model.SubscriptionStatusCanceled
	}
	return model.SubscriptionStatus(s.Status)
}

// renewalFailure is why a PAST_DUE subscription's renewal failed, in the
// general terms an order's failureReason uses: the provider's itemized
// reason stays with the order's row.
func renewalFailure(s domain.Subscription) *model.RenewalFailure {
	if s.Status != domain.SubPastDue || s.RenewalFailure == "" {
		return nil
	}
	f := model.RenewalFailureDeclined
	switch s.RenewalFailure {
	case domain.FailureAuthRequired:
		f = model.RenewalFailureAuthenticationRequired
	case domain.FailureNoMethod:
		f = model.RenewalFailureNoPaymentMethod
	}
	return &f
}

func toSubscriptionQuote(q domain.SubscriptionQuote) *model.SubscriptionQuote {
	return &model.SubscriptionQuote{
		Kind: model.ChangeKind(q.Kind), Immediate: q.Immediate, EffectiveAt: q.EffectiveAt,
		Plan: toPlan(q.Plan), Seats: q.Seats, Lines: toOrderLines(q.Lines), Subtotal: toMoney(q.Subtotal),
		TaxRateBasisPoints: q.TaxRateBP, Tax: toMoney(q.Tax), Total: toMoney(q.Total), Credits: q.Credits,
		Installments: toInstallmentPlan(q.Installments), PeriodStart: q.PeriodStart, PeriodEnd: q.PeriodEnd,
		Renewal: toMoney(q.Renewal),
	}
}

// toSubscriptionCheckout converts a subscription change's answer: its
// order and next action as purchasePack's checkout has them (NONE when the
// buyer has nothing to do, also when nothing is charged), its quote null
// when a repeated key answered.
func toSubscriptionCheckout(c domain.SubscriptionCheckout) *model.SubscriptionCheckout {
	out := &model.SubscriptionCheckout{
		Subscription: toSubscription(c.Subscription), NextAction: &model.NextAction{Kind: model.NextActionKindNone},
	}
	if c.Order != nil {
		co := toCheckout(domain.Checkout{Order: *c.Order, NextAction: c.NextAction})
		out.Order, out.NextAction = co.Order, co.NextAction
	}
	if c.Quote.Kind != "" {
		out.Quote = toSubscriptionQuote(c.Quote)
	}
	return out
}

// Inputs.

// paymentMethodRef is what a paymentMethodId argument names for the
// domain: the domain ID of a saved PaymentMethod given by its global ID,
// otherwise the gateway-side token as given. A global ID of another type
// is INVALID_INPUT.
func paymentMethodRef(gid *string) (string, error) {
	raw := deref(gid)
	if raw == "" {
		return "", nil
	}
	typ, id, err := DecodeID("paymentMethodId", raw)
	if err != nil {
		return raw, nil // not a global ID: a gateway token
	}
	if typ != typePaymentMethod {
		return "", domain.InvalidInput("paymentMethodId", "not the ID of a %s", typePaymentMethod)
	}
	return id, nil
}

// fromSubscribeInput converts subscribe's input with purchasePack's
// converters; orgID, planID and paymentMethodID are decoded already.
func fromSubscribeInput(in model.SubscribeInput, orgID, planID, paymentMethodID string) domain.SubscribeInput {
	return domain.SubscribeInput{
		OrgID: orgID, PlanID: planID, Seats: in.Seats, Gateway: deref(in.Gateway), Method: fromPaymentMethodKind(in.Method),
		Installments: in.Installments, PaymentMethodID: paymentMethodID, ReturnURL: deref(in.ReturnURL),
		IdempotencyKey: in.IdempotencyKey, InvoiceDetails: fromInvoiceDetails(in.InvoiceDetails),
	}
}

// seatsWanted checks a seat count given to changePlan or changeSeats: the
// domain reads 0 as "keep the seats", which an explicit 0 must not mean.
func seatsWanted(n int) error {
	if n < 1 || n > domain.MaxSeats {
		return domain.InvalidInput("seats", "must be between 1 and %d", domain.MaxSeats)
	}
	return nil
}
