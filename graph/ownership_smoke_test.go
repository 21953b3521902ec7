package graph_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/graph"
)

// viewerID returns the caller's global user ID.
func (s *shopServer) viewerID() string {
	s.t.Helper()
	var v struct {
		Viewer struct{ User struct{ ID string } }
	}
	s.must(`{ viewer { user { id } } }`, nil, &v)
	return v.Viewer.User.ID
}

const (
	transferMutation = `mutation($in: TransferOwnershipInput!) { transferOwnership(input: $in) {
  org { id name } owner { role user { id } } previousOwner { role user { id } } } }`
	deleteMutation = `mutation($in: DeleteOrgInput!) { deleteOrg(input: $in) { orgId deletedAt creditsForfeited } }`
)

// TestOwnershipSmoke: over HTTP, the owner hands the org to an ADMIN, who
// deletes it; the ids are global ids, refusals carry their codes and
// fields, and afterwards the org answers NOT_FOUND.
func TestOwnershipSmoke(t *testing.T) {
	s := newShopServer(t, false)
	ownerID := s.viewerID()
	ada := s.member("ada@example.com", "ADMIN")
	adaID := ada.viewerID()

	refusals := []struct {
		name        string
		as          *shopServer
		query       string
		in          map[string]any
		code, field string
	}{
		{"ADMIN transfers", ada, transferMutation, map[string]any{"orgId": s.orgID, "userId": adaID}, "FORBIDDEN", ""},
		{"to oneself", s.shopServer(), transferMutation, map[string]any{"orgId": s.orgID, "userId": ownerID}, "INVALID_INPUT", "userId"},
		{"a user id of the wrong type", s.shopServer(), transferMutation, map[string]any{"orgId": s.orgID, "userId": s.orgID}, "INVALID_INPUT", "userId"},
		{"an org id of the wrong type", s.shopServer(), transferMutation, map[string]any{"orgId": adaID, "userId": adaID}, "INVALID_INPUT", "orgId"},
		{"ADMIN deletes", ada, deleteMutation, map[string]any{"orgId": s.orgID, "confirmName": "Acme"}, "FORBIDDEN", ""},
		{"the wrong name", s.shopServer(), deleteMutation, map[string]any{"orgId": s.orgID, "confirmName": "Acme Inc"}, "INVALID_INPUT", "confirmName"},
		{"anonymous", s.as(""), deleteMutation, map[string]any{"orgId": s.orgID, "confirmName": "Acme"}, "UNAUTHENTICATED", ""},
	}
	for _, tt := range refusals {
		if code, field := tt.as.errCode(tt.query, map[string]any{"in": tt.in}); code != tt.code || field != tt.field {
			t.Errorf("%s: %s %q, want %s %q", tt.name, code, field, tt.code, tt.field)
		}
	}

	var moved struct {
		TransferOwnership struct {
			Org                  struct{ ID, Name string }
			Owner, PreviousOwner struct {
				Role string
				User struct{ ID string }
			}
		}
	}
	s.must(transferMutation, map[string]any{"in": map[string]any{"orgId": s.orgID, "userId": adaID}}, &moved)
	tr := moved.TransferOwnership
	if tr.Org.ID != s.orgID || tr.Owner.Role != "OWNER" || tr.Owner.User.ID != adaID || tr.PreviousOwner.Role != "ADMIN" || tr.PreviousOwner.User.ID != ownerID {
		t.Fatalf("transfer answered %+v", tr)
	}
	if code, _ := s.errCode(deleteMutation, map[string]any{"in": map[string]any{"orgId": s.orgID, "confirmName": "Acme"}}); code != "FORBIDDEN" {
		t.Fatalf("the former owner deleting: %s", code)
	}

	var gone struct {
		DeleteOrg struct {
			OrgID            string
			DeletedAt        time.Time
			CreditsForfeited int64
		}
	}
	var bal struct {
		Org struct{ Balance struct{ Total int64 } }
	}
	ada.must(`query($id: ID!) { org(id: $id) { balance { total } } }`, map[string]any{"id": s.orgID}, &bal)
	ada.must(deleteMutation, map[string]any{"in": map[string]any{"orgId": s.orgID, "confirmName": "Acme"}}, &gone)
	if d := gone.DeleteOrg; d.OrgID != s.orgID || d.DeletedAt.IsZero() || d.CreditsForfeited != bal.Org.Balance.Total {
		t.Fatalf("deleteOrg answered %+v; the balance was %d", d, bal.Org.Balance.Total)
	}
	if typ, _, err := graph.DecodeID("orgId", gone.DeleteOrg.OrgID); err != nil || typ != "Org" {
		t.Fatalf("orgId %q is not an org's global id: %s %v", gone.DeleteOrg.OrgID, typ, err)
	}
	for _, c := range []*shopServer{s.shopServer(), ada} {
		if code, _ := c.errCode(`query($id: ID!) { org(id: $id) { id } }`, map[string]any{"id": s.orgID}); code != "NOT_FOUND" {
			t.Errorf("reading a deleted org: %s", code)
		}
		if code, _ := c.errCode(deleteMutation, map[string]any{"in": map[string]any{"orgId": s.orgID, "confirmName": "Acme"}}); code != "NOT_FOUND" {
			t.Errorf("deleting it again: %s", code)
		}
		var v struct {
			Viewer struct{ Memberships []struct{ Role string } }
		}
		c.must(`{ viewer { memberships { role } } }`, nil, &v)
		if len(v.Viewer.Memberships) != 0 {
			t.Errorf("memberships after deletion: %+v", v.Viewer.Memberships)
		}
	}
}

// shopServer returns s itself, so a table can name the owner like the others.
func (s *shopServer) shopServer() *shopServer { return s }
