package mercadopagoemu

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// Routes of the API endpoints, as Tamper takes them (the patterns the
// emulator serves them under).
const (
	RouteCreatePayment    = "POST /v1/payments"
	RouteSearchPayments   = "GET /v1/payments/search"
	RouteGetPayment       = "GET /v1/payments/{id}"
	RouteCreateRefund     = "POST /v1/payments/{id}/refunds"
	RouteListRefunds      = "GET /v1/payments/{id}/refunds"
	RouteCreatePreference = "POST /checkout/preferences"
	RouteGetPreference    = "GET /checkout/preferences/{id}"
	RouteQuote            = "GET /v1/payment_methods/installments"
)

// Answer is an API answer about to be sent, as a Tamper function sees and
// changes it.
type Answer struct {
	Status int
	Header http.Header
	// Body is the encoded answer (JSON and a newline).
	Body []byte
	// CutAfter, when positive and shorter than Body, sends only that many
	// bytes of Body after announcing its whole length in Content-Length,
	// then drops the connection: an answer cut short in transit.
	CutAfter int
}

type tamper struct {
	route string
	fn    func(*Answer)
}

// Tamper makes fn alter the next answer of route (a Route constant; ""
// for whichever endpoint answers next) just before it is sent. The call
// itself takes effect as usual and a replay of it (same X-Idempotency-Key)
// gets the true answer: only this one answer is garbled, as if in transit.
// Tampers queue; each alters one answer, in the order they were added.
func (e *Emulator) Tamper(route string, fn func(*Answer)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tampers = append(e.tampers, tamper{route: route, fn: fn})
}

// GarbleNext replaces the body of the next answer of route with body
// (status and headers kept): "", "null", "{", "[]", `{"id": 1}`, ….
func (e *Emulator) GarbleNext(route, body string) {
	e.Tamper(route, func(a *Answer) { a.Body = []byte(body) })
}

// EditNext decodes the next answer of route as a JSON object (numbers as
// json.Number), lets edit change it (set or delete fields) and sends it
// re-encoded. An answer that is not an object is sent as it is.
func (e *Emulator) EditNext(route string, edit func(obj map[string]any)) {
	e.Tamper(route, func(a *Answer) {
		var obj map[string]any
		d := json.NewDecoder(bytes.NewReader(a.Body))
		d.UseNumber()
		if d.Decode(&obj) != nil || obj == nil {
			return
		}
		edit(obj)
		if b, err := json.Marshal(obj); err == nil {
			a.Body = append(b, '\n')
		}
	})
}

// CutNext sends only the first half of the next answer of route and then
// drops the connection, having announced the whole length.
func (e *Emulator) CutNext(route string) {
	e.Tamper(route, func(a *Answer) { a.CutAfter = len(a.Body) / 2 })
}

// PendingTampers is how many queued Tampers have not altered an answer yet.
func (e *Emulator) PendingTampers() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.tampers)
}

// takeTamper removes and returns the first queued Tamper for route (e.mu
// held), nil when none applies.
func (e *Emulator) takeTamper(route string) func(*Answer) {
	for i, t := range e.tampers {
		if t.route == "" || t.route == route {
			e.tampers = append(e.tampers[:i:i], e.tampers[i+1:]...)
			return t.fn
		}
	}
	return nil
}

// encodeAnswer is v as writeJSON sends it.
func encodeAnswer(status int, v any) Answer {
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(v)
	return Answer{
		Status: status,
		Header: http.Header{"Content-Type": {contentType}},
		Body:   b.Bytes(),
	}
}

// write sends the answer, cut short when CutAfter says so.
func (a Answer) write(w http.ResponseWriter) {
	for k, vs := range a.Header {
		w.Header()[k] = vs
	}
	body := a.Body
	if a.CutAfter > 0 && a.CutAfter < len(body) {
		// The server drops a connection whose answer is shorter than
		// the length it announced.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		body = body[:a.CutAfter]
	}
	w.WriteHeader(a.Status)
	_, _ = w.Write(body)
}
