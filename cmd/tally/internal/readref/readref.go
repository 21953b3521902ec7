// Package readref is the yardstick of the balance read: a plain net/http
// handler that reads one org's balance row with pgx and answers it as JSON,
// with none of the server's layers (authentication, limits, GraphQL). A
// benchmark runs it next to the real server's `org { balance }` query, so
// the ratio of the two says what those layers cost.
package readref

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Query reads what the server's balance query answers: the counters of one
// org's balance row.
const Query = `SELECT total, free, paid FROM org_balances WHERE org_id = $1`

// Balance is the answer of Handler.
type Balance struct {
	Total int64 `json:"total"`
	Free  int64 `json:"free"`
	Paid  int64 `json:"paid"`
}

// Handler answers GET ?org=<org ID> with the org's Balance, 404 for an
// unknown org and 500 when the database fails.
func Handler(pool *pgxpool.Pool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b Balance
		err := pool.QueryRow(r.Context(), Query, r.URL.Query().Get("org")).Scan(&b.Total, &b.Free, &b.Paid)
		switch {
		case err == nil:
		case errors.Is(err, pgx.ErrNoRows):
			http.NotFound(w, r)
			return
		default:
			http.Error(w, "database error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(b)
	})
}

// Open connects a pool of at most maxConns connections to databaseURL.
func Open(ctx context.Context, databaseURL string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, err
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}
