package domain_test

import (
	"context"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// TestLedgerSaysWhenItIsNarrowed: an ADMIN's or MEMBER's ledger holds only
// the entries they caused, and the page says so (Scope MEMBER) just as
// their usage report does; OWNER and BILLING read every entry (Scope ORG).
func TestLedgerSaysWhenItIsNarrowed(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, domain.Config{SignupGrantDisabled: true})
		f.grant(t, domain.GrantPromo, 1000, 0, "g")
		admin, _ := f.join(t, "ada", domain.RoleAdmin)
		billing, _ := f.join(t, "bill", domain.RoleBilling)
		member, _ := f.join(t, "mia", domain.RoleMember)
		for i, ctx := range []context.Context{f.owner, admin, billing, member} {
			if _, err := consume(ctx, f, 10, "spend-"+string(rune('a'+i))); err != nil {
				t.Fatal(err)
			}
		}
		all := len(f.ledger(t)) // the grant and four spends
		tests := []struct {
			name    string
			ctx     context.Context
			scope   domain.UsageScope
			entries int
		}{
			{"OWNER", f.owner, domain.UsageOrg, all},
			{"BILLING", billing, domain.UsageOrg, all},
			{"ADMIN", admin, domain.UsageMember, 1},
			{"MEMBER", member, domain.UsageMember, 1},
		}
		for _, tt := range tests {
			page, err := f.svc.Ledger(tt.ctx, f.org.ID, domain.Page{First: 50})
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if page.Scope != tt.scope || len(page.Edges) != tt.entries {
				t.Errorf("%s ledger: scope %q with %d entries, want %q with %d", tt.name, page.Scope, len(page.Edges), tt.scope, tt.entries)
			}
			u, err := f.svc.Usage(tt.ctx, f.org.ID, domain.UsageQuery{})
			if err != nil || u.Scope != page.Scope {
				t.Errorf("%s usage scope %q (%v), ledger scope %q: want them equal", tt.name, u.Scope, err, page.Scope)
			}
		}
	})
}
