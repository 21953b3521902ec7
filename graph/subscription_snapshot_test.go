package graph_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
)

// snapshotPush is what TestBalanceUpdatedSnapshot reads of a push.
type snapshotPush struct {
	Balance struct {
		Total  int64
		Grants []struct{ ID, Reason string }
	}
	Entry *struct{ ID, Reason string }
}

// decodeSnapshotPush reads a balanceUpdated push framed as next.
func decodeSnapshotPush(t *testing.T, m *rawMessage, next string) snapshotPush {
	t.Helper()
	if m == nil {
		t.Fatal("no message")
	}
	if m.Type != next || m.ID != "1" {
		t.Fatalf("got %s %s %s, want %s", m.Type, m.ID, m.Payload, next)
	}
	var p struct {
		Data   struct{ BalanceUpdated snapshotPush }
		Errors []any
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Errors) > 0 {
		t.Fatalf("push with errors: %s", m.Payload)
	}
	return p.Data.BalanceUpdated
}

// TestBalanceUpdatedSnapshot: on both stores and both subprotocols, a
// balanceUpdated subscription's first message is the org's balance as the
// subscriber's own query shows it (a MEMBER without the grants' reasons),
// with entry null, before any change; and a spend committed while the
// subscription starts is never lost nor followed by an older balance.
func TestBalanceUpdatedSnapshot(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShopServerOn(t, d, false)
		member := s.member("snapshot-member@example.com", "MEMBER")
		const sub = `subscription($o: ID!) { balanceUpdated(orgId: $o) { balance { total grants { id reason } } entry { id reason } } }`
		const q = `query($o: ID!) { org(id: $o) { balance { total grants { id reason } } } }`
		vars := map[string]any{"o": s.orgID}
		spent := 0
		spend := func() int64 {
			spent++
			var res struct {
				ConsumeCredits struct{ Balance struct{ Total int64 } }
			}
			s.must(`mutation($in: ConsumeCreditsInput!) { consumeCredits(input: $in) { balance { total } } }`,
				map[string]any{"in": map[string]any{"orgId": s.orgID, "amount": 1,
					"idempotencyKey": fmt.Sprintf("snapshot-%d", spent), "reason": "owner's secret"}}, &res)
			return res.ConsumeCredits.Balance.Total
		}
		spend() // an entry the owner may see, and a balance below the grant's
		for _, subprotocol := range []string{"graphql-transport-ws", "graphql-ws"} {
			next := "next"
			if subprotocol == "graphql-ws" {
				next = "data"
			}
			for role, srv := range map[string]*shopServer{"owner": s, "member": member} {
				var org struct {
					Org struct {
						Balance struct {
							Total  int64
							Grants []struct{ ID, Reason string }
						}
					}
				}
				srv.must(q, vars, &org)
				ws := subscribeRaw(t, srv, subprotocol, sub, vars)
				p := decodeSnapshotPush(t, ws.next(t, 5*time.Second), next)
				if p.Balance.Total != org.Org.Balance.Total || p.Entry != nil {
					t.Fatalf("%s %s: first message total %d entry %+v, want total %d and no entry",
						subprotocol, role, p.Balance.Total, p.Entry, org.Org.Balance.Total)
				}
				if fmt.Sprint(p.Balance.Grants) != fmt.Sprint(org.Org.Balance.Grants) {
					t.Fatalf("%s %s: snapshot grants %+v, the query shows %+v", subprotocol, role, p.Balance.Grants, org.Org.Balance.Grants)
				}
				if m := ws.next(t, 100*time.Millisecond); m != nil {
					t.Fatalf("%s %s: %s %s after the snapshot with no change", subprotocol, role, m.Type, m.Payload)
				}
				// The next change is pushed after it, with the entry as
				// the role sees it.
				total := spend()
				p = decodeSnapshotPush(t, ws.next(t, 5*time.Second), next)
				if p.Balance.Total != total || (p.Entry != nil) != (role == "owner") {
					t.Fatalf("%s %s: push total %d entry %+v, want total %d", subprotocol, role, p.Balance.Total, p.Entry, total)
				}
			}

			// Spends racing the subscription's start: whatever the order,
			// the first message shows no entry, totals only fall, and the
			// last spend's total arrives.
			for i := range 5 {
				ws := subscribeRaw(t, s, subprotocol, sub, vars)
				for range i % 3 {
					spend()
				}
				total := spend()
				first := decodeSnapshotPush(t, ws.next(t, 5*time.Second), next)
				if first.Entry != nil {
					t.Fatalf("%s race %d: the first message has entry %+v", subprotocol, i, first.Entry)
				}
				last := first.Balance.Total
				for last != total {
					p := decodeSnapshotPush(t, ws.next(t, 5*time.Second), next)
					if p.Balance.Total >= last {
						t.Fatalf("%s race %d: total %d after %d", subprotocol, i, p.Balance.Total, last)
					}
					last = p.Balance.Total
				}
			}
		}
	})
}
