package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tallyhq/tally/graph"
)

// Shared setup of the authorization matrix and bad-input tests: users who
// join orgs through the API, API keys, and snapshots of an org's state so a
// test can show that a refused request changed nothing.

// viewerID returns the global ID of the user c is signed in as.
func (c *client) viewerID(t testing.TB) string {
	t.Helper()
	var out struct{ User struct{ ID string } }
	c.must(t, `{ viewer { user { id } } }`, nil, "viewer", &out)
	return out.User.ID
}

// accept makes c a member through an invitation token.
func (c *client) accept(t testing.TB, tok string) {
	t.Helper()
	c.must(t, `mutation($t: String!) { acceptInvitation(token: $t) { membership { role } } }`,
		map[string]any{"t": tok}, "acceptInvitation", nil)
}

// join invites email to orgID with role as inviter, accepts as the new user,
// and returns the new member's client and user ID.
func (s *server) join(t *testing.T, inviter *client, orgID, email, role string) (*client, string) {
	t.Helper()
	tok := inviter.invite(t, orgID, email, role)
	c := s.user(t, email)
	c.accept(t, tok)
	return c, c.viewerID(t)
}

// inviteID invites email as c and returns the invitation's ID.
func (c *client) inviteID(t testing.TB, orgID, email, role string) string {
	t.Helper()
	var out struct{ Invitation struct{ ID string } }
	c.must(t, `mutation($org: ID!, $email: String!, $role: Role!) { inviteMember(orgId: $org, email: $email, role: $role) { invitation { id } } }`,
		map[string]any{"org": orgID, "email": email, "role": role}, "inviteMember", &out)
	return out.Invitation.ID
}

// createKey creates an API key of orgID as c and returns its ID and secret.
func (c *client) createKey(t testing.TB, orgID, name string) (id, secret string) {
	t.Helper()
	var out struct {
		APIKey struct{ ID string }
		Secret string
	}
	c.must(t, `mutation($org: ID!, $name: String!) { createApiKey(orgId: $org, name: $name) { apiKey { id } secret } }`,
		map[string]any{"org": orgID, "name": name}, "createApiKey", &out)
	if !strings.HasPrefix(out.Secret, "tly_") {
		t.Fatalf("API key secret %q", out.Secret)
	}
	return out.APIKey.ID, out.Secret
}

// revokeKey revokes an API key as c.
func (c *client) revokeKey(t testing.TB, id string) {
	t.Helper()
	c.must(t, `mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { revokedAt } } }`, map[string]any{"id": id}, "revokeApiKey", nil)
}

// entry is a ledger entry as the visibility checks need it.
type entry struct {
	ID     string
	Kind   string
	Amount int64
	Actor  struct {
		Kind string
		ID   *string
	}
}

// ledger reads every ledger entry of orgID that c may see, in pages of
// pageSize (small enough for a server's complexity limit).
func (c *client) ledger(t testing.TB, orgID string, pageSize int) []entry {
	t.Helper()
	var all []entry
	var after *string
	for {
		var out struct {
			Ledger struct {
				Edges    []struct{ Node entry }
				PageInfo struct {
					HasNextPage bool
					EndCursor   *string
				}
			}
		}
		c.must(t, `query($id: ID!, $n: Int, $after: String) { org(id: $id) { ledger(first: $n, after: $after) {
			edges { node { id kind amount actor { kind id } } } pageInfo { hasNextPage endCursor } } } }`,
			map[string]any{"id": orgID, "n": pageSize, "after": after}, "org", &out)
		for _, e := range out.Ledger.Edges {
			all = append(all, e.Node)
		}
		if !out.Ledger.PageInfo.HasNextPage {
			return all
		}
		after = out.Ledger.PageInfo.EndCursor
	}
}

// ledgerLen counts orgID's ledger entries that c may see, in pages of
// pageSize, with a selection shallow and cheap enough for tight depth and
// complexity limits.
func (c *client) ledgerLen(t testing.TB, orgID string, pageSize int) int {
	t.Helper()
	n := 0
	var after *string
	for {
		var out struct {
			Ledger struct {
				Edges    []struct{ Cursor string }
				PageInfo struct {
					HasNextPage bool
					EndCursor   *string
				}
			}
		}
		c.must(t, `query($id: ID!, $n: Int, $after: String) { org(id: $id) { ledger(first: $n, after: $after) {
			edges { cursor } pageInfo { hasNextPage endCursor } } } }`,
			map[string]any{"id": orgID, "n": pageSize, "after": after}, "org", &out)
		n += len(out.Ledger.Edges)
		if !out.Ledger.PageInfo.HasNextPage {
			return n
		}
		after = out.Ledger.PageInfo.EndCursor
	}
}

// orgState is what a refused request must leave untouched, as an OWNER sees it.
type orgState struct {
	Balance     int64
	LedgerLen   int
	Members     []string // "userID role", sorted
	Invitations []string // pending invitation IDs, sorted
	APIKeys     []string // "keyID revoked=…", sorted
}

// state reads orgID's state as c (an OWNER); with full false only the
// balance and the ledger length.
func (c *client) state(t testing.TB, orgID string, pageSize int, full bool) orgState {
	t.Helper()
	st := orgState{Balance: c.balance(t, orgID), LedgerLen: c.ledgerLen(t, orgID, pageSize)}
	if !full {
		return st
	}
	var out struct {
		Members struct {
			Edges []struct {
				Node struct {
					User struct{ ID string }
					Role string
				}
			}
			PageInfo struct{ HasNextPage bool }
		}
		Invitations []struct{ ID string }
		APIKeys     []struct {
			ID        string
			RevokedAt *time.Time
		} `json:"apiKeys"`
	}
	c.must(t, `query($id: ID!) { org(id: $id) {
		members(first: 100) { edges { node { user { id } role } } pageInfo { hasNextPage } }
		invitations { id }
		apiKeys { id revokedAt } } }`, map[string]any{"id": orgID}, "org", &out)
	if out.Members.PageInfo.HasNextPage {
		t.Fatal("more than 100 members: the snapshot would be incomplete")
	}
	for _, e := range out.Members.Edges {
		st.Members = append(st.Members, e.Node.User.ID+" "+e.Node.Role)
	}
	for _, inv := range out.Invitations {
		st.Invitations = append(st.Invitations, inv.ID)
	}
	for _, k := range out.APIKeys {
		st.APIKeys = append(st.APIKeys, fmt.Sprintf("%s revoked=%t", k.ID, k.RevokedAt != nil))
	}
	slices.Sort(st.Members)
	slices.Sort(st.Invitations)
	slices.Sort(st.APIKeys)
	return st
}

// equal reports whether two snapshots match.
func (st orgState) equal(o orgState) bool {
	return st.Balance == o.Balance && st.LedgerLen == o.LedgerLen && slices.Equal(st.Members, o.Members) &&
		slices.Equal(st.Invitations, o.Invitations) && slices.Equal(st.APIKeys, o.APIKeys)
}

// roleOf returns the role of userID in a snapshot, or "" when not a member.
func (st orgState) roleOf(userID string) string {
	for _, m := range st.Members {
		if id, role, _ := strings.Cut(m, " "); id == userID {
			return role
		}
	}
	return ""
}

// ghostID is a well-formed global ID of type typ that names nothing.
func ghostID(typ string) string { return graph.EncodeID(typ, uuid.Must(uuid.NewV7()).String()) }

// isNull reports whether a data field is null or absent.
func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// post sends a raw body to the server's /graphql with headers and decodes the
// GraphQL response; transport failures fail the test.
func (s *server) post(t testing.TB, headers map[string]string, body []byte) result {
	t.Helper()
	h := map[string]string{"Content-Type": "application/json"}
	maps.Copy(h, headers)
	status, raw := s.send(t, "/graphql", h, body)
	r := result{Status: status}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("status %d, undecodable body %q: %v", status, raw, err)
	}
	return r
}

// send posts body to path with headers and returns the status and the
// answer's body; transport failures fail the test.
func (s *server) send(t testing.TB, path string, headers map[string]string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// gqlBody encodes a GraphQL request body.
func gqlBody(query string, vars map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err)
	}
	return b
}
