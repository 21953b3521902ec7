// Package mercadopagoemu is an in-memory emulator of the Mercado Pago REST
// endpoints the installments gateway uses: card payments (POST /v1/payments
// with a card token, GET /v1/payments/{id}, GET /v1/payments/search),
// refunds (POST and GET /v1/payments/{id}/refunds), Checkout Pro
// preferences (POST and GET /checkout/preferences), the installment
// quote (GET /v1/payment_methods/installments), and saved cards:
// customers, their cards and card tokens of saved cards for charges
// without the buyer (see customers.go). It follows Mercado Pago's
// public JSON shapes, bearer access tokens, X-Idempotency-Key replay and
// error bodies ({"message","error","status","cause"}), serves the buyer's
// pages (3-D Secure challenge, Checkout Pro) and signs webhook
// notifications the way Mercado Pago does. Its controls make it misbehave
// too: an outage, calls that hang, and answers garbled in transit (Tamper).
//
// It has no testing dependency so a running binary (the end-to-end suite)
// can use it too.
package mercadopagoemu

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/tallyhq/tally/gateways/gatewaytest/emu"
)

// Credentials the emulator accepts and signs with.
const (
	// AccessToken is the only bearer token the emulator's API accepts.
	AccessToken = "TEST-7001000000000000-010100-emulatoraccesstoken00000000-700100000"
	// WebhookSecret is the "secret signature" notifications are signed with.
	WebhookSecret = "emu-webhook-secret-signature"
	// CollectorID is the emulated seller's user id.
	CollectorID = 700100000
)

// Emulator is a running emulated Mercado Pago API. Its zero value is not
// usable; call New.
type Emulator struct {
	srv *emu.Server

	mu             sync.Mutex
	payments       map[int64]*payment
	prefs          map[string]*preference
	customers      map[string]*customer
	cards          map[string]*savedCard
	cardTokens     map[string]*cardToken
	nextCustomer   int64
	nextCard       int64
	nextToken      int64
	requireCVV     bool
	idem           emu.Replays
	nextPayment    int64
	nextRefund     int64
	nextNotif      int64
	nextPref       int64
	nextMO         int64
	autoNotify     bool
	minInstallment int64
	changed        []int64 // payments whose state changed since the last delivery
	deliveryErr    []error
	tampers        []tamper
}

// New starts an emulator on a local port.
func New() *Emulator {
	e := &Emulator{
		payments:    map[int64]*payment{},
		prefs:       map[string]*preference{},
		customers:   map[string]*customer{},
		cards:       map[string]*savedCard{},
		cardTokens:  map[string]*cardToken{},
		nextCard:    9100000000000,
		nextPayment: 1310000000,
		nextRefund:  2210000000,
		nextNotif:   120000000000,
		nextMO:      31000000000,
	}
	e.srv = emu.Start(e.routes())
	return e
}

// URL is the API root to configure the gateway with (its BaseURL).
func (e *Emulator) URL() string { return e.srv.URL() }

// Client is an HTTP client for the emulator's server.
func (e *Emulator) Client() *http.Client { return e.srv.Client() }

// Close releases hanging calls, waits for notification deliveries and
// stops the server.
func (e *Emulator) Close() { e.srv.Close() }

func (e *Emulator) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(RouteCreatePayment, e.api(e.createPayment))
	mux.Handle(RouteSearchPayments, e.api(e.searchPayments))
	mux.Handle(RouteGetPayment, e.api(e.getPayment))
	mux.Handle(RouteCreateRefund, e.api(e.createRefund))
	mux.Handle(RouteListRefunds, e.api(e.listRefunds))
	mux.Handle(RouteCreatePreference, e.api(e.createPreference))
	mux.Handle(RouteGetPreference, e.api(e.getPreference))
	mux.Handle(RouteQuote, e.api(e.quoteInstallments))
	mux.Handle(RouteCreateCustomer, e.api(e.createCustomer))
	mux.Handle(RouteSearchCustomers, e.api(e.searchCustomers))
	mux.Handle(RouteGetCustomer, e.api(e.getCustomer))
	mux.Handle(RouteCreateCard, e.api(e.createCard))
	mux.Handle(RouteListCards, e.api(e.listCards))
	mux.Handle(RouteGetCard, e.api(e.getCard))
	mux.Handle(RouteDeleteCard, e.api(e.deleteCard))
	mux.Handle(RouteCreateCardToken, e.api(e.createCardToken))
	mux.Handle(RouteUpdatePayment, e.api(e.updatePayment))
	mux.HandleFunc("/emu/3ds/{id}", e.challengePage)
	mux.HandleFunc("GET /checkout/v1/redirect", e.checkoutPage)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, apiErr(http.StatusNotFound, "resource not found", "not_found"))
	})
	return mux
}

// apiHandler handles one API call with e.mu held and returns the status and
// the value to encode.
type apiHandler func(r *http.Request, body []byte) (int, any)

// api wraps an endpoint with Mercado Pago's cross-cutting behaviour: outage
// and hang controls, the bearer token check and X-Idempotency-Key replay of
// POSTs, and the Tamper control on the way out. Handlers run one at a time.
func (e *Emulator) api(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if held, released := e.srv.Hold(r.Context()); held && !released {
			return
		}
		body, err := readBody(r)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, apiErr(http.StatusBadRequest, "unreadable body", "bad_request"))
			return
		}

		e.mu.Lock()
		status, out := func() (int, any) {
			if e.srv.Down() {
				return http.StatusInternalServerError, apiErr(http.StatusInternalServerError, "internal_error", "internal_server_error")
			}
			if token, ok := emu.BearerToken(r); !ok || token != AccessToken {
				return http.StatusUnauthorized, apiErr(http.StatusUnauthorized, "invalid access token", "unauthorized")
			}
			key := r.Header.Get("X-Idempotency-Key")
			if r.Method != http.MethodPost || key == "" {
				return h(r, body)
			}
			slot := r.Method + " " + r.URL.Path + " " + key
			if prev, ok := e.idem.Get(slot); ok {
				return prev.Status, json.RawMessage(prev.Body)
			}
			st, v := h(r, body)
			raw, _ := json.Marshal(v)
			if st < 500 {
				e.idem.Put(slot, emu.Answer{Status: st, Body: raw})
			}
			return st, json.RawMessage(raw)
		}()
		deliver := e.takeNotifications()
		tamper := e.takeTamper(r.Pattern)
		e.mu.Unlock()
		deliver()
		ans := encodeAnswer(status, out)
		if tamper != nil {
			tamper(&ans)
		}
		ans.write(w)
	})
}

// Outage makes every API call answer 500 while on is true.
func (e *Emulator) Outage(on bool) { e.srv.Outage(on) }

// Hang makes every API call block until the caller gives up (its timeout or
// context) or Hang(false) releases it.
func (e *Emulator) Hang(on bool) { e.srv.Hang(on) }

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	return io.ReadAll(io.LimitReader(r.Body, 1<<20))
}

// contentType is the Content-Type of Mercado Pago's JSON answers.
const contentType = "application/json; charset=utf-8"

func writeJSON(w http.ResponseWriter, status int, v any) {
	emu.WriteJSON(w, status, contentType, v)
}

// mpTime renders a time the way Mercado Pago does (milliseconds and the
// seller's UTC-04:00 offset).
func mpTime(t time.Time) string {
	return t.In(time.FixedZone("", -4*3600)).Format("2006-01-02T15:04:05.000-07:00")
}

func mpTimePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := mpTime(t)
	return &s
}

// decimal renders minor units as a JSON number with two decimals.
func decimal(minor int64) json.Number {
	neg := ""
	if minor < 0 {
		neg, minor = "-", -minor
	}
	return json.Number(neg + strconv.FormatInt(minor/100, 10) + "." + twoDigits(minor%100))
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}
