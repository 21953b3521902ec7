package domain

import (
	"context"
	"math/big"
)

// QuoteRequest asks what a pack purchase would cost the org before it is
// made: the same fields purchasePack prices an order from.
type QuoteRequest struct {
	OrgID    string
	PackID   string
	Quantity int
	// Credits is the amount of a custom pack; 0 for a fixed pack.
	Credits int64
	// Installments is the installment count, 1 (at once) to 12; an
	// add-on's is its subscription's (0 takes it).
	Installments int
	// TermMonths is the term of a RECURRING pack (an add-on); 0 for the
	// pack's minimum.
	TermMonths int
}

// QuotePurchase prices a pack purchase for the org in its currency and at
// its country's tax rate, with the installment commission, by the same
// pricePurchase call PurchasePack makes (an add-on for its term, in its
// subscription's installment count), so a quote's total is the total of
// the order the same purchase creates. Whoever may buy for the org may quote
// (ActionBilling). It writes nothing and asks no gateway. Codes:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID_INPUT (with the field).
func (s *Service) QuotePurchase(ctx context.Context, in QuoteRequest) (Quote, error) {
	if _, err := s.authorize(ctx, in.OrgID, ActionBilling); err != nil {
		return Quote{}, err
	}
	org, err := s.store.OrgByID(ctx, in.OrgID)
	if err != nil {
		return Quote{}, asDomainError(err)
	}
	q, _, err := s.pricePurchase(ctx, org, PurchaseInput{
		OrgID: in.OrgID, PackID: in.PackID, Quantity: in.Quantity, Credits: in.Credits,
		Installments: in.Installments, TermMonths: in.TermMonths,
	})
	return q, err
}

// PackPrice is the price of one pack in currency c: the catalog's price of
// a fixed pack, or of the smallest amount (Credits) of a custom pack. ok is
// false when the pack is not sold in c.
func PackPrice(p Pack, c Currency) (Money, bool) {
	_, unit, err := packUnit(p, 0, c)
	return unit, err == nil
}

// PackPricePer1000 is what 1,000 of the pack's credits cost in currency c,
// rounded half up to the minor unit: for a fixed pack its price over its
// credits, for a custom pack the step price over the step's credits. ok is
// false when the pack is not sold in c or holds no credits.
func PackPricePer1000(p Pack, c Currency) (Money, bool) {
	credits, unit, err := packUnit(p, 0, c)
	if p.Custom {
		step, ok := priceIn(p.StepPrices, c)
		if !ok || p.StepCredits <= 0 {
			return Money{}, false
		}
		credits, unit, err = p.StepCredits, step.Money(), nil
	}
	if err != nil || credits <= 0 {
		return Money{}, false
	}
	return Money{AmountMinor: per1000(unit.AmountMinor, credits), Currency: c}, true
}

// per1000 is amount × 1000 / credits rounded half up, computed without
// overflow.
func per1000(amount, credits int64) int64 {
	n := new(big.Int).Mul(big.NewInt(amount), big.NewInt(2000))
	n.Add(n, big.NewInt(credits))
	n.Quo(n, new(big.Int).Mul(big.NewInt(credits), big.NewInt(2)))
	return n.Int64()
}

// PriceIn returns the price in currency c from a price list, one per
// currency; ok is false when c is not in it.
func PriceIn(ps []Price, c Currency) (Price, bool) { return priceIn(ps, c) }

// PackOffer is a pack priced in one currency: the price of one pack and of
// 1,000 of its credits.
type PackOffer struct {
	Pack         Pack
	Price        Money
	PricePer1000 Money
}

// OffersIn prices each pack sold in currency c in that currency, keeping
// their order and leaving out the packs not sold in it.
func OffersIn(ps []Pack, c Currency) []PackOffer {
	var out []PackOffer
	for _, p := range ps {
		price, ok := PackPrice(p, c)
		per, ok2 := PackPricePer1000(p, c)
		if ok && ok2 {
			out = append(out, PackOffer{Pack: p, Price: price, PricePer1000: per})
		}
	}
	return out
}
