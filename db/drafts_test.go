package db_test

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// draftOf is a draft order of org with one item and its line.
func draftOf(orgID string) domain.Order {
	item := domain.OrderItem{ID: newID(), Kind: domain.ItemPack, PackID: "pack-1", Quantity: 2, Credits: 2000, Validity: domain.ValidityNever}
	return domain.Order{
		ID: newID(), OrgID: orgID, Status: domain.OrderDraft, Items: []domain.OrderItem{item},
		Lines: []domain.OrderLine{{Kind: domain.LinePack, Description: "Pack", Quantity: 2, UnitPrice: eur(500), Amount: eur(1000),
			PackID: "pack-1", Credits: 2000, ItemID: item.ID}},
		Subtotal: eur(1000), Tax: eur(190), TaxRateBP: 1900, Total: eur(1190), Credits: 2000,
		CreatedBy: newID(), CreatedAt: t0, UpdatedAt: t0, Version: 1,
	}
}

// TestDrafts: a draft round-trips; its writes are conditional on the
// version read, so of racing writers of one version exactly one wins and
// a checkout (DeleteDraft at the version) after an edit changes nothing;
// stale drafts are deleted oldest first.
func TestDrafts(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		org := mkOrg(t, d)
		dr := draftOf(org.ID)
		must(t, d.CreateDraft(ctx(), dr, 0))
		got, err := d.DraftByID(ctx(), dr.ID)
		must(t, err)
		if !reflect.DeepEqual(got, dr) {
			t.Fatalf("read back\n%+v\nwant\n%+v", got, dr)
		}
		if _, err := d.OrderByID(ctx(), dr.ID); !domain.IsCode(err, domain.CodeNotFound) {
			t.Fatalf("a draft is not an order awaiting payment: %v", err)
		}

		// Racing edits of version 1: one wins.
		var wg sync.WaitGroup
		wins := make(chan int64, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e := dr
				e.Version, e.UpdatedAt = 2, t0.Add(time.Duration(i+1)*time.Second)
				e.Items = []domain.OrderItem{{ID: newID(), Kind: domain.ItemPack, PackID: "pack-1", Quantity: i + 1, Credits: 1000}}
				err := d.UpdateDraft(ctx(), e)
				switch {
				case err == nil:
					wins <- int64(i)
				case !domain.IsCode(err, domain.CodeConflict):
					t.Errorf("racing edit: %v", err)
				}
			}()
		}
		wg.Wait()
		close(wins)
		if len(wins) != 1 {
			t.Fatalf("%d edits of version 1 won, want 1", len(wins))
		}
		// A checkout of the version the buyer saw (1) changes nothing now.
		wantCode(t, d.DeleteDraft(ctx(), dr.ID, 1), domain.CodeConflict)
		must(t, d.DeleteDraft(ctx(), dr.ID, 2))
		wantCode(t, d.DeleteDraft(ctx(), dr.ID, 2), domain.CodeNotFound)
		stale := dr
		stale.Version = 3
		wantCode(t, d.UpdateDraft(ctx(), stale), domain.CodeNotFound)

		old, fresh := draftOf(org.ID), draftOf(org.ID)
		fresh.UpdatedAt = t0.Add(48 * time.Hour)
		must(t, d.CreateDraft(ctx(), old, 0))
		must(t, d.CreateDraft(ctx(), fresh, 0))
		if n, err := d.CountDrafts(ctx(), org.ID); err != nil || n != 2 {
			t.Fatalf("count %d, %v", n, err)
		}
		if n, err := d.DeleteStaleDrafts(ctx(), t0.Add(time.Hour), 10); err != nil || n != 1 {
			t.Fatalf("deleted %d, %v", n, err)
		}
		left, err := d.DraftsOfOrg(ctx(), org.ID)
		if err != nil || len(left) != 1 || left[0].ID != fresh.ID {
			t.Fatalf("left %+v, %v", left, err)
		}
	})
}

// TestOrderItemsAndGrants: an order's items round-trip (NULL for an order
// without), and an item gets at most one grant.
func TestOrderItemsAndGrants(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		org := mkOrg(t, d)
		plain := plainOrder(org.ID)
		must(t, d.CreateOrder(ctx(), plain))
		if o, err := d.OrderByID(ctx(), plain.ID); err != nil || o.Items != nil {
			t.Fatalf("order without items: %+v, %v", o.Items, err)
		}
		o := draftOf(org.ID)
		o.Status, o.Number, o.Gateway = domain.OrderPending, "ORD-"+newID(), "stripe"
		must(t, d.CreateOrder(ctx(), o))
		g1 := grantCredits(t, d, org.ID, domain.GrantPurchased, 2000, nil)
		g2 := grantCredits(t, d, org.ID, domain.GrantPurchased, 2000, nil)
		item := o.Items[0].ID
		must(t, d.LinkItemGrant(ctx(), g1.ID, o.ID, item))
		wantCode(t, d.LinkItemGrant(ctx(), g2.ID, o.ID, item), domain.CodeConflict)
		o.Items[0].GrantID = g1.ID
		o.Status, o.Version = domain.OrderPaid, 2
		must(t, d.UpdateOrder(ctx(), o))
		got, err := d.OrderByID(ctx(), o.ID)
		must(t, err)
		if !reflect.DeepEqual(got.Items, o.Items) || got.Lines[0].ItemID != item {
			t.Fatalf("items %+v, lines %+v", got.Items, got.Lines)
		}
		gs, err := d.GrantsByIDs(ctx(), []string{g1.ID})
		if err != nil || gs[0].OrderID != o.ID {
			t.Fatalf("grant %+v, %v", gs, err)
		}
	})
}

// TestCreateDraftLimit: CreateDraft counts and inserts in one transaction
// under the org's row, so racing creations of one org never pass maxOpen:
// exactly maxOpen succeed, the others are CONFLICT wrapping
// domain.ErrDraftLimit; 0 is no limit; another org's drafts do not count.
func TestCreateDraftLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		maxOpen    int
		racers     int
		wantDrafts int
	}{
		{name: "limit of 3, 12 racers", maxOpen: 3, racers: 12, wantDrafts: 3},
		{name: "limit of 10, 25 racers", maxOpen: 10, racers: 25, wantDrafts: 10},
		{name: "no limit", maxOpen: 0, racers: 12, wantDrafts: 12},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				org, other := mkOrg(t, d), mkOrg(t, d)
				must(t, d.CreateDraft(ctx(), draftOf(other.ID), 0))
				var (
					wg      sync.WaitGroup
					mu      sync.Mutex
					ok, cap int
				)
				start := make(chan struct{})
				for range tc.racers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						err := d.CreateDraft(ctx(), draftOf(org.ID), tc.maxOpen)
						mu.Lock()
						defer mu.Unlock()
						switch {
						case err == nil:
							ok++
						case domain.IsCode(err, domain.CodeConflict) && errors.Is(err, domain.ErrDraftLimit):
							cap++
						default:
							t.Errorf("CreateDraft: %v", err)
						}
					}()
				}
				close(start)
				wg.Wait()
				n, err := d.CountDrafts(ctx(), org.ID)
				must(t, err)
				if ok != tc.wantDrafts || n != tc.wantDrafts || cap != tc.racers-ok {
					t.Fatalf("%d created, %d refused, %d stored; want %d", ok, cap, n, tc.wantDrafts)
				}
			})
		})
	}
}
