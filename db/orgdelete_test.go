package db_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// TestOrgDeletionStore: each method touches the deleted org's rows only,
// and the org record keeps everything but its name.
func TestOrgDeletionStore(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		org, other := mkOrg(t, d), mkOrg(t, d)
		u1, u2 := mkUser(t, d, "one@del.io"), mkUser(t, d, "two@del.io")
		for _, m := range []domain.Membership{
			{OrgID: org.ID, UserID: u1.ID, Role: domain.RoleOwner, CreatedAt: t0},
			{OrgID: org.ID, UserID: u2.ID, Role: domain.RoleMember, CreatedAt: t0},
			{OrgID: other.ID, UserID: u1.ID, Role: domain.RoleOwner, CreatedAt: t0},
		} {
			must(t, d.AddMembership(ctx(), m))
		}
		for i, orgID := range []string{org.ID, org.ID, other.ID} {
			must(t, d.CreateInvitation(ctx(), domain.Invitation{ID: newID(), OrgID: orgID, Email: "x@del.io", Role: domain.RoleMember,
				TokenHash: newID(), InvitedBy: u1.ID, ExpiresAt: t0.Add(time.Duration(i+1) * time.Hour), CreatedAt: t0}))
		}
		revokedAt := t0.Add(-time.Hour)
		live := domain.APIKey{ID: newID(), OrgID: org.ID, Name: "live", Prefix: "tly_a", Hash: newID(), CreatedBy: u1.ID, CreatedAt: t0}
		dead := domain.APIKey{ID: newID(), OrgID: org.ID, Name: "dead", Prefix: "tly_b", Hash: newID(), CreatedBy: u1.ID, CreatedAt: t0, RevokedAt: &revokedAt}
		otherKey := domain.APIKey{ID: newID(), OrgID: other.ID, Name: "other", Prefix: "tly_c", Hash: newID(), CreatedBy: u1.ID, CreatedAt: t0}
		for _, k := range []domain.APIKey{live, dead, otherKey} {
			must(t, d.CreateAPIKey(ctx(), k))
		}
		// Orders: pending, held for review though FAILED, failed with
		// details, canceled without, paid with details; one pending of the other org.
		mk := func(orgID string, st domain.OrderStatus, review string, details bool) domain.Order {
			o := plainOrder(orgID)
			o.Status, o.Review = st, review
			if details {
				o.InvoiceDetails = &domain.InvoiceDetails{CompanyName: "Jane Doe", Country: "DE"}
			}
			must(t, d.CreateOrder(ctx(), o))
			return o
		}
		mk(org.ID, domain.OrderPending, "", true)
		mk(org.ID, domain.OrderFailed, "amount mismatch", false)
		failed := mk(org.ID, domain.OrderFailed, "", true)
		mk(org.ID, domain.OrderCanceled, "", false)
		paidOrder := mk(org.ID, domain.OrderPaid, "", true)
		mk(other.ID, domain.OrderPending, "", false)

		inFlight := []domain.OrderStatus{domain.OrderPending, domain.OrderRequiresAction, domain.OrderProcessing}
		counts := []struct {
			name     string
			statuses []domain.OrderStatus
			want     int
		}{
			{"unpaid or under review", inFlight, 2},
			{"under review only", nil, 1},
			{"paid or under review", []domain.OrderStatus{domain.OrderPaid}, 2},
		}
		for _, c := range counts {
			n, err := d.CountOrdersInFlight(ctx(), org.ID, c.statuses)
			if err != nil || n != c.want {
				t.Fatalf("CountOrdersInFlight(%s) = %d, %v; want %d", c.name, n, err, c.want)
			}
		}

		at := t0.Add(24 * time.Hour)
		must(t, d.InTx(ctx(), func(tx domain.Store) error {
			if _, _, err := tx.LockBalance(ctx(), org.ID, ""); err != nil {
				return err
			}
			if err := tx.MarkOrgDeleted(ctx(), org.ID, "Deleted org", at); err != nil {
				return err
			}
			if n, err := tx.ForgetInvoiceDetails(ctx(), org.ID, []domain.OrderStatus{domain.OrderFailed, domain.OrderCanceled}); err != nil || n != 1 {
				t.Errorf("ForgetInvoiceDetails = %d, %v; want 1", n, err)
			}
			if n, err := tx.DeleteOrgInvitations(ctx(), org.ID); err != nil || n != 2 {
				t.Errorf("DeleteOrgInvitations = %d, %v; want 2", n, err)
			}
			if ids, err := tx.RevokeOrgAPIKeys(ctx(), org.ID, at); err != nil || !slices.Equal(ids, []string{live.ID}) {
				t.Errorf("RevokeOrgAPIKeys = %v, %v; want [%s]", ids, err, live.ID)
			}
			users, err := tx.DeleteOrgMembers(ctx(), org.ID)
			slices.Sort(users)
			want := []string{u1.ID, u2.ID}
			slices.Sort(want)
			if err != nil || !slices.Equal(users, want) {
				t.Errorf("DeleteOrgMembers = %v, %v; want %v", users, err, want)
			}
			return nil
		}))

		got, err := d.OrgByID(ctx(), org.ID)
		must(t, err)
		want := org
		want.Name, want.Status, want.DeletedAt, want.UpdatedAt = "Deleted org", domain.OrgClosed, &at, at
		if got.Name != want.Name || got.Status != want.Status || got.DeletedAt == nil || !got.DeletedAt.Equal(at) ||
			!got.UpdatedAt.Equal(at) || got.Country != org.Country || got.Currency != org.Currency || got.Seats != org.Seats {
			t.Fatalf("deleted org = %+v, want %+v", got, want)
		}
		wantCode(t, d.MarkOrgDeleted(ctx(), org.ID, "again", at), domain.CodeNotFound)
		wantCode(t, d.MarkOrgDeleted(ctx(), newID(), "x", at), domain.CodeNotFound)

		// The deleted org's rows are gone or revoked; the other org's are not.
		if n, err := d.CountMembers(ctx(), org.ID, ""); err != nil || n != 0 {
			t.Fatalf("members left: %d, %v", n, err)
		}
		if n, err := d.CountMembers(ctx(), other.ID, ""); err != nil || n != 1 {
			t.Fatalf("other org's members: %d, %v", n, err)
		}
		if invs, err := d.ListInvitations(ctx(), org.ID, t0); err != nil || len(invs) != 0 {
			t.Fatalf("invitations left: %+v, %v", invs, err)
		}
		if invs, err := d.ListInvitations(ctx(), other.ID, t0); err != nil || len(invs) != 1 {
			t.Fatalf("other org's invitations: %+v, %v", invs, err)
		}
		keys := map[string]*time.Time{}
		for _, orgID := range []string{org.ID, other.ID} {
			ks, err := d.ListAPIKeys(ctx(), orgID)
			must(t, err)
			for _, k := range ks {
				keys[k.ID] = k.RevokedAt
			}
		}
		if keys[live.ID] == nil || !keys[live.ID].Equal(at) || !keys[dead.ID].Equal(revokedAt) || keys[otherKey.ID] != nil {
			t.Fatalf("keys after revocation: %v", keys)
		}
		if o, err := d.OrderByID(ctx(), failed.ID); err != nil || o.InvoiceDetails != nil {
			t.Fatalf("failed order keeps its details: %+v, %v", o.InvoiceDetails, err)
		}
		if o, err := d.OrderByID(ctx(), paidOrder.ID); err != nil || o.InvoiceDetails == nil {
			t.Fatalf("paid order lost its details: %v", err)
		}
	})
}
