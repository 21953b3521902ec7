package db_test

import (
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// TestDeleteOrderAndKey: a purchase refused by its gateway is undone in one
// transaction: the order and its key go, other orders and keys (the same
// key in another org) stay; deleting what is gone is NOT_FOUND, and a
// rolled-back undo deletes nothing.
func TestDeleteOrderAndKey(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		org, other := mkOrg(t, d), mkOrg(t, d)
		undone, kept := plainOrder(org.ID), plainOrder(org.ID)
		must(t, d.CreateOrder(ctx(), undone))
		must(t, d.CreateOrder(ctx(), kept))
		for _, o := range []string{org.ID, other.ID} {
			must(t, d.CreateIdempotency(ctx(), domain.IdempotencyRecord{OrgID: o, Key: "k", Operation: "purchasePack", RequestHash: "h", CreatedAt: t0}))
		}
		undo := func(tx domain.Store) error {
			if err := tx.DeleteOrder(ctx(), undone.ID); err != nil {
				return err
			}
			return tx.DeleteIdempotency(ctx(), org.ID, "k")
		}
		// A transaction that fails after the deletions keeps everything.
		errLater := &domain.Error{Code: domain.CodeConflict, Message: "later"}
		wantCode(t, d.InTx(ctx(), func(tx domain.Store) error {
			if err := undo(tx); err != nil {
				return err
			}
			return errLater
		}), domain.CodeConflict)
		if _, err := d.OrderByID(ctx(), undone.ID); err != nil {
			t.Fatalf("the rolled-back undo removed the order: %v", err)
		}
		must(t, d.InTx(ctx(), undo))

		tests := []struct {
			name string
			err  error
			want domain.Code
		}{
			{"the undone order is gone", func() error { _, err := d.OrderByID(ctx(), undone.ID); return err }(), domain.CodeNotFound},
			{"the other order stays", func() error { _, err := d.OrderByID(ctx(), kept.ID); return err }(), ""},
			{"deleting it again", d.DeleteOrder(ctx(), undone.ID), domain.CodeNotFound},
			{"deleting the key again", d.DeleteIdempotency(ctx(), org.ID, "k"), domain.CodeNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err, tc.want) })
		}
		if _, ok, err := d.FindIdempotency(ctx(), org.ID, "k"); err != nil || ok {
			t.Fatalf("the undone key is still recorded (%v)", err)
		}
		if _, ok, err := d.FindIdempotency(ctx(), other.ID, "k"); err != nil || !ok {
			t.Fatalf("the other org's key went too (%v)", err)
		}
	})
}
