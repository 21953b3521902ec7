package stripe

import (
	"errors"
	"net/http"

	stripe "github.com/stripe/stripe-go/v76"

	"github.com/tallyhq/tally/domain"
)

// mapError translates an error of a stripe-go call into a *domain.Error
// that wraps it. what names the object of the call ("payment", "customer")
// for NOT_FOUND.
//
//   - card_error (a decline, a wrong CVC, a failed 3-D Secure): PAYMENT_FAILED,
//     the message carrying the decline code (or the error code);
//   - 5xx, 429, api_error, and every error that is not a Stripe error
//     (network, timeout, canceled context, an unreadable response):
//     GATEWAY_UNAVAILABLE;
//   - 401/403 (a bad or restricted key is the operator's problem, not the
//     buyer's): GATEWAY_UNAVAILABLE;
//   - 404, or the code resource_missing (Stripe answers 400 when the unknown
//     id is a parameter, e.g. a refund's payment_intent): NOT_FOUND;
//   - any other 4xx (bad parameters, an over-refund, an idempotency key
//     reused with other parameters): INVALID_INPUT.
func mapError(err error, what string) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	var se *stripe.Error
	if !errors.As(err, &se) {
		return &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "stripe is unreachable", Err: err}
	}
	redact(se)
	status := se.HTTPStatusCode
	switch {
	case se.Type == stripe.ErrorTypeCard:
		return &domain.Error{Code: domain.CodePaymentFailed, Message: "card declined: " + errorReason(se), Err: err}
	case status >= 500 || status == http.StatusTooManyRequests || se.Type == stripe.ErrorTypeAPI:
		return &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "stripe is unavailable", Err: err}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "stripe refused the gateway's credentials", Err: err}
	case status == http.StatusNotFound || se.Code == stripe.ErrorCodeResourceMissing:
		return &domain.Error{Code: domain.CodeNotFound, Message: what + " not found", Err: err}
	case se.Type == stripe.ErrorTypeIdempotency:
		return &domain.Error{Code: domain.CodeInvalidInput, Field: "idempotencyKey", Message: "idempotency key reused with different parameters", Err: err}
	default:
		msg := "stripe refused the request: " + errorReason(se)
		if se.Param != "" {
			msg += " (parameter " + se.Param + ")"
		}
		return &domain.Error{Code: domain.CodeInvalidInput, Message: msg, Err: err}
	}
}

// errorReason is the most specific machine-readable reason Stripe gave:
// the issuer's decline code, else the error code, else the error type.
func errorReason(se *stripe.Error) string {
	switch {
	case se.DeclineCode != "":
		return string(se.DeclineCode)
	case se.Code != "":
		return string(se.Code)
	case se.Type != "":
		return string(se.Type)
	default:
		return "unknown"
	}
}

// redact drops the client secret of the PaymentIntent or SetupIntent a card
// error carries, so that logging the wrapped error never prints it.
func redact(se *stripe.Error) {
	if se.PaymentIntent != nil && se.PaymentIntent.ClientSecret != "" {
		pi := *se.PaymentIntent
		pi.ClientSecret = ""
		se.PaymentIntent = &pi
	}
	if se.SetupIntent != nil && se.SetupIntent.ClientSecret != "" {
		si := *se.SetupIntent
		si.ClientSecret = ""
		se.SetupIntent = &si
	}
}
