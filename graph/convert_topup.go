package graph

import (
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

// toTopUpOptions converts a currency's top-up rule.
func toTopUpOptions(r domain.TopUpRule) *model.TopUpOptions {
	return &model.TopUpOptions{
		Currency: toCurrency(r.Currency), Credits: r.Credits, Per: toMoney(r.Unit()),
		Presets: convertAll(r.Presets(), toMoney), Min: toMoney(r.Min()), Max: toMoney(r.Max()),
		Validity: model.ValidityPolicy(r.Validity), Rounding: domain.TopUpRuleText(r),
	}
}

// fromTopUpAmount maps the two ways of giving an amount; the domain
// refuses both or neither.
func fromTopUpAmount(minor *int64, decimal *string) domain.TopUpAmount {
	a := domain.TopUpAmount{Decimal: deref(decimal)}
	if minor != nil {
		a.Minor = *minor
	}
	return a
}

// fromTopUpInput maps topUp's input; orgID and paymentMethodID are decoded
// already (paymentMethodRef).
func fromTopUpInput(in model.TopUpInput, orgID, paymentMethodID string) domain.TopUpInput {
	a := fromTopUpAmount(in.AmountMinor, in.Amount)
	return domain.TopUpInput{
		OrgID: orgID, AmountMinor: a.Minor, Amount: a.Decimal, Gateway: deref(in.Gateway), Method: fromPaymentMethodKind(in.Method),
		Installments: in.Installments, PaymentMethodID: paymentMethodID, IdempotencyKey: in.IdempotencyKey,
		InvoiceDetails: fromInvoiceDetails(in.InvoiceDetails), ReturnURL: deref(in.ReturnURL),
	}
}
