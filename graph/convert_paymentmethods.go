package graph

import (
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

// toPaymentMethod converts a saved payment method; card details are null
// where the method has none.
func toPaymentMethod(m domain.PaymentMethod) *model.PaymentMethod {
	out := &model.PaymentMethod{
		ID: EncodeID(typePaymentMethod, m.ID), Brand: m.Brand, Last4: optional(m.Last4), IsDefault: m.IsDefault,
		Gateway: m.Gateway, Kind: model.PaymentMethodKind(m.Kind), Status: model.PaymentMethodStatus(m.Status),
		CreatedAt: m.CreatedAt,
	}
	if m.ExpMonth != 0 {
		out.ExpMonth = &m.ExpMonth
	}
	if m.ExpYear != 0 {
		out.ExpYear = &m.ExpYear
	}
	return out
}

// toPaymentMethodSetup converts a saved or confirmed method with what the
// buyer must still do: its next action while PENDING, NONE otherwise.
func toPaymentMethodSetup(m domain.PaymentMethod) *model.PaymentMethodSetup {
	out := &model.PaymentMethodSetup{PaymentMethod: toPaymentMethod(m), NextAction: &model.NextAction{Kind: model.NextActionKindNone}}
	if m.Status == domain.MethodPending {
		if a := toNextAction(m.NextAction); a != nil {
			out.NextAction = a
		}
	}
	return out
}

// fromAddPaymentMethodInput converts addPaymentMethod's input for the org
// orgID (decoded by the resolver).
func fromAddPaymentMethodInput(in model.AddPaymentMethodInput, orgID string) domain.AddPaymentMethodInput {
	return domain.AddPaymentMethodInput{
		OrgID: orgID, Gateway: in.Gateway, Token: in.Token, ReturnURL: deref(in.ReturnURL),
		MakeDefault: in.MakeDefault, IdempotencyKey: in.IdempotencyKey,
	}
}
