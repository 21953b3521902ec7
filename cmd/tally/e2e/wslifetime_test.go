package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/golang-jwt/jwt/v5"

	"github.com/tallyhq/tally/graph/auth"
)

// closeWithin reads a socket until the server closes it and returns the
// close code, failing when nothing closes it within d.
func closeWithin(t *testing.T, c *wsClient, d time.Duration) websocket.StatusCode {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		var msg map[string]any
		err := wsjson.Read(ctx, c.conn, &msg)
		if err == nil {
			continue // keep-alives, a connection_error before the close
		}
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			t.Fatalf("socket still open after %v", d)
		}
		return websocket.CloseStatus(err)
	}
}

// stillOpen checks that nothing closes a socket for d.
func stillOpen(t *testing.T, c *wsClient, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		var msg map[string]any
		err := wsjson.Read(ctx, c.conn, &msg)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			t.Fatalf("socket closed: %v", err)
		}
	}
}

// TestWebsocketCredentialLifetime runs two instances on one database. A
// socket holds its credential's rights only while they last: a revoked API
// key, a removed member and a demoted member lose their sockets on one
// instance when the change is made on the other, and an expired token loses
// its socket when it expires.
func TestWebsocketCredentialLifetime(t *testing.T) {
	url := backends[0].newDB(t) // postgres: changes travel between instances
	one := startServer(t, url, "TALLY_SIGNUP_CREDITS=1000")
	two := startServer(t, url, "TALLY_SIGNUP_CREDITS=1000")
	owner := two.user(t, "owner@life.example")
	org := owner.createOrg(t, "Lifetime", "DE", "EUR")
	sub := map[string]any{"org": org}

	t.Run("revoked API key", func(t *testing.T) {
		id, secret := owner.createKey(t, org, "backend")
		ws := dialWS(t, one, "graphql-transport-ws", "Bearer "+secret)
		ws.subscribe(balanceSubscription, sub)
		bystander := dialWS(t, one, "graphql-transport-ws", "Bearer "+token(t, "owner@life.example", false))
		bystander.subscribe(balanceSubscription, sub)
		owner.revokeKey(t, id)
		if code := closeWithin(t, ws, 5*time.Second); code != 4403 {
			t.Fatalf("closed with %d, want 4403", code)
		}
		stillOpen(t, bystander, 300*time.Millisecond)
	})

	t.Run("removed member", func(t *testing.T) {
		_, memberID := two.join(t, owner, org, "member@life.example", "MEMBER")
		ws := dialWS(t, one, "graphql-transport-ws", "Bearer "+token(t, "member@life.example", false))
		ws.subscribe(balanceSubscription, sub)
		owner.must(t, `mutation($org: ID!, $user: ID!) { removeMember(orgId: $org, userId: $user) { userId } }`,
			map[string]any{"org": org, "user": memberID}, "removeMember", nil)
		if code := closeWithin(t, ws, 5*time.Second); code != 4403 {
			t.Fatalf("closed with %d, want 4403", code)
		}
	})

	t.Run("demoted member", func(t *testing.T) {
		_, billingID := two.join(t, owner, org, "billing@life.example", "BILLING")
		ws := dialWS(t, one, "graphql-transport-ws", "Bearer "+token(t, "billing@life.example", false))
		ws.subscribe(`subscription($org: ID!) { orderUpdated(orgId: $org) { id } }`, sub)
		owner.must(t, `mutation($org: ID!, $user: ID!) { setMemberRole(orgId: $org, userId: $user, role: MEMBER) { member { role } } }`,
			map[string]any{"org": org, "user": billingID}, "setMemberRole", nil)
		if code := closeWithin(t, ws, 5*time.Second); code != 4403 {
			t.Fatalf("closed with %d, want 4403", code)
		}
	})

	t.Run("expired token", func(t *testing.T) {
		// A token whose exp passed 28 s ago is still inside the 30 s leeway:
		// accepted now, expired for good in about 2 s.
		now := time.Now()
		tok := signed(t, jwt.SigningMethodHS256, jwt.MapClaims{
			"sub": "e2e|owner@life.example", "email": "owner@life.example", "name": "owner@life.example",
			"iat": now.Add(-time.Hour).Unix(), "exp": now.Add(2*time.Second - auth.Leeway).Unix(),
		}, []byte(secret))
		ws := dialWS(t, one, "graphql-transport-ws", "Bearer "+tok)
		ws.subscribe(balanceSubscription, sub)
		start := time.Now()
		if code := closeWithin(t, ws, 10*time.Second); code != 4401 {
			t.Fatalf("closed with %d, want 4401", code)
		}
		t.Logf("closed %v after connecting", time.Since(start).Round(time.Millisecond))
		// The same token is refused outright now.
		if o := wsAttempt(t, one, "http://app.example", map[string]any{"authorization": "Bearer " + tok}); o.ack {
			t.Fatalf("an expired token opened a socket: %+v", o)
		}
	})

	t.Run("an operation on a socket re-checks the key", func(t *testing.T) {
		id, secret := owner.createKey(t, org, "second")
		ws := dialWS(t, one, "graphql-transport-ws", "Bearer "+secret)
		// Revoke straight in the database's eyes and start an operation at
		// once, before the revocation's event could have closed the socket:
		// the operation is refused or the socket closed, never served.
		owner.revokeKey(t, id)
		ws.send(map[string]any{"id": "late", "type": "subscribe", "payload": map[string]any{"query": balanceSubscription, "variables": sub}})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for {
			var msg map[string]any
			if err := wsjson.Read(ctx, ws.conn, &msg); err != nil {
				if code := websocket.CloseStatus(err); code != 4403 {
					t.Fatalf("closed with %v, want 4403", err)
				}
				return
			}
			raw, _ := json.Marshal(msg)
			switch msg["type"] {
			case "next", "error":
				if !strings.Contains(string(raw), `"UNAUTHENTICATED"`) {
					t.Fatalf("a revoked key's operation was served: %s", raw)
				}
				return
			}
		}
	})

	t.Run("deleted org", func(t *testing.T) {
		boss := two.user(t, "boss@gone.example")
		gone := boss.createOrg(t, "Gone", "DE", "EUR")
		two.join(t, boss, gone, "member@gone.example", "MEMBER")
		_, secret := boss.createKey(t, gone, "backend")
		member := dialWS(t, one, "graphql-transport-ws", "Bearer "+token(t, "member@gone.example", false))
		member.subscribe(balanceSubscription, map[string]any{"org": gone})
		key := dialWS(t, one, "graphql-transport-ws", "Bearer "+secret)
		key.subscribe(balanceSubscription, map[string]any{"org": gone})
		bystander := dialWS(t, one, "graphql-transport-ws", "Bearer "+token(t, "owner@life.example", false))
		bystander.subscribe(balanceSubscription, sub)
		boss.must(t, `mutation($in: DeleteOrgInput!) { deleteOrg(input: $in) { orgId } }`,
			map[string]any{"in": map[string]any{"orgId": gone, "confirmName": "Gone"}}, "deleteOrg", nil)
		for name, ws := range map[string]*wsClient{"member": member, "API key": key} {
			if code := closeWithin(t, ws, 5*time.Second); code != 4403 {
				t.Fatalf("the %s's socket closed with %d, want 4403", name, code)
			}
		}
		stillOpen(t, bystander, 300*time.Millisecond)
		// The key is refused on the instance that deleted the org, and
		// serves nothing on the other.
		spend := map[string]any{"in": map[string]any{"orgId": gone, "amount": 1, "idempotencyKey": "after", "reason": "after"}}
		if r := two.as("Bearer "+secret).do(t, consumeMutation, spend); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("the deleted org's key on the deleting instance: %+v", r.Errors)
		}
		if r := one.as("Bearer "+secret).do(t, consumeMutation, spend); len(r.Errors) == 0 {
			t.Fatal("the deleted org's key spent on the other instance")
		}
	})
}
