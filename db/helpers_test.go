package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/domain"
)

// t0 is a fixed instant the fixtures are created at.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func ctx() context.Context { return context.Background() }

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, code domain.Code) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// must fails on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mkUser(t *testing.T, d *db.DB, email string) domain.User {
	t.Helper()
	u, err := d.UpsertUser(ctx(), domain.User{ID: newID(), Subject: "sub-" + newID(), Email: email, Name: "N " + email, CreatedAt: t0})
	must(t, err)
	return u
}

func mkOrg(t *testing.T, d *db.DB) domain.Org {
	t.Helper()
	o := domain.Org{ID: newID(), Name: "Acme", Country: "DE", Currency: domain.EUR, Status: domain.OrgActive, Seats: 5, CreatedAt: t0, UpdatedAt: t0}
	must(t, d.CreateOrg(ctx(), o))
	return o
}

// grantCredits writes a GRANT of amount to org as the next ledger entry, the
// way the domain does, and returns the grant.
func grantCredits(t *testing.T, d *db.DB, orgID string, kind domain.GrantKind, amount int64, expires *time.Time) domain.Grant {
	t.Helper()
	var g domain.Grant
	must(t, d.InTx(ctx(), func(tx domain.Store) error {
		b, _, err := tx.LockBalance(ctx(), orgID, "")
		if err != nil {
			return err
		}
		g = domain.Grant{ID: newID(), OrgID: orgID, Kind: kind, Amount: amount, Remaining: amount, ExpiresAt: expires, Reason: "test", CreatedAt: t0}
		b.Total += amount
		if kind.Paid() {
			b.Paid += amount
		} else {
			b.Free += amount
		}
		b.Version++
		b.UpdatedAt = t0
		return tx.WriteLedger(ctx(), domain.LedgerWrite{
			Balance:   b,
			NewGrants: []domain.Grant{g},
			Entries: []domain.LedgerEntry{{
				ID: newID(), OrgID: orgID, Seq: b.Version, Kind: domain.EntryGrant, Amount: amount, BalanceAfter: b.Total,
				Allocations: []domain.Allocation{{GrantID: g.ID, Amount: amount}}, ActorKind: domain.ActorSystem, CreatedAt: t0,
			}},
		})
	}))
	return g
}
