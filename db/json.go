package db

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// jsonColumn stores a Go value as a JSON column (jsonb/json on PostgreSQL,
// TEXT on SQLite).
type jsonColumn[T any] struct{ V T }

// Value implements driver.Valuer.
func (j jsonColumn[T]) Value() (driver.Value, error) {
	b, err := json.Marshal(j.V)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// Scan implements sql.Scanner.
func (j *jsonColumn[T]) Scan(src any) error {
	var zero T
	j.V = zero
	switch s := src.(type) {
	case nil:
		return nil
	case []byte:
		return json.Unmarshal(s, &j.V)
	case string:
		return json.Unmarshal([]byte(s), &j.V)
	}
	return fmt.Errorf("db: cannot scan %T into a JSON column", src)
}

// rawJSON is a nullable JSON column kept byte for byte (ledger metadata).
type rawJSON []byte

// Value implements driver.Valuer; empty is NULL.
func (r rawJSON) Value() (driver.Value, error) {
	if len(r) == 0 {
		return nil, nil
	}
	return string(r), nil
}

// Scan implements sql.Scanner.
func (r *rawJSON) Scan(src any) error {
	switch s := src.(type) {
	case nil:
		*r = nil
	case []byte:
		*r = append(rawJSON(nil), s...)
	case string:
		*r = rawJSON(s)
	default:
		return fmt.Errorf("db: cannot scan %T into JSON", src)
	}
	return nil
}

// priceJSON is the stored form of a domain.Price.
type priceJSON struct {
	Currency    string `json:"currency"`
	AmountMinor int64  `json:"amountMinor"`
}

// allocationJSON is the stored form of a domain.Allocation.
type allocationJSON struct {
	GrantID string `json:"grantId"`
	Amount  int64  `json:"amount"`
}

// jsonNullColumn stores an optional Go value as a nullable JSON column: a
// nil V is SQL NULL, never the JSON literal null.
type jsonNullColumn[T any] struct{ V *T }

// Value implements driver.Valuer; nil is NULL.
func (j jsonNullColumn[T]) Value() (driver.Value, error) {
	if j.V == nil {
		return nil, nil
	}
	return jsonColumn[T]{V: *j.V}.Value()
}

// Scan implements sql.Scanner; NULL (or a stored JSON null) is nil.
func (j *jsonNullColumn[T]) Scan(src any) error {
	j.V = nil
	if src == nil {
		return nil
	}
	var c jsonColumn[*T]
	if err := c.Scan(src); err != nil {
		return err
	}
	j.V = c.V
	return nil
}
