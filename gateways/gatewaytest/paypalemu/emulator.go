// Package paypalemu is an in-memory emulator of the PayPal REST endpoints
// Tally's paypal gateway uses: OAuth 2.0 client credentials, Orders v2
// (create, get, capture), Payments v2 captures (get, refund), webhook
// signature verification and Vault v3 (setup tokens, payment tokens, and
// orders that charge a payment token with no buyer; see vault.go). It is
// a real HTTP server (httptest) that speaks
// PayPal's JSON shapes, error bodies and headers (bearer tokens,
// PayPal-Request-Id replay, Prefer: return=representation), keeps its state
// in memory and lets tests and end-to-end runs play the buyer (Approve, the
// /checkoutnow page), script declines, outages and hangs, and sign webhook
// deliveries that its verify-webhook-signature endpoint accepts.
//
// It imports no testing package, so a running binary can point at it.
package paypalemu

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tallyhq/tally/gateways/gatewaytest/emu"
)

// Credentials and webhook id a zero Options uses.
const (
	DefaultClientID  = "emu-client-id"
	DefaultSecret    = "emu-client-secret"
	DefaultWebhookID = "8PT597110X687430LEMU"
)

// Options configures an Emulator; zero fields take the defaults.
type Options struct {
	// ClientID and Secret are the REST app credentials the token endpoint
	// accepts (DefaultClientID, DefaultSecret).
	ClientID string
	Secret   string
	// WebhookID is the id of the one webhook the emulated app has
	// (DefaultWebhookID); deliveries are signed for it.
	WebhookID string
	// TokenTTL is the lifetime of access tokens (default 9 hours, as
	// PayPal's).
	TokenTTL time.Duration
}

// Emulator is a running PayPal REST emulator.
type Emulator struct {
	srv     *emu.Server
	opts    Options
	signKey []byte

	mu       sync.Mutex
	tokens   map[string]time.Time
	orders   map[string]*order
	captures map[string]*capture
	// setupTokens and paymentTokens are the Vault v3 resources.
	setupTokens   map[string]*setupToken
	paymentTokens map[string]*paymentToken
	replays       emu.Replays // answers by path and PayPal-Request-Id
	calls         map[string]int
	events        []*Delivery
	drop          bool
	webhookURL    string
}

// New starts an emulator with the default credentials.
func New() *Emulator { return NewWithOptions(Options{}) }

// NewWithOptions starts an emulator configured by opts.
func NewWithOptions(opts Options) *Emulator {
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.Secret == "" {
		opts.Secret = DefaultSecret
	}
	if opts.WebhookID == "" {
		opts.WebhookID = DefaultWebhookID
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = 9 * time.Hour
	}
	e := &Emulator{
		opts:     opts,
		signKey:  make([]byte, 32),
		tokens:   map[string]time.Time{},
		orders:   map[string]*order{},
		captures: map[string]*capture{},

		setupTokens:   map[string]*setupToken{},
		paymentTokens: map[string]*paymentToken{},
		calls:         map[string]int{},
	}
	_, _ = rand.Read(e.signKey)
	e.srv = emu.Start(e.routes())
	return e
}

// URL is the API base to configure the gateway with (no trailing slash).
func (e *Emulator) URL() string { return e.srv.URL() }

// ClientID is the client id the token endpoint accepts.
func (e *Emulator) ClientID() string { return e.opts.ClientID }

// Secret is the client secret the token endpoint accepts.
func (e *Emulator) Secret() string { return e.opts.Secret }

// WebhookID is the webhook id deliveries are signed for.
func (e *Emulator) WebhookID() string { return e.opts.WebhookID }

// Close releases any hung request, waits for webhook deliveries in flight
// and stops the server.
func (e *Emulator) Close() { e.srv.Close() }

// routes maps PayPal's paths to handlers behind the common checks.
func (e *Emulator) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/oauth2/token", e.token)
	mux.HandleFunc("POST /v2/checkout/orders", e.authed(e.replayed(e.createOrder)))
	mux.HandleFunc("GET /v2/checkout/orders/{id}", e.authed(e.locked(get(e.orders, "order_id", e.orderJSON))))
	mux.HandleFunc("POST /v2/checkout/orders/{id}/capture", e.authed(e.replayed(e.captureOrder)))
	mux.HandleFunc("GET /v2/payments/captures/{id}", e.authed(e.locked(get(e.captures, "capture_id", e.captureJSON))))
	mux.HandleFunc("POST /v2/payments/captures/{id}/refund", e.authed(e.replayed(e.refundCapture)))
	mux.HandleFunc("POST /v1/notifications/verify-webhook-signature", e.authed(e.verifySignature))
	mux.HandleFunc("POST /v3/vault/setup-tokens", e.authed(e.replayed(e.createSetupToken)))
	mux.HandleFunc("GET /v3/vault/setup-tokens/{id}", e.authed(e.locked(get(e.setupTokens, "id", e.setupTokenJSON))))
	mux.HandleFunc("POST /v3/vault/payment-tokens", e.authed(e.replayed(e.createPaymentToken)))
	mux.HandleFunc("GET /v3/vault/payment-tokens/{id}", e.authed(e.locked(e.getPaymentToken)))
	mux.HandleFunc("DELETE /v3/vault/payment-tokens/{id}", e.authed(e.locked(e.deletePaymentToken)))
	mux.HandleFunc("GET /checkoutnow", e.checkout)
	mux.HandleFunc("GET /agreements/approve", e.vaultApprovePage)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "The specified resource does not exist.")
	})
	return e.common(mux)
}

// common counts calls, then applies Hang, Outage and DropAnswers to every
// request except the buyer's checkout page.
func (e *Emulator) common(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.calls[r.Method+" "+route(r.URL.Path)]++
		drop := e.drop
		e.mu.Unlock()
		if r.URL.Path == "/checkoutnow" || r.URL.Path == "/agreements/approve" {
			next.ServeHTTP(w, r)
			return
		}
		if held, _ := e.srv.Hold(r.Context()); held {
			// A held call never takes effect: drop the connection.
			panic(http.ErrAbortHandler)
		}
		if e.srv.Down() {
			writeError(w, http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "Service Unavailable.")
			return
		}
		if drop {
			next.ServeHTTP(discard{header: http.Header{}}, r)
			panic(http.ErrAbortHandler)
		}
		next.ServeHTTP(w, r)
	})
}

// discard is a ResponseWriter that forgets the answer.
type discard struct{ header http.Header }

func (d discard) Header() http.Header         { return d.header }
func (d discard) Write(b []byte) (int, error) { return len(b), nil }
func (d discard) WriteHeader(int)             {}

// route replaces the resource id in a path with {id}, for call counts.
func route(path string) string {
	parts := strings.Split(path, "/")
	if len(parts) >= 5 && (parts[2] == "checkout" || parts[2] == "payments" || parts[2] == "vault") {
		parts[4] = "{id}"
	}
	return strings.Join(parts, "/")
}

// Calls says how many requests reached the emulator with this method and
// route, e.g. Calls("POST", "/v2/checkout/orders/{id}/capture").
func (e *Emulator) Calls(method, route string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[method+" "+route]
}

// Outage makes every API call answer 503 SERVICE_UNAVAILABLE while on.
func (e *Emulator) Outage(on bool) { e.srv.Outage(on) }

// Hang makes every API call wait, without answering, until the caller gives
// up (a client timeout or a canceled context) or Hang(false); a held call
// never takes effect and its connection is closed when released.
func (e *Emulator) Hang(on bool) { e.srv.Hang(on) }

// DropAnswers makes every API call take effect but closes the connection
// instead of answering while on: the caller cannot tell whether a capture
// or refund happened.
func (e *Emulator) DropAnswers(on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.drop = on
}

// RevokeTokens invalidates every access token issued so far, as when
// PayPal rotates them; callers must fetch a new one.
func (e *Emulator) RevokeTokens() {
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.tokens)
}

// authed rejects calls without a live bearer token the way PayPal does.
func (e *Emulator) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := emu.BearerToken(r)
		e.mu.Lock()
		exp, known := e.tokens[token]
		e.mu.Unlock()
		if !ok || !known || time.Now().After(exp) {
			writeJSON(w, http.StatusUnauthorized, oauthErrorJSON{Error: "invalid_token", ErrorDescription: "Token signature verification failed"})
			return
		}
		h(w, r)
	}
}

// token is POST /v1/oauth2/token (client credentials grant).
func (e *Emulator) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != e.opts.ClientID || secret != e.opts.Secret {
		writeJSON(w, http.StatusUnauthorized, oauthErrorJSON{Error: "invalid_client", ErrorDescription: "Client Authentication failed"})
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, oauthErrorJSON{Error: "unsupported_grant_type", ErrorDescription: "Grant Type is NULL"})
		return
	}
	tok := "A21AA" + randomString(60, alnum)
	e.mu.Lock()
	e.tokens[tok] = time.Now().Add(e.opts.TokenTTL)
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, tokenJSON{
		Scope:       "https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/payments/refund",
		AccessToken: tok,
		TokenType:   "Bearer",
		AppID:       "APP-80W284485P519543T",
		ExpiresIn:   int64(e.opts.TokenTTL / time.Second),
		Nonce:       time.Now().UTC().Format(time.RFC3339) + randomString(20, alnum),
	})
}

// locked runs a resource handler with e.mu held: resource handlers run one
// at a time.
func (e *Emulator) locked(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		defer e.mu.Unlock()
		h(w, r)
	}
}

// replayed is locked for a POST that PayPal-Request-Id makes idempotent: a
// request id seen before gets the stored answer and h does not run.
func (e *Emulator) replayed(h http.HandlerFunc) http.HandlerFunc {
	return e.locked(func(w http.ResponseWriter, r *http.Request) {
		if !e.idempotent(w, r) {
			h(w, r)
		}
	})
}

// find returns the resource named by the path's {id} in m, or answers
// PayPal's 404 about field and returns false.
func find[T any](w http.ResponseWriter, r *http.Request, m map[string]*T, field string) (*T, bool) {
	v, ok := m[r.PathValue("id")]
	if !ok {
		notFound(w, field, r.PathValue("id"))
	}
	return v, ok
}

// get is GET of one resource (an order, a capture): the resource the
// path's {id} names in m as render shows it, or PayPal's 404 about field.
func get[T, J any](m map[string]*T, field string, render func(*T) J) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if v, ok := find(w, r, m, field); ok {
			writeJSON(w, http.StatusOK, render(v))
		}
	}
}

// idempotent answers a request whose PayPal-Request-Id was seen before with
// the stored answer and reports whether it did. Call with e.mu held.
func (e *Emulator) idempotent(w http.ResponseWriter, r *http.Request) bool {
	id := r.Header.Get("PayPal-Request-Id")
	if id == "" {
		return false
	}
	rep, ok := e.replays.Get(r.URL.Path + "\x00" + id)
	if !ok {
		return false
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(rep.Status)
	_, _ = w.Write(rep.Body)
	return true
}

// respond writes a successful JSON answer and remembers it under the
// request's PayPal-Request-Id. Call with e.mu held.
func (e *Emulator) respond(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", err.Error())
		return
	}
	if id := r.Header.Get("PayPal-Request-Id"); id != "" {
		e.replays.Put(r.URL.Path+"\x00"+id, emu.Answer{Status: status, Body: body})
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// respondPreferred answers with full, the whole resource, when the caller
// asked for it (Prefer: return=representation) and otherwise with its id,
// status and links (return=minimal, PayPal's default), remembering the
// answer as respond does.
func (e *Emulator) respondPreferred(w http.ResponseWriter, r *http.Request, status int, full any, minimal minimalJSON) {
	if strings.Contains(r.Header.Get("Prefer"), "return=representation") {
		e.respond(w, r, status, full)
		return
	}
	e.respond(w, r, status, minimal)
}

// contentType is the Content-Type of PayPal's JSON answers.
const contentType = "application/json"

// writeJSON writes v with a status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	emu.WriteJSON(w, status, contentType, v)
}

// writeError writes PayPal's error body for a status; issues go to details.
func writeError(w http.ResponseWriter, status int, name, message string, issues ...issueJSON) {
	body := errorJSON{Name: name, Message: message, DebugID: randomString(13, hex), Details: issues}
	for _, is := range issues {
		body.Links = append(body.Links, linkJSON{Href: "https://developer.paypal.com/api/rest/reference/orders/v2/errors/#" + strings.ToLower(is.Issue), Rel: "information_link", Method: "GET"})
	}
	writeJSON(w, status, body)
}

// unprocessable writes a 422 with one issue.
func unprocessable(w http.ResponseWriter, issue, description string) {
	writeError(w, http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY",
		"The requested action could not be performed, semantically incorrect, or failed business validation.",
		issueJSON{Issue: issue, Description: description})
}

// invalidRequest writes a 400 with one issue about a field.
func invalidRequest(w http.ResponseWriter, field, issue, description string) {
	writeError(w, http.StatusBadRequest, "INVALID_REQUEST",
		"Request is not well-formed, syntactically incorrect, or violates schema.",
		issueJSON{Field: field, Location: "body", Issue: issue, Description: description})
}

// notFound writes PayPal's 404 for an unknown resource id.
func notFound(w http.ResponseWriter, field, id string) {
	writeError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "The specified resource does not exist.",
		issueJSON{Field: field, Value: id, Location: "path", Issue: "INVALID_RESOURCE_ID", Description: "Specified resource ID does not exist. Please check the resource ID and try again."})
}

const (
	alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	hex   = "0123456789abcdef"
)

// randomString returns n random characters of alphabet.
func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// newID returns a PayPal-style 17-character resource id.
func newID() string { return randomString(17, alnum) }
