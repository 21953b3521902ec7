package graph_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// TestBalanceUpdatedPerRole: the owner and a MEMBER subscribed to one org
// share its feed, yet each push shows what that role's own queries show:
// the owner sees the owner's ledger entry and the grants' reasons, the
// MEMBER neither (entry null, reasons empty), exactly as org { balance }
// and ledgerEntry answer them.
func TestBalanceUpdatedPerRole(t *testing.T) {
	s := newShopServer(t, false)
	member := s.member("feed-member@example.com", "MEMBER")
	const sub = `subscription($o: ID!) { balanceUpdated(orgId: $o) { balance { total grants { id reason } } entry { id reason } } }`
	type push struct {
		Balance struct {
			Total  int64
			Grants []struct{ ID, Reason string }
		}
		Entry *struct{ ID, Reason string }
	}
	sockets := map[string]*wsConn{}
	for role, srv := range map[string]*shopServer{"owner": s, "member": member} {
		ws := srv.signedInSocket(t, "graphql-transport-ws", nil)
		ws.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": sub, "variables": map[string]any{"o": s.orgID}}})
		sockets[role] = ws
	}
	next := func(role string, timeout time.Duration) (*push, error) {
		m, err := sockets[role].next(timeout)
		if err != nil {
			return nil, err
		}
		if m["type"] != "next" {
			t.Fatalf("%s: got %v", role, m)
		}
		raw, _ := json.Marshal(m["payload"])
		var p struct {
			Data struct{ BalanceUpdated push }
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		return &p.Data.BalanceUpdated, nil
	}
	// The first message of each is the balance as it stands (entry null):
	// take it before spending, or the spend's push could replace it and
	// arrive without its entry (a push not yet taken gives way to a newer one).
	for role := range sockets {
		if _, err := next(role, 10*time.Second); err != nil {
			t.Fatalf("%s: no first message: %v", role, err)
		}
	}
	consume := `mutation($in: ConsumeCreditsInput!) { consumeCredits(input: $in) { entry { id } balance { total } } }`
	var got map[string]*push
	var entryID string
	// Spend until both see the spend.
	for i := 1; got == nil && i <= 10; i++ {
		var res struct {
			ConsumeCredits struct {
				Entry   struct{ ID string }
				Balance struct{ Total int64 }
			}
		}
		s.must(consume, map[string]any{"in": map[string]any{"orgId": s.orgID, "amount": 5,
			"idempotencyKey": fmt.Sprintf("roles-%d", i), "reason": "owner's secret"}}, &res)
		entryID = res.ConsumeCredits.Entry.ID
		round := map[string]*push{}
		for role := range sockets {
			for {
				p, err := next(role, time.Second)
				if err != nil {
					break
				}
				if p.Balance.Total == res.ConsumeCredits.Balance.Total {
					round[role] = p
					break
				}
			}
		}
		if len(round) == len(sockets) {
			got = round
		}
	}
	if got == nil {
		t.Fatal("no push reached both subscribers")
	}

	// What each role's own queries answer.
	const q = `query($o: ID!) { org(id: $o) { balance { grants { id reason } } } }`
	for role, srv := range map[string]*shopServer{"owner": s, "member": member} {
		var org struct {
			Org struct {
				Balance struct{ Grants []struct{ ID, Reason string } }
			}
		}
		srv.must(q, map[string]any{"o": s.orgID}, &org)
		p := got[role]
		if len(p.Balance.Grants) != len(org.Org.Balance.Grants) {
			t.Fatalf("%s: push has %d grants, the query %d", role, len(p.Balance.Grants), len(org.Org.Balance.Grants))
		}
		for i, g := range p.Balance.Grants {
			if g != org.Org.Balance.Grants[i] {
				t.Errorf("%s: pushed grant %+v, the query shows %+v", role, g, org.Org.Balance.Grants[i])
			}
			if role == "member" && g.Reason != "" {
				t.Errorf("member sees the grant reason %q", g.Reason)
			}
		}
	}
	reasons := 0
	for _, g := range got["owner"].Balance.Grants {
		if g.Reason != "" {
			reasons++
		}
	}
	if reasons == 0 {
		t.Error("the owner's push shows no grant reason: nothing for the member's to hide")
	}
	if e := got["owner"].Entry; e == nil || e.ID != entryID || e.Reason != "owner's secret" {
		t.Errorf("owner's push entry = %+v, want %s with its reason", e, entryID)
	}
	if e := got["member"].Entry; e != nil {
		t.Errorf("member's push shows the owner's entry %+v", e)
	}
	_, res := member.post(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": entryID})
	if len(res.Errors) == 0 && string(res.Data) != `{"node":null}` {
		t.Errorf("the member reads the owner's entry (%s), but its push hid it", res.Data)
	}
	_, res = s.post(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": entryID})
	if len(res.Errors) != 0 || string(res.Data) == `{"node":null}` {
		t.Errorf("the owner cannot read its own entry: %s %v", res.Data, res.Errors)
	}
}
