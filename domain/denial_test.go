package domain

import (
	"strings"
	"testing"
)

// TestDenialWording pins the FORBIDDEN message of every refusal of the role
// table: each member role an action refuses, and each action an API key
// may not take, reads as a plain sentence naming what was tried and who
// may do it (issue 8: "role MEMBER may not billing" said neither).
func TestDenialWording(t *testing.T) {
	const billing = "buy credits or read this org's orders, invoices, payment methods or org-wide usage"
	tests := []struct {
		action Action
		role   Role // "" for an API key
		want   string
	}{
		{ActionManageMembers, RoleBilling, "a member with the BILLING role may not manage this org's members, invitations or roles; that takes the OWNER or ADMIN role"},
		{ActionManageMembers, RoleMember, "a member with the MEMBER role may not manage this org's members, invitations or roles; that takes the OWNER or ADMIN role"},
		{ActionManageAPIKeys, RoleBilling, "a member with the BILLING role may not manage this org's API keys; that takes the OWNER or ADMIN role"},
		{ActionManageAPIKeys, RoleMember, "a member with the MEMBER role may not manage this org's API keys; that takes the OWNER or ADMIN role"},
		{ActionBilling, RoleAdmin, "a member with the ADMIN role may not " + billing + "; that takes the OWNER or BILLING role"},
		{ActionBilling, RoleMember, "a member with the MEMBER role may not " + billing + "; that takes the OWNER or BILLING role"},
		{ActionOwn, RoleAdmin, "a member with the ADMIN role may not delete this org or transfer its ownership; that takes the OWNER role"},
		{ActionOwn, RoleBilling, "a member with the BILLING role may not delete this org or transfer its ownership; that takes the OWNER role"},
		{ActionOwn, RoleMember, "a member with the MEMBER role may not delete this org or transfer its ownership; that takes the OWNER role"},
		{ActionReportUsage, RoleBilling, "a member with the BILLING role may not report this org's usage; that takes the OWNER or ADMIN role"},
		{ActionReportUsage, RoleMember, "a member with the MEMBER role may not report this org's usage; that takes the OWNER or ADMIN role"},
		{ActionManageWebhooks, RoleBilling, "a member with the BILLING role may not manage this org's webhook endpoints; that takes the OWNER or ADMIN role"},
		{ActionManageWebhooks, RoleMember, "a member with the MEMBER role may not manage this org's webhook endpoints; that takes the OWNER or ADMIN role"},

		{ActionReadOwnUsage, "", "an API key may not read this org's usage or ledger; sign in as a member of this org"},
		{ActionManageMembers, "", "an API key may not manage this org's members, invitations or roles; sign in as a member with the OWNER or ADMIN role"},
		{ActionManageAPIKeys, "", "an API key may not manage this org's API keys; sign in as a member with the OWNER or ADMIN role"},
		{ActionBilling, "", "an API key may not " + billing + "; sign in as a member with the OWNER or BILLING role"},
		{ActionOwn, "", "an API key may not delete this org or transfer its ownership; sign in as a member with the OWNER role"},
		{ActionManageWebhooks, "", "an API key may not manage this org's webhook endpoints; sign in as a member with the OWNER or ADMIN role"},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		var err *Error
		if tt.role == "" {
			err = apiKeyDenied(tt.action)
		} else {
			err = roleDenied(tt.role, tt.action)
		}
		if err.Code != CodeForbidden || err.Message != tt.want {
			t.Errorf("%s denied %q:\n got %s %q\nwant FORBIDDEN %q", who(tt.role), tt.action, err.Code, err.Message, tt.want)
		}
		covered[string(tt.role)+"/"+string(tt.action)] = true
	}

	// The table above is every refusal there is: each (role, action) the
	// role table refuses and each action an API key may not take.
	for action := range rolePolicy {
		for _, r := range allRoles {
			if !RoleAllows(r, action) && !covered[string(r)+"/"+string(action)] {
				t.Errorf("no wording test for %s refused %q", r, action)
			}
		}
		if !apiKeyPolicy[action] && !covered["/"+string(action)] {
			t.Errorf("no wording test for an API key refused %q", action)
		}
	}
	// Every action has its own words: none falls back to its bare name.
	if len(actionWords) != len(rolePolicy) {
		t.Errorf("%d actions have words, the role table has %d", len(actionWords), len(rolePolicy))
	}
	for action := range rolePolicy {
		if w, ok := actionWords[action]; !ok || strings.TrimSpace(w) == "" {
			t.Errorf("action %q has no words", action)
		}
	}
}

func who(r Role) string {
	if r == "" {
		return "API key"
	}
	return string(r)
}
