package installments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/mercadopago/sdk-go/pkg/mperror"

	"github.com/tallyhq/tally/domain"
)

const unusableMsg = "mercado pago sent an unusable answer"

// jsonError is the error decoding raw into a payment.
func jsonError(raw string) error {
	var v struct{ ID int }
	return json.Unmarshal([]byte(raw), &v)
}

func TestProviderError(t *testing.T) {
	body := `{"message":"Invalid installments","error":"bad_request","status":400,"cause":[{"code":3032,"description":"Invalid installments"}]}`
	cases := []struct {
		name    string
		err     error
		want    domain.Code
		message string
	}{
		{"400 with cause", &mperror.ResponseError{StatusCode: 400, Message: body}, domain.CodeInvalidInput, "mercado pago refused the request: Invalid installments"},
		{"400 without body", &mperror.ResponseError{StatusCode: 400, Message: "oops"}, domain.CodeInvalidInput, "mercado pago refused the request"},
		{"409", &mperror.ResponseError{StatusCode: 409, Message: `{"message":"conflict"}`}, domain.CodeInvalidInput, "mercado pago refused the request: conflict"},
		{"404", &mperror.ResponseError{StatusCode: 404, Message: `{"message":"Payment not found"}`}, domain.CodeNotFound, ""},
		{"401", &mperror.ResponseError{StatusCode: 401, Message: `{"message":"invalid access token"}`}, domain.CodeGatewayUnavailable, "mercado pago refused the credentials"},
		{"403", &mperror.ResponseError{StatusCode: 403}, domain.CodeGatewayUnavailable, ""},
		{"429", &mperror.ResponseError{StatusCode: 429}, domain.CodeGatewayUnavailable, ""},
		{"500", &mperror.ResponseError{StatusCode: 500}, domain.CodeGatewayUnavailable, ""},
		{"503", &mperror.ResponseError{StatusCode: 503}, domain.CodeGatewayUnavailable, ""},
		{"timeout", fmt.Errorf("transport level error: %w", context.DeadlineExceeded), domain.CodeGatewayUnavailable, ""},
		{"network", fmt.Errorf("transport level error: %w", errors.New("connection refused")), domain.CodeGatewayUnavailable, "mercado pago is unreachable"},
		// A 2xx the SDK could not read was INVALID_INPUT, as if the
		// request had been refused.
		{"2xx cut short", &mperror.ResponseError{StatusCode: 200, Message: "error reading response body: unexpected EOF"}, domain.CodeGatewayUnavailable, unusableMsg},
		{"2xx too long", &mperror.ResponseError{StatusCode: 201, Message: "error reading response body: " + errAnswerTooLarge.Error()}, domain.CodeGatewayUnavailable, unusableMsg},
		{"not JSON", jsonError(`<html>`), domain.CodeGatewayUnavailable, unusableMsg},
		{"not the resource", jsonError(`"approved"`), domain.CodeGatewayUnavailable, unusableMsg},
		{"a 3xx", fmt.Errorf("transport level error: %w", &statusError{status: "302 Found"}), domain.CodeGatewayUnavailable, unusableMsg},
	}
	for _, c := range cases {
		err := providerError("op", "amount", c.err)
		if domain.ErrorCode(err) != c.want {
			t.Errorf("%s: code %s, want %s", c.name, domain.ErrorCode(err), c.want)
		}
		if !errors.Is(err, c.err) {
			t.Errorf("%s: %v does not wrap the original", c.name, err)
		}
		var de *domain.Error
		errors.As(err, &de)
		if c.message != "" && de.Message != c.message {
			t.Errorf("%s: message %q, want %q", c.name, de.Message, c.message)
		}
		if c.want == domain.CodeInvalidInput && de.Field != "amount" {
			t.Errorf("%s: field %q", c.name, de.Field)
		}
	}
}
