package sandbox

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/tallyhq/tally/domain"
)

// setupState is where a save waiting for 3-D Secure stands.
type setupState string

const (
	setupWaiting       setupState = "waiting"
	setupAuthenticated setupState = "authenticated"
	setupFailed        setupState = "failed"
)

// setup is a save of a test card waiting for the buyer's 3-D Secure on
// the setup page.
type setup struct {
	id        string
	method    domain.SavedMethod // Ready false until authenticated
	state     setupState
	returnURL string
}

var _ domain.MethodVault = (*Gateway)(nil)

// methodRefPrefix starts the ref of every saved sandbox card; the card's
// number follows the last "_", so a saved method outlives the process
// (the sandbox keeps nothing on disk, the database keeps the ref).
const methodRefPrefix = "pm_sandbox_"

// SaveMethod saves the test card req.Token for off-session charges (see
// the package documentation): ACTIVE at once, PENDING with a REDIRECT to
// the setup page for the 3-D Secure card, PAYMENT_FAILED for the card that
// is declined. The org's customer is req.CustomerRef or a new one. A
// repeated IdempotencyKey returns the first result. Errors:
// PAYMENT_FAILED, INVALID_INPUT (no token, an unknown card, a bad return
// URL), GATEWAY_UNAVAILABLE.
func (g *Gateway) SaveMethod(ctx context.Context, req domain.SaveMethodRequest) (domain.SavedMethod, error) {
	if err := g.available(ctx); err != nil {
		return domain.SavedMethod{}, err
	}
	if req.Token == "" {
		return domain.SavedMethod{}, domain.InvalidInput("token", "the sandbox saves test cards only; give a test card number such as 4242424242424242")
	}
	c, ok := lookupCard(req.Token)
	if !ok {
		return domain.SavedMethod{}, domain.InvalidInput("token", "unknown sandbox test card; use 4242424242424242 (saves) or another number from the sandbox documentation")
	}
	if req.ReturnURL != "" {
		if _, err := domain.ReturnURLOrigin(req.ReturnURL); err != nil {
			return domain.SavedMethod{}, err
		}
	}
	if c.saveDecline != "" {
		return domain.SavedMethod{}, &domain.Error{Code: domain.CodePaymentFailed, Message: declineMessage(c.saveDecline), Err: ErrDeclined}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if m, ok := g.saveKeys[req.IdempotencyKey]; ok && req.IdempotencyKey != "" {
		if s := g.setups[m.SetupRef]; s != nil {
			return s.method, nil
		}
		return m, nil
	}
	m := domain.SavedMethod{
		Ref:         methodRefPrefix + strings.TrimPrefix(newID("pm"), "pm_") + "_" + c.number,
		CustomerRef: req.CustomerRef,
		Kind:        domain.MethodCard,
		Brand:       brandOf(c.number),
		Last4:       c.number[len(c.number)-4:],
		ExpMonth:    12,
		ExpYear:     2034,
		Ready:       true,
	}
	if m.CustomerRef == "" {
		m.CustomerRef = newID("cus")
	}
	if c.setup3DS {
		s := &setup{id: newID("seti"), state: setupWaiting, returnURL: req.ReturnURL}
		m.Ready, m.SetupRef = false, s.id
		m.NextAction = &domain.NextAction{Kind: domain.NextActionRedirect, URL: g.setupURL(s.id)}
		s.method = m
		g.setups[s.id] = s
	}
	if req.IdempotencyKey != "" {
		g.saveKeys[req.IdempotencyKey] = m
	}
	return m, nil
}

// brandOf names the card network of a test card number.
func brandOf(number string) string {
	switch {
	case strings.HasPrefix(number, "4"):
		return "visa"
	case strings.HasPrefix(number, "5"):
		return "mastercard"
	default:
		return "card"
	}
}

// CompleteSave reports a save that waited for 3-D Secure: Ready once the
// buyer passed it on the setup page (or ApproveSetup), unchanged with its
// next action while they have not, PAYMENT_FAILED (authentication_failed)
// when they failed it. A method that did not wait is returned as it is.
// Errors: PAYMENT_FAILED, NOT_FOUND (an unknown setup), GATEWAY_UNAVAILABLE.
func (g *Gateway) CompleteSave(ctx context.Context, m domain.SavedMethod) (domain.SavedMethod, error) {
	if err := g.available(ctx); err != nil {
		return domain.SavedMethod{}, err
	}
	if m.SetupRef == "" && m.Ready {
		return m, nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	s, ok := g.setups[m.SetupRef]
	if !ok {
		return domain.SavedMethod{}, domain.NotFound("setup")
	}
	switch s.state {
	case setupAuthenticated:
		out := s.method
		out.Ready, out.NextAction, out.SetupRef = true, nil, ""
		return out, nil
	case setupFailed:
		return domain.SavedMethod{}, &domain.Error{Code: domain.CodePaymentFailed, Message: declineMessage("authentication_failed"), Err: ErrDeclined}
	}
	return s.method, nil
}

// RemoveMethod forgets a saved card: charging it again is INVALID_INPUT.
// Removing twice, or a card the sandbox never saw, is no error.
func (g *Gateway) RemoveMethod(ctx context.Context, m domain.SavedMethod) error {
	if err := g.available(ctx); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if m.Ref != "" {
		g.removed[m.Ref] = true
	}
	delete(g.setups, m.SetupRef)
	return nil
}

// savedCharge finds the card a charge of req.Saved uses and what such a
// charge does: off session as the card's off-session behaviour says, with
// the buyer present (req.BuyerPresent) as the card does on session.
// Errors: INVALID_INPUT.
func savedCharge(req domain.PaymentRequest) (card, bool, error) {
	if req.PaymentMethodID != "" {
		return card{}, false, domain.InvalidInput("paymentMethodId", "a saved payment method is charged without a payment method id")
	}
	if !req.Saved.Ready {
		return card{}, false, domain.InvalidInput("paymentMethod", "the saved payment method is not ready to be charged")
	}
	ref := req.Saved.Ref
	c, ok := card{}, false
	if strings.HasPrefix(ref, methodRefPrefix) {
		c, ok = lookupCard(ref[strings.LastIndex(ref, "_")+1:])
	}
	if !ok || c.saveDecline != "" {
		return card{}, false, domain.InvalidInput("paymentMethod", "not a saved sandbox card")
	}
	if req.BuyerPresent { // the buyer pays again on session: the card as on its own
		return c, true, nil
	}
	return card{number: c.number, label: c.label, status: c.offStatus, decline: c.offDecline}, true, nil
}

// ApproveSetup does what the setup page's "Authenticate" button does: the
// waiting save passes 3-D Secure. Errors: NOT_FOUND, CONFLICT (the setup
// is already finished).
func (g *Gateway) ApproveSetup(setupID string) error { return g.actSetup(setupID, setupAuthenticated) }

// DeclineSetup does what the setup page's "Fail" button does: the waiting
// save fails 3-D Secure. Errors: NOT_FOUND, CONFLICT.
func (g *Gateway) DeclineSetup(setupID string) error { return g.actSetup(setupID, setupFailed) }

func (g *Gateway) actSetup(id string, to setupState) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	s, ok := g.setups[id]
	if !ok {
		return domain.NotFound("setup")
	}
	if s.state != setupWaiting {
		return domain.Errorf(domain.CodeConflict, "the setup is already %s", s.state)
	}
	s.state = to
	return nil
}

// setupURL is the setup page of a save waiting for 3-D Secure.
func (g *Gateway) setupURL(id string) string {
	return g.cfg.BaseURL + "/sandbox/setup/" + url.PathEscape(id)
}

// setupPageData is what the setup page shows.
type setupPageData struct {
	ID, Last4 string
	State     setupState
	Waiting   bool
}

var setupTemplate = template.Must(template.New("setup").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tally sandbox: save a card</title>
<style>
body{font-family:system-ui,sans-serif;max-width:30rem;margin:3rem auto;padding:0 1rem;color:#222}
.note{color:#8a5a00;background:#fff4d6;padding:.4rem .6rem;border-radius:.3rem;font-size:.9rem}
button{font-size:1rem;padding:.45rem .9rem;margin:.3rem .4rem .3rem 0}
</style>
</head>
<body>
<p class="note">Sandbox: no money moves.</p>
<h1 data-state="{{.State}}">{{if .Waiting}}Authenticate saving this card{{else}}Card setup {{.State}}{{end}}</h1>
<p>Card ending {{.Last4}}, setup {{.ID}}</p>
{{if .Waiting}}<form method="post">
<p>Your bank asks you to confirm saving this card for later payments (3-D Secure test).</p>
<p><button name="action" value="pay">Authenticate</button><button name="action" value="decline">Fail</button></p>
</form>{{else}}<p>You can close this page.</p>{{end}}
</body>
</html>
`))

// setupPage collects what the setup page shows.
func (g *Gateway) setupPage(id string) (setupPageData, string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s, ok := g.setups[id]
	if !ok {
		return setupPageData{}, "", false
	}
	return setupPageData{ID: s.id, Last4: s.method.Last4, State: s.state, Waiting: s.state == setupWaiting}, s.returnURL, true
}

// showSetup renders the setup page: GET /sandbox/setup/{id}.
func (g *Gateway) showSetup(w http.ResponseWriter, r *http.Request) {
	if g.outage.Load() {
		http.Error(w, "the sandbox gateway is unavailable", http.StatusServiceUnavailable)
		return
	}
	data, _, ok := g.setupPage(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	writeHTML(w, http.StatusOK, setupTemplate, data)
}

// postSetup applies the buyer's answer (action=pay|decline) and sends them
// to the save's return URL with setup_id and status added, or back to the
// page.
func (g *Gateway) postSetup(w http.ResponseWriter, r *http.Request) {
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
	var err error
	switch action(r.PostForm.Get("action")) {
	case actionPay:
		err = g.ApproveSetup(id)
	case actionDecline:
		err = g.DeclineSetup(id)
	default:
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	switch domain.ErrorCode(err) {
	case "":
	case domain.CodeNotFound:
		http.NotFound(w, r)
		return
	default:
		http.Error(w, "the setup is already finished", http.StatusConflict)
		return
	}
	data, back, _ := g.setupPage(id)
	if back == "" {
		http.Redirect(w, r, "/sandbox/setup/"+url.PathEscape(id), http.StatusSeeOther)
		return
	}
	u, perr := url.Parse(back)
	if perr != nil { // checked by SaveMethod
		http.Redirect(w, r, "/sandbox/setup/"+url.PathEscape(id), http.StatusSeeOther)
		return
	}
	q := u.Query()
	q.Set("setup_id", id)
	q.Set("status", string(data.State))
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}
