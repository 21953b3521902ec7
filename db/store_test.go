package db_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

func TestUsers(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		u := domain.User{ID: newID(), Subject: "auth0|1", Email: "a@x.io", Name: "Ann", CreatedAt: t0}
		got, err := d.UpsertUser(ctx(), u)
		must(t, err)
		if !reflect.DeepEqual(got, u) {
			t.Fatalf("UpsertUser insert = %+v, want %+v", got, u)
		}
		// Same subject, new ID and time: ID and CreatedAt stay, email/name change.
		again, err := d.UpsertUser(ctx(), domain.User{ID: newID(), Subject: "auth0|1", Email: "b@x.io", Name: "Bea", CreatedAt: t0.Add(time.Hour)})
		must(t, err)
		want := u
		want.Email, want.Name = "b@x.io", "Bea"
		if !reflect.DeepEqual(again, want) {
			t.Fatalf("UpsertUser update = %+v, want %+v", again, want)
		}
		other := mkUser(t, d, "c@x.io")

		tests := []struct {
			name string
			id   string
			want domain.Code
		}{
			{"found", u.ID, ""},
			{"missing", newID(), domain.CodeNotFound},
			{"garbage id", "not-an-id", domain.CodeNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := d.UserByID(ctx(), tc.id)
				wantCode(t, err, tc.want)
				if tc.want == "" && !reflect.DeepEqual(got, want) {
					t.Fatalf("UserByID = %+v, want %+v", got, want)
				}
			})
		}
		us, err := d.UsersByIDs(ctx(), []string{u.ID, other.ID, newID()})
		must(t, err)
		if len(us) != 2 {
			t.Fatalf("UsersByIDs returned %d users, want 2", len(us))
		}
		us, err = d.UsersByIDs(ctx(), nil)
		must(t, err)
		if len(us) != 0 {
			t.Fatalf("UsersByIDs(nil) = %v", us)
		}
	})
}

func TestOrgs(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		got, err := d.OrgByID(ctx(), o.ID)
		must(t, err)
		if !reflect.DeepEqual(got, o) {
			t.Fatalf("OrgByID = %+v, want %+v", got, o)
		}
		b, err := d.GetBalance(ctx(), o.ID)
		must(t, err)
		wantB := domain.Balance{OrgID: o.ID, UpdatedAt: t0, OrgStatus: domain.OrgActive}
		if !reflect.DeepEqual(b, wantB) {
			t.Fatalf("new org balance = %+v, want %+v", b, wantB)
		}

		o.Name, o.Status, o.Seats, o.UpdatedAt = "Acme 2", domain.OrgSuspended, 9, t0.Add(time.Minute)
		must(t, d.UpdateOrg(ctx(), o))
		got, err = d.OrgByID(ctx(), o.ID)
		must(t, err)
		if !reflect.DeepEqual(got, o) {
			t.Fatalf("after UpdateOrg = %+v, want %+v", got, o)
		}

		tests := []struct {
			name string
			err  error
			want domain.Code
		}{
			{"OrgByID missing", func() error { _, err := d.OrgByID(ctx(), newID()); return err }(), domain.CodeNotFound},
			{"UpdateOrg missing", d.UpdateOrg(ctx(), domain.Org{ID: newID(), Status: domain.OrgActive, Currency: domain.EUR}), domain.CodeNotFound},
			{"CreateOrg duplicate", d.CreateOrg(ctx(), o), domain.CodeConflict},
			{"GetBalance missing", func() error { _, err := d.GetBalance(ctx(), newID()); return err }(), domain.CodeNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err, tc.want) })
		}
		os, err := d.OrgsByIDs(ctx(), []string{o.ID, newID()})
		must(t, err)
		if len(os) != 1 || os[0].ID != o.ID {
			t.Fatalf("OrgsByIDs = %+v", os)
		}
	})
}

func TestMemberships(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		o2 := mkOrg(t, d)
		u := mkUser(t, d, "u@x.io")
		m := domain.Membership{OrgID: o.ID, UserID: u.ID, Role: domain.RoleOwner, CreatedAt: t0}
		must(t, d.AddMembership(ctx(), m))
		must(t, d.AddMembership(ctx(), domain.Membership{OrgID: o2.ID, UserID: u.ID, Role: domain.RoleMember, CreatedAt: t0.Add(time.Second)}))

		got, err := d.MembershipOf(ctx(), o.ID, u.ID)
		must(t, err)
		if !reflect.DeepEqual(got, m) {
			t.Fatalf("MembershipOf = %+v, want %+v", got, m)
		}
		ms, err := d.MembershipsOfUser(ctx(), u.ID)
		must(t, err)
		if len(ms) != 2 || ms[0].OrgID != o.ID || ms[1].OrgID != o2.ID {
			t.Fatalf("MembershipsOfUser = %+v, want oldest first", ms)
		}

		must(t, d.UpdateMembershipRole(ctx(), o.ID, u.ID, domain.RoleBilling))
		for _, tc := range []struct {
			role domain.Role
			want int
		}{{"", 1}, {domain.RoleBilling, 1}, {domain.RoleOwner, 0}} {
			n, err := d.CountMembers(ctx(), o.ID, tc.role)
			must(t, err)
			if n != tc.want {
				t.Errorf("CountMembers(%q) = %d, want %d", tc.role, n, tc.want)
			}
		}

		tests := []struct {
			name string
			err  func() error
			want domain.Code
		}{
			{"add twice", func() error { return d.AddMembership(ctx(), m) }, domain.CodeConflict},
			{"of missing", func() error { _, err := d.MembershipOf(ctx(), o.ID, newID()); return err }, domain.CodeNotFound},
			{"role of missing", func() error { return d.UpdateMembershipRole(ctx(), o.ID, newID(), domain.RoleAdmin) }, domain.CodeNotFound},
			{"delete", func() error { return d.DeleteMembership(ctx(), o.ID, u.ID) }, ""},
			{"delete again", func() error { return d.DeleteMembership(ctx(), o.ID, u.ID) }, domain.CodeNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err(), tc.want) })
		}
	})
}

func TestListMembersPaging(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		// Five members: two share a timestamp, so the keyset needs user_id.
		var want []string // newest first
		times := []time.Time{t0, t0.Add(time.Second), t0.Add(time.Second), t0.Add(2 * time.Second), t0.Add(3 * time.Second)}
		var ms []domain.Membership
		for _, at := range times {
			u := mkUser(t, d, newID()+"@x.io")
			m := domain.Membership{OrgID: o.ID, UserID: u.ID, Role: domain.RoleMember, CreatedAt: at}
			must(t, d.AddMembership(ctx(), m))
			ms = append(ms, m)
		}
		// Expected order: created_at desc, user_id desc.
		for i := len(ms) - 1; i >= 0; i-- {
			want = append(want, ms[i].UserID)
		}
		if ms[1].UserID > ms[2].UserID {
			want[2], want[3] = want[3], want[2]
		}

		tests := []struct {
			name     string
			first    int
			wantPage []int // page sizes
		}{
			{"pages of 2", 2, []int{2, 2, 1}},
			{"one page", 0, []int{5}},
			{"over max", 1000, []int{5}},
			{"exact", 5, []int{5}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var got []string
				after := ""
				for i, size := range tc.wantPage {
					c, err := d.ListMembers(ctx(), o.ID, domain.Page{First: tc.first, After: after})
					must(t, err)
					if len(c.Edges) != size {
						t.Fatalf("page %d has %d edges, want %d", i, len(c.Edges), size)
					}
					if last := i == len(tc.wantPage)-1; c.HasNextPage == last {
						t.Fatalf("page %d HasNextPage = %v", i, c.HasNextPage)
					}
					for _, e := range c.Edges {
						got = append(got, e.Node.UserID)
					}
					after = c.EndCursor()
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("members = %v, want %v", got, want)
				}
			})
		}

		for _, bad := range []string{"!!", "bWF4", ledgerCursorOf(t, d)} {
			_, err := d.ListMembers(ctx(), o.ID, domain.Page{After: bad})
			wantCode(t, err, domain.CodeInvalidInput)
			if err.(*domain.Error).Field != "after" {
				t.Fatalf("bad cursor field = %q", err.(*domain.Error).Field)
			}
		}
		_, err := d.ListMembers(ctx(), o.ID, domain.Page{First: -1})
		wantCode(t, err, domain.CodeInvalidInput)
	})
}

// ledgerCursorOf returns a valid ledger cursor (not valid for members).
func ledgerCursorOf(t *testing.T, d *db.DB) string {
	t.Helper()
	o := mkOrg(t, d)
	grantCredits(t, d, o.ID, domain.GrantFree, 10, nil)
	c, err := d.ListLedger(ctx(), o.ID, domain.LedgerFilter{}, domain.Page{})
	must(t, err)
	return c.EndCursor()
}

func TestInvitations(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		inviter := mkUser(t, d, "boss@x.io")
		mk := func(email string, created time.Time, expires time.Time) domain.Invitation {
			inv := domain.Invitation{
				ID: newID(), OrgID: o.ID, Email: email, Role: domain.RoleMember, TokenHash: "h-" + newID(),
				InvitedBy: inviter.ID, ExpiresAt: expires, CreatedAt: created,
			}
			must(t, d.CreateInvitation(ctx(), inv))
			return inv
		}
		a := mk("a@x.io", t0, t0.Add(48*time.Hour))
		b := mk("b@x.io", t0.Add(time.Minute), t0.Add(48*time.Hour))
		mk("old@x.io", t0, t0.Add(time.Hour)) // expired at now
		now := t0.Add(2 * time.Hour)

		got, err := d.InvitationByTokenHash(ctx(), a.TokenHash)
		must(t, err)
		if !reflect.DeepEqual(got, a) {
			t.Fatalf("InvitationByTokenHash = %+v, want %+v", got, a)
		}
		pending, err := d.ListInvitations(ctx(), o.ID, now)
		must(t, err)
		if len(pending) != 2 || pending[0].ID != b.ID || pending[1].ID != a.ID {
			t.Fatalf("ListInvitations = %+v, want b then a", pending)
		}

		at := now
		a.AcceptedAt, a.AcceptedBy = &at, inviter.ID
		must(t, d.UpdateInvitation(ctx(), a))
		got, err = d.InvitationByID(ctx(), a.ID)
		must(t, err)
		if !reflect.DeepEqual(got, a) {
			t.Fatalf("after accept = %+v, want %+v", got, a)
		}
		b.RevokedAt = &at
		must(t, d.UpdateInvitation(ctx(), b))
		pending, err = d.ListInvitations(ctx(), o.ID, now)
		must(t, err)
		if len(pending) != 0 {
			t.Fatalf("pending after accept+revoke = %+v", pending)
		}

		dup := a
		dup.ID = newID()
		tests := []struct {
			name string
			err  error
			want domain.Code
		}{
			{"duplicate token hash", d.CreateInvitation(ctx(), dup), domain.CodeConflict},
			{"by id missing", func() error { _, err := d.InvitationByID(ctx(), newID()); return err }(), domain.CodeNotFound},
			{"by hash missing", func() error { _, err := d.InvitationByTokenHash(ctx(), "nope"); return err }(), domain.CodeNotFound},
			{"update missing", d.UpdateInvitation(ctx(), domain.Invitation{ID: newID()}), domain.CodeNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err, tc.want) })
		}
	})
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		o := mkOrg(t, d)
		u := mkUser(t, d, "k@x.io")
		k1 := domain.APIKey{ID: newID(), OrgID: o.ID, Name: "one", Prefix: "tly_aaaa", Hash: "hash1", CreatedBy: u.ID, CreatedAt: t0}
		k2 := domain.APIKey{ID: newID(), OrgID: o.ID, Name: "two", Prefix: "tly_bbbb", Hash: "hash2", CreatedBy: u.ID, CreatedAt: t0.Add(time.Second)}
		must(t, d.CreateAPIKey(ctx(), k1))
		must(t, d.CreateAPIKey(ctx(), k2))

		got, err := d.APIKeyByHash(ctx(), "hash1")
		must(t, err)
		if !reflect.DeepEqual(got, k1) {
			t.Fatalf("APIKeyByHash = %+v, want %+v", got, k1)
		}
		used, revoked := t0.Add(time.Hour), t0.Add(2*time.Hour)
		k1.LastUsedAt, k1.RevokedAt = &used, &revoked
		must(t, d.UpdateAPIKey(ctx(), k1))
		got, err = d.APIKeyByID(ctx(), k1.ID)
		must(t, err)
		if !reflect.DeepEqual(got, k1) {
			t.Fatalf("after UpdateAPIKey = %+v, want %+v", got, k1)
		}
		ks, err := d.ListAPIKeys(ctx(), o.ID)
		must(t, err)
		if len(ks) != 2 || ks[0].ID != k2.ID || ks[1].ID != k1.ID {
			t.Fatalf("ListAPIKeys = %+v, want newest first", ks)
		}

		dup := k2
		dup.ID = newID()
		tests := []struct {
			name string
			err  error
			want domain.Code
		}{
			{"duplicate hash", d.CreateAPIKey(ctx(), dup), domain.CodeConflict},
			{"by id missing", func() error { _, err := d.APIKeyByID(ctx(), newID()); return err }(), domain.CodeNotFound},
			{"by hash missing", func() error { _, err := d.APIKeyByHash(ctx(), "x"); return err }(), domain.CodeNotFound},
			{"update missing", d.UpdateAPIKey(ctx(), domain.APIKey{ID: newID()}), domain.CodeNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err, tc.want) })
		}
	})
}

func TestCatalog(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		plan := domain.Plan{
			ID: newID(), Code: "team", Name: "Team", Interval: domain.Monthly,
			Prices:                 []domain.Price{{Currency: domain.EUR, AmountMinor: 900}, {Currency: domain.USD, AmountMinor: 1000}},
			IncludedCreditsPerSeat: 10000, Limits: domain.UsageLimits{Sessions: 1, Events: 2, Enrichments: 3, StorageBytes: 4},
			OverLimit: domain.OverLimitRefuse, Seats: 3, Position: 2, Active: true, UpdatedAt: t0,
		}
		got, err := d.UpsertPlan(ctx(), plan)
		must(t, err)
		if !reflect.DeepEqual(got, plan) {
			t.Fatalf("UpsertPlan = %+v, want %+v", got, plan)
		}
		changed := plan
		changed.ID, changed.Name, changed.Prices = newID(), "Team+", []domain.Price{{Currency: domain.BRL, AmountMinor: 5000}}
		got, err = d.UpsertPlan(ctx(), changed)
		must(t, err)
		changed.ID = plan.ID // kept from the first insert
		if !reflect.DeepEqual(got, changed) {
			t.Fatalf("UpsertPlan update = %+v, want %+v", got, changed)
		}
		free := domain.Plan{ID: newID(), Code: "free", Name: "Free", Interval: domain.Monthly, Prices: []domain.Price{}, Position: 1, Active: true, UpdatedAt: t0}
		_, err = d.UpsertPlan(ctx(), free)
		must(t, err)
		_, err = d.UpsertPlan(ctx(), domain.Plan{ID: newID(), Code: "old", Name: "Old", Interval: domain.Monthly, Prices: []domain.Price{}, UpdatedAt: t0})
		must(t, err)
		plans, err := d.ListPlans(ctx())
		must(t, err)
		if len(plans) != 2 || plans[0].Code != "free" || plans[1].Code != "team" {
			t.Fatalf("ListPlans = %+v, want active by position", plans)
		}

		pack := domain.Pack{
			ID: newID(), Code: "scale-custom", Name: "Scale Custom", Credits: 100000,
			Prices: []domain.Price{{Currency: domain.USD, AmountMinor: 20000}}, Validity: domain.ValidityRecurring,
			RecurringMonths: 3, Custom: true, StepCredits: 5000, StepPrices: []domain.Price{{Currency: domain.USD, AmountMinor: 1000}},
			Position: 1, Active: true, UpdatedAt: t0,
		}
		gotPack, err := d.UpsertPack(ctx(), pack)
		must(t, err)
		if !reflect.DeepEqual(gotPack, pack) {
			t.Fatalf("UpsertPack = %+v, want %+v", gotPack, pack)
		}
		packs, err := d.ListPacks(ctx())
		must(t, err)
		if len(packs) != 1 || !reflect.DeepEqual(packs[0], pack) {
			t.Fatalf("ListPacks = %+v", packs)
		}
		byID, err := d.PackByID(ctx(), pack.ID)
		must(t, err)
		if !reflect.DeepEqual(byID, pack) {
			t.Fatalf("PackByID = %+v", byID)
		}
		planByID, err := d.PlanByID(ctx(), plan.ID)
		must(t, err)
		if !reflect.DeepEqual(planByID, changed) {
			t.Fatalf("PlanByID = %+v", planByID)
		}

		tests := []struct {
			name string
			err  error
		}{
			{"plan", func() error { _, err := d.PlanByID(ctx(), newID()); return err }()},
			{"pack", func() error { _, err := d.PackByID(ctx(), newID()); return err }()},
		}
		for _, tc := range tests {
			t.Run(tc.name+" missing", func(t *testing.T) { wantCode(t, tc.err, domain.CodeNotFound) })
		}
	})
}
