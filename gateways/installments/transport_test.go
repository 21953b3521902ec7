package installments

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestTransport(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r }))
	defer srv.Close()
	cases := []struct {
		name, base, target, method, ctxKey, sdkKey string
		wantPath, wantKey                          string
	}{
		{"sdk url to base", srv.URL, "https://api.mercadopago.com/v1/payments/1", "GET", "", "", "/v1/payments/1", ""},
		{"base with a path", srv.URL + "/mp/", "https://api.mercadopago.com/v1/payments", "POST", "", "random", "/mp/v1/payments", "random"},
		{"caller's key wins", srv.URL, "https://api.mercadopago.com/v1/payments", "POST", "order-1", "random", "/v1/payments", "order-1"},
		{"no key on GET", srv.URL, "https://api.mercadopago.com/v1/payments/search", "GET", "order-1", "", "/v1/payments/search", ""},
		{"other hosts untouched", srv.URL, srv.URL + "/direct", "GET", "", "", "/direct", ""},
	}
	for _, c := range cases {
		tr, err := newTransport(c.base, srv.Client())
		if err != nil {
			t.Fatal(err)
		}
		ctx := withIdempotencyKey(context.Background(), c.ctxKey)
		req, _ := http.NewRequestWithContext(ctx, c.method, c.target, nil)
		if c.sdkKey != "" {
			req.Header.Set("X-Idempotency-Key", c.sdkKey)
		}
		resp, err := tr.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		resp.Body.Close()
		if got.URL.Path != c.wantPath || got.Header.Get("X-Idempotency-Key") != c.wantKey {
			t.Errorf("%s: server saw %s key %q, want %s key %q", c.name, got.URL.Path, got.Header.Get("X-Idempotency-Key"), c.wantPath, c.wantKey)
		}
	}
}
