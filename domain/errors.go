package domain

import (
	"errors"
	"fmt"
	"time"
)

// Code is a machine-readable error class, exposed to API clients as
// extensions.code.
type Code string

// The error codes of the public API contract.
const (
	CodeUnauthenticated     Code = "UNAUTHENTICATED"
	CodeForbidden           Code = "FORBIDDEN"
	CodeNotFound            Code = "NOT_FOUND"
	CodeInvalidInput        Code = "INVALID_INPUT"
	CodeInsufficientCredits Code = "INSUFFICIENT_CREDITS"
	CodeOrgSuspended        Code = "ORG_SUSPENDED"
	CodeConflict            Code = "CONFLICT"
	CodePaymentFailed       Code = "PAYMENT_FAILED"
	CodeGatewayUnavailable  Code = "GATEWAY_UNAVAILABLE"
	CodeRateLimited         Code = "RATE_LIMITED"
	CodeInternal            Code = "INTERNAL"
	// CodeUsageLimitExceeded: a usage event would pass the plan's limit
	// of its metric on a plan that refuses usage past its limits.
	CodeUsageLimitExceeded Code = "USAGE_LIMIT_EXCEEDED"
	// CodeUnavailable: Tally could not reach its own database (restarting,
	// connection lost mid-request, no connection free before the request's
	// deadline). Retryable: the request may or may not have taken effect,
	// so a retry carries the same idempotency key, which makes it apply
	// once. Comes with RetryAfter.
	CodeUnavailable Code = "UNAVAILABLE"
)

// Error is the one error type that crosses layer boundaries. Every edge
// (GraphQL, webhooks, CLI) maps it exactly once.
type Error struct {
	// Code classifies the failure.
	Code Code
	// Message is safe to show to the API client (never for CodeInternal).
	Message string
	// Field names the offending input field for CodeInvalidInput.
	Field string
	// Err is the underlying cause, kept for logs and errors.Is/As.
	Err error
	// RetryAfter says, for CodeRateLimited, how long until a retry can
	// succeed (extensions.retryAfter and the Retry-After header).
	RetryAfter time.Duration
}

// Error implements error.
func (e *Error) Error() string {
	msg := string(e.Code)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Field != "" {
		msg += " (field " + e.Field + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a formatted client-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidInput builds a CodeInvalidInput error naming the offending field.
func InvalidInput(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalidInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound builds a CodeNotFound error for a kind of object ("org", "order").
func NotFound(what string) *Error {
	return &Error{Code: CodeNotFound, Message: what + " not found"}
}

// RateLimited builds a CodeRateLimited error that a retry after
// retryAfter can overcome.
func RateLimited(retryAfter time.Duration, format string, args ...any) *Error {
	return &Error{Code: CodeRateLimited, Message: fmt.Sprintf(format, args...), RetryAfter: retryAfter}
}

// Unavailable is CodeUnavailable for cause: the database could not be
// reached; the client retries after retryAfter with the same key.
func Unavailable(retryAfter time.Duration, cause error) *Error {
	return &Error{Code: CodeUnavailable, Message: "the service is briefly unavailable; retry with the same idempotency key",
		RetryAfter: retryAfter, Err: cause}
}

// Retryable reports whether a request that failed with code may succeed
// when repeated unchanged (with the same idempotency key): RATE_LIMITED,
// GATEWAY_UNAVAILABLE and UNAVAILABLE.
func (c Code) Retryable() bool {
	return c == CodeRateLimited || c == CodeGatewayUnavailable || c == CodeUnavailable
}

// RetryAfterSeconds is RetryAfter in whole seconds, rounded up and at
// least 1, as HTTP's Retry-After wants it.
func (e *Error) RetryAfterSeconds() int {
	s := int((e.RetryAfter + time.Second - 1) / time.Second)
	return max(s, 1)
}

// Internal wraps an unexpected failure; its cause is logged, never shown.
func Internal(err error) *Error {
	var de *Error
	if errors.As(err, &de) {
		return de
	}
	return &Error{Code: CodeInternal, Message: "internal error", Err: err}
}

// ErrorCode returns the Code of err, CodeInternal when err is not an *Error,
// and the empty string for a nil error.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var de *Error
	if errors.As(err, &de) {
		return de.Code
	}
	return CodeInternal
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code Code) bool { return ErrorCode(err) == code }

// asDomainError keeps *Error values and wraps anything else as INTERNAL.
func asDomainError(err error) error {
	if err == nil {
		return nil
	}
	return Internal(err)
}
