// Package httperror writes the API's GraphQL-shaped error answer for
// requests refused outside gqlgen (bad method or body, failed
// authentication, rate limits): one error, with extensions.code and, as the
// GraphQL error presenter does, extensions.field for INVALID_INPUT and
// extensions.retryAfter (with a Retry-After header) for RATE_LIMITED and
// UNAVAILABLE.
package httperror

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/tallyhq/tally/domain"
)

// The media types of a GraphQL response over HTTP. An answer is
// application/json unless the handler chose
// application/graphql-response+json for it first (the /graphql endpoint
// does, for clients that ask for it).
const (
	JSON                = "application/json"
	GraphQLResponseJSON = "application/graphql-response+json"
)

// body is the GraphQL response shape of one error.
type body struct {
	Errors []item `json:"errors"`
}

type item struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// statuses is the HTTP status of each error code, for answers outside a
// GraphQL response body's data (downloads, webhooks, refused requests).
var statuses = map[domain.Code]int{
	domain.CodeUnauthenticated:     http.StatusUnauthorized,
	domain.CodeForbidden:           http.StatusForbidden,
	domain.CodeNotFound:            http.StatusNotFound,
	domain.CodeInvalidInput:        http.StatusBadRequest,
	domain.CodeInsufficientCredits: http.StatusPaymentRequired,
	domain.CodeOrgSuspended:        http.StatusForbidden,
	domain.CodeConflict:            http.StatusConflict,
	domain.CodePaymentFailed:       http.StatusPaymentRequired,
	domain.CodeGatewayUnavailable:  http.StatusServiceUnavailable,
	domain.CodeRateLimited:         http.StatusTooManyRequests,
	domain.CodeInternal:            http.StatusInternalServerError,
	domain.CodeUsageLimitExceeded:  http.StatusPaymentRequired,
	domain.CodeUnavailable:         http.StatusServiceUnavailable,
}

// Status is the HTTP status of an error code: 500 for a code it does not
// know (and for "", which is no error at all: callers answer 200 first).
func Status(code domain.Code) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// WriteError answers with err as the one GraphQL error, at the status of
// its code; an error that is not a *domain.Error is INTERNAL (callers log
// the cause).
func WriteError(w http.ResponseWriter, err error) {
	var de *domain.Error
	if !errors.As(err, &de) {
		de = &domain.Error{Code: domain.CodeInternal}
	}
	Write(w, Status(de.Code), de)
}

// Write answers with status and e as the one GraphQL error. INTERNAL never
// shows its message: callers log the cause. The Content-Type is
// application/json, or application/graphql-response+json when the
// response's header already says so.
func Write(w http.ResponseWriter, status int, e *domain.Error) {
	msg := e.Message
	switch {
	case e.Code == domain.CodeInternal:
		msg = "internal error"
	case msg == "":
		msg = string(e.Code)
	}
	ext := map[string]any{"code": string(e.Code)}
	if e.Field != "" {
		ext["field"] = e.Field
	}
	h := w.Header()
	if e.Code == domain.CodeRateLimited || e.Code == domain.CodeUnavailable {
		s := e.RetryAfterSeconds()
		ext["retryAfter"] = s
		h.Set("Retry-After", strconv.Itoa(s))
	}
	if !strings.HasPrefix(h.Get("Content-Type"), GraphQLResponseJSON) {
		h.Set("Content-Type", JSON)
	}
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body{Errors: []item{{Message: msg, Extensions: ext}}})
}
