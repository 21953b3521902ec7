// Package emu is the HTTP plumbing the in-repo provider emulators
// (mercadopagoemu, paypalemu) share: a local server that waits for its
// background webhook posts before it stops, the outage and hang switches
// every emulated API honours, the store of answers replayed for a repeated
// idempotency key, and the small JSON and bearer-token helpers. What each
// provider says (its error bodies, its status codes for an outage, how a
// held call ends) stays in its own emulator.
//
// Like the emulators it imports no testing package, so a running binary can
// use it too.
package emu

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// DeliveryTimeout bounds one webhook post of an emulator.
const DeliveryTimeout = 10 * time.Second

// Server is a running emulator: an HTTP server on a local port, its fault
// switches and its webhook posts in flight. Its zero value is not usable;
// call Start.
type Server struct {
	Faults

	srv        *httptest.Server
	client     *http.Client // posts webhooks
	deliveries sync.WaitGroup
}

// Start serves h on a local port.
func Start(h http.Handler) *Server {
	return &Server{
		srv:    httptest.NewServer(h),
		client: &http.Client{Timeout: DeliveryTimeout},
	}
}

// URL is the server's root, without a trailing slash.
func (s *Server) URL() string { return s.srv.URL }

// Client is an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close releases held calls, waits for the webhook posts in flight and
// stops the server.
func (s *Server) Close() {
	s.Hang(false)
	s.Flush()
	s.srv.Close()
}

// Flush waits until every webhook post started so far has finished.
func (s *Server) Flush() { s.deliveries.Wait() }

// Deliver POSTs body with header to url in the background and calls done,
// if not nil, with the status the URL answered or the error that stopped
// the post. Close and Flush wait for it.
func (s *Server) Deliver(url string, header http.Header, body []byte, done func(status int, err error)) {
	s.deliveries.Add(1)
	go func() {
		defer s.deliveries.Done()
		status, err := s.post(url, header, body)
		if done != nil {
			done(status, err)
		}
	}()
}

// post sends one webhook delivery and returns the status it got.
func (s *Server) post(url string, header http.Header, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header = header.Clone()
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

// Faults are the switches that make an emulated API misbehave: an outage
// (every call fails) and a hang (every call waits until the caller gives up
// or the hang is lifted). The emulator decides what each looks like on the
// wire. Its zero value is a healthy API; it is safe for concurrent use.
type Faults struct {
	mu     sync.Mutex
	outage bool
	hang   chan struct{} // non-nil while calls hang; closed to release them
}

// Outage turns the outage on or off.
func (f *Faults) Outage(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.outage = on
}

// Down reports whether the outage is on.
func (f *Faults) Down() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.outage
}

// Hang makes calls wait in Hold while on; Hang(false) releases the calls
// held so far.
func (f *Faults) Hang(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case on && f.hang == nil:
		f.hang = make(chan struct{})
	case !on && f.hang != nil:
		close(f.hang)
		f.hang = nil
	}
}

// Hold makes a call wait while the hang is on, until Hang(false) or until
// ctx (the caller) is done. It reports whether the call was held at all
// and, if it was, whether Hang(false) released it (false: the caller gave
// up first).
func (f *Faults) Hold(ctx context.Context) (held, released bool) {
	f.mu.Lock()
	hang := f.hang
	f.mu.Unlock()
	if hang == nil {
		return false, false
	}
	select {
	case <-hang:
		return true, true
	case <-ctx.Done():
		return true, false
	}
}

// Answer is an HTTP answer kept to be sent again.
type Answer struct {
	Status int
	Body   []byte
}

// Replays keeps answers under idempotency keys, so that a repeated request
// gets the first answer and takes no effect again. It is not safe for
// concurrent use: the emulator holds its own lock around a request's check,
// effect and store. Its zero value is empty and ready.
type Replays struct {
	answers map[string]Answer
}

// Get returns the answer kept under key.
func (r *Replays) Get(key string) (Answer, bool) {
	a, ok := r.answers[key]
	return a, ok
}

// Put keeps a under key.
func (r *Replays) Put(key string, a Answer) {
	if r.answers == nil {
		r.answers = map[string]Answer{}
	}
	r.answers[key] = a
}

// WriteJSON writes v, JSON-encoded with a trailing newline, with status and
// contentType (providers differ on the charset parameter).
func WriteJSON(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// BearerToken returns the token of an "Authorization: Bearer …" header and
// whether there was one.
func BearerToken(r *http.Request) (string, bool) {
	return strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
}
