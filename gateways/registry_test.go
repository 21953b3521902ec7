package gateways

import (
	"errors"
	"testing"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

func TestRoute(t *testing.T) {
	card := []domain.PaymentMethodKind{domain.MethodCard}
	all := []domain.Currency{domain.EUR, domain.USD, domain.BRL}
	stripe := scripted.New("stripe", domain.GatewayCapabilities{Currencies: all, Methods: card, MaxInstallments: 1})
	paypal := scripted.New("paypal", domain.GatewayCapabilities{Currencies: []domain.Currency{domain.EUR, domain.USD}, Methods: []domain.PaymentMethodKind{domain.MethodPayPal}})
	inst := scripted.New("installments", domain.GatewayCapabilities{Countries: []string{"BR"}, Currencies: []domain.Currency{domain.BRL}, Methods: card, MaxInstallments: 12})
	rules := []Rule{
		{Countries: []string{"BR"}, Currencies: []domain.Currency{domain.BRL}, MinInstallments: 2, Gateways: []string{"installments"}},
		{Countries: []string{"BR"}, Currencies: []domain.Currency{domain.BRL}, Gateways: []string{"installments", "stripe"}},
		{Methods: []domain.PaymentMethodKind{domain.MethodPayPal}, Gateways: []string{"paypal"}},
		{Gateways: []string{"stripe", "paypal"}},
	}
	reg, err := New(rules, stripe, paypal, inst)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		req       domain.RouteRequest
		want      string
		wantField string
	}{
		{"default card", domain.RouteRequest{Country: "DE", Currency: domain.EUR}, "stripe", ""},
		{"paypal by method", domain.RouteRequest{Country: "DE", Currency: domain.EUR, Method: domain.MethodPayPal}, "paypal", ""},
		{"explicit paypal", domain.RouteRequest{Country: "US", Currency: domain.USD, Gateway: "paypal"}, "paypal", ""},
		{"brazil at once", domain.RouteRequest{Country: "BR", Currency: domain.BRL}, "installments", ""},
		{"brazil explicit stripe", domain.RouteRequest{Country: "br", Currency: domain.BRL, Gateway: "stripe"}, "stripe", ""},
		{"brazil 12 installments", domain.RouteRequest{Country: "BR", Currency: domain.BRL, Installments: 12}, "installments", ""},
		{"13 installments", domain.RouteRequest{Country: "BR", Currency: domain.BRL, Installments: 13}, "", "installments"},
		{"installments outside BR", domain.RouteRequest{Country: "DE", Currency: domain.EUR, Installments: 3}, "", "installments"},
		{"installments in EUR from BR", domain.RouteRequest{Country: "BR", Currency: domain.EUR, Installments: 3}, "", "installments"},
		{"explicit installments outside BR", domain.RouteRequest{Country: "DE", Currency: domain.EUR, Gateway: "installments"}, "", "gateway"},
		{"explicit unknown", domain.RouteRequest{Country: "DE", Currency: domain.EUR, Gateway: "bitcoin"}, "", "gateway"},
		{"paypal in BRL", domain.RouteRequest{Country: "DE", Currency: domain.BRL, Method: domain.MethodPayPal}, "", "gateway"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := reg.Route(tc.req)
			if tc.wantField != "" {
				var de *domain.Error
				if err == nil || !errors.As(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != tc.wantField {
					t.Fatalf("Route = %v, %v; want INVALID_INPUT on %q", g, err, tc.wantField)
				}
				return
			}
			if err != nil || g.Name() != tc.want {
				t.Fatalf("Route = %v, %v; want %s", g, err, tc.want)
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	g := scripted.New("a", domain.GatewayCapabilities{})
	if _, err := New(nil, g, g); err == nil {
		t.Error("a name registered twice was accepted")
	}
	if _, err := New([]Rule{{Gateways: []string{"b"}}}, g); err == nil {
		t.Error("a rule naming an unknown gateway was accepted")
	}
}
