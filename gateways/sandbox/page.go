package sandbox

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/tallyhq/tally/domain"
)

// pageData is what the hosted page shows.
type pageData struct {
	ID            string
	Amount        string
	OrderNumber   string
	Description   string
	Installments  int
	Status        domain.PaymentStatus
	FailureReason string
	// Open: the buyer can still act. PickCard: the buyer chooses the card.
	// ThreeDS: the page is a 3-D Secure challenge.
	Open     bool
	PickCard bool
	ThreeDS  bool
	Cards    []cardOption
	// returnURL is where the buyer goes after acting; not shown.
	returnURL string
}

// cardOption is a test card offered on the page.
type cardOption struct{ Number, Label string }

// cardOptions lists every test card for the page's card picker.
func cardOptions() []cardOption {
	out := make([]cardOption, len(cards))
	for i, c := range cards {
		out[i] = cardOption{Number: c.number, Label: c.label}
	}
	return out
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tally sandbox payment</title>
<style>
body{font-family:system-ui,sans-serif;max-width:30rem;margin:3rem auto;padding:0 1rem;color:#222}
.note{color:#8a5a00;background:#fff4d6;padding:.4rem .6rem;border-radius:.3rem;font-size:.9rem}
.amount{font-size:2.2rem;font-weight:600;margin:.5rem 0}
dt{color:#666;font-size:.85rem}dd{margin:0 0 .6rem}
select,button{font-size:1rem;padding:.45rem .9rem;margin:.3rem .4rem .3rem 0}
</style>
</head>
<body>
<p class="note">Sandbox: no money moves.</p>
<h1>{{if .ThreeDS}}Authenticate this payment{{else if .Open}}Pay{{else}}Payment {{.Status}}{{end}}</h1>
<p class="amount">{{.Amount}}</p>
{{if gt .Installments 1}}<p>in {{.Installments}} installments</p>{{end}}
<dl>
<dt>Order</dt><dd>{{.OrderNumber}}</dd>
{{with .Description}}<dt>For</dt><dd>{{.}}</dd>{{end}}
<dt>Payment</dt><dd>{{.ID}}</dd>
</dl>
{{if .Open}}
<form method="post">
{{if .PickCard}}<p><label>Test card <select name="card">{{range .Cards}}<option value="{{.Number}}">{{.Number}}: {{.Label}}</option>{{end}}</select></label></p>{{end}}
{{if .ThreeDS}}<p>Your bank asks you to confirm this payment (3-D Secure test).</p>{{end}}
<p><button name="action" value="pay">Pay</button><button name="action" value="decline">Decline</button><button name="action" value="cancel">Cancel</button></p>
</form>
{{else}}
<p>This payment is {{.Status}}{{with .FailureReason}} ({{.}}){{end}}.{{if eq .Status "PROCESSING"}} It will succeed in a moment.{{end}} You can close this page.</p>
{{end}}
</body>
</html>
`))

// Handler serves the hosted payment page, to be mounted at /sandbox/:
//
//	GET  /sandbox/pay/{id}  shows the amount, the order number and the buttons
//	POST /sandbox/pay/{id}  form action=pay|decline|cancel (card=<test card>
//	                        for a payment created without one)
//
//	GET  /sandbox/result/{id}  says how the payment ended (paid, declined,
//	                        canceled) with the order's reference
//
//	GET  /sandbox/setup/{id}   the 3-D Secure page of a card being saved
//	POST /sandbox/setup/{id}   form action=pay (authenticate) or decline;
//	                        redirects to the save's return URL with setup_id
//	                        and status (authenticated, failed) added, else
//	                        back to the setup page
//
// After the buyer acts it redirects (303) to the payment's ReturnURL with
// payment_id and status added to its query. When the purchase named no
// return URL it redirects to the result page instead, a path built from
// the payment's id. The ReturnURL is the one given to CreatePayment (the service
// allows only configured origins); no query parameter or form field of the
// page's requests can change it, and an unknown payment id redirects
// nowhere. An unknown payment is 404, a finished one 409, a bad form 400 and
// a simulated outage 503.
func (g *Gateway) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sandbox/pay/{id}", g.showPage)
	mux.HandleFunc("POST /sandbox/pay/{id}", g.postPage)
	mux.HandleFunc("GET /sandbox/result/{id}", g.showResult)
	mux.HandleFunc("GET /sandbox/setup/{id}", g.showSetup)
	mux.HandleFunc("POST /sandbox/setup/{id}", g.postSetup)
	return mux
}

// pageOf returns the payment the request's {id} names, or answers 503
// during a simulated outage and 404 for an unknown payment and returns
// false.
func (g *Gateway) pageOf(w http.ResponseWriter, r *http.Request) (pageData, bool) {
	if g.outage.Load() {
		http.Error(w, "the sandbox gateway is unavailable", http.StatusServiceUnavailable)
		return pageData{}, false
	}
	data, ok := g.page(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
	}
	return data, ok
}

// showPage renders a payment's page.
func (g *Gateway) showPage(w http.ResponseWriter, r *http.Request) {
	data, ok := g.pageOf(w, r)
	if !ok {
		return
	}
	render(w, http.StatusOK, data)
}

// postPage applies the buyer's action and sends them on.
func (g *Gateway) postPage(w http.ResponseWriter, r *http.Request) {
	if g.outage.Load() {
		http.Error(w, "the sandbox gateway is unavailable", http.StatusServiceUnavailable)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	id := r.PathValue("id")
	p, err := g.act(id, action(r.PostForm.Get("action")), r.PostForm.Get("card"))
	if err != nil {
		var de *domain.Error
		msg := "bad request"
		if errors.As(err, &de) {
			msg = de.Message
		}
		switch domain.ErrorCode(err) {
		case domain.CodeNotFound:
			http.NotFound(w, r)
		case domain.CodeConflict:
			http.Error(w, msg, http.StatusConflict)
		default:
			http.Error(w, msg, http.StatusBadRequest)
		}
		return
	}
	if p.Status == domain.PaymentRequiresAction { // the chosen card asks for 3-D Secure
		// This page again, built from the payment's id: nothing in the
		// request chooses where the buyer goes.
		http.Redirect(w, r, "/sandbox/pay/"+url.PathEscape(p.ID), http.StatusSeeOther)
		return
	}
	data, _ := g.page(id)
	if g.namedReturn(data.returnURL) {
		http.Redirect(w, r, withOutcome(data.returnURL, p), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, resultPath(p.ID), http.StatusSeeOther)
}

// namedReturn reports whether the purchase named a return URL (the service
// passes none when the buyer's app gave none).
func (g *Gateway) namedReturn(back string) bool { return back != "" }

// resultPath is the result page of the payment with this id.
func resultPath(id string) string { return "/sandbox/result/" + url.PathEscape(id) }

// showResult renders the result page of a payment: how it ended and the
// order it was for. An unknown payment is 404; a payment the buyer has not
// finished shows as still open, with a link back to its page.
func (g *Gateway) showResult(w http.ResponseWriter, r *http.Request) {
	data, ok := g.pageOf(w, r)
	if !ok {
		return
	}
	writeHTML(w, http.StatusOK, resultTemplate, resultData{
		Outcome:       outcomeWord(data.Status),
		Status:        data.Status,
		Amount:        data.Amount,
		OrderNumber:   data.OrderNumber,
		ID:            data.ID,
		FailureReason: data.FailureReason,
		Open:          data.Open,
		PayPath:       "/sandbox/pay/" + url.PathEscape(data.ID),
	})
}

// resultData is what the result page shows.
type resultData struct {
	Outcome, Amount, OrderNumber, ID, FailureReason, PayPath string
	Status                                                   domain.PaymentStatus
	Open                                                     bool
}

// outcomeWord says how a payment ended in the buyer's words.
func outcomeWord(s domain.PaymentStatus) string {
	switch s {
	case domain.PaymentSucceeded:
		return "paid"
	case domain.PaymentFailed:
		return "declined"
	case domain.PaymentCanceled:
		return "canceled"
	case domain.PaymentProcessing:
		return "processing"
	default:
		return "not finished"
	}
}

var resultTemplate = template.Must(template.New("result").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tally sandbox payment: {{.Outcome}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:30rem;margin:3rem auto;padding:0 1rem;color:#222}
.note{color:#8a5a00;background:#fff4d6;padding:.4rem .6rem;border-radius:.3rem;font-size:.9rem}
dt{color:#666;font-size:.85rem}dd{margin:0 0 .6rem}
</style>
</head>
<body>
<p class="note">Sandbox: no money moves.</p>
<h1 data-outcome="{{.Outcome}}">Payment {{.Outcome}}</h1>
<dl>
<dt>Order</dt><dd>{{.OrderNumber}}</dd>
<dt>Amount</dt><dd>{{.Amount}}</dd>
<dt>Payment</dt><dd>{{.ID}}</dd>
{{with .FailureReason}}<dt>Reason</dt><dd>{{.}}</dd>{{end}}
</dl>
{{if .Open}}<p>This payment is still waiting for you: <a href="{{.PayPath}}">go back to the payment page</a>.</p>
{{else if eq .Status "PROCESSING"}}<p>The payment will finish in a moment; reload this page to see how it ended.</p>
{{else}}<p>You can close this page.</p>{{end}}
</body>
</html>
`))

// page collects what the page shows about a payment.
func (g *Gateway) page(id string) (pageData, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	p, ok := g.payments[id]
	if !ok {
		return pageData{}, false
	}
	return pageData{
		ID:            p.id,
		Amount:        p.amount.String(),
		OrderNumber:   p.orderNumber,
		Description:   p.description,
		Installments:  p.installments,
		Status:        p.status,
		FailureReason: p.failureReason,
		Open:          p.open(),
		PickCard:      p.status == domain.PaymentPending,
		ThreeDS:       p.status == domain.PaymentRequiresAction,
		Cards:         cardOptions(),
		returnURL:     p.returnURL,
	}, true
}

// withOutcome adds payment_id and status to a return URL's query.
func withOutcome(back string, p domain.Payment) string {
	u, err := url.Parse(back)
	if err != nil { // checked by CreatePayment
		return back
	}
	q := u.Query()
	q.Set("payment_id", p.ID)
	q.Set("status", string(p.Status))
	u.RawQuery = q.Encode()
	return u.String()
}

// render writes the payment page with security headers.
func render(w http.ResponseWriter, status int, data pageData) {
	writeHTML(w, status, pageTemplate, data)
}

// writeHTML writes one of the sandbox's pages with its security headers:
// nothing cached, no sniffing, no framing, no script and nothing loaded
// from anywhere.
func writeHTML(w http.ResponseWriter, status int, t *template.Template, data any) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_ = t.Execute(w, data)
}
