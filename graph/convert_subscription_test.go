package graph

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

func TestToSubscription(t *testing.T) {
	end := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	base := domain.Subscription{ID: "s1", OrgID: "o1", PlanID: "p1", Seats: 2, Status: domain.SubActive,
		CurrentPeriodEnd: end, NextResetAt: end, AutoRenew: true, Installments: 1}
	with := func(f func(*domain.Subscription)) domain.Subscription {
		s := base
		f(&s)
		return s
	}
	tests := []struct {
		name    string
		sub     domain.Subscription
		status  model.SubscriptionStatus
		renews  bool
		failure model.RenewalFailure // "" for none
	}{
		{"active", base, model.SubscriptionStatusActive, true, ""},
		{"canceled", with(func(s *domain.Subscription) { s.CancelAtPeriodEnd = true }), model.SubscriptionStatusCanceled, false, ""},
		{"auto-renewal off", with(func(s *domain.Subscription) { s.AutoRenew = false }), model.SubscriptionStatusActive, false, ""},
		{"incomplete", with(func(s *domain.Subscription) { s.Status, s.AutoRenew = domain.SubIncomplete, false }), model.SubscriptionStatusIncomplete, false, ""},
		{"incomplete, canceled", with(func(s *domain.Subscription) { s.Status, s.CancelAtPeriodEnd = domain.SubIncomplete, true }), model.SubscriptionStatusIncomplete, false, ""},
		{"ended", with(func(s *domain.Subscription) { s.Status = domain.SubEnded }), model.SubscriptionStatusEnded, false, ""},
		{"past due, authentication", with(func(s *domain.Subscription) {
			s.Status, s.RenewalFailure = domain.SubPastDue, domain.FailureAuthRequired
		}), model.SubscriptionStatusPastDue, true, model.RenewalFailureAuthenticationRequired},
		{"past due, no method", with(func(s *domain.Subscription) {
			s.Status, s.RenewalFailure = domain.SubPastDue, domain.FailureNoMethod
		}), model.SubscriptionStatusPastDue, true, model.RenewalFailureNoPaymentMethod},
		{"past due, declined: the reason is not itemized", with(func(s *domain.Subscription) {
			s.Status, s.RenewalFailure, s.CancelAtPeriodEnd = domain.SubPastDue, "insufficient_funds", true
		}), model.SubscriptionStatusPastDue, false, model.RenewalFailureDeclined},
		{"a failure left on an active one", with(func(s *domain.Subscription) { s.RenewalFailure = "x" }), model.SubscriptionStatusActive, true, ""},
	}
	for _, tt := range tests {
		got := toSubscription(tt.sub)
		if got.Status != tt.status || !got.Status.IsValid() || (got.RenewsAt != nil) != tt.renews ||
			(got.RenewsAt != nil && !got.RenewsAt.Equal(end)) {
			t.Errorf("%s: status %s, renewsAt %v", tt.name, got.Status, got.RenewsAt)
		}
		if (got.RenewalFailure == nil) != (tt.failure == "") || (got.RenewalFailure != nil && *got.RenewalFailure != tt.failure) {
			t.Errorf("%s: renewal failure %v, want %q", tt.name, got.RenewalFailure, tt.failure)
		}
	}
	sc := toSubscription(with(func(s *domain.Subscription) { s.Pending = &domain.PendingChange{PlanID: "p2", Seats: 1} })).ScheduledChange
	if sc == nil || sc.PlanID != "p2" || sc.Seats != 1 || !sc.EffectiveAt.Equal(end) {
		t.Errorf("scheduled change %+v", sc)
	}
	if got := toSubscription(base); got.ID != EncodeID(typeSubscription, "s1") || got.ScheduledChange != nil {
		t.Errorf("subscription %+v", got)
	}
	for _, k := range []domain.ChangeKind{domain.ChangeSubscribe, domain.ChangeUpgrade, domain.ChangeAddSeats,
		domain.ChangeDowngrade, domain.ChangeRemoveSeats, domain.ChangeRenew, domain.ChangeNone} {
		if q := toSubscriptionQuote(domain.SubscriptionQuote{Kind: k}); !q.Kind.IsValid() {
			t.Errorf("change kind %s became %q", k, q.Kind)
		}
	}
}

func TestPaymentMethodRef(t *testing.T) {
	str := func(s string) *string { return &s }
	tests := []struct {
		name, want string
		in         *string
		bad        bool
	}{
		{"none", "", nil, false},
		{"empty", "", str(""), false},
		{"a saved method's global ID", "m1", str(EncodeID(typePaymentMethod, "m1")), false},
		{"a card token", "4242424242424242", str("4242424242424242"), false},
		{"a Stripe payment method", "pm_card_visa", str("pm_card_visa"), false},
		{"another type's global ID", "", str(EncodeID(typeOrg, "o1")), true},
	}
	for _, tt := range tests {
		got, err := paymentMethodRef(tt.in)
		if got != tt.want || (err != nil) != tt.bad || (tt.bad && !domain.IsCode(err, domain.CodeInvalidInput)) {
			t.Errorf("%s: %q, %v", tt.name, got, err)
		}
	}
}

func TestSubscriptionCheckoutNextAction(t *testing.T) {
	sched := toSubscriptionCheckout(domain.SubscriptionCheckout{Quote: domain.SubscriptionQuote{Kind: domain.ChangeDowngrade}})
	if sched.Order != nil || sched.NextAction == nil || sched.NextAction.Kind != model.NextActionKindNone || sched.Quote == nil {
		t.Errorf("scheduled change: %+v", sched)
	}
	o := domain.Order{ID: "o", Status: domain.OrderRequiresAction, Total: eur(1)}
	pay := toSubscriptionCheckout(domain.SubscriptionCheckout{Order: &o, NextAction: &domain.NextAction{Kind: domain.NextActionRedirect, URL: "https://pay.example/x"}})
	if pay.Order == nil || pay.NextAction.Kind != model.NextActionKindRedirect || deref(pay.NextAction.RedirectURL) != "https://pay.example/x" || pay.Quote != nil {
		t.Errorf("charged change replayed: %+v", pay)
	}
}
