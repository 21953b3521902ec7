package paypal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	sdk "github.com/plutov/paypal/v4"

	"github.com/tallyhq/tally/domain"
)

// tokenPath is the OAuth endpoint; a 401 there means bad credentials.
const tokenPath = "/v1/oauth2/token"

// statusError is a non-2xx answer whose body is not JSON (a proxy's HTML
// error page, say). The SDK could only report that the body failed to
// decode, losing the status, so the transport turns such answers into
// this error first.
type statusError struct {
	code int
	body string
}

// Error implements error.
func (e *statusError) Error() string {
	return fmt.Sprintf("paypal answered %d %s: %q", e.code, http.StatusText(e.code), e.body)
}

// transport wraps the HTTP transport to keep the status of error answers
// the SDK cannot decode.
type transport struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t transport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil || resp.StatusCode < 400 {
		return resp, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if len(body) > 0 && !json.Valid(body) {
		snippet := string(body)
		if len(snippet) > 200 {
			snippet = snippet[:200]
		}
		return nil, &statusError{code: resp.StatusCode, body: snippet}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// answer is what PayPal said about a failed call: its HTTP status, the
// first issue of its details (or its error name), and whether it came from
// the token endpoint. status is 0 when PayPal did not answer.
type answer struct {
	status int
	issue  string
	token  bool
}

// answerOf reads the PayPal answer out of a call's error.
func answerOf(err error) answer {
	var er *sdk.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		a := answer{status: er.Response.StatusCode, issue: er.Name}
		if len(er.Details) > 0 && er.Details[0].Issue != "" {
			a.issue = er.Details[0].Issue
		}
		if er.Response.Request != nil && er.Response.Request.URL != nil {
			a.token = strings.HasSuffix(er.Response.Request.URL.Path, tokenPath)
		}
		return a
	}
	var se *statusError
	if errors.As(err, &se) {
		return answer{status: se.code}
	}
	return answer{}
}

// fail translates the error of a PayPal call made to do what (e.g. "capture
// the paypal order") into a *domain.Error wrapping it:
// 400 -> INVALID_INPUT, 404 -> NOT_FOUND, 422 -> PAYMENT_FAILED with the
// issue, and everything else (401 and 403 included: Tally's credentials or
// permissions, not the buyer) -> GATEWAY_UNAVAILABLE.
func fail(what string, err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return de
	}
	a := answerOf(err)
	reason := a.issue
	if reason == "" && a.status != 0 {
		reason = fmt.Sprintf("HTTP %d", a.status)
	}
	switch {
	case a.status == 0:
		msg := "paypal is unreachable"
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			msg = "paypal did not answer in time"
		}
		return &domain.Error{Code: domain.CodeGatewayUnavailable, Message: what + ": " + msg, Err: err}
	case a.status == http.StatusUnauthorized && a.token:
		return &domain.Error{Code: domain.CodeGatewayUnavailable, Message: what + ": paypal rejected the client credentials (check the client id and secret)", Err: err}
	case a.status == http.StatusUnauthorized:
		return &domain.Error{Code: domain.CodeGatewayUnavailable, Message: what + ": paypal rejected the access token", Err: err}
	case a.status == http.StatusBadRequest:
		return &domain.Error{Code: domain.CodeInvalidInput, Message: what + ": paypal rejected the request: " + reason, Err: err}
	case a.status == http.StatusNotFound:
		return &domain.Error{Code: domain.CodeNotFound, Message: what + ": paypal does not know it", Err: err}
	case a.status == http.StatusUnprocessableEntity:
		return &domain.Error{Code: domain.CodePaymentFailed, Message: what + ": paypal declined: " + reason, Err: err}
	case a.status == http.StatusTooManyRequests:
		return &domain.Error{Code: domain.CodeGatewayUnavailable, Message: what + ": paypal is rate limiting", Err: err}
	default:
		return &domain.Error{Code: domain.CodeGatewayUnavailable, Message: what + ": paypal failed: " + reason, Err: err}
	}
}

// isTimeout reports whether err is a network timeout.
func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// badWebhook is the INVALID_INPUT of a delivery Tally must not act on.
func badWebhook(msg string, err error) error {
	return &domain.Error{Code: domain.CodeInvalidInput, Message: "paypal webhook: " + msg, Err: err}
}
