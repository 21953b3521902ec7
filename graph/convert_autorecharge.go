package graph

import (
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

// toAutoRecharge converts an org's auto-recharge settings and period.
func toAutoRecharge(st domain.AutoRechargeStatus) *model.AutoRecharge {
	a := &model.AutoRecharge{
		PackID: st.PackID, PaymentMethodID: st.PaymentMethodID,
		Enabled: st.Enabled, Mode: model.AutoRechargeMode(st.Mode), Threshold: st.Threshold, Quantity: st.Quantity,
		SpendingLimit: toMoney(st.SpendingLimit), Paused: st.PausedAt != nil, PausedAt: st.PausedAt,
		SpentThisPeriod: toMoney(st.SpentThisPeriod), PeriodStart: st.PeriodStart, PeriodEnd: st.PeriodEnd,
	}
	if st.PauseReason != "" {
		r := st.PauseReason
		a.PauseReason = &r
	}
	if st.LastOrder != nil {
		a.LastOrder = toOrder(*st.LastOrder)
	}
	return a
}

// fromSetAutoRechargeInput decodes setAutoRecharge's input (global IDs to
// domain IDs; the limit in the org's currency).
func fromSetAutoRechargeInput(in model.SetAutoRechargeInput) (domain.SetAutoRechargeInput, error) {
	orgID, err := decodeIDOf("orgId", in.OrgID, typeOrg)
	if err != nil {
		return domain.SetAutoRechargeInput{}, err
	}
	out := domain.SetAutoRechargeInput{OrgID: orgID, Enabled: in.Enabled, IdempotencyKey: in.IdempotencyKey}
	if in.Mode != nil {
		out.Mode = domain.AutoRechargeMode(*in.Mode)
	}
	if in.Threshold != nil {
		out.Threshold = *in.Threshold
	}
	if in.Quantity != nil {
		out.Quantity = *in.Quantity
		if out.Quantity <= 0 {
			return domain.SetAutoRechargeInput{}, domain.InvalidInput("quantity", "must be at least 1")
		}
	}
	if in.PackID != nil && *in.PackID != "" {
		if out.PackID, err = decodeIDOf("packId", *in.PackID, typePack); err != nil {
			return domain.SetAutoRechargeInput{}, err
		}
	}
	if in.PaymentMethodID != nil && *in.PaymentMethodID != "" {
		if out.PaymentMethodID, err = decodeIDOf("paymentMethodId", *in.PaymentMethodID, typePaymentMethod); err != nil {
			return domain.SetAutoRechargeInput{}, err
		}
	}
	if in.SpendingLimitMinor != nil {
		out.SpendingLimit = &domain.Money{AmountMinor: *in.SpendingLimitMinor}
	}
	return out, nil
}
