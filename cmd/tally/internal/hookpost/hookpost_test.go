package hookpost_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/hookpost"
	"github.com/tallyhq/tally/domain"
)

// TestRefusesNonPublicAddresses: with private addresses refused, every
// non-public destination is refused at dial time, a name that resolves to
// loopback included; nothing reaches the loopback server. With them
// allowed, it answers.
func TestRefusesNonPublicAddresses(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits++ }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	refused := hookpost.New(false, 2*time.Second)
	for _, url := range []string{
		srv.URL,                              // 127.0.0.1
		"http://localhost" + port,            // a name resolving to loopback
		"http://[::1]" + port,                // IPv6 loopback
		"http://10.0.0.1/hook",               // private
		"http://192.168.1.1/hook",            // private
		"http://169.254.169.254/latest/meta", // link-local (cloud metadata)
		"http://100.64.0.1/hook",             // CGNAT
		"http://0.0.0.0" + port,              // unspecified
	} {
		_, err := refused.Send(context.Background(), domain.OutboundRequest{URL: url, Body: []byte("{}")})
		if err == nil || !strings.Contains(err.Error(), "non-public address") {
			t.Errorf("%s: %v, want refused", url, err)
		}
	}
	if hits != 0 {
		t.Fatalf("%d requests reached loopback", hits)
	}
	resp, err := hookpost.New(true, 2*time.Second).Send(context.Background(), domain.OutboundRequest{URL: srv.URL, Body: []byte("{}")})
	if err != nil || resp.StatusCode != 200 || hits != 1 {
		t.Fatalf("allowed: %+v %v (%d hits)", resp, err, hits)
	}
}

// TestAnswers: headers are sent, a redirect is the answer (not followed),
// the body excerpt is at most 1 KiB, and a slow receiver times out.
func TestAnswers(t *testing.T) {
	followed := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "/target", http.StatusFound)
		case "/target":
			followed = true
		case "/slow":
			select {
			case <-time.After(3 * time.Second):
			case <-r.Context().Done():
			}
		default:
			if r.Header.Get("webhook-id") != "msg_1" || r.Header.Get("content-type") != "application/json" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			_, _ = w.Write([]byte(strings.Repeat("é", 2000)))
		}
	}))
	defer srv.Close()
	s := hookpost.New(true, time.Second)
	ctx := context.Background()
	resp, err := s.Send(ctx, domain.OutboundRequest{URL: srv.URL + "/redirect"})
	if err != nil || resp.StatusCode != http.StatusFound || followed {
		t.Errorf("redirect: %+v %v (followed %v)", resp, err, followed)
	}
	resp, err = s.Send(ctx, domain.OutboundRequest{URL: srv.URL, Headers: map[string]string{"webhook-id": "msg_1", "content-type": "application/json"}})
	if err != nil || resp.StatusCode != 200 || len(resp.Excerpt) != domain.MaxWebhookExcerpt {
		t.Errorf("excerpt: %d bytes, %+v", len(resp.Excerpt), err)
	}
	start := time.Now()
	if _, err := s.Send(ctx, domain.OutboundRequest{URL: srv.URL + "/slow"}); err == nil || time.Since(start) > 2500*time.Millisecond {
		t.Errorf("slow receiver: %v after %v", err, time.Since(start))
	}
}
