package domain_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// TestOrgWithBalanceAgreesWithOrgAndBalance: the one-read OrgWithBalance
// answers what Org and Balance answer, for the owner, a member and an API
// key, with a grant past its expiry that the expiry job has not written
// off yet left out; an outsider and another org's key get NOT_FOUND.
func TestOrgWithBalanceAgreesWithOrgAndBalance(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newFixtureStore(t, d, domain.Config{SignupGrant: 1000})
		f.grant(t, domain.GrantPromo, 300, time.Hour, "promo")
		f.grant(t, domain.GrantAdjustment, 50, 0, "adjust")
		f.grant(t, domain.GrantPurchased, 40, 2*time.Hour, "bought")
		f.clock.Set(f.clock.Now().Add(90 * time.Minute)) // the promo grant expired, not written off
		member, _ := f.join(t, "member", domain.RoleMember)
		key := keyCtx(t, f.svc, f.owner, f.org.ID)
		for name, ctx := range map[string]context.Context{"owner": f.owner, "member": member, "key": key} {
			t.Run(name, func(t *testing.T) {
				wantOrg, err := f.svc.Org(ctx, f.org.ID)
				if err != nil {
					t.Fatal(err)
				}
				wantBal, err := f.svc.Balance(ctx, f.org.ID)
				if err != nil {
					t.Fatal(err)
				}
				if wantBal.Total != 1000+50+40 {
					t.Fatalf("Balance total %d: the expired grant is not left out", wantBal.Total)
				}
				for _, grants := range []bool{true, false} {
					o, b, ok, err := f.svc.OrgWithBalance(ctx, f.org.ID, grants)
					if err != nil {
						t.Fatal(err)
					}
					if !ok || !reflect.DeepEqual(o, wantOrg) {
						t.Fatalf("grants=%v: org %+v (balance %v), want %+v", grants, o, ok, wantOrg)
					}
					want := wantBal
					if !grants {
						want.Grants = nil
					}
					if !reflect.DeepEqual(b, want) {
						t.Errorf("grants=%v: balance\n%+v, want\n%+v", grants, b, want)
					}
				}
			})
		}
		outsider := signIn(t, f.svc, "outsider")
		other, err := f.svc.CreateOrg(outsider, domain.CreateOrgInput{Name: "Other", Country: "DE", Currency: domain.EUR})
		if err != nil {
			t.Fatal(err)
		}
		for name, ctx := range map[string]context.Context{"outsider": outsider, "key of another org": keyCtx(t, f.svc, outsider, other.ID)} {
			if _, _, _, err := f.svc.OrgWithBalance(ctx, f.org.ID, true); !domain.IsCode(err, domain.CodeNotFound) {
				t.Errorf("%s: %v, want NOT_FOUND", name, err)
			}
		}
	})
}
