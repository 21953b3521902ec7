package domain_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways"
	"github.com/tallyhq/tally/gateways/sandbox"
)

// quoteShop is a service with the sandbox gateway and a catalog of a fixed
// pack (EUR, BRL) and a custom pack (EUR, BRL).
type quoteShop struct {
	svc          *domain.Service
	owner        context.Context
	fixed, scale domain.Pack
}

func newQuoteShop(t *testing.T, d *db.DB) *quoteShop {
	t.Helper()
	sb, err := sandbox.New(sandbox.Config{BaseURL: "http://tally.test", DeliveryDelay: time.Millisecond,
		Deliver: func(context.Context, domain.WebhookRequest) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	reg, err := gateways.New(nil, sb)
	if err != nil {
		t.Fatal(err)
	}
	s := &quoteShop{svc: domain.NewService(d, domain.Config{SignupGrantDisabled: true, PublicURL: "http://tally.test"}, domain.WithGateways(reg))}
	s.owner = signIn(t, s.svc, "owner")
	cat, err := s.svc.LoadCatalog(context.Background(), domain.Catalog{Packs: []domain.Pack{
		{
			Code: "starter", Name: "Starter", Credits: 25_000, Validity: domain.ValidityNever, Active: true,
			Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 1999}, {Currency: domain.BRL, AmountMinor: 9990}},
		},
		{
			Code: "scale-custom", Name: "Scale Custom", Credits: 1_000_000, Validity: domain.ValidityNever, Active: true,
			Custom: true, StepCredits: 100_000, Position: 1,
			Prices:     []domain.Price{{Currency: domain.EUR, AmountMinor: 3330}, {Currency: domain.BRL, AmountMinor: 17770}},
			StepPrices: []domain.Price{{Currency: domain.EUR, AmountMinor: 333}, {Currency: domain.BRL, AmountMinor: 1777}},
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range cat.Packs {
		if p.Custom {
			s.scale = p
		} else {
			s.fixed = p
		}
	}
	return s
}

// TestQuoteIsTheOrdersPrice: for the same purchase, the quote's lines,
// subtotal, tax, total, credits and installment plan are those of the
// order purchasePack then creates, over fixed and custom packs,
// quantities, installments with and without commission and countries with
// and without tax; a quote writes nothing.
func TestQuoteIsTheOrdersPrice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		country               string
		currency              domain.Currency
		custom                bool
		quantity              int
		credits               int64
		installments          int
		wantTaxBP             int
		wantCommission, wantN bool
	}{
		{"fixed pack, Germany", "DE", domain.EUR, false, 1, 0, 1, 1900, false, false},
		{"three packs, France", "FR", domain.EUR, false, 3, 0, 1, 2000, false, false},
		{"fixed pack, no tax country", "US", domain.EUR, false, 2, 0, 1, 0, false, false},
		{"custom credits, Italy", "IT", domain.EUR, true, 1, 1_700_000, 1, 2200, false, false},
		{"custom pack at its minimum, Portugal", "PT", domain.EUR, true, 2, 0, 1, 2300, false, false},
		{"Brazil, 3 installments, no commission", "BR", domain.BRL, false, 1, 0, 3, 0, false, true},
		{"Brazil, 7 installments with commission", "BR", domain.BRL, false, 4, 0, 7, 0, true, true},
		{"Brazil, 12 installments, custom credits", "BR", domain.BRL, true, 1, 2_300_000, 12, 0, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				s := newQuoteShop(t, d)
				org, err := s.svc.CreateOrg(s.owner, domain.CreateOrgInput{Name: "Acme", Country: tt.country, Currency: tt.currency})
				if err != nil {
					t.Fatal(err)
				}
				pack := s.fixed
				if tt.custom {
					pack = s.scale
				}
				q, err := s.svc.QuotePurchase(s.owner, domain.QuoteRequest{OrgID: org.ID, PackID: pack.ID,
					Quantity: tt.quantity, Credits: tt.credits, Installments: tt.installments})
				if err != nil {
					t.Fatalf("quote: %v", err)
				}
				nothingWritten(t, s.svc, d, s.owner, org.ID, "")
				co, err := s.svc.PurchasePack(s.owner, domain.PurchaseInput{OrgID: org.ID, PackID: pack.ID,
					Quantity: tt.quantity, Credits: tt.credits, Installments: tt.installments, IdempotencyKey: "quote-" + tt.country})
				if err != nil {
					t.Fatalf("purchase: %v", err)
				}
				o := co.Order
				if q.Total != o.Total || q.Subtotal != o.Subtotal || q.Tax != o.Tax || q.TaxRateBP != o.TaxRateBP || q.Credits != o.Credits {
					t.Fatalf("quote %+v\norder %+v: totals differ", q, o)
				}
				if !reflect.DeepEqual(q.Lines, o.Lines) {
					t.Errorf("quote lines %+v\norder lines %+v", q.Lines, o.Lines)
				}
				if !reflect.DeepEqual(q.Installments, o.Installments) {
					t.Errorf("quote installments %+v, order's %+v", q.Installments, o.Installments)
				}
				if q.TaxRateBP != tt.wantTaxBP || q.Total.Currency != tt.currency {
					t.Errorf("quote tax %d bp in %s, want %d bp in %s", q.TaxRateBP, q.Total.Currency, tt.wantTaxBP, tt.currency)
				}
				if (q.Installments != nil) != tt.wantN {
					t.Errorf("installment plan %+v, want one: %v", q.Installments, tt.wantN)
				}
				if got := q.Installments != nil && q.Installments.Commission.AmountMinor > 0; got != tt.wantCommission {
					t.Errorf("commission %v, want one: %v", q.Installments, tt.wantCommission)
				}
			})
		})
	}
}

// TestQuoteRefuses: a quote refuses what purchasePack refuses, on the same
// field, and only who may buy for the org may ask.
func TestQuoteRefuses(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newQuoteShop(t, d)
		org, err := s.svc.CreateOrg(s.owner, domain.CreateOrgInput{Name: "Acme", Country: "DE", Currency: domain.EUR})
		if err != nil {
			t.Fatal(err)
		}
		join := func(name string, role domain.Role) context.Context {
			_, token, err := s.svc.InviteMember(s.owner, org.ID, name+"@example.com", role)
			if err != nil {
				t.Fatal(err)
			}
			ctx := signIn(t, s.svc, name)
			if _, err := s.svc.AcceptInvitation(ctx, token); err != nil {
				t.Fatal(err)
			}
			return ctx
		}
		billing, member, admin := join("billing", domain.RoleBilling), join("member", domain.RoleMember), join("admin", domain.RoleAdmin)
		outsider := signIn(t, s.svc, "outsider")
		ok := domain.QuoteRequest{OrgID: org.ID, PackID: s.fixed.ID, Quantity: 1, Installments: 1}
		tests := []struct {
			name  string
			ctx   context.Context
			edit  func(*domain.QuoteRequest)
			code  domain.Code
			field string
		}{
			{"the owner", s.owner, func(*domain.QuoteRequest) {}, "", ""},
			{"a billing member", billing, func(*domain.QuoteRequest) {}, "", ""},
			{"an admin", admin, func(*domain.QuoteRequest) {}, domain.CodeForbidden, ""},
			{"a member", member, func(*domain.QuoteRequest) {}, domain.CodeForbidden, ""},
			{"an outsider", outsider, func(*domain.QuoteRequest) {}, domain.CodeNotFound, ""},
			{"nobody", context.Background(), func(*domain.QuoteRequest) {}, domain.CodeUnauthenticated, ""},
			{"unknown pack", s.owner, func(q *domain.QuoteRequest) { q.PackID = "no-such-pack" }, domain.CodeInvalidInput, "packId"},
			{"no packs", s.owner, func(q *domain.QuoteRequest) { q.Quantity = 0 }, domain.CodeInvalidInput, "quantity"},
			{"too many packs", s.owner, func(q *domain.QuoteRequest) { q.Quantity = 101 }, domain.CodeInvalidInput, "quantity"},
			{"credits on a fixed pack", s.owner, func(q *domain.QuoteRequest) { q.Credits = 10 }, domain.CodeInvalidInput, "credits"},
			{"custom credits off step", s.owner, func(q *domain.QuoteRequest) { q.PackID, q.Credits = s.scale.ID, 1_050_000 }, domain.CodeInvalidInput, "credits"},
			{"13 installments", s.owner, func(q *domain.QuoteRequest) { q.Installments = 13 }, domain.CodeInvalidInput, "installments"},
			{"installments outside Brazil", s.owner, func(q *domain.QuoteRequest) { q.Installments = 3 }, domain.CodeInvalidInput, "installments"},
		}
		for _, tt := range tests {
			in := ok
			tt.edit(&in)
			_, err := s.svc.QuotePurchase(tt.ctx, in)
			if tt.code == "" {
				if err != nil {
					t.Errorf("%s: %v, want a quote", tt.name, err)
				}
				continue
			}
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != tt.code || de.Field != tt.field {
				t.Errorf("%s: %v, want %s on %q", tt.name, err, tt.code, tt.field)
			}
		}
	})
}

// TestPackPricePer1000: a pack's price in one currency and per 1,000
// credits, rounded half up; null where it is not sold.
func TestPackPricePer1000(t *testing.T) {
	fixed := domain.Pack{Credits: 25_000, Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 1999}}}
	custom := domain.Pack{Custom: true, Credits: 1_000_000, StepCredits: 100_000, StepPrices: []domain.Price{{Currency: domain.EUR, AmountMinor: 333}}}
	tests := []struct {
		name           string
		p              domain.Pack
		c              domain.Currency
		price, per1000 int64
		ok             bool
	}{
		{"fixed: 19.99 for 25,000 is 0.7996 a thousand", fixed, domain.EUR, 1999, 80, true},
		{"custom: 3.33 a step of 100,000", custom, domain.EUR, 3330, 3, true},
		{"not sold in BRL", fixed, domain.BRL, 0, 0, false},
		{"custom not sold in BRL", custom, domain.BRL, 0, 0, false},
		{"half a cent rounds up", domain.Pack{Credits: 2000, Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 1}}}, domain.EUR, 1, 1, true},
		{"under half a cent rounds down", domain.Pack{Credits: 3000, Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 1}}}, domain.EUR, 1, 0, true},
		{"large amounts do not overflow", domain.Pack{Credits: 1000, Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 1 << 53}}}, domain.EUR, 1 << 53, 1 << 53, true},
	}
	for _, tt := range tests {
		price, ok := domain.PackPrice(tt.p, tt.c)
		per, ok2 := domain.PackPricePer1000(tt.p, tt.c)
		if ok != tt.ok || ok2 != tt.ok || (ok && (price.AmountMinor != tt.price || per.AmountMinor != tt.per1000 || per.Currency != tt.c)) {
			t.Errorf("%s: price %v %v, per 1000 %v %v; want %d, %d, %v", tt.name, price, ok, per, ok2, tt.price, tt.per1000, tt.ok)
		}
	}
}

// TestOffersIn: packs priced in one currency, in order, without the packs
// not sold in it.
func TestOffersIn(t *testing.T) {
	eurOnly := domain.Pack{Code: "eur", Credits: 25_000, Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 1999}}}
	both := domain.Pack{Code: "both", Credits: 10_000, Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 900}, {Currency: domain.BRL, AmountMinor: 4990}}}
	for _, tc := range []struct {
		c     domain.Currency
		codes []string
		per   []int64
	}{
		{domain.EUR, []string{"eur", "both"}, []int64{80, 90}},
		{domain.BRL, []string{"both"}, []int64{499}},
		{domain.USD, nil, nil},
	} {
		got := domain.OffersIn([]domain.Pack{eurOnly, both}, tc.c)
		var codes []string
		var per []int64
		for _, o := range got {
			codes, per = append(codes, o.Pack.Code), append(per, o.PricePer1000.AmountMinor)
		}
		if !reflect.DeepEqual(codes, tc.codes) || !reflect.DeepEqual(per, tc.per) {
			t.Errorf("%s: %v %v, want %v %v", tc.c, codes, per, tc.codes, tc.per)
		}
	}
}
