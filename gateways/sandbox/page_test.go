package sandbox

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
)

// tally is a stand-in for Tally's HTTP server: the sandbox's page under
// /sandbox/ and a webhook endpoint that verifies deliveries with the
// gateway itself, as cmd/tally will.
type tally struct {
	*httptest.Server
	g *Gateway
	// received gets each delivery's parse result.
	received chan parsed
	client   *http.Client
}

type parsed struct {
	events []domain.WebhookEvent
	err    error
}

func newTally(t *testing.T) *tally {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g, _ := newTestGateway(t, Config{BaseURL: "http://" + l.Addr().String()})
	s := &tally{g: g, received: make(chan parsed, 100)}
	mux := http.NewServeMux()
	mux.Handle("/sandbox/", g.Handler())
	mux.HandleFunc("POST /webhooks/sandbox", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		evs, err := g.ParseWebhook(r.Context(), domain.WebhookRequest{Header: r.Header, Body: body})
		s.received <- parsed{evs, err}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	s.Server = httptest.NewUnstartedServer(mux)
	_ = s.Listener.Close()
	s.Listener = l
	s.Start()
	t.Cleanup(s.Close)
	s.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return s
}

// get fetches a path and returns the status and body.
func (s *tally) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := s.client.Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// post submits the page's form.
func (s *tally) post(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := s.client.PostForm(s.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// event waits for the next webhook to reach the endpoint and checks that it
// verified.
func (s *tally) event(t *testing.T) domain.WebhookEvent {
	t.Helper()
	select {
	case got := <-s.received:
		if got.err != nil || len(got.events) != 1 {
			t.Fatalf("delivered webhook parsed to %v, %v; want one event", got.events, got.err)
		}
		return got.events[0]
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook reached Tally")
	}
	return domain.WebhookEvent{}
}

func TestHostedPagePayRedirectsAndDelivers(t *testing.T) {
	ctx := context.Background()
	s := newTally(t)
	req := paymentRequest(CardRequiresAction)
	req.OrderNumber = `<script>alert("x")</script>`
	req.Description = "Credits & more"
	req.Installments = 3
	req.ReturnURL = "https://app.test/orders/1?tab=pay"
	p, err := s.g.CreatePayment(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(p.NextAction.URL, s.URL)

	resp, body := s.get(t, path)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET = %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"19.99 EUR", "in 3 installments", "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "Credits &amp; more", "Authenticate", `value="pay"`, `value="decline"`, `value="cancel"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, `name="card"`) {
		t.Errorf("page shows raw markup or a card picker for a 3-D Secure challenge:\n%s", body)
	}
	if resp.Header.Get("Content-Security-Policy") == "" {
		t.Error("page has no Content-Security-Policy")
	}

	resp, _ = s.post(t, path, url.Values{"action": {"pay"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST pay = %s, want 303", resp.Status)
	}
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || back.Host != "app.test" || back.Path != "/orders/1" ||
		back.Query().Get("tab") != "pay" || back.Query().Get("payment_id") != p.ID || back.Query().Get("status") != "SUCCEEDED" {
		t.Fatalf("redirect to %s, want the return URL with payment_id and status", resp.Header.Get("Location"))
	}
	if got, _ := s.g.GetPayment(ctx, p.ID); got.Status != domain.PaymentSucceeded {
		t.Fatalf("after Pay the payment is %s", got.Status)
	}
	ev := s.event(t)
	if ev.Kind != domain.EventPaymentSucceeded || ev.PaymentID != p.ID || ev.OrderID != req.OrderID || ev.Amount != req.Amount {
		t.Fatalf("event %+v, want PAYMENT_SUCCEEDED for %s", ev, p.ID)
	}

	if resp, _ := s.post(t, path, url.Values{"action": {"pay"}}); resp.StatusCode != http.StatusConflict {
		t.Fatalf("POST on a finished payment = %s, want 409", resp.Status)
	}
	if resp, body := s.get(t, path); resp.StatusCode != http.StatusOK || !strings.Contains(body, "SUCCEEDED") || strings.Contains(body, `value="pay"`) {
		t.Fatalf("GET on a finished payment = %s:\n%s", resp.Status, body)
	}
}

func TestHostedPageCardPicker(t *testing.T) {
	ctx := context.Background()
	s := newTally(t)
	p, err := s.g.CreatePayment(ctx, paymentRequest(""))
	if err != nil {
		t.Fatal(err)
	}
	path := "/sandbox/pay/" + p.ID
	_, body := s.get(t, path)
	for _, c := range cards {
		if !strings.Contains(body, `<option value="`+c.number+`">`) {
			t.Errorf("card picker lacks %s:\n%s", c.number, body)
		}
	}

	// A card that asks for 3-D Secure sends the buyer to the challenge.
	resp, _ := s.post(t, path, url.Values{"action": {"pay"}, "card": {CardRequiresAction}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
		t.Fatalf("POST pay with the 3-D Secure card = %s to %q, want 303 to the page", resp.Status, resp.Header.Get("Location"))
	}
	if _, body := s.get(t, path); !strings.Contains(body, "Authenticate") {
		t.Fatalf("challenge page:\n%s", body)
	}
	// Failing it, with no return URL, goes to the result page.
	resp, _ = s.post(t, path, url.Values{"action": {"decline"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sandbox/result/"+p.ID {
		t.Fatalf("POST decline = %s to %q, want 303 to the result page", resp.Status, resp.Header.Get("Location"))
	}
	if _, body := s.get(t, "/sandbox/result/"+p.ID); !strings.Contains(body, "Payment declined") || !strings.Contains(body, "authentication_failed") {
		t.Fatalf("result page after declining:\n%s", body)
	}
	if ev := s.event(t); ev.Kind != domain.EventPaymentFailed || ev.FailureReason != "authentication_failed" {
		t.Fatalf("event %+v, want PAYMENT_FAILED authentication_failed", ev)
	}

	// A card that settles asynchronously succeeds by webhook.
	p, _ = s.g.CreatePayment(ctx, paymentRequest(""))
	resp, _ = s.post(t, "/sandbox/pay/"+p.ID, url.Values{"action": {"pay"}, "card": {CardProcessing}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sandbox/result/"+p.ID {
		t.Fatalf("POST pay with the asynchronous card = %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	if ev := s.event(t); ev.Kind != domain.EventPaymentSucceeded || ev.PaymentID != p.ID {
		t.Fatalf("event %+v, want PAYMENT_SUCCEEDED for %s", ev, p.ID)
	}
}

func TestHostedPageRefuses(t *testing.T) {
	s := newTally(t)
	p, err := s.g.CreatePayment(context.Background(), paymentRequest(""))
	if err != nil {
		t.Fatal(err)
	}
	path := "/sandbox/pay/" + p.ID
	tests := []struct {
		name   string
		method string
		path   string
		form   url.Values
		outage bool
		want   int
	}{
		{"GET unknown payment", http.MethodGet, "/sandbox/pay/pay_nope", nil, false, http.StatusNotFound},
		{"POST unknown payment", http.MethodPost, "/sandbox/pay/pay_nope", url.Values{"action": {"pay"}}, false, http.StatusNotFound},
		{"unknown action", http.MethodPost, path, url.Values{"action": {"refund"}}, false, http.StatusBadRequest},
		{"no action", http.MethodPost, path, url.Values{}, false, http.StatusBadRequest},
		{"unknown card", http.MethodPost, path, url.Values{"action": {"pay"}, "card": {"4111111111111111"}}, false, http.StatusBadRequest},
		{"other method", http.MethodPut, path, nil, false, http.StatusMethodNotAllowed},
		{"other path", http.MethodGet, "/sandbox/other", nil, false, http.StatusNotFound},
		{"GET during an outage", http.MethodGet, path, nil, true, http.StatusServiceUnavailable},
		{"POST during an outage", http.MethodPost, path, url.Values{"action": {"pay"}}, true, http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.g.SetOutage(tt.outage)
			defer s.g.SetOutage(false)
			req, _ := http.NewRequest(tt.method, s.URL+tt.path, strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := s.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("%s %s = %s, want %d", tt.method, tt.path, resp.Status, tt.want)
			}
		})
	}
	if got, _ := s.g.GetPayment(context.Background(), p.ID); got.Status != domain.PaymentPending {
		t.Fatalf("refused requests moved the payment to %s", got.Status)
	}
}

// TestHostedPageRedirectsOnlyToItsReturnURL: the page sends the buyer to
// the return URL its payment was created with, and nothing in a request
// (query parameters, form fields, a forged payment id, the path) can send
// them anywhere else.
func TestHostedPageRedirectsOnlyToItsReturnURL(t *testing.T) {
	ctx := context.Background()
	s := newTally(t)
	req := paymentRequest("")
	req.ReturnURL = "https://app.test/orders/1"
	p, err := s.g.CreatePayment(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	page := "/sandbox/pay/" + p.ID
	evil := url.Values{
		"return_url": {"https://evil.test/"}, "returnUrl": {"https://evil.test/"}, "redirect": {"https://evil.test/"},
		"next": {"//evil.test/"}, "continue": {"https://evil.test/"},
	}
	query := "?" + evil.Encode()

	// The 3-D Secure step goes back to this page, whatever the query says.
	form := url.Values{"action": {"pay"}, "card": {CardRequiresAction}}
	for k, v := range evil {
		form[k] = v
	}
	resp, _ := s.post(t, page+query, form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != page {
		t.Fatalf("3-D Secure step = %s to %q, want 303 to %s", resp.Status, resp.Header.Get("Location"), page)
	}
	// Finishing goes to the payment's own return URL.
	form = url.Values{"action": {"pay"}}
	for k, v := range evil {
		form[k] = v
	}
	resp, _ = s.post(t, page+query, form)
	back, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil || back.Scheme != "https" || back.Host != "app.test" || back.Path != "/orders/1" {
		t.Fatalf("after paying = %s to %q, want 303 to https://app.test/orders/1", resp.Status, resp.Header.Get("Location"))
	}

	// Forged ids and paths answer 404 and redirect nowhere.
	for _, path := range []string{
		"/sandbox/pay/pay_forged" + query, "/sandbox/pay/" + url.PathEscape("//evil.test"), "/sandbox/pay/%2F%2Fevil.test",
		"/sandbox/pay/" + url.PathEscape("https://evil.test/"),
	} {
		resp, _ := s.post(t, path, url.Values{"action": {"pay"}, "returnUrl": {"https://evil.test/"}})
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusNotFound || loc != "" {
			t.Errorf("POST %s = %s to %q, want 404 without a redirect", path, resp.Status, loc)
		}
	}
}
