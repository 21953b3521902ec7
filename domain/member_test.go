package domain_test

import (
	"context"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// join invites name with role and accepts as that user; it returns their context and user ID.
func (f *fixture) join(t *testing.T, name string, role domain.Role) (context.Context, string) {
	t.Helper()
	_, token, err := f.svc.InviteMember(f.owner, f.org.ID, name+"@example.com", role)
	if err != nil {
		t.Fatalf("InviteMember(%s): %v", name, err)
	}
	ctx := signIn(t, f.svc, name)
	m, err := f.svc.AcceptInvitation(ctx, token)
	if err != nil {
		t.Fatalf("AcceptInvitation(%s): %v", name, err)
	}
	if m.Role != role {
		t.Fatalf("joined as %s, want %s", m.Role, role)
	}
	return ctx, m.UserID
}

func TestInvitationsAndSeats(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, domain.Config{FreeSeats: 3})
		adminCtx, _ := f.join(t, "ada", domain.RoleAdmin)

		seats, err := f.svc.Seats(f.owner, f.org.ID)
		if err != nil || seats != (domain.Seats{Total: 3, Used: 2, Available: 1}) {
			t.Fatalf("seats = %+v, %v", seats, err)
		}
		// An admin may invite, but not an owner.
		if _, _, err := f.svc.InviteMember(adminCtx, f.org.ID, "o2@example.com", domain.RoleOwner); !domain.IsCode(err, domain.CodeForbidden) {
			t.Fatalf("admin inviting an owner: %v", err)
		}
		inv, token, err := f.svc.InviteMember(adminCtx, f.org.ID, "Bob@Example.com", domain.RoleMember)
		if err != nil || inv.Email != "bob@example.com" {
			t.Fatalf("invite bob: %+v %v", inv, err)
		}
		// The pending invitation holds the last seat.
		if _, _, err := f.svc.InviteMember(f.owner, f.org.ID, "carol@example.com", domain.RoleMember); !domain.IsCode(err, domain.CodeConflict) {
			t.Fatalf("invite beyond seats: %v", err)
		}
		// Re-inviting bob replaces his invitation; the old token dies.
		_, token2, err := f.svc.InviteMember(f.owner, f.org.ID, "bob@example.com", domain.RoleBilling)
		if err != nil {
			t.Fatalf("re-invite: %v", err)
		}
		bob := signIn(t, f.svc, "bob")
		eve := signIn(t, f.svc, "eve")
		bobUnverified, _ := domain.ActorFrom(bob)
		bobUnverified.EmailVerified = false
		tests := []struct {
			name  string
			ctx   context.Context
			token string
			code  domain.Code
		}{
			{"replaced token", bob, token, domain.CodeInvalidInput},
			{"garbage token", bob, "tlyinv_nope", domain.CodeNotFound},
			{"someone else's invitation", eve, token2, domain.CodeForbidden},
			{"anonymous", context.Background(), token2, domain.CodeUnauthenticated},
			{"the right email, not verified by the identity provider", domain.WithActor(context.Background(), bobUnverified), token2, domain.CodeForbidden},
			{"bob accepts", bob, token2, ""},
			{"twice", bob, token2, domain.CodeInvalidInput},
		}
		for _, tt := range tests {
			if _, err := f.svc.AcceptInvitation(tt.ctx, tt.token); domain.ErrorCode(err) != tt.code {
				t.Fatalf("%s: err %v, want %q", tt.name, err, tt.code)
			}
		}
		seats, _ = f.svc.Seats(f.owner, f.org.ID)
		if seats != (domain.Seats{Total: 3, Used: 3, Available: 0}) {
			t.Fatalf("seats after accept = %+v", seats)
		}
		page, err := f.svc.Members(f.owner, f.org.ID, domain.Page{First: 2})
		if err != nil || len(page.Edges) != 2 || !page.HasNextPage {
			t.Fatalf("members page = %+v %v", page, err)
		}
		rest, err := f.svc.Members(f.owner, f.org.ID, domain.Page{First: 2, After: page.EndCursor()})
		if err != nil || len(rest.Edges) != 1 || rest.HasNextPage {
			t.Fatalf("members page 2 = %+v %v", rest, err)
		}
		if page.Edges[0].Node.Role != domain.RoleBilling { // newest first
			t.Fatalf("newest member = %+v", page.Edges[0].Node)
		}
	})
}

func TestMemberRolesAndOwners(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, domain.Config{FreeSeats: 10})
		ownerID := mustViewer(t, f.svc, f.owner)
		adminCtx, adminID := f.join(t, "ada", domain.RoleAdmin)
		billCtx, billID := f.join(t, "bill", domain.RoleBilling)
		memCtx, memID := f.join(t, "mem", domain.RoleMember)
		outsider := signIn(t, f.svc, "outsider")

		tests := []struct {
			name string
			ctx  context.Context
			user string
			role domain.Role // "" = remove
			code domain.Code
		}{
			{"member cannot change roles", memCtx, billID, domain.RoleMember, domain.CodeForbidden},
			{"billing cannot change roles", billCtx, memID, domain.RoleAdmin, domain.CodeForbidden},
			{"outsider sees nothing", outsider, memID, domain.RoleAdmin, domain.CodeNotFound},
			{"admin cannot make an owner", adminCtx, memID, domain.RoleOwner, domain.CodeForbidden},
			{"admin cannot demote the owner", adminCtx, ownerID, domain.RoleMember, domain.CodeForbidden},
			{"owner cannot demote the last owner", f.owner, ownerID, domain.RoleAdmin, domain.CodeConflict},
			{"admin promotes member to billing", adminCtx, memID, domain.RoleBilling, ""},
			{"owner makes ada an owner", f.owner, adminID, domain.RoleOwner, ""},
			{"now the first owner may step down", f.owner, ownerID, domain.RoleAdmin, ""},
			{"unknown role", adminCtx, memID, domain.Role("KING"), domain.CodeInvalidInput},
		}
		for _, tt := range tests {
			_, err := f.svc.SetMemberRole(tt.ctx, f.org.ID, tt.user, tt.role)
			if domain.ErrorCode(err) != tt.code {
				t.Fatalf("%s: err %v, want %q", tt.name, err, tt.code)
			}
		}
		// Removing: a member may leave; billing may not remove others; the last owner stays.
		if err := f.svc.RemoveMember(billCtx, f.org.ID, memID); !domain.IsCode(err, domain.CodeForbidden) {
			t.Fatalf("billing removing a member: %v", err)
		}
		if err := f.svc.RemoveMember(memCtx, f.org.ID, memID); err != nil {
			t.Fatalf("member leaving: %v", err)
		}
		if err := f.svc.RemoveMember(adminCtx, f.org.ID, adminID); !domain.IsCode(err, domain.CodeConflict) {
			t.Fatalf("last owner leaving: %v", err)
		}
		if _, err := f.svc.Org(memCtx, f.org.ID); !domain.IsCode(err, domain.CodeNotFound) {
			t.Fatalf("a removed member still sees the org: %v", err)
		}
	})
}

func mustViewer(t *testing.T, svc *domain.Service, ctx context.Context) string {
	t.Helper()
	u, ms, err := svc.Viewer(ctx)
	if err != nil || len(ms) == 0 {
		t.Fatalf("Viewer: %+v %v", ms, err)
	}
	return u.ID
}

func TestAPIKeys(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, domain.Config{SignupGrant: 100})
		memCtx, _ := f.join(t, "mem", domain.RoleMember)
		if _, _, err := f.svc.CreateAPIKey(memCtx, f.org.ID, "backend"); !domain.IsCode(err, domain.CodeForbidden) {
			t.Fatalf("member creating a key: %v", err)
		}
		k, secret, err := f.svc.CreateAPIKey(f.owner, f.org.ID, "backend")
		if err != nil {
			t.Fatal(err)
		}
		if k.Hash == secret || len(secret) < 40 || k.Prefix != secret[:12] {
			t.Fatalf("key %+v secret %q", k, secret)
		}
		actor, err := f.svc.AuthenticateAPIKey(context.Background(), secret)
		if err != nil || actor.APIKeyOrgID != f.org.ID {
			t.Fatalf("AuthenticateAPIKey: %+v %v", actor, err)
		}
		keyCtx := domain.WithActor(context.Background(), actor)
		// A key reads the balance and spends; nothing else.
		if _, err := f.svc.Balance(keyCtx, f.org.ID); err != nil {
			t.Fatalf("key reading balance: %v", err)
		}
		res, err := f.svc.Consume(keyCtx, domain.ConsumeInput{OrgID: f.org.ID, Amount: 3, IdempotencyKey: "k1"})
		if err != nil || res.Entry.ActorKind != domain.ActorAPIKey || res.Entry.ActorID != k.ID {
			t.Fatalf("key spending: %+v %v", res.Entry, err)
		}
		if _, err := f.svc.Members(keyCtx, f.org.ID, domain.Page{}); !domain.IsCode(err, domain.CodeForbidden) {
			t.Fatalf("key listing members: %v", err)
		}
		if _, _, err := f.svc.CreateAPIKey(keyCtx, f.org.ID, "x"); !domain.IsCode(err, domain.CodeForbidden) {
			t.Fatalf("key creating a key: %v", err)
		}
		other := newFixture(t, d, domain.Config{})
		if _, err := f.svc.Balance(keyCtx, other.org.ID); !domain.IsCode(err, domain.CodeNotFound) {
			t.Fatalf("key reading another org: %v", err)
		}
		if _, err := f.svc.RevokeAPIKey(memCtx, k.ID); !domain.IsCode(err, domain.CodeForbidden) {
			t.Fatalf("member revoking: %v", err)
		}
		if _, err := f.svc.RevokeAPIKey(f.owner, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AuthenticateAPIKey(context.Background(), secret); !domain.IsCode(err, domain.CodeUnauthenticated) {
			t.Fatalf("revoked key still works: %v", err)
		}
		tampered := []byte(secret)
		tampered[len(tampered)-1] ^= 1
		for _, bad := range []string{"", "tly_", string(tampered), "sk_live_x"} {
			if _, err := f.svc.AuthenticateAPIKey(context.Background(), bad); !domain.IsCode(err, domain.CodeUnauthenticated) {
				t.Fatalf("bad key %q: %v", bad, err)
			}
		}
	})
}
