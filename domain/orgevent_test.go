package domain_test

import (
	"regexp"
	"testing"

	"github.com/tallyhq/tally/domain"
)

// Every kind of org event is sent as a webhook under its own type, named
// object.verb; the types endpoints may subscribe to are all but the test.
func TestEveryKindHasOneWebhookType(t *testing.T) {
	name := regexp.MustCompile(`^[a-z_]+\.[a-z_]+$`)
	seen := map[string]domain.OrgEventKind{}
	for _, k := range domain.OrgEventKinds {
		typ := k.WebhookType()
		if !name.MatchString(typ) {
			t.Errorf("%s: webhook type %q is not object.verb", k, typ)
		}
		if other, dup := seen[typ]; dup {
			t.Errorf("%s and %s share the webhook type %q", k, other, typ)
		}
		seen[typ] = k
	}
	types := domain.WebhookEventTypes()
	if len(types) != len(domain.OrgEventKinds)-1 {
		t.Errorf("WebhookEventTypes lists %d types, want every kind but the test (%d)", len(types), len(domain.OrgEventKinds)-1)
	}
	for _, typ := range types {
		if typ == domain.OrgEventWebhookTest.WebhookType() {
			t.Errorf("WebhookEventTypes lists %q, which is sent on request only", typ)
		}
	}
	if got := domain.OrgEventKind("NOT_A_KIND").WebhookType(); got != "" {
		t.Errorf("an unknown kind has the webhook type %q, want none", got)
	}
}
