package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tallyhq/tally/domain"
)

// MarshalCredits writes a credit amount as a JSON number.
func MarshalCredits(v int64) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.FormatInt(v, 10))
	})
}

// UnmarshalCredits reads a credit amount: an integer JSON number within
// ±domain.MaxCredits. Strings, fractions and larger values are INVALID_INPUT
// (the error presenter names the field from the error's path).
func UnmarshalCredits(v any) (int64, error) {
	var n int64
	switch x := v.(type) {
	case json.Number:
		i, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			return 0, creditsError()
		}
		n = i
	case int64:
		n = x
	case int:
		n = int64(x)
	case int32:
		n = int64(x)
	default: // strings, floats (even whole ones such as 1.0), booleans, objects

		return 0, creditsError()
	}
	if n > domain.MaxCredits || n < -domain.MaxCredits {
		return 0, creditsError()
	}
	return n, nil
}

func creditsError() error {
	return &domain.Error{Code: domain.CodeInvalidInput,
		Message: fmt.Sprintf("credits must be a whole JSON number between %d and %d", -domain.MaxCredits, domain.MaxCredits)}
}

// JSON is an arbitrary JSON value passed through verbatim.
type JSON json.RawMessage

// MarshalGQL writes the value as JSON (null when empty).
func (j JSON) MarshalGQL(w io.Writer) {
	if len(bytes.TrimSpace(j)) == 0 {
		_, _ = io.WriteString(w, "null")
		return
	}
	_, _ = w.Write(j)
}

// UnmarshalGQL takes any input value and keeps its JSON encoding.
func (j *JSON) UnmarshalGQL(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return &domain.Error{Code: domain.CodeInvalidInput, Message: "must be JSON"}
	}
	*j = b
	return nil
}
