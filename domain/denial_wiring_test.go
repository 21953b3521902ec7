package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// TestDenialsReachTheCaller: the refusals the service gives through its
// operations carry the sentences TestDenialWording pins, not the action's
// bare name.
func TestDenialsReachTheCaller(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		member, _ := s.join(t, "mia", domain.RoleMember)
		admin, adminID := s.join(t, "ada", domain.RoleAdmin)
		key := keyCtx(t, s.svc, s.owner, s.org.ID)
		buy := domain.PurchaseInput{OrgID: s.org.ID, PackID: s.pack.ID, Quantity: 1, Installments: 1, IdempotencyKey: "k"}
		const billing = "buy credits or read this org's orders, invoices, payment methods or org-wide usage"
		tests := []struct {
			name string
			call func() error
			want string
		}{
			{"MEMBER buys", func() error { _, err := s.svc.PurchasePack(member, buy); return err },
				"a member with the MEMBER role may not " + billing + "; that takes the OWNER or BILLING role"},
			{"ADMIN lists invoices", func() error { _, err := s.svc.Invoices(admin, s.org.ID, domain.Page{}); return err },
				"a member with the ADMIN role may not " + billing + "; that takes the OWNER or BILLING role"},
			{"MEMBER lists API keys", func() error { _, err := s.svc.APIKeys(member, s.org.ID); return err },
				"a member with the MEMBER role may not manage this org's API keys; that takes the OWNER or ADMIN role"},
			{"MEMBER subscribes", func() error {
				_, err := s.svc.Subscribe(member, domain.SubscribeInput{OrgID: s.org.ID, Seats: 1, IdempotencyKey: "k"})
				return err
			}, "a member with the MEMBER role may not " + billing + "; that takes the OWNER or BILLING role"},
			{"ADMIN previews a plan", func() error {
				_, err := s.svc.PreviewPlan(admin, domain.SubscribeInput{OrgID: s.org.ID, Seats: 1})
				return err
			}, "a member with the ADMIN role may not " + billing + "; that takes the OWNER or BILLING role"},
			{"API key cancels the subscription", func() error {
				_, err := s.svc.CancelSubscription(key, domain.SubscriptionSetting{OrgID: s.org.ID, IdempotencyKey: "k"})
				return err
			}, "an API key may not " + billing + "; sign in as a member with the OWNER or BILLING role"},
			{"API key buys", func() error { _, err := s.svc.PurchasePack(key, buy); return err },
				"an API key may not " + billing + "; sign in as a member with the OWNER or BILLING role"},
			{"API key reads the ledger", func() error { _, err := s.svc.Ledger(key, s.org.ID, domain.Page{}); return err },
				"an API key may not read this org's usage or ledger; sign in as a member of this org"},
			{"API key lists members", func() error { _, err := s.svc.Members(key, s.org.ID, domain.Page{}); return err },
				"an API key may not do this; sign in as a user"},
			{"ADMIN transfers ownership", func() error {
				_, err := s.svc.TransferOwnership(admin, domain.TransferOwnershipInput{OrgID: s.org.ID, UserID: adminID})
				return err
			}, "a member with the ADMIN role may not delete this org or transfer its ownership; that takes the OWNER role"},
			{"MEMBER deletes the org", func() error {
				_, err := s.svc.DeleteOrg(member, domain.DeleteOrgInput{OrgID: s.org.ID, ConfirmName: s.org.Name})
				return err
			}, "a member with the MEMBER role may not delete this org or transfer its ownership; that takes the OWNER role"},
			{"API key deletes the org", func() error {
				_, err := s.svc.DeleteOrg(key, domain.DeleteOrgInput{OrgID: s.org.ID, ConfirmName: s.org.Name})
				return err
			}, "an API key may not delete this org or transfer its ownership; sign in as a member with the OWNER role"},
			{"API key transfers ownership", func() error {
				_, err := s.svc.TransferOwnership(key, domain.TransferOwnershipInput{OrgID: s.org.ID, UserID: adminID})
				return err
			}, "an API key may not delete this org or transfer its ownership; sign in as a member with the OWNER role"},
			{"MEMBER buys extra credits", func() error {
				_, err := s.svc.BuyExtraCredits(member, domain.ExtraCreditsInput{OrgID: s.org.ID, Credits: 1000, IdempotencyKey: "x"})
				return err
			}, "a member with the MEMBER role may not " + billing + "; that takes the OWNER or BILLING role"},
			{"API key buys extra credits", func() error {
				_, err := s.svc.BuyExtraCredits(key, domain.ExtraCreditsInput{OrgID: s.org.ID, Credits: 1000, IdempotencyKey: "x"})
				return err
			}, "an API key may not " + billing + "; sign in as a member with the OWNER or BILLING role"},
			{"ADMIN prices extra credits", func() error { _, err := s.svc.ExtraCreditsQuote(admin, s.org.ID, 1000, 1); return err },
				"a member with the ADMIN role may not " + billing + "; that takes the OWNER or BILLING role"},
			{"owner refunds", func() error {
				_, err := s.svc.RefundOrder(s.owner, domain.RefundInput{OrderID: s.org.ID, IdempotencyKey: "r"})
				return err
			}, "only a platform admin may do this"},
			{"owner moves the test clock", func() error {
				_, err := s.svc.AdvanceTestClock(s.owner, domain.TestClockMove{By: new(time.Duration)})
				return err
			}, "only a platform admin may do this"},
			{"API key moves the test clock", func() error {
				_, err := s.svc.AdvanceTestClock(key, domain.TestClockMove{By: new(time.Duration)})
				return err
			}, "an API key may not do this; sign in as a user"},
		}
		for _, tt := range tests {
			var de *domain.Error
			if err := tt.call(); !errors.As(err, &de) || de.Code != domain.CodeForbidden || de.Message != tt.want {
				t.Errorf("%s: %v\nwant FORBIDDEN: %s", tt.name, err, tt.want)
			}
		}
	})
}
