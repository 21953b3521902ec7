package installments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// sdkHost is the API host the SDK's clients have built in.
const sdkHost = "api.mercadopago.com"

// maxAnswerBytes bounds the body of an answer: far above any payment,
// preference or search of 50 payments, and small enough that a gateway
// that never stops sending cannot exhaust memory.
const maxAnswerBytes = 4 << 20

// errAnswerTooLarge is the read error of an answer longer than
// maxAnswerBytes.
var errAnswerTooLarge = fmt.Errorf("answer longer than %d bytes", maxAnswerBytes)

// statusError is an answer whose HTTP status is neither a success nor an
// error Mercado Pago sends: a 1xx or a 3xx left after the client's
// redirects (one without a Location, a 304).
type statusError struct{ status string }

func (e *statusError) Error() string { return "unexpected HTTP status " + e.status }

// transport is the SDK's requester. The SDK fixes its URLs to
// https://api.mercadopago.com and sends a random X-Idempotency-Key with
// every POST; transport sends the calls to Config.BaseURL instead and
// replaces the key with the caller's (from the context), so a retried
// create or refund is replayed by Mercado Pago instead of repeated. It does
// not retry: a 5xx or timeout is the caller's to handle (the SDK's default
// requester retries three times, two seconds apart). It also guards what
// the SDK takes for granted: a status outside 2xx and 4xx/5xx is an error
// (the SDK would decode a 3xx as the resource), and a body longer than
// maxAnswerBytes fails to read rather than filling memory.
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
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || (resp.StatusCode >= 300 && resp.StatusCode < 400) {
		_ = resp.Body.Close()
		return nil, &statusError{status: resp.Status}
	}
	resp.Body = &cappedBody{ReadCloser: resp.Body, left: maxAnswerBytes}
	return resp, nil
}

// cappedBody reads at most left more bytes of an answer; a byte beyond is
// errAnswerTooLarge.
type cappedBody struct {
	io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		n, err := b.ReadCloser.Read(one[:])
		if n > 0 {
			return 0, errAnswerTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// isUnusable reports whether err is an answer that arrived but cannot be
// read: cut short, too long, with an unexpected status, or not the JSON
// of the resource.
func isUnusable(err error) bool {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
		date   *time.ParseError
		status *statusError
	)
	return errors.As(err, &syntax) || errors.As(err, &typ) || errors.As(err, &date) || errors.As(err, &status) ||
		errors.Is(err, errAnswerTooLarge) || errors.Is(err, io.ErrUnexpectedEOF)
}

type idempotencyKey struct{}

// withIdempotencyKey makes the next POST made with ctx carry key.
func withIdempotencyKey(ctx context.Context, key string) context.Context {
	if key == "" {
		return ctx
	}
	return context.WithValue(ctx, idempotencyKey{}, key)
}
