package db_test

import (
	"sort"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// TestOrgBalance: one read answers the org, the balance counters GetBalance
// answers and the open grants: all of them, or at least the ones expired
// at the given time; NOT_FOUND for an unknown org.
func TestOrgBalance(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		empty := mkOrg(t, d)
		o := mkOrg(t, d)
		soon, later := t0.Add(time.Hour), t0.Add(48*time.Hour)
		free := grantCredits(t, d, o.ID, domain.GrantFree, 100, &soon)
		paid := grantCredits(t, d, o.ID, domain.GrantPurchased, 500, &later)
		forever := grantCredits(t, d, o.ID, domain.GrantAdjustment, 7, nil)
		want, err := d.GetBalance(ctx(), o.ID)
		must(t, err)

		ids := func(gs []domain.Grant) []string {
			var out []string
			for _, g := range gs {
				out = append(out, g.ID)
			}
			sort.Strings(out)
			return out
		}
		sorted := func(s ...string) []string { sort.Strings(s); return s }
		tests := []struct {
			name  string
			org   domain.Org
			all   bool
			now   time.Time
			want  []string // grant IDs
			maybe []string // grant IDs SQLite may add (it leaves the time to the domain)
		}{
			{"every open grant", o, true, t0, sorted(free.ID, paid.ID, forever.ID), nil},
			{"none expired yet", o, false, t0, nil, sorted(free.ID, paid.ID)},
			{"the expired one", o, false, soon, sorted(free.ID), sorted(free.ID, paid.ID)},
			{"no grants", empty, true, t0, nil, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				org, b, gs, err := d.OrgBalance(ctx(), tt.org.ID, tt.all, tt.now)
				must(t, err)
				if org.ID != tt.org.ID || org.Name != tt.org.Name || org.Status != domain.OrgActive || !org.CreatedAt.Equal(t0) {
					t.Errorf("org %+v, want %+v", org, tt.org)
				}
				if tt.org.ID == o.ID && (b.Total != want.Total || b.Free != want.Free || b.Paid != want.Paid || b.Version != want.Version ||
					!b.UpdatedAt.Equal(want.UpdatedAt) || b.OrgStatus != want.OrgStatus) {
					t.Errorf("balance %+v, want %+v", b, want)
				}
				got := ids(gs)
				if d.Dialect() == "sqlite" && tt.maybe != nil {
					if !equalStrings(got, tt.maybe) {
						t.Errorf("grants %v, want %v", got, tt.maybe)
					}
				} else if !equalStrings(got, tt.want) {
					t.Errorf("grants %v, want %v", got, tt.want)
				}
				for _, g := range gs {
					if g.ID == free.ID && (g.Remaining != 100 || g.ExpiresAt == nil || !g.ExpiresAt.Equal(soon) || g.Kind != domain.GrantFree) {
						t.Errorf("grant %+v, want %+v", g, free)
					}
				}
			})
		}
		_, _, _, err = d.OrgBalance(ctx(), newID(), true, t0)
		wantCode(t, err, domain.CodeNotFound)
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestBalances: one read answers, for several orgs, the counters GetBalance
// answers and every open grant (OpenGrants), and leaves unknown orgs out.
func TestBalances(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		empty := mkOrg(t, d)
		o := mkOrg(t, d)
		later := t0.Add(48 * time.Hour)
		grantCredits(t, d, o.ID, domain.GrantFree, 100, &later)
		grantCredits(t, d, o.ID, domain.GrantPurchased, 500, nil)
		unknown := newID()

		got, err := d.Balances(ctx(), []string{o.ID, unknown, empty.ID})
		must(t, err)
		if _, ok := got[unknown]; ok || len(got) != 2 {
			t.Fatalf("balances of %d orgs (unknown included: %v), want 2", len(got), ok)
		}
		for _, org := range []domain.Org{o, empty} {
			want, err := d.GetBalance(ctx(), org.ID)
			must(t, err)
			grants, err := d.OpenGrants(ctx(), org.ID)
			must(t, err)
			b := got[org.ID]
			if b.OrgID != org.ID || b.Total != want.Total || b.Free != want.Free || b.Paid != want.Paid ||
				b.Version != want.Version || !b.UpdatedAt.Equal(want.UpdatedAt) {
				t.Errorf("balance %+v, want %+v", b, want)
			}
			byID := map[string]domain.Grant{}
			for _, g := range grants {
				byID[g.ID] = g
			}
			if len(b.Grants) != len(grants) {
				t.Errorf("%d grants, want %d", len(b.Grants), len(grants))
			}
			for _, g := range b.Grants {
				w, ok := byID[g.ID]
				if !ok || g.Remaining != w.Remaining || g.Kind != w.Kind || !g.CreatedAt.Equal(w.CreatedAt) ||
					(g.ExpiresAt == nil) != (w.ExpiresAt == nil) || (g.ExpiresAt != nil && !g.ExpiresAt.Equal(*w.ExpiresAt)) {
					t.Errorf("grant %+v, want %+v", g, w)
				}
			}
		}
		none, err := d.Balances(ctx(), nil)
		must(t, err)
		if len(none) != 0 {
			t.Errorf("%d balances for no orgs", len(none))
		}
	})
}
