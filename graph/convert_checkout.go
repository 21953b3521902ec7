package graph

import (
	"fmt"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

// Converters of order items and draft checkouts.

// toOrderItems converts an order's items; none for an order without.
func toOrderItems(items []domain.OrderItem) []*model.OrderItem {
	out := make([]*model.OrderItem, 0, len(items))
	for _, it := range items {
		m := &model.OrderItem{
			ID: it.ID, Kind: model.OrderItemKind(it.Kind), Quantity: max(it.Quantity, 1), Credits: it.Credits,
			Validity: model.ValidityPolicy(it.Validity), ExpiresAt: it.ExpiresAt,
		}
		switch it.Kind {
		case domain.ItemPlan, domain.ItemSeats:
			seats := it.Seats
			m.Seats = &seats
		}
		if it.PlanID != "" {
			id := EncodeID(typePlan, it.PlanID)
			m.PlanID = &id
		}
		if it.PackID != "" {
			id := EncodeID(typePack, it.PackID)
			m.PackID = &id
		}
		if it.TermMonths != 0 {
			n := it.TermMonths
			m.TermMonths = &n
		}
		if it.Amount != 0 {
			n := it.Amount
			m.Amount = &n
		}
		if it.GrantID != "" {
			id := EncodeID(typeCreditGrant, it.GrantID)
			m.GrantID = &id
		}
		out = append(out, m)
	}
	return out
}

// fromOrderItemInput converts one item asked for, decoding its plan and
// pack; i is its index in createOrder's items (-1: addOrderItem's item),
// which a refusal's field names.
func fromOrderItemInput(in *model.OrderItemInput, i int) (domain.OrderItemInput, error) {
	field := func(f string) string {
		if i < 0 {
			return "item." + f
		}
		return fmt.Sprintf("items[%d].%s", i, f)
	}
	out := domain.OrderItemInput{Kind: domain.OrderItemKind(in.Kind), Quantity: in.Quantity}
	if in.PlanID != nil {
		id, err := decodeIDOf(field("planId"), *in.PlanID, typePlan)
		if err != nil {
			return out, err
		}
		out.PlanID = id
	}
	if in.PackID != nil {
		id, err := decodeIDOf(field("packId"), *in.PackID, typePack)
		if err != nil {
			return out, err
		}
		out.PackID = id
	}
	if in.Seats != nil {
		out.Seats = *in.Seats
	}
	if in.TermMonths != nil {
		out.TermMonths = *in.TermMonths
	}
	if in.Credits != nil {
		out.Credits = *in.Credits
	}
	return out, nil
}

// fromCheckoutOrderInput converts checkoutOrder's input; orderID and
// paymentMethodID are decoded already.
func fromCheckoutOrderInput(in model.CheckoutOrderInput, orderID, paymentMethodID string) domain.CheckoutOrderInput {
	out := domain.CheckoutOrderInput{
		OrderID: orderID, Version: in.Version, Gateway: deref(in.Gateway), Method: fromPaymentMethodKind(in.Method),
		PaymentMethodID: paymentMethodID, IdempotencyKey: in.IdempotencyKey,
		InvoiceDetails: fromInvoiceDetails(in.InvoiceDetails), ReturnURL: deref(in.ReturnURL),
	}
	if in.Installments != nil {
		out.Installments = *in.Installments
	}
	return out
}
