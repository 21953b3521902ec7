package installments

import (
	"bytes"
	"context"
	"errors"
	"io"
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

// TestTransportGuards: an answer with a status the SDK would take for a
// success but is none (a 3xx left unfollowed) is an error, and an answer
// body longer than maxAnswerBytes fails to read.
func TestTransportGuards(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/found":
			w.WriteHeader(http.StatusFound) // no Location: the client stops here
		case "/not-modified":
			w.WriteHeader(http.StatusNotModified)
		case "/huge":
			_, _ = w.Write(bytes.Repeat([]byte("x"), maxAnswerBytes+1))
		case "/largest":
			_, _ = w.Write(bytes.Repeat([]byte("x"), maxAnswerBytes))
		default:
			w.WriteHeader(http.StatusTeapot)
		}
	}))
	defer srv.Close()
	tr, err := newTransport(srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path            string
		wantDoErr       bool
		wantReadErr     error
		wantStatus, len int
	}{
		{"/found", true, nil, 0, 0},
		{"/not-modified", true, nil, 0, 0},
		{"/huge", false, errAnswerTooLarge, 200, maxAnswerBytes},
		{"/largest", false, nil, 200, maxAnswerBytes},
		{"/teapot", false, nil, 418, 0}, // a 4xx is the SDK's to read and report
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+c.path, nil)
		resp, err := tr.Do(req)
		if c.wantDoErr {
			var se *statusError
			if !errors.As(err, &se) || !isUnusable(err) {
				t.Errorf("%s: %v, want a status error", c.path, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.wantStatus || !errors.Is(err, c.wantReadErr) || len(b) != c.len {
			t.Errorf("%s: %d, %d bytes, %v; want %d, %d bytes, %v", c.path, resp.StatusCode, len(b), err, c.wantStatus, c.len, c.wantReadErr)
		}
	}
}
