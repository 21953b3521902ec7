package sandbox

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestHostedPageResult: a purchase that named no return URL ends on the
// sandbox's result page, which says how the payment ended with the order's reference, loads
// nothing from anywhere, carries the page's security headers and cannot be
// pointed elsewhere by a request; a named return URL is still honoured.
func TestHostedPageResult(t *testing.T) {
	s := newTally(t)
	hostile := url.Values{"returnUrl": {"https://evil.test/"}, "next": {"//evil.test/"}, "redirect": {"https://evil.test/"}}
	for _, tc := range []struct {
		name, returnURL, action, card string
		wantResult                    bool // else the named return URL
		wantWord                      string
	}{
		{"no return URL, paid", "", "pay", CardSucceeds, true, "Payment paid"},
		{"no return URL, declined", "", "decline", CardSucceeds, true, "Payment declined"},
		{"no return URL, canceled", "", "cancel", CardSucceeds, true, "Payment canceled"},
		{"declining card", "", "pay", CardDeclined, true, "Payment declined"},
		{"Tally's root, named", s.g.cfg.BaseURL + "/", "cancel", CardSucceeds, false, ""},
		{"a named return URL", "https://app.test/done", "pay", CardSucceeds, false, ""},
		{"a page on Tally's origin", s.g.cfg.BaseURL + "/thanks", "decline", CardSucceeds, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := paymentRequest("")
			req.ReturnURL = tc.returnURL
			req.OrderNumber = "ORD-" + strings.NewReplacer(" ", "-", "'", "", ",", "").Replace(tc.name)
			p, err := s.g.CreatePayment(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			form := url.Values{"action": {tc.action}, "card": {tc.card}}
			for k, v := range hostile {
				form[k] = v
			}
			resp, _ := s.post(t, "/sandbox/pay/"+p.ID+"?"+hostile.Encode(), form)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST = %s, want 303", resp.Status)
			}
			if !tc.wantResult {
				if !strings.HasPrefix(loc, tc.returnURL+"?") {
					t.Fatalf("went to %q, want the named return URL %s", loc, tc.returnURL)
				}
				return
			}
			if loc != "/sandbox/result/"+p.ID {
				t.Fatalf("went to %q, want /sandbox/result/%s", loc, p.ID)
			}
			resp, body := s.get(t, loc+"?"+hostile.Encode())
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET result = %s", resp.Status)
			}
			for _, want := range []string{tc.wantWord, req.OrderNumber, p.ID} {
				if !strings.Contains(body, want) {
					t.Errorf("result page lacks %q:\n%s", want, body)
				}
			}
			for _, bad := range []string{"evil.test", "<script", "src=", "http://", "https://", "<form"} {
				if strings.Contains(body, bad) {
					t.Errorf("result page holds %q:\n%s", bad, body)
				}
			}
			h := resp.Header
			if h.Get("Content-Security-Policy") != "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" ||
				h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" ||
				!strings.HasPrefix(h.Get("Content-Type"), "text/html") {
				t.Errorf("result page headers %v", h)
			}
		})
	}
	// An open payment's result page says so and links only to its own page;
	// unknown ids are 404.
	p, err := s.g.CreatePayment(context.Background(), paymentRequest(""))
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := s.get(t, "/sandbox/result/"+p.ID); resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/sandbox/pay/`+p.ID+`"`) {
		t.Fatalf("open payment's result page = %s:\n%s", resp.Status, body)
	}
	for _, path := range []string{"/sandbox/result/pay_forged", "/sandbox/result/" + url.PathEscape("//evil.test")} {
		if resp, _ := s.get(t, path); resp.StatusCode != http.StatusNotFound || resp.Header.Get("Location") != "" {
			t.Errorf("GET %s = %s, want 404", path, resp.Status)
		}
	}
}
