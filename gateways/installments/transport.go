package installments

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// sdkHost is the API host the SDK's clients have built in.
const sdkHost = "api.mercadopago.com"

// transport is the SDK's requester. The SDK fixes its URLs to
// https://api.mercadopago.com and sends a random X-Idempotency-Key with
// every POST; transport sends the calls to Config.BaseURL instead and
// replaces the key with the caller's (from the context), so a retried
// create or refund is replayed by Mercado Pago instead of repeated. It does
// not retry: a 5xx or timeout is the caller's to handle (the SDK's default
// requester retries three times, two seconds apart).
type transport struct {
	base   *url.URL
	client *http.Client
}

func newTransport(baseURL string, client *http.Client) (*transport, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return nil, err
	}
	return &transport{base: u, client: client}, nil
}

// Do implements the SDK's requester.Requester.
func (t *transport) Do(req *http.Request) (*http.Response, error) {
	if req.URL.Host == sdkHost {
		u := *req.URL
		u.Scheme, u.Host = t.base.Scheme, t.base.Host
		u.Path = t.base.Path + req.URL.Path
		if req.URL.RawPath != "" {
			u.RawPath = t.base.Path + req.URL.RawPath
		}
		req.URL, req.Host = &u, ""
	}
	if key, ok := req.Context().Value(idempotencyKey{}).(string); ok && key != "" && req.Method != http.MethodGet {
		req.Header.Set("X-Idempotency-Key", key)
	}
	return t.client.Do(req)
}

type idempotencyKey struct{}

// withIdempotencyKey makes the next POST made with ctx carry key.
func withIdempotencyKey(ctx context.Context, key string) context.Context {
	if key == "" {
		return ctx
	}
	return context.WithValue(ctx, idempotencyKey{}, key)
}
