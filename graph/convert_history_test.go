package graph

import (
	"encoding/base64"
	"slices"
	"testing"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

// TestOrgEventKindsMatchTheDomain: the schema's OrgEventKind enum has
// exactly the domain's kinds.
func TestOrgEventKindsMatchTheDomain(t *testing.T) {
	var schema, dom []string
	for _, k := range model.AllOrgEventKind {
		schema = append(schema, string(k))
	}
	for _, k := range domain.OrgEventKinds {
		dom = append(dom, string(k))
	}
	slices.Sort(schema)
	slices.Sort(dom)
	if !slices.Equal(schema, dom) {
		t.Fatalf("schema kinds %v, domain kinds %v", schema, dom)
	}
}

func TestToOrgEvent(t *testing.T) {
	ev := domain.OrgEvent{ID: "e1", Kind: domain.OrgEventLowBalance, Detail: map[string]string{"threshold": "100", "balance": "40"}}
	got := toOrgEvent(ev)
	if got.Notified || got.SentAt != nil || len(got.Detail) != 2 || got.Detail[0].Name != "balance" || got.Detail[1].Value != "100" {
		t.Fatalf("toOrgEvent = %+v", got)
	}
	if raw, err := base64.StdEncoding.DecodeString(got.ID); err != nil || string(raw) != typeOrgEvent+":e1" {
		t.Fatalf("id %q: %q %v", got.ID, raw, err)
	}
}
