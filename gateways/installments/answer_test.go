package installments

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/mercadopagoemu"
)

// garble is one way Mercado Pago's answer to a call goes wrong: arm makes
// the emulator send it for the next call to route.
type garble struct {
	name string
	arm  func(emu *mercadopagoemu.Emulator, route string)
}

func body(s string) func(*mercadopagoemu.Emulator, string) {
	return func(emu *mercadopagoemu.Emulator, route string) { emu.GarbleNext(route, s) }
}

// edit changes the resource an answer is about: the answer itself, or
// each result of a search.
func edit(fn func(obj map[string]any)) func(*mercadopagoemu.Emulator, string) {
	return func(emu *mercadopagoemu.Emulator, route string) {
		emu.EditNext(route, func(obj map[string]any) {
			if results, ok := obj["results"].([]any); ok {
				for _, r := range results {
					if m, ok := r.(map[string]any); ok {
						fn(m)
					}
				}
				return
			}
			fn(obj)
		})
	}
}

func set(key string, v any) func(*mercadopagoemu.Emulator, string) {
	return edit(func(o map[string]any) { o[key] = v })
}

func drop(key string) func(*mercadopagoemu.Emulator, string) {
	return edit(func(o map[string]any) { delete(o, key) })
}

// anyAnswer garbles every kind of answer.
var anyAnswer = []garble{
	{"empty body", body("")},
	{"null", body("null")},
	{"truncated JSON", body(`{"id": 1310000001, "status": "appr`)},
	{"HTML", body("<html><body>Bad Gateway</body></html>")},
	{"a string", body(`"approved"`)},
	{"a number", body(`1310000001`)},
	{"empty object", body(`{}`)},
	{"an error body", body(`{"message":"internal_error","error":"internal_server_error","status":500,"cause":[]}`)},
	{"cut short", func(emu *mercadopagoemu.Emulator, route string) { emu.CutNext(route) }},
	{"204 No Content", func(emu *mercadopagoemu.Emulator, route string) {
		emu.Tamper(route, func(a *mercadopagoemu.Answer) { a.Status, a.Body = 204, nil })
	}},
	{"3xx with the true body", func(emu *mercadopagoemu.Emulator, route string) {
		emu.Tamper(route, func(a *mercadopagoemu.Answer) { a.Status = 302 })
	}},
	{"oversized", func(emu *mercadopagoemu.Emulator, route string) {
		emu.Tamper(route, func(a *mercadopagoemu.Answer) {
			// The true answer, with a 5 MiB field first.
			pad := `{"padding":"` + strings.Repeat("x", 5<<20) + `",`
			a.Body = bytes.Replace(a.Body, []byte("{"), []byte(pad), 1)
		})
	}},
}

// paymentAnswer garbles a payment (or each payment of a search).
var paymentAnswer = []garble{
	{"no id", drop("id")},
	{"id 0", set("id", 0)},
	{"negative id", set("id", -5)},
	{"id as text", set("id", "1310000001")},
	{"no status", drop("status")},
	{"empty status", set("status", "")},
	{"unknown status", set("status", "paid")},
	{"status in capitals", set("status", "APPROVED")},
	{"no amount", drop("transaction_amount")},
	{"zero amount", set("transaction_amount", 0)},
	{"negative amount", set("transaction_amount", -123.45)},
	{"overflowing amount", set("transaction_amount", json.Number("1e300"))},
	{"amount as text", set("transaction_amount", "12345.67")},
	{"negative refunded", set("transaction_amount_refunded", -1)},
	{"refunded above the amount", set("transaction_amount_refunded", 99999999)},
	{"currency Tally does not know", set("currency_id", "ARS")},
	{"made-up currency", set("currency_id", "XBT")},
	{"currency not text", set("currency_id", 986)},
	{"bad date", set("date_last_updated", "yesterday")},
}

// fetchedPayment garbles the payment a call asked for by id.
var fetchedPayment = []garble{
	{"another payment", edit(func(o map[string]any) { o["id"] = bumpID(o["id"]) })},
}

// orderPayment garbles a payment made for a known order.
var orderPayment = []garble{
	{"another order's payment", set("external_reference", "order-of-someone-else")},
}

var refundAnswer = []garble{
	{"no id", drop("id")},
	{"no status", drop("status")},
	{"unknown status", set("status", "done")},
	{"no amount", drop("amount")},
	{"negative amount", set("amount", -10)},
	{"another amount", set("amount", 7.77)},
	{"another payment's refund", edit(func(o map[string]any) { o["payment_id"] = bumpID(o["payment_id"]) })},
}

var preferenceAnswer = []garble{
	{"no id", drop("id")},
	{"no init_point", drop("init_point")},
	{"no items", drop("items")},
	{"negative price", edit(func(o map[string]any) { item(o)["unit_price"] = -1 })},
	{"overflowing price", edit(func(o map[string]any) { item(o)["unit_price"] = json.Number("1e300") })},
	{"overflowing quantity", edit(func(o map[string]any) { item(o)["quantity"] = 1 << 40 })},
	{"item in another currency", edit(func(o map[string]any) { item(o)["currency_id"] = "ARS" })},
}

var createdPreference = []garble{
	{"another amount", edit(func(o map[string]any) { item(o)["unit_price"] = 1 })},
}

var fetchedPreference = []garble{
	{"another preference", set("id", "700100000-someone-else")},
}

func item(pref map[string]any) map[string]any {
	items, _ := pref["items"].([]any)
	if len(items) == 0 {
		return map[string]any{}
	}
	m, _ := items[0].(map[string]any)
	return m
}

// bumpID is the next id after a JSON number id.
func bumpID(v any) any {
	n, _ := v.(json.Number).Int64()
	return n + 1
}

func concat(lists ...[]garble) []garble {
	var out []garble
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// result is what a call gave back.
type result struct {
	payment domain.Payment
	events  []domain.WebhookEvent
	counts  []int
	refund  domain.Refund
	err     error
}

// target is a call whose answer is garbled: setup (with honest answers)
// prepares it and returns the call to make.
type target struct {
	name    string
	route   string
	garbles []garble
	setup   func(t *testing.T, gw *Gateway, emu *mercadopagoemu.Emulator) func() result
}

func approvedPayment(t *testing.T, gw *Gateway) domain.Payment {
	t.Helper()
	p, err := gw.CreatePayment(context.Background(), cardRequest(mercadopagoemu.TokenApprove))
	if err != nil || p.Status != domain.PaymentSucceeded {
		t.Fatalf("setup: %+v, %v", p, err)
	}
	return p
}

// paidCheckout is a Checkout Pro preference the buyer paid with an approved card.
func paidCheckout(t *testing.T, gw *Gateway, emu *mercadopagoemu.Emulator) domain.Payment {
	t.Helper()
	req := cardRequest("")
	req.PaymentMethodID = ""
	p, err := gw.CreatePayment(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emu.PayPreference(strings.TrimPrefix(p.ID, prefPrefix), mercadopagoemu.TokenApprove, 0); err != nil {
		t.Fatal(err)
	}
	return p
}

var targets = []target{
	{"CreatePayment", mercadopagoemu.RouteCreatePayment, concat(anyAnswer, paymentAnswer, orderPayment),
		func(t *testing.T, gw *Gateway, _ *mercadopagoemu.Emulator) func() result {
			return func() result {
				p, err := gw.CreatePayment(context.Background(), cardRequest(mercadopagoemu.TokenApprove))
				return result{payment: p, err: err}
			}
		}},
	{"GetPayment", mercadopagoemu.RouteGetPayment, concat(anyAnswer, paymentAnswer, fetchedPayment),
		func(t *testing.T, gw *Gateway, _ *mercadopagoemu.Emulator) func() result {
			id := approvedPayment(t, gw).ID
			return func() result {
				p, err := gw.GetPayment(context.Background(), id)
				return result{payment: p, err: err}
			}
		}},
	{"ConfirmPayment", mercadopagoemu.RouteGetPayment, concat(anyAnswer, paymentAnswer, fetchedPayment),
		func(t *testing.T, gw *Gateway, _ *mercadopagoemu.Emulator) func() result {
			id := approvedPayment(t, gw).ID
			return func() result {
				p, err := gw.ConfirmPayment(context.Background(), id, "confirm")
				return result{payment: p, err: err}
			}
		}},
	{"ParseWebhook", mercadopagoemu.RouteGetPayment, concat(anyAnswer, paymentAnswer, fetchedPayment),
		func(t *testing.T, gw *Gateway, emu *mercadopagoemu.Emulator) func() result {
			id := approvedPayment(t, gw).ID
			return func() result {
				h, b := emu.SignedNotification(id)
				evs, err := gw.ParseWebhook(context.Background(), domain.WebhookRequest{Header: h, Body: b})
				return result{events: evs, err: err}
			}
		}},
	{"RefundPayment", mercadopagoemu.RouteCreateRefund, concat(anyAnswer, refundAnswer),
		func(t *testing.T, gw *Gateway, _ *mercadopagoemu.Emulator) func() result {
			id := approvedPayment(t, gw).ID
			n := 0
			return func() result {
				n++
				r, err := gw.RefundPayment(context.Background(), domain.RefundRequest{
					PaymentID: id, Amount: brl(100), IdempotencyKey: fmt.Sprintf("refund-%d", n)})
				return result{refund: r, err: err}
			}
		}},
	{"CreatePayment (Checkout Pro)", mercadopagoemu.RouteCreatePreference, concat(anyAnswer, preferenceAnswer, createdPreference),
		func(t *testing.T, gw *Gateway, _ *mercadopagoemu.Emulator) func() result {
			return func() result {
				req := cardRequest("")
				req.PaymentMethodID = ""
				p, err := gw.CreatePayment(context.Background(), req)
				return result{payment: p, err: err}
			}
		}},
	{"GetPayment (Checkout Pro preference)", mercadopagoemu.RouteGetPreference, concat(anyAnswer, preferenceAnswer, fetchedPreference),
		func(t *testing.T, gw *Gateway, emu *mercadopagoemu.Emulator) func() result {
			id := paidCheckout(t, gw, emu).ID
			return func() result {
				p, err := gw.GetPayment(context.Background(), id)
				return result{payment: p, err: err}
			}
		}},
	{"GetPayment (Checkout Pro search)", mercadopagoemu.RouteSearchPayments, concat(anyAnswer, paymentAnswer, orderPayment,
		[]garble{
			{"results not a list", func(emu *mercadopagoemu.Emulator, route string) {
				emu.EditNext(route, func(o map[string]any) { o["results"] = map[string]any{} })
			}},
			{"no results", func(emu *mercadopagoemu.Emulator, route string) {
				emu.EditNext(route, func(o map[string]any) { delete(o, "results") })
			}},
		}),
		func(t *testing.T, gw *Gateway, emu *mercadopagoemu.Emulator) func() result {
			id := paidCheckout(t, gw, emu).ID
			return func() result {
				p, err := gw.GetPayment(context.Background(), id)
				return result{payment: p, err: err}
			}
		}},
	{"RefundPayment (Checkout Pro search)", mercadopagoemu.RouteSearchPayments, concat(anyAnswer, paymentAnswer, orderPayment),
		func(t *testing.T, gw *Gateway, emu *mercadopagoemu.Emulator) func() result {
			id := paidCheckout(t, gw, emu).ID
			n := 0
			return func() result {
				n++
				r, err := gw.RefundPayment(context.Background(), domain.RefundRequest{
					PaymentID: id, Amount: brl(100), IdempotencyKey: fmt.Sprintf("refund-%d", n)})
				return result{refund: r, err: err}
			}
		}},
	{"InstallmentCounts", mercadopagoemu.RouteQuote, anyAnswer,
		func(t *testing.T, gw *Gateway, _ *mercadopagoemu.Emulator) func() result {
			return func() result {
				c, err := gw.InstallmentCounts(context.Background(), brl(100000), "visa")
				return result{counts: c, err: err}
			}
		}},
}

// TestGarbledAnswers: whatever a 2xx (or 3xx) answer of Mercado Pago is
// garbled into — no body, null, broken or oversized JSON, a resource
// without its id or status, with an unknown status, impossible amounts, an
// unknown currency, or about another resource than the one asked for — the
// call is GATEWAY_UNAVAILABLE: no panic, no payment treated as succeeded,
// no event, no refund, no counts. Each call is first made with the true
// answer, which works.
func TestGarbledAnswers(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			var logs bytes.Buffer
			gw, emu := newTestGateway(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
			call := tg.setup(t, gw, emu)
			if r := call(); r.err != nil {
				t.Fatalf("with the true answer: %+v", r)
			}
			for _, g := range tg.garbles {
				g.arm(emu, tg.route)
				r, panicked := callSafely(call)
				if panicked != nil {
					t.Errorf("%s: panic: %v", g.name, panicked)
					continue
				}
				if emu.PendingTampers() != 0 {
					t.Fatalf("%s: the call never reached %s", g.name, tg.route)
				}
				if domain.ErrorCode(r.err) != domain.CodeGatewayUnavailable || r.payment.Status == domain.PaymentSucceeded ||
					r.events != nil || r.counts != nil || r.refund != (domain.Refund{}) {
					t.Errorf("%s: %+v; want GATEWAY_UNAVAILABLE and nothing else", g.name, r)
				}
			}
			if r := call(); r.err != nil {
				t.Fatalf("with the true answer again: %+v", r)
			}
		})
	}
}

// callSafely makes the call, reporting a panic instead of dying of it.
func callSafely(call func() result) (r result, panicked any) {
	defer func() { panicked = recover() }()
	return call(), nil
}
