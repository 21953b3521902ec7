package graph_test

import (
	"encoding/json"
	"testing"
)

// TestOrgBalanceSelections: Query.org reads the balance with the org, and
// its grants only when some selection asks for them, whether directly,
// under an alias, through fragments or behind @skip; the answers agree with
// the balance read on its own (node(id:), which does not read ahead).
func TestOrgBalanceSelections(t *testing.T) {
	s := newServer(t)
	id := s.createOrg()
	var own struct {
		Node struct {
			Balance struct {
				Total, Free, Paid int64
				Grants            []struct{ ID string }
			}
		}
	}
	s.must(`query($id: ID!) { node(id: $id) { ... on Org { balance { total free paid grants { id } } } } }`, map[string]any{"id": id}, &own)
	want := own.Node.Balance
	if want.Total == 0 || len(want.Grants) == 0 {
		t.Fatalf("the new org has no sign-up credit to compare: %+v", want)
	}
	tests := []struct {
		name, query string
		vars        map[string]any
		grants      bool // whether the answer's balance holds grants
	}{
		{"counters only", `query($id: ID!) { org(id: $id) { balance { total free paid } } }`, nil, false},
		{"with grants", `query($id: ID!) { org(id: $id) { name balance { total free paid grants { id } } } }`, nil, true},
		{"aliases, one with grants", `query($id: ID!) { org(id: $id) { a: balance { total free paid } balance { total free paid grants { id } } } }`, nil, true},
		{"fragments", `query($id: ID!) { org(id: $id) { ...O } } fragment O on Org { balance { ...B } } fragment B on Balance { total free paid grants { id } }`, nil, true},
		{"grants skipped", `query($id: ID!, $s: Boolean!) { org(id: $id) { balance { total free paid grants @skip(if: $s) { id } } } }`, map[string]any{"s": true}, false},
		{"grants not skipped", `query($id: ID!, $s: Boolean!) { org(id: $id) { balance { total free paid grants @skip(if: $s) { id } } } }`, map[string]any{"s": false}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]any{"id": id}
			for k, v := range tt.vars {
				vars[k] = v
			}
			var out struct {
				Org struct {
					Balance struct {
						Total, Free, Paid int64
						Grants            *[]struct{ ID string }
					}
				}
			}
			s.must(tt.query, vars, &out)
			b := out.Org.Balance
			if b.Total != want.Total || b.Free != want.Free || b.Paid != want.Paid {
				t.Errorf("balance %+v, want %+v", b, want)
			}
			switch {
			case tt.grants && (b.Grants == nil || len(*b.Grants) != len(want.Grants) || (*b.Grants)[0].ID != want.Grants[0].ID):
				got, _ := json.Marshal(b.Grants)
				t.Errorf("grants %s, want %+v", got, want.Grants)
			case !tt.grants && b.Grants != nil:
				t.Errorf("grants answered though not selected: %+v", *b.Grants)
			}
		})
	}
}
