package graph

import (
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

// Converters for the catalog's priced fields and for quotes.

// fromPrices reads a model's price list back into domain prices.
func fromPrices(ms []*model.Money) []domain.Price {
	return convertAll(ms, func(m *model.Money) domain.Price {
		return domain.Price{Currency: fromCurrency(m.Currency), AmountMinor: m.AmountMinor}
	})
}

// packPricing rebuilds what domain pricing reads of a pack from its model
// (the resolvers of its priced fields see only the model).
func packPricing(p *model.Pack) domain.Pack {
	out := domain.Pack{Credits: p.Credits, Prices: fromPrices(p.Prices), Custom: p.Custom, StepPrices: fromPrices(p.StepPrices)}
	if p.StepCredits != nil {
		out.StepCredits = *p.StepCredits
	}
	return out
}

// optionalMoney is m as a model, or nil when !ok.
func optionalMoney(m domain.Money, ok bool) *model.Money {
	if !ok {
		return nil
	}
	return toMoney(m)
}

// fromQuoteInput converts quote's input; orgID and packID are the decoded
// domain IDs.
func fromQuoteInput(in model.QuoteInput, orgID, packID string) domain.QuoteRequest {
	out := domain.QuoteRequest{OrgID: orgID, PackID: packID, Quantity: in.Quantity, Installments: in.Installments}
	if in.Credits != nil {
		out.Credits = *in.Credits
	}
	if in.TermMonths != nil {
		out.TermMonths = *in.TermMonths
	}
	return out
}

func toPurchaseQuote(q domain.Quote) *model.PurchaseQuote {
	return &model.PurchaseQuote{
		Lines: toOrderLines(q.Lines), Subtotal: toMoney(q.Subtotal), TaxRateBasisPoints: q.TaxRateBP,
		Tax: toMoney(q.Tax), Total: toMoney(q.Total), Credits: q.Credits,
		Validity: model.ValidityPolicy(q.Validity), Installments: toInstallmentPlan(q.Installments),
	}
}

func toPackOffer(o domain.PackOffer) *model.PackOffer {
	return &model.PackOffer{Pack: toPack(o.Pack), Price: toMoney(o.Price), PricePer1000: toMoney(o.PricePer1000)}
}
