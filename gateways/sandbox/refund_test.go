package sandbox

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/tallyhq/tally/domain"
)

func TestRefundPayment(t *testing.T) {
	ctx := context.Background()
	eur := func(n int64) domain.Money { return domain.Money{AmountMinor: n, Currency: domain.EUR} }
	type refund struct {
		amount    domain.Money
		key       string
		wantErr   domain.Code
		wantField string
		// wantAmount is what is refunded; wantTotal the cumulative total after.
		wantAmount int64
		wantTotal  int64
	}
	tests := []struct {
		name    string
		card    string
		refunds []refund
	}{
		{"partial then the rest", CardSucceeds, []refund{
			{amount: eur(500), key: "r1", wantAmount: 500, wantTotal: 500},
			{amount: eur(1499), key: "r2", wantAmount: 1499, wantTotal: 1999},
			{amount: eur(1), key: "r3", wantErr: domain.CodeInvalidInput, wantField: "amount", wantTotal: 1999},
		}},
		{"zero refunds what is left", CardSucceeds, []refund{
			{amount: eur(999), wantAmount: 999, wantTotal: 999},
			{amount: domain.Money{}, wantAmount: 1000, wantTotal: 1999},
		}},
		{"over-refund", CardSucceeds, []refund{
			{amount: eur(2000), wantErr: domain.CodeInvalidInput, wantField: "amount"},
		}},
		{"negative", CardSucceeds, []refund{
			{amount: eur(-1), wantErr: domain.CodeInvalidInput, wantField: "amount"},
		}},
		{"other currency", CardSucceeds, []refund{
			{amount: domain.Money{AmountMinor: 100, Currency: domain.USD}, wantErr: domain.CodeInvalidInput, wantField: "amount"},
		}},
		{"same key twice refunds once", CardSucceeds, []refund{
			{amount: eur(300), key: "k", wantAmount: 300, wantTotal: 300},
			{amount: eur(300), key: "k", wantAmount: 300, wantTotal: 300},
			{amount: eur(400), key: "k", wantErr: domain.CodeInvalidInput, wantField: "idempotencyKey", wantTotal: 300},
		}},
		{"pending payment", "", []refund{
			{amount: eur(100), wantErr: domain.CodeInvalidInput, wantField: "paymentId"},
		}},
		{"declined payment", CardDeclined, []refund{
			{amount: eur(100), wantErr: domain.CodeInvalidInput, wantField: "paymentId"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, rec := newTestGateway(t, Config{})
			p, _ := g.CreatePayment(ctx, paymentRequest(tt.card))
			if p.Status == domain.PaymentSucceeded || p.Status == domain.PaymentFailed {
				rec.next(t) // payment.succeeded / payment.failed
			}
			var ids []string
			for i, r := range tt.refunds {
				got, err := g.RefundPayment(ctx, domain.RefundRequest{PaymentID: p.ID, Amount: r.amount, IdempotencyKey: r.key})
				var de *domain.Error
				if r.wantErr != "" {
					if !errors.As(err, &de) || de.Code != r.wantErr || de.Field != r.wantField {
						t.Fatalf("refund %d = %v, want %s on %s", i, err, r.wantErr, r.wantField)
					}
				} else {
					if err != nil || got.ID == "" || got.Amount != eur(r.wantAmount) || got.Pending {
						t.Fatalf("refund %d = %+v, %v; want %d refunded", i, got, err, r.wantAmount)
					}
					if !slices.Contains(ids, got.ID) {
						ids = append(ids, got.ID)
						ev, _ := rec.next(t)
						if ev.Type != EventRefunded || ev.Data.PaymentID != p.ID || ev.Data.RefundedMinor != r.wantTotal {
							t.Fatalf("event %+v, want payment.refunded with %d in all", ev, r.wantTotal)
						}
					}
				}
				if now, err := g.GetPayment(ctx, p.ID); err != nil || now.Refunded != r.wantTotal {
					t.Fatalf("after refund %d refunded = %d, %v; want %d", i, now.Refunded, err, r.wantTotal)
				}
			}
			_ = g.Close()
			rec.none(t)
		})
	}
}
