package domain_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// roles reads the org's members' roles from the store, by user.
func (f *fixture) roles(t *testing.T) map[string]domain.Role {
	t.Helper()
	c, err := f.store.ListMembers(context.Background(), f.org.ID, domain.Page{First: domain.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]domain.Role{}
	for _, e := range c.Edges {
		out[e.Node.UserID] = e.Node.Role
	}
	return out
}

// owners counts the org's OWNERs in the store.
func (f *fixture) owners(t *testing.T) int {
	t.Helper()
	n, err := f.store.CountMembers(context.Background(), f.org.ID, domain.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTransferOwnership(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, domain.Config{FreeSeats: 10})
		ownerID := mustViewer(t, f.svc, f.owner)
		adminCtx, adminID := f.join(t, "ada", domain.RoleAdmin)
		billCtx, billID := f.join(t, "bill", domain.RoleBilling)
		memCtx, memID := f.join(t, "mem", domain.RoleMember)
		key := keyCtx(t, f.svc, f.owner, f.org.ID)
		outsider := signIn(t, f.svc, "outsider")
		outsiderID := mustViewerOrNone(t, f.svc, outsider)

		tests := []struct {
			name  string
			ctx   context.Context
			user  string
			code  domain.Code
			field string
		}{
			{"anonymous", context.Background(), memID, domain.CodeUnauthenticated, ""},
			{"an API key of the org", key, memID, domain.CodeForbidden, ""},
			{"ADMIN", adminCtx, memID, domain.CodeForbidden, ""},
			{"BILLING", billCtx, memID, domain.CodeForbidden, ""},
			{"MEMBER to themselves", memCtx, memID, domain.CodeForbidden, ""},
			{"a stranger", outsider, memID, domain.CodeNotFound, ""},
			{"to the owner themselves", f.owner, ownerID, domain.CodeInvalidInput, "userId"},
			{"to someone outside the org", f.owner, outsiderID, domain.CodeNotFound, ""},
			{"to a malformed id", f.owner, "not-an-id", domain.CodeNotFound, ""},
			{"to the MEMBER", f.owner, memID, "", ""},
			{"the former owner, now ADMIN, again", f.owner, billID, domain.CodeForbidden, ""},
			{"the new owner hands it to ADMIN", memCtx, adminID, "", ""},
		}
		for _, tt := range tests {
			before := f.roles(t)
			got, err := f.svc.TransferOwnership(tt.ctx, domain.TransferOwnershipInput{OrgID: f.org.ID, UserID: tt.user})
			if domain.ErrorCode(err) != tt.code {
				t.Fatalf("%s: err %v, want %q", tt.name, err, tt.code)
			}
			var de *domain.Error
			if tt.field != "" && (!errors.As(err, &de) || de.Field != tt.field) {
				t.Fatalf("%s: err %v, want field %s", tt.name, err, tt.field)
			}
			after := f.roles(t)
			if n := f.owners(t); n != 1 {
				t.Fatalf("%s: %d owners", tt.name, n)
			}
			if tt.code != "" {
				if len(before) != len(after) {
					t.Fatalf("%s: a refusal changed the members", tt.name)
				}
				for u, r := range before {
					if after[u] != r {
						t.Fatalf("%s: a refusal changed %s from %s to %s", tt.name, u, r, after[u])
					}
				}
				continue
			}
			a, _ := domain.ActorFrom(tt.ctx)
			if got.Owner.UserID != tt.user || got.Owner.Role != domain.RoleOwner || got.PreviousOwner.UserID != a.UserID ||
				got.PreviousOwner.Role != domain.RoleAdmin || got.Org.ID != f.org.ID {
				t.Fatalf("%s: answered %+v", tt.name, got)
			}
			if after[tt.user] != domain.RoleOwner || after[a.UserID] != domain.RoleAdmin || before[a.UserID] != domain.RoleOwner {
				t.Fatalf("%s: roles %v → %v", tt.name, before, after)
			}
		}
		// The former owner's denial reads as the role table's sentence.
		_, err := f.svc.TransferOwnership(f.owner, domain.TransferOwnershipInput{OrgID: f.org.ID, UserID: billID})
		const want = "a member with the ADMIN role may not delete this org or transfer its ownership; that takes the OWNER role"
		if de := (*domain.Error)(nil); !errors.As(err, &de) || de.Message != want {
			t.Fatalf("former owner: %v, want %q", err, want)
		}
		// A co-owner is no one to hand the org to.
		if _, err := f.svc.SetMemberRole(adminCtx, f.org.ID, billID, domain.RoleOwner); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.TransferOwnership(adminCtx, domain.TransferOwnershipInput{OrgID: f.org.ID, UserID: billID})
		if de := (*domain.Error)(nil); !errors.As(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != "userId" {
			t.Fatalf("transfer to a co-owner: %v", err)
		}
	})
}

// mustViewerOrNone returns the signed-in user's ID, member of any org or not.
func mustViewerOrNone(t *testing.T, svc *domain.Service, ctx context.Context) string {
	t.Helper()
	u, _, err := svc.Viewer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestOwnershipRaces runs a transfer at the same time as another change of
// the org's members and checks, on both stores, that the org ends with
// exactly one OWNER and in a state some serial order of the two would
// leave.
func TestOwnershipRaces(t *testing.T) {
	type outcome struct{ transfer, other error }
	oneOwner := func(t *testing.T, f *fixture) {
		t.Helper()
		if n := f.owners(t); n != 1 {
			t.Fatalf("%d owners", n)
		}
	}
	races := []struct {
		name string
		// other runs beside the owner's transfer to B.
		other func(f *fixture, ownerID, bID, cID string) error
		// check is what must hold afterwards: a state a serial order leaves.
		check func(t *testing.T, f *fixture, o outcome, ownerID, bID, cID string)
	}{
		{"two transfers by the owner",
			func(f *fixture, _, _, cID string) error {
				_, err := f.svc.TransferOwnership(f.owner, domain.TransferOwnershipInput{OrgID: f.org.ID, UserID: cID})
				return err
			},
			func(t *testing.T, f *fixture, o outcome, ownerID, bID, cID string) {
				oneOwner(t, f)
				if (o.transfer == nil) == (o.other == nil) {
					t.Fatalf("both or neither transfer won: %v, %v", o.transfer, o.other)
				}
				loser := o.other
				if o.other == nil {
					loser = o.transfer
				}
				if !domain.IsCode(loser, domain.CodeForbidden) {
					t.Fatalf("the second transfer: %v, want FORBIDDEN", loser)
				}
				if r := f.roles(t)[ownerID]; r != domain.RoleAdmin {
					t.Fatalf("the former owner is %s", r)
				}
			}},
		{"the owner demotes B meanwhile",
			func(f *fixture, _, bID, _ string) error {
				_, err := f.svc.SetMemberRole(f.owner, f.org.ID, bID, domain.RoleBilling)
				return err
			},
			func(t *testing.T, f *fixture, o outcome, ownerID, bID, _ string) {
				oneOwner(t, f)
				// Either the demotion went first and the transfer after, or the
				// transfer went first and the former owner may no longer demote an owner.
				if o.transfer != nil || (o.other != nil && !domain.IsCode(o.other, domain.CodeForbidden)) {
					t.Fatalf("transfer %v, demotion %v", o.transfer, o.other)
				}
				if r := f.roles(t); r[bID] != domain.RoleOwner || r[ownerID] != domain.RoleAdmin {
					t.Fatalf("roles %v", r)
				}
			}},
		{"the owner promotes C to OWNER meanwhile",
			func(f *fixture, _, _, cID string) error {
				_, err := f.svc.SetMemberRole(f.owner, f.org.ID, cID, domain.RoleOwner)
				return err
			},
			func(t *testing.T, f *fixture, o outcome, ownerID, bID, cID string) {
				// Promoted first: two owners (B and C), as the owner asked for;
				// transferred first: the former owner, now ADMIN, may not make an owner.
				r := f.roles(t)
				if o.transfer != nil || r[bID] != domain.RoleOwner || r[ownerID] != domain.RoleAdmin {
					t.Fatalf("transfer %v, roles %v", o.transfer, r)
				}
				switch {
				case o.other == nil && r[cID] == domain.RoleOwner && f.owners(t) == 2:
				case domain.IsCode(o.other, domain.CodeForbidden) && r[cID] == domain.RoleMember && f.owners(t) == 1:
				default:
					t.Fatalf("promotion %v, roles %v", o.other, r)
				}
			}},
		{"the owner removes B meanwhile",
			func(f *fixture, _, bID, _ string) error { return f.svc.RemoveMember(f.owner, f.org.ID, bID) },
			func(t *testing.T, f *fixture, o outcome, ownerID, bID, _ string) {
				oneOwner(t, f)
				r := f.roles(t)
				switch {
				case o.transfer == nil && domain.IsCode(o.other, domain.CodeForbidden) && r[bID] == domain.RoleOwner && r[ownerID] == domain.RoleAdmin:
				case o.other == nil && domain.IsCode(o.transfer, domain.CodeNotFound) && r[bID] == "" && r[ownerID] == domain.RoleOwner:
				default:
					t.Fatalf("transfer %v, removal %v, roles %v", o.transfer, o.other, r)
				}
			}},
		{"the owner leaves meanwhile",
			func(f *fixture, ownerID, _, _ string) error { return f.svc.RemoveMember(f.owner, f.org.ID, ownerID) },
			func(t *testing.T, f *fixture, o outcome, ownerID, bID, _ string) {
				oneOwner(t, f)
				r := f.roles(t)
				switch {
				case o.transfer == nil && o.other == nil && r[ownerID] == "" && r[bID] == domain.RoleOwner:
				case o.transfer == nil && domain.IsCode(o.other, domain.CodeConflict) && r[ownerID] == domain.RoleAdmin:
				default:
					t.Fatalf("transfer %v, leaving %v, roles %v", o.transfer, o.other, r)
				}
			}},
		{"the owner deletes the org meanwhile",
			func(f *fixture, _, _, _ string) error {
				_, err := f.svc.DeleteOrg(f.owner, domain.DeleteOrgInput{OrgID: f.org.ID, ConfirmName: f.org.Name})
				return err
			},
			func(t *testing.T, f *fixture, o outcome, ownerID, bID, _ string) {
				r := f.roles(t)
				switch {
				case o.transfer == nil && domain.IsCode(o.other, domain.CodeForbidden) && r[bID] == domain.RoleOwner && f.owners(t) == 1:
				case o.other == nil && domain.IsCode(o.transfer, domain.CodeNotFound) && len(r) == 0: // deleted: nobody left
				default:
					t.Fatalf("transfer %v, deletion %v, roles %v", o.transfer, o.other, r)
				}
			}},
	}
	const rounds = 4
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		for _, race := range races {
			t.Run(race.name, func(t *testing.T) {
				for range rounds {
					f := newFixture(t, d, domain.Config{FreeSeats: 10})
					ownerID := mustViewer(t, f.svc, f.owner)
					_, bID := f.join(t, "b", domain.RoleMember)
					_, cID := f.join(t, "c", domain.RoleMember)
					var (
						o     outcome
						wg    sync.WaitGroup
						start = make(chan struct{})
					)
					wg.Add(2)
					go func() {
						defer wg.Done()
						<-start
						_, o.transfer = f.svc.TransferOwnership(f.owner, domain.TransferOwnershipInput{OrgID: f.org.ID, UserID: bID})
					}()
					go func() {
						defer wg.Done()
						<-start
						o.other = race.other(f, ownerID, bID, cID)
					}()
					close(start)
					wg.Wait()
					race.check(t, f, o, ownerID, bID, cID)
				}
			})
		}
	})
}
