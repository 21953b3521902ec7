package domain

import (
	"context"
	"fmt"
	"math/big"
)

// Extra credits at the plan's own unit price.
//
// An org on a paid plan may buy extra credits at its plan's price per
// credit: the plan's per-seat price over the credits it includes per seat
// for the price's interval (IncludedCreditsPerSeat × 12 on an annual plan).
// They are sold in blocks of 1,000 credits, each priced
//
//	price × 1000 / credits, rounded half up to the minor unit,
//
// and the order's amount is that block price × the number of blocks (a 9.00
// plan with 10,000 credits: 0.90 per 1,000; 10,000 extra credits 9.00).
// Where 1,000 credits would round to less than 10 minor units (a plan that
// includes millions of credits), the block grows tenfold until its price
// is at least 10 minor units, so rounding never adds or removes more than
// 5% (a 9.00 plan with 2,000,000 credits: blocks of 100,000 at 0.45); the
// credits bought must then be a multiple of that block.
//
// They are one PACK line and go through purchasePack's order, payment and
// idempotency path. Their credits are PURCHASED and valid for the current
// billing cycle (BILLING_CYCLE): they expire at the subscription's next
// monthly reset, also on an annual plan, as extra credits do in the
// product documents (seed 002: "for the core plan with an annual
// subscription, credits reset every month and your extra credits expire
// with the monthly reset").

// ExtraCreditsBlock is the smallest number of extra credits sold.
const ExtraCreditsBlock = 1000

// minBlockPrice is the least price, in minor units, of one block of extra
// credits (the block grows until it costs this much).
const minBlockPrice = 10

// ExtraCreditsInput is a request to buy extra credits at the plan's price
// (buyExtraCredits).
type ExtraCreditsInput struct {
	OrgID string
	// Credits is how many, a multiple of the block (1,000 credits unless
	// the plan's credits are very cheap, see ExtraCreditsPrice).
	Credits         int64
	Gateway         string
	Method          PaymentMethodKind
	Installments    int
	PaymentMethodID string
	IdempotencyKey  string
	InvoiceDetails  *InvoiceDetails
	ReturnURL       string
}

// ExtraCreditsPrice returns the block of extra credits of plan and its
// price in currency c (see the rule above). INVALID_INPUT on "orgId" when
// the plan is free or includes no credits.
func ExtraCreditsPrice(plan Plan, c Currency) (int64, Money, error) {
	pr, ok := plan.PriceIn(c)
	if !ok || pr.AmountMinor <= 0 {
		return 0, Money{}, InvalidInput("orgId", "extra credits are sold to orgs on a paid plan; subscribe first")
	}
	credits := plan.IncludedCreditsPerSeat * int64(IntervalMonths(plan.Interval))
	if credits <= 0 {
		return 0, Money{}, InvalidInput("orgId", "plan %s includes no credits to price extra credits by", plan.Code)
	}
	block := int64(ExtraCreditsBlock)
	for {
		price := perCredits(pr.AmountMinor, block, credits)
		if price >= minBlockPrice || block >= MaxCredits/10 {
			return block, Money{AmountMinor: price, Currency: c}, nil
		}
		block *= 10
	}
}

// perCredits is amount × n / credits rounded half up, computed without
// overflow.
func perCredits(amount, n, credits int64) int64 {
	num := new(big.Int).Mul(big.NewInt(amount), big.NewInt(n))
	num.Mul(num, big.NewInt(2))
	num.Add(num, big.NewInt(credits))
	return num.Quo(num, new(big.Int).Mul(big.NewInt(credits), big.NewInt(2))).Int64()
}

// PriceExtraCredits prices credits extra credits at plan's unit price:
// one PACK line of blocks × block price, then installment commission and
// tax as for a pack. INVALID_INPUT on "credits" when they are not a
// positive multiple of the block.
func PriceExtraCredits(cfg PricingConfig, plan Plan, credits int64, t PriceTarget) (Quote, error) {
	block, price, err := ExtraCreditsPrice(plan, t.Currency)
	if err != nil {
		return Quote{}, err
	}
	if credits <= 0 || credits > MaxCredits || credits%block != 0 {
		return Quote{}, InvalidInput("credits", "must be a positive multiple of %s credits", groupDigits(block))
	}
	n := credits / block
	if price.AmountMinor > (1<<53)/n {
		return Quote{}, InvalidInput("credits", "too large")
	}
	line := OrderLine{
		Kind:        LinePack,
		Description: fmt.Sprintf("Extra credits at the %s plan's price (%s credits, %s × %s)", plan.Name, groupDigits(credits), groupDigits(n), groupDigits(block)),
		Quantity:    n, UnitPrice: price, Amount: Money{AmountMinor: price.AmountMinor * n, Currency: t.Currency}, Credits: credits,
	}
	q, err := finishQuote(cfg, []OrderLine{line}, t)
	if err != nil {
		return Quote{}, err
	}
	q.Credits, q.Validity = credits, ValidityBillingCycle
	return q, nil
}

// paidPlan returns the plan of the org's paid subscription (ACTIVE or
// PAST_DUE); INVALID_INPUT on "orgId" for an org on the Free plan.
func (s *Service) paidPlan(ctx context.Context, orgID string) (Plan, error) {
	sub, err := s.store.LiveSubscription(ctx, orgID)
	if IsCode(err, CodeNotFound) || (err == nil && sub.Status == SubIncomplete) {
		return Plan{}, InvalidInput("orgId", "extra credits are sold to orgs on a paid plan; the org is on the Free plan")
	}
	if err != nil {
		return Plan{}, asDomainError(err)
	}
	p, err := s.store.PlanByID(ctx, sub.PlanID)
	return p, asDomainError(err)
}

// priceExtraCredits prices extra credits for org by its plan.
func (s *Service) priceExtraCredits(ctx context.Context, org Org, credits int64, installments int) (Quote, error) {
	plan, err := s.paidPlan(ctx, org.ID)
	if err != nil {
		return Quote{}, err
	}
	return PriceExtraCredits(s.pricing, plan, credits, PriceTarget{Currency: org.Currency, Country: org.Country, Installments: installments})
}

// ExtraCreditsQuote prices buying credits extra credits at the org's plan
// price, by the code BuyExtraCredits prices the order with; writes
// nothing. Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN (OWNER and
// BILLING only), INVALID_INPUT (orgId: on the Free plan; credits;
// installments).
func (s *Service) ExtraCreditsQuote(ctx context.Context, orgID string, credits int64, installments int) (Quote, error) {
	if _, err := s.authorize(ctx, orgID, ActionBilling); err != nil {
		return Quote{}, err
	}
	org, err := s.store.OrgByID(ctx, orgID)
	if err != nil {
		return Quote{}, asDomainError(err)
	}
	return s.priceExtraCredits(ctx, org, credits, max(installments, 1))
}

// BuyExtraCredits buys extra credits at the org's plan price: an order
// with one PACK line, paid as purchasePack's (same checks, payment,
// idempotency by key and answer); its credits are granted once paid,
// expiring at the subscription's next monthly reset. Codes: as
// PurchasePack's, and INVALID_INPUT on "orgId" for an org on the Free
// plan.
func (s *Service) BuyExtraCredits(ctx context.Context, in ExtraCreditsInput) (Checkout, error) {
	if in.Credits == 0 {
		return Checkout{}, InvalidInput("credits", "must be a positive multiple of %d credits", ExtraCreditsBlock)
	}
	return s.PurchasePack(ctx, PurchaseInput{
		OrgID: in.OrgID, ExtraCredits: in.Credits, Quantity: 1, Gateway: in.Gateway, Method: in.Method,
		Installments: max(in.Installments, 1), PaymentMethodID: in.PaymentMethodID, IdempotencyKey: in.IdempotencyKey,
		InvoiceDetails: in.InvoiceDetails, ReturnURL: in.ReturnURL,
	})
}
