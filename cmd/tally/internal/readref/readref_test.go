package readref_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/readref"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// TestHandler: the reference answers an org's balance row, 404 for an
// unknown org.
func TestHandler(t *testing.T) {
	url := dbtest.PostgresURL(t)
	ctx := context.Background()
	store, err := readref.Open(ctx, url, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	o := domain.Org{ID: "0190a000-0000-7000-8000-000000000001", Name: "Ref", Country: "DE", Currency: domain.EUR, Status: domain.OrgActive, Seats: 5, CreatedAt: now, UpdatedAt: now}
	if _, err := store.Exec(ctx, `INSERT INTO orgs (id, name, country, currency, status, seats, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
		o.ID, o.Name, o.Country, string(o.Currency), string(o.Status), o.Seats, now); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Exec(ctx, `INSERT INTO org_balances (org_id, total, free, paid, version, updated_at) VALUES ($1, 30, 10, 20, 2, $2)`, o.ID, now); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(readref.Handler(store))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/?org=" + o.ID)
	if err != nil {
		t.Fatal(err)
	}
	var b readref.Balance
	err = json.NewDecoder(resp.Body).Decode(&b)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || b != (readref.Balance{Total: 30, Free: 10, Paid: 20}) {
		t.Fatalf("%d %+v %v", resp.StatusCode, b, err)
	}
	resp, err = http.Get(srv.URL + "/?org=0190a000-0000-7000-8000-000000000009")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown org: %d, want 404", resp.StatusCode)
	}
}
