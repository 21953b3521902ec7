package paypalemu

import (
	"html/template"
	"net/http"
	"net/url"
)

// checkoutPage is what a buyer sees when the order has no return URL.
var checkoutPage = template.Must(template.New("checkout").Parse(`<!doctype html>
<title>PayPal emulator</title>
<h1>Order {{.ID}}</h1>
<p>{{.Message}}</p>
`))

// checkout is GET /checkoutnow?token={order id}, the buyer's approval page:
// it approves the order and redirects to its return_url with token and
// PayerID, as PayPal does; with cancel=1 it sends the buyer to the
// cancel_url instead without approving.
func (e *Emulator) checkout(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("token")
	e.mu.Lock()
	o, ok := e.orders[id]
	if !ok {
		e.mu.Unlock()
		http.Error(w, "unknown order", http.StatusNotFound)
		return
	}
	cancel := r.URL.Query().Get("cancel") == "1"
	var err error
	if !cancel {
		err = e.approve(id)
	}
	target, payerID := o.returnURL, o.payerID
	if cancel {
		target = o.cancelURL
	}
	e.mu.Unlock()
	params := url.Values{"token": {id}}
	if !cancel {
		params.Set("PayerID", payerID)
	}
	sendBack(w, r, id, target, cancel, err, params)
}

// sendBack ends an approval page the way PayPal does: a refused approval
// is 409; with no URL to go back to a plain page says what happened;
// otherwise the buyer is redirected to target with params added.
func sendBack(w http.ResponseWriter, r *http.Request, id, target string, cancel bool, err error, params url.Values) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	if target == "" {
		msg := "Approved. You may close this page."
		if cancel {
			msg = "Canceled."
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = checkoutPage.Execute(w, struct{ ID, Message string }{id, msg})
		return
	}
	u, perr := url.Parse(target)
	if perr != nil {
		http.Error(w, "bad return url", http.StatusBadRequest)
		return
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}
