package domain

import (
	"context"
	"errors"
)

// startPayment asks the order's gateway to collect its total. The
// gateway's idempotency key is derived from the order, so a retry (by the
// buyer or by reconciliation) never makes a second payment. An order whose
// credits no longer fit under MaxCredits (credits were added since it was
// made) is FAILED instead, with no payment: INVALID_INPUT.
func (s *Service) startPayment(ctx context.Context, o Order, paymentMethodID, returnURL string) (Checkout, error) {
	gw, ok := s.gateways.Get(o.Gateway)
	if !ok {
		return Checkout{}, Errorf(CodeGatewayUnavailable, "gateway %s is not configured", o.Gateway)
	}
	if err := s.checkRoom(ctx, o.OrgID, o.Credits, "quantity"); err != nil {
		if errors.Is(err, errCreditCeiling) {
			if _, serr := s.settle(ctx, o.ID, paymentUpdate{status: PaymentFailed, failureReason: failureCreditLimit}); serr != nil {
				return Checkout{}, serr
			}
		}
		return Checkout{}, err
	}
	req, err := s.paymentRequest(ctx, o, paymentMethodID, returnURL)
	if err != nil {
		return Checkout{}, err
	}
	p, err := gw.CreatePayment(ctx, req)
	if err != nil {
		if IsCode(err, CodePaymentFailed) {
			if _, uerr := s.settleDecline(ctx, o.ID, p, err); uerr != nil {
				return Checkout{}, uerr
			}
			return Checkout{}, declined(err)
		}
		return Checkout{}, err
	}
	o, err = s.settle(ctx, o.ID, updateFromPayment(p))
	if err != nil {
		return Checkout{}, err
	}
	return Checkout{Order: o, NextAction: o.NextAction}, nil
}

// paymentRequest is what o's gateway is asked for to collect its total
// (startPayment), or to check before o is written (PaymentChecker).
func (s *Service) paymentRequest(ctx context.Context, o Order, paymentMethodID, returnURL string) (PaymentRequest, error) {
	org, err := s.store.OrgByID(ctx, o.OrgID)
	if err != nil {
		return PaymentRequest{}, asDomainError(err)
	}
	n := 1
	if o.Installments != nil {
		n = o.Installments.Count
	}
	customer := Customer{OrgID: org.ID, Name: org.Name, Country: org.Country}
	if o.CreatedBy != "" { // the buyer: providers want a payer email
		u, err := s.store.UserByID(ctx, o.CreatedBy)
		if err != nil && !IsCode(err, CodeNotFound) {
			return PaymentRequest{}, asDomainError(err)
		}
		customer.Email = u.Email
	}
	req := PaymentRequest{
		OrderID: o.ID, OrderNumber: o.Number, Amount: o.Total, Installments: n, Method: o.Method,
		Customer:        customer,
		PaymentMethodID: paymentMethodID, Description: orderDescription(o),
		IdempotencyKey: "order-" + o.ID, ReturnURL: returnURL,
	}
	// A saved method of the org is charged off session; anything else is
	// the gateway's own token or test card.
	saved, ok, err := s.savedMethodOf(ctx, o.OrgID, paymentMethodID)
	if err != nil {
		return PaymentRequest{}, err
	}
	if ok {
		if saved.Gateway != o.Gateway {
			return PaymentRequest{}, InvalidInput("paymentMethodId", "payment method %s is saved with %s, not %s", paymentMethodID, saved.Gateway, o.Gateway)
		}
		sm := saved.Saved()
		req.Saved, req.PaymentMethodID, req.BuyerPresent = &sm, "", o.CreatedBy != ""
	}
	return req, nil
}

// DeclineMessage is all a buyer is told of a declined payment, whatever the
// provider's reason. An itemized reason ("insufficient_funds",
// "incorrect_cvc", "stolen_card") tells a card tester which stolen cards are
// live, so it stays on the order (Order.FailureReason, for operators) and
// in the error's cause (Err), never in the message.
const DeclineMessage = "the payment was declined; use another payment method or contact your card issuer"

// declined is the PAYMENT_FAILED error a buyer gets for a decline whose
// provider error (or recorded reason) is cause.
func declined(cause error) *Error {
	return &Error{Code: CodePaymentFailed, Message: DeclineMessage, Err: cause}
}

// settleDecline records a gateway's decline on the order: FAILED, with the
// provider's reason in the one form every report of it takes (the FAILED
// payment's FailureReason, as a webhook or the provider's page would
// report it), else, from a gateway that returns no payment with its
// decline, the error's message.
func (s *Service) settleDecline(ctx context.Context, orderID string, p Payment, decline error) (Order, error) {
	reason := p.FailureReason
	if reason == "" {
		reason = decline.Error()
		var e *Error
		if errors.As(decline, &e) {
			reason = e.Message
		}
	}
	return s.settle(ctx, orderID, paymentUpdate{status: PaymentFailed, failureReason: reason, paymentID: p.ID, method: p.Method})
}

func orderDescription(o Order) string {
	if len(o.Lines) == 0 {
		return o.Number
	}
	return o.Number + ": " + o.Lines[0].Description
}

// ConfirmOrder completes a payment the buyer approved (PayPal capture) and
// returns the order as the gateway now reports it. Idempotent. Codes:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, PAYMENT_FAILED,
// GATEWAY_UNAVAILABLE, INVALID_INPUT (an order with no payment to confirm).
func (s *Service) ConfirmOrder(ctx context.Context, orderID string) (Order, error) {
	o, err := s.orderFor(ctx, orderID, s.authorizeOrderChange)
	if err != nil {
		return Order{}, err
	}
	if !o.Status.Unpaid() {
		return o, nil
	}
	if o.PaymentID == "" {
		return Order{}, InvalidInput("orderId", "the order has no payment to confirm yet")
	}
	gw, ok := s.gateways.Get(o.Gateway)
	if !ok {
		return Order{}, Errorf(CodeGatewayUnavailable, "gateway %s is not configured", o.Gateway)
	}
	p, err := gw.ConfirmPayment(ctx, o.PaymentID, "confirm-"+o.ID)
	if err != nil {
		if IsCode(err, CodePaymentFailed) {
			if _, serr := s.settleDecline(ctx, o.ID, p, err); serr != nil {
				return Order{}, serr
			}
			return Order{}, declined(err)
		}
		return Order{}, err
	}
	return s.settle(ctx, o.ID, updateFromPayment(p))
}
