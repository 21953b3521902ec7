// Package hookpost posts Tally's outbound webhooks over HTTP: the edge
// adapter behind domain.OutboundSender. It follows no redirects (a 3xx
// is the endpoint's answer, and a failure), gives up after a timeout,
// keeps the first KiB of the answer, and, unless private addresses are
// allowed, refuses at dial time (after DNS resolution, so a name that
// resolves or rebinds to one is refused too) every address that is not
// public: loopback, private, link-local, unique-local, CGNAT, multicast,
// documentation and the rest of code.dny.dev/ssrf's deny lists.
package hookpost

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"code.dny.dev/ssrf"

	"github.com/tallyhq/tally/domain"
)

// DefaultTimeout bounds one attempt, from dialing to the end of the
// answer's excerpt.
const DefaultTimeout = 10 * time.Second

// Sender posts webhooks. Safe for concurrent use.
type Sender struct {
	client *http.Client
}

var _ domain.OutboundSender = (*Sender)(nil)

// New returns a Sender. allowPrivate lets it reach private and loopback
// addresses (development, tests); timeout 0 is DefaultTimeout.
func New(allowPrivate bool, timeout time.Duration) *Sender {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		// Any port: receivers listen where they like; what is guarded is
		// where the connection goes.
		dialer.Control = ssrf.New(ssrf.WithAnyPort()).Safe
	}
	tr := &http.Transport{
		// No proxy: a proxy would dial for us and bypass the check.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
	}
	return &Sender{client: &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// Send posts r and returns the answer's status and first KiB, or why no
// answer came.
func (s *Sender) Send(ctx context.Context, r domain.OutboundRequest) (domain.OutboundResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return domain.OutboundResponse{}, err
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("User-Agent", "Tally-Webhooks/1")
	resp, err := s.client.Do(req)
	if err != nil {
		if errors.Is(err, ssrf.ErrProhibitedIP) || errors.Is(err, ssrf.ErrProhibitedNetwork) || errors.Is(err, ssrf.ErrInvalidHostPort) {
			return domain.OutboundResponse{}, fmt.Errorf("refused: the URL resolves to a private, loopback or otherwise non-public address (TALLY_WEBHOOK_ALLOW_PRIVATE allows it in development): %w", err)
		}
		return domain.OutboundResponse{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	head, err := io.ReadAll(io.LimitReader(resp.Body, domain.MaxWebhookExcerpt))
	out := domain.OutboundResponse{StatusCode: resp.StatusCode, Excerpt: string(head)}
	if err != nil {
		return out, nil // the status came; a body cut short is still an answer
	}
	// Read a little more so the connection can be reused, not forever.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return out, nil
}
