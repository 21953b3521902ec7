package installments

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/mercadopago/sdk-go/pkg/mperror"

	"github.com/tallyhq/tally/domain"
)

// apiError is Mercado Pago's error body:
// {"message","error","status","cause":[{"code","description"}]}.
type apiError struct {
	Message string `json:"message"`
	Error   string `json:"error"`
	Status  int    `json:"status"`
	Cause   []struct {
		Code        any    `json:"code"`
		Description string `json:"description"`
	} `json:"cause"`
}

// reason is the most specific human-readable part of an error body.
func (a apiError) reason() string {
	for _, c := range a.Cause {
		if c.Description != "" {
			return c.Description
		}
	}
	if a.Message != "" {
		return a.Message
	}
	return a.Error
}

// providerError translates a failed SDK or HTTP call into a domain error,
// wrapping the original: 404 is NOT_FOUND; 400 and other 4xx refusals of
// the request are INVALID_INPUT (naming field when given); 401/403 (bad or
// revoked credentials), 429, 5xx, timeouts, network failures and
// unreadable answers (cut short, too long, a 3xx, not JSON of the
// resource) are GATEWAY_UNAVAILABLE.
func providerError(op, field string, err error) error {
	wrapped := fmt.Errorf("mercado pago %s: %w", op, err)
	var re *mperror.ResponseError
	if !errors.As(err, &re) {
		if isUnusable(err) {
			return unusableErr(wrapped)
		}
		return &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "mercado pago is unreachable", Err: wrapped}
	}
	var body apiError
	_ = json.Unmarshal([]byte(re.Message), &body)
	reason := body.reason()
	switch st := re.StatusCode; {
	case st < 400:
		// The SDK failed to read the body of a 2xx answer (cut short, or
		// longer than maxAnswerBytes): nothing the caller sent is at fault.
		return unusableErr(wrapped)
	case st == http.StatusNotFound:
		return &domain.Error{Code: domain.CodeNotFound, Message: "mercado pago payment not found", Err: wrapped}
	case st == http.StatusUnauthorized || st == http.StatusForbidden:
		return &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "mercado pago refused the credentials", Err: wrapped}
	case st == http.StatusTooManyRequests || st >= 500:
		return &domain.Error{Code: domain.CodeGatewayUnavailable, Message: fmt.Sprintf("mercado pago is unavailable (%d)", st), Err: wrapped}
	default:
		msg := "mercado pago refused the request"
		if reason != "" {
			msg += ": " + reason
		}
		return &domain.Error{Code: domain.CodeInvalidInput, Field: field, Message: msg, Err: wrapped}
	}
}

// declined is the PAYMENT_FAILED error of a rejected payment.
func declined(p domain.Payment) error {
	return &domain.Error{
		Code:    domain.CodePaymentFailed,
		Message: "card declined: " + p.FailureReason,
		Err:     fmt.Errorf("mercado pago payment %s rejected: %s", p.ID, p.FailureReason),
	}
}
