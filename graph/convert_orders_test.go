package graph

import (
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

func eur(minor int64) domain.Money { return domain.Money{AmountMinor: minor, Currency: domain.EUR} }

func TestToMoney(t *testing.T) {
	tests := []struct {
		in   domain.Money
		want model.Money
	}{
		{eur(500), model.Money{AmountMinor: 500, Currency: model.CurrencyEur, Amount: "5.00"}},
		{eur(0), model.Money{AmountMinor: 0, Currency: model.CurrencyEur, Amount: "0.00"}},
		{eur(7), model.Money{AmountMinor: 7, Currency: model.CurrencyEur, Amount: "0.07"}},
		{eur(-1234), model.Money{AmountMinor: -1234, Currency: model.CurrencyEur, Amount: "-12.34"}},
		{domain.Money{AmountMinor: 123456789, Currency: domain.BRL}, model.Money{AmountMinor: 123456789, Currency: model.CurrencyBrl, Amount: "1234567.89"}},
	}
	for _, tc := range tests {
		if got := toMoney(tc.in); *got != tc.want {
			t.Errorf("toMoney(%v) = %+v, want %+v", tc.in, *got, tc.want)
		}
	}
}

// TestDomainEnumsAreSchemaValues keeps every domain status and kind a
// value of its schema enum, so converting by name never yields an invalid
// enum.
func TestDomainEnumsAreSchemaValues(t *testing.T) {
	for _, s := range []domain.OrderStatus{
		domain.OrderPending, domain.OrderRequiresAction, domain.OrderProcessing, domain.OrderPaid,
		domain.OrderFailed, domain.OrderCanceled, domain.OrderRefunded, domain.OrderPartiallyRefunded,
	} {
		if o := toOrder(domain.Order{Status: s, Total: eur(1)}); !o.Status.IsValid() || string(o.Status) != string(s) {
			t.Errorf("order status %s became %q", s, o.Status)
		}
	}
	for _, s := range []domain.InvoiceStatus{domain.InvoicePaid, domain.InvoicePartiallyRefunded, domain.InvoiceRefunded} {
		if inv := toInvoice(domain.Invoice{Status: s, Total: eur(1)}); !inv.Status.IsValid() || string(inv.Status) != string(s) {
			t.Errorf("invoice status %s became %q", s, inv.Status)
		}
	}
	for _, k := range []domain.OrderLineKind{
		domain.LinePack, domain.LineInstallmentCommission, domain.LinePlan, domain.LineSeats, domain.LineProration, domain.LineSurcharge,
	} {
		if l := toOrderLines([]domain.OrderLine{{Kind: k}})[0]; !l.Kind.IsValid() {
			t.Errorf("line kind %s became %q", k, l.Kind)
		}
	}
	for _, m := range []domain.PaymentMethodKind{domain.MethodCard, domain.MethodPayPal} {
		if got := toPaymentMethodKind(m); got == nil || !got.IsValid() {
			t.Errorf("method %s became %v", m, got)
		}
	}
	if got := toPaymentMethodKind(""); got != nil {
		t.Errorf("no method became %v, want nil", *got)
	}
	for _, st := range []domain.PaymentMethodStatus{domain.MethodPending, domain.MethodActive} {
		for _, k := range []domain.PaymentMethodKind{domain.MethodCard, domain.MethodPayPal} {
			if m := toPaymentMethod(domain.PaymentMethod{Status: st, Kind: k}); !m.Status.IsValid() || !m.Kind.IsValid() {
				t.Errorf("payment method %s %s became %q %q", st, k, m.Status, m.Kind)
			}
		}
	}
}

func TestToNextAction(t *testing.T) {
	tests := []struct {
		name string
		in   *domain.NextAction
		want *model.NextAction
	}{
		{"none given", nil, nil},
		{"NONE", &domain.NextAction{Kind: domain.NextActionNone}, nil},
		{"unknown kind", &domain.NextAction{Kind: "TELEPORT", URL: "https://x"}, nil},
		{"redirect", &domain.NextAction{Kind: domain.NextActionRedirect, URL: "https://pay.example/a", ClientSecret: "ignored"},
			&model.NextAction{Kind: model.NextActionKindRedirect, RedirectURL: ptr("https://pay.example/a")}},
		{"client secret is CONFIRM", &domain.NextAction{Kind: domain.NextActionConfirmClientSecret, ClientSecret: "pi_1_secret_2", URL: "ignored"},
			&model.NextAction{Kind: model.NextActionKindConfirm, ClientSecret: ptr("pi_1_secret_2")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := toNextAction(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCheckoutAndOrderNextAction(t *testing.T) {
	redirect := &domain.NextAction{Kind: domain.NextActionRedirect, URL: "https://pay.example/a"}
	tests := []struct {
		name         string
		status       domain.OrderStatus
		action       *domain.NextAction
		wantCheckout model.NextActionKind
		wantOrder    bool
	}{
		{"awaiting the buyer", domain.OrderRequiresAction, redirect, model.NextActionKindRedirect, true},
		{"pending with an action", domain.OrderPending, redirect, model.NextActionKindRedirect, true},
		{"paid synchronously", domain.OrderPaid, nil, model.NextActionKindNone, false},
		{"processing on its own", domain.OrderProcessing, &domain.NextAction{Kind: domain.NextActionNone}, model.NextActionKindNone, false},
		{"stale action on a failed order", domain.OrderFailed, redirect, model.NextActionKindNone, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := domain.Order{Status: tc.status, Total: eur(500), NextAction: tc.action}
			c := toCheckout(domain.Checkout{Order: o, NextAction: tc.action})
			if c.NextAction == nil || c.NextAction.Kind != tc.wantCheckout {
				t.Fatalf("checkout next action = %+v, want %s", c.NextAction, tc.wantCheckout)
			}
			if got := c.Order.NextAction != nil; got != tc.wantOrder {
				t.Fatalf("order next action = %+v, want one: %v", c.Order.NextAction, tc.wantOrder)
			}
		})
	}
}

func TestToOrder(t *testing.T) {
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	paid, expires := created.Add(time.Minute), created.AddDate(0, 1, 0)
	o := domain.Order{
		ID: "0190b3a0-0000-7000-8000-000000000001", Number: "ORD-2026-000042", Status: domain.OrderPartiallyRefunded,
		Lines: []domain.OrderLine{
			{Kind: domain.LinePack, Description: "Starter", Quantity: 2, UnitPrice: eur(500), Amount: eur(1000)},
			{Kind: domain.LineInstallmentCommission, Description: "Commission", Quantity: 1, UnitPrice: eur(50), Amount: eur(50)},
		},
		Subtotal: eur(1050), Tax: eur(200), Total: eur(1250), Refunded: 250, Credits: 2_000_000, ExpiresAt: &expires,
		Gateway: "stripe", Method: domain.MethodCard,
		Installments:   &domain.InstallmentPlan{Count: 7, Amount: eur(179), Commission: eur(50), Total: eur(1250)},
		NextAction:     &domain.NextAction{Kind: domain.NextActionRedirect, URL: "https://stale"},
		InvoiceDetails: &domain.InvoiceDetails{CompanyName: "Acme GmbH", Country: "DE"},
		CreatedAt:      created, PaidAt: &paid, Version: 3,
	}
	got := toOrder(o)
	want := &model.Order{
		ID: EncodeID(typeOrder, o.ID), OrderID: o.ID, Number: o.Number, Status: model.OrderStatusPartiallyRefunded,
		Lines: []*model.OrderLine{
			{Description: "Starter", Quantity: 2, UnitPrice: toMoney(eur(500)), Amount: toMoney(eur(1000)), Kind: model.OrderLineKindPack},
			{Description: "Commission", Quantity: 1, UnitPrice: toMoney(eur(50)), Amount: toMoney(eur(50)), Kind: model.OrderLineKindInstallmentCommission},
		},
		Subtotal: toMoney(eur(1050)), Tax: toMoney(eur(200)), Total: toMoney(eur(1250)), Refunded: toMoney(eur(250)),
		Credits: 2_000_000, Items: []*model.OrderItem{}, Version: 3, ExpiresAt: &expires, Gateway: "stripe", Method: ptr(model.PaymentMethodKindCard),
		Installments:   &model.InstallmentPlan{Count: 7, InstallmentAmount: toMoney(eur(179)), Commission: toMoney(eur(50)), Total: toMoney(eur(1250))},
		InvoiceDetails: &model.InvoiceDetails{CompanyName: ptr("Acme GmbH"), Country: ptr("DE")},
		CreatedAt:      created, PaidAt: &paid,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("toOrder =\n%+v\nwant\n%+v", got, want)
	}

	failed := toOrder(domain.Order{Status: domain.OrderFailed, Total: eur(500), FailureReason: "card declined: insufficient_funds"})
	if failed.FailureReason == nil || *failed.FailureReason != domain.DeclineMessage || failed.Refunded.Amount != "0.00" ||
		failed.Method != nil || failed.Installments != nil || failed.InvoiceDetails != nil || failed.NextAction != nil {
		t.Fatalf("failed order = %+v", failed)
	}
}

func TestToInvoice(t *testing.T) {
	issued := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	inv := domain.Invoice{
		ID: "0190b3a0-0000-7000-8000-000000000002", Number: "INV-2026-000001", OrderID: "o1", OrderNumber: "ORD-2026-000042",
		IssuedAt: issued, BilledTo: domain.InvoiceDetails{CompanyName: "Acme GmbH", Country: "DE"},
		Lines:    []domain.OrderLine{{Kind: domain.LinePack, Description: "Starter", Quantity: 1, UnitPrice: eur(500), Amount: eur(500)}},
		Subtotal: eur(500), Tax: eur(95), Total: eur(595), Refunded: 595, Status: domain.InvoiceRefunded,
	}
	got := toInvoice(inv)
	gid := EncodeID(typeInvoice, inv.ID)
	if got.ID != gid || got.OrderID != "o1" || got.OrderNumber != "ORD-2026-000042" || got.Status != model.InvoiceStatusRefunded ||
		got.Refunded.AmountMinor != 595 || got.Refunded.Currency != model.CurrencyEur || got.Total.Amount != "5.95" ||
		len(got.Lines) != 1 || !got.IssuedAt.Equal(issued) {
		t.Fatalf("toInvoice = %+v", got)
	}
	if want := (model.BillingDetails{Name: "Acme GmbH", Country: "DE"}); *got.BilledTo != want {
		t.Fatalf("billedTo = %+v, want %+v (no address, no tax id)", *got.BilledTo, want)
	}
	if want := "/invoices/" + gid + ".pdf"; got.PDFURL != want {
		t.Fatalf("pdfUrl = %q, want %q", got.PDFURL, want)
	}
	inv.BilledTo.Address, inv.BilledTo.TaxID = "Hauptstr. 1\nBerlin", "DE123"
	if b := toInvoice(inv).BilledTo; b.Address == nil || *b.Address != "Hauptstr. 1\nBerlin" || b.TaxID == nil || *b.TaxID != "DE123" {
		t.Fatalf("billedTo = %+v", b)
	}
}

func TestPDFPaths(t *testing.T) {
	tests := []struct {
		name, typ, id, path string
		wantID              string
		ok                  bool
	}{
		{"uuid", typeInvoice, "0190b3a0-0000-7000-8000-000000000002", "", "0190b3a0-0000-7000-8000-000000000002", true},
		{"slash in the global ID", typeInvoice, "x>>?", "", "x>>?", true},
		{"plus in the global ID", typeInvoice, "~~~", "", "~~~", true},
		{"a credit note", typeCreditNote, "0190b3a0-0000-7000-8000-000000000003", "", "0190b3a0-0000-7000-8000-000000000003", true},
		{"a credit note with a slash in its global ID", typeCreditNote, "x>>?", "", "x>>?", true},
		{"unescaped slash", typeInvoice, "", "/invoices/" + EncodeID(typeInvoice, "x>>?") + ".pdf", "x>>?", true},
		{"mounted under a prefix", typeInvoice, "", "/api/invoices/" + EncodeID(typeInvoice, "abc") + ".pdf", "abc", true},
		{"a credit note under a prefix", typeCreditNote, "", "/api/credit-notes/" + EncodeID(typeCreditNote, "abc") + ".pdf", "abc", true},
		{"not a pdf", "", "", "/invoices/" + EncodeID(typeInvoice, "abc"), "", false},
		{"an order's ID", "", "", "/invoices/" + EncodeID(typeOrder, "abc") + ".pdf", "", false},
		{"a credit note's ID as an invoice", "", "", "/invoices/" + EncodeID(typeCreditNote, "abc") + ".pdf", "", false},
		{"an invoice's ID as a credit note", "", "", "/credit-notes/" + EncodeID(typeInvoice, "abc") + ".pdf", "", false},
		{"malformed", "", "", "/invoices/not-base64!.pdf", "", false},
		{"elsewhere", "", "", "/orders/" + EncodeID(typeInvoice, "abc") + ".pdf", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if tc.id != "" {
				escaped := invoicePDFPath(EncodeID(typeInvoice, tc.id))
				if tc.typ == typeCreditNote {
					escaped = creditNotePDFPath(EncodeID(typeCreditNote, tc.id))
				}
				// What a server sees: the escaped path, decoded.
				u, err := url.Parse(escaped)
				if err != nil {
					t.Fatal(err)
				}
				path = u.Path
			}
			typ, id, ok := pdfTargetOf(path)
			if ok != tc.ok || id != tc.wantID || typ != tc.typ {
				t.Fatalf("pdfTargetOf(%q) = %q, %q, %v; want %q, %q, %v", path, typ, id, ok, tc.typ, tc.wantID, tc.ok)
			}
		})
	}
}

func TestToCreditNote(t *testing.T) {
	eur := func(v int64) domain.Money { return domain.Money{AmountMinor: v, Currency: domain.EUR} }
	cn := domain.CreditNote{
		ID: "0190b3a0-0000-7000-8000-000000000003", Number: "CN-2026-000001", InvoiceID: "i1", InvoiceNumber: "INV-2026-000001",
		OrderID: "o1", OrderNumber: "ORD-2026-000042", IssuedAt: time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC),
		BilledTo: domain.InvoiceDetails{CompanyName: "Acme GmbH", Country: "DE", TaxID: "DE123"},
		Lines:    []domain.OrderLine{{Kind: domain.LineRefund, Description: "Refund of invoice INV-2026-000001", Quantity: 1, UnitPrice: eur(-100), Amount: eur(-100)}},
		Subtotal: eur(-100), Tax: eur(-19), Total: eur(-119), Reason: "goodwill",
	}
	got := toCreditNote(cn)
	gid := EncodeID(typeCreditNote, cn.ID)
	if got.ID != gid || got.InvoiceID != "i1" || got.OrderID != "o1" || got.Number != cn.Number || got.InvoiceNumber != cn.InvoiceNumber ||
		got.OrderNumber != cn.OrderNumber || got.Total.Amount != "-1.19" || got.Tax.AmountMinor != -19 || got.Reason != "goodwill" ||
		len(got.Lines) != 1 || got.Lines[0].Kind != model.OrderLineKindRefund || got.BilledTo.TaxID == nil || *got.BilledTo.TaxID != "DE123" {
		t.Fatalf("toCreditNote = %+v", got)
	}
	if want := "/credit-notes/" + gid + ".pdf"; got.PDFURL != want {
		t.Fatalf("pdfUrl = %q, want %q", got.PDFURL, want)
	}
}

func TestFromPurchaseInput(t *testing.T) {
	in := model.PurchasePackInput{
		Quantity: 3, Credits: ptr(int64(150_000)), Gateway: ptr("paypal"), Method: ptr(model.PaymentMethodKindPaypal),
		Installments: 6, PaymentMethodID: ptr("pm_1"), IdempotencyKey: "k1", ReturnURL: ptr("https://app/return"),
		InvoiceDetails: &model.InvoiceDetailsInput{CompanyName: ptr("Acme"), Address: ptr("Street 1")},
	}
	got := fromPurchaseInput(in, "org", "pack")
	want := domain.PurchaseInput{
		OrgID: "org", PackID: "pack", Quantity: 3, Credits: 150_000, Gateway: "paypal", Method: domain.MethodPayPal,
		Installments: 6, PaymentMethodID: "pm_1", IdempotencyKey: "k1", ReturnURL: "https://app/return",
		InvoiceDetails: &domain.InvoiceDetails{CompanyName: "Acme", Address: "Street 1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if got := fromPurchaseInput(model.PurchasePackInput{Quantity: 1, Installments: 1, IdempotencyKey: "k"}, "o", "p"); got.Method != "" ||
		got.Installments != 1 || got.Credits != 0 || got.InvoiceDetails != nil || got.Gateway != "" {
		t.Fatalf("defaults: %+v", got)
	}
}

func ptr[T any](v T) *T { return &v }
