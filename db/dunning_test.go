package db_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// TestDunningQueries: the three lists of the dunning sweep find what is
// due at the cut-off, inclusive, soonest first, up to the limit, and
// nothing else (an ACTIVE subscription, one with no retry left, an org
// already suspended, a deleted org).
func TestDunningQueries(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		plan := mkPlan(t, d)
		at := func(h int) *time.Time { v := t0.Add(time.Duration(h) * time.Hour); return &v }
		// pastDue makes an org with a subscription PAST_DUE since pastDue
		// hours, next retry at next hours (nil: none), the org in status.
		pastDue := func(status domain.OrgStatus, pastDue int, next *time.Time) domain.Subscription {
			org := mkOrg(t, d)
			org.Status = status
			must(t, d.UpdateOrg(ctx(), org))
			return mkSub(t, d, org.ID, plan.ID, func(s *domain.Subscription) {
				s.Status, s.PastDueAt, s.NextRetryAt = domain.SubPastDue, at(pastDue), next
			})
		}
		late := pastDue(domain.OrgPastDue, 0, at(48))
		early := pastDue(domain.OrgPastDue, 0, at(24))
		noRetry := pastDue(domain.OrgPastDue, 10, nil)
		suspendedSub := pastDue(domain.OrgSuspended, 0, at(24))
		mkSub(t, d, mkOrg(t, d).ID, plan.ID, nil) // ACTIVE: never listed

		ids := func(subs []domain.Subscription) []string {
			out := []string{}
			for _, s := range subs {
				out = append(out, s.ID)
			}
			return out
		}
		retries := []struct {
			now   *time.Time
			limit int
			want  []string
		}{
			{at(23), 10, []string{}},
			{at(24), 10, []string{early.ID, suspendedSub.ID}}, // a suspended org's renewal is still retried
			{at(48), 10, []string{early.ID, suspendedSub.ID, late.ID}},
			{at(48), 1, []string{early.ID}},
		}
		for _, tc := range retries {
			got, err := d.DunningRetriesDue(ctx(), *tc.now, tc.limit)
			must(t, err)
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("retries at %s (limit %d): %v, want %v", tc.now, tc.limit, ids(got), tc.want)
			}
		}
		suspensions := []struct {
			before *time.Time
			want   []string
		}{
			{at(-1), []string{}},
			{at(0), []string{early.ID, late.ID}},
			{at(10), []string{early.ID, late.ID, noRetry.ID}},
		}
		for _, tc := range suspensions {
			got, err := d.SuspensionsDue(ctx(), *tc.before, 10)
			must(t, err)
			if !sameSet(ids(got), tc.want) || (len(got) > 0 && got[len(got)-1].PastDueAt.After(*tc.before)) {
				t.Errorf("suspensions before %s: %v, want %v", tc.before, ids(got), tc.want)
			}
		}

		closing := func(status domain.OrgStatus, suspended *time.Time, deleted bool) domain.Org {
			org := mkOrg(t, d)
			org.Status, org.SuspendedAt = status, suspended
			must(t, d.UpdateOrg(ctx(), org))
			if deleted {
				must(t, d.MarkOrgDeleted(ctx(), org.ID, "Deleted org", t0))
				org, _ = d.OrgByID(ctx(), org.ID)
				org.Status, org.SuspendedAt = status, suspended
				must(t, d.UpdateOrg(ctx(), org))
			}
			return org
		}
		first := closing(domain.OrgSuspended, at(100), false)
		second := closing(domain.OrgSuspended, at(200), false)
		closing(domain.OrgSuspended, at(50), true) // deleted
		closing(domain.OrgActive, nil, false)      // never suspended
		closing(domain.OrgClosed, at(10), false)   // closed already
		closings := []struct {
			before *time.Time
			limit  int
			want   []string
		}{
			{at(99), 10, []string{}},
			{at(100), 10, []string{first.ID}},
			{at(300), 10, []string{first.ID, second.ID}},
			{at(300), 1, []string{first.ID}},
		}
		for _, tc := range closings {
			got, err := d.ClosingsDue(ctx(), *tc.before, tc.limit)
			must(t, err)
			var gotIDs []string
			for _, o := range got {
				gotIDs = append(gotIDs, o.ID)
			}
			if !slices.Equal(gotIDs, tc.want) {
				t.Errorf("closings before %s (limit %d): %v, want %v", tc.before, tc.limit, gotIDs, tc.want)
			}
		}
	})
}

// sameSet compares two lists of distinct ids in any order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}
