package ratelimit

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

// TestClientIPs: the peer is the client unless it is a trusted proxy; then
// the rightmost untrusted X-Forwarded-For address is, else X-Real-IP.
// Headers sent by any other peer are ignored (they are spoofable).
func TestClientIPs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		trusted []string
		remote  string
		headers map[string]string
		want    string
	}{
		{"no proxies: the peer", nil, "203.0.113.9:5555", nil, "203.0.113.9"},
		{"no proxies: spoofed XFF ignored", nil, "203.0.113.9:5555",
			map[string]string{"X-Forwarded-For": "1.2.3.4"}, "203.0.113.9"},
		{"no proxies: spoofed X-Real-IP ignored", nil, "203.0.113.9:5555",
			map[string]string{"X-Real-IP": "1.2.3.4"}, "203.0.113.9"},
		{"untrusted peer: spoofed XFF ignored", []string{"10.0.0.0/8"}, "203.0.113.9:5555",
			map[string]string{"X-Forwarded-For": "1.2.3.4"}, "203.0.113.9"},
		{"trusted proxy: the address it saw", []string{"10.0.0.0/8"}, "10.1.2.3:80",
			map[string]string{"X-Forwarded-For": "198.51.100.7"}, "198.51.100.7"},
		{"trusted proxy: a client-sent prefix is skipped", []string{"10.0.0.0/8"}, "10.1.2.3:80",
			map[string]string{"X-Forwarded-For": "1.2.3.4, 198.51.100.7"}, "198.51.100.7"},
		{"chain of trusted proxies", []string{"10.0.0.0/8", "192.0.2.1"}, "10.1.2.3:80",
			map[string]string{"X-Forwarded-For": "1.2.3.4, 198.51.100.7, 192.0.2.1, 10.9.9.9"}, "198.51.100.7"},
		{"trusted proxy: X-Real-IP without XFF", []string{"10.0.0.0/8"}, "10.1.2.3:80",
			map[string]string{"X-Real-IP": "198.51.100.8"}, "198.51.100.8"},
		{"trusted proxy that says nothing: itself", []string{"10.0.0.0/8"}, "10.1.2.3:80", nil, "10.1.2.3"},
		{"trusted proxy, garbage XFF: X-Real-IP", []string{"10.0.0.0/8"}, "10.1.2.3:80",
			map[string]string{"X-Forwarded-For": "not-an-ip", "X-Real-IP": "198.51.100.8"}, "198.51.100.8"},
		{"IPv6 peer", nil, "[2001:db8::1]:443", nil, "2001:db8::1"},
		{"IPv4-mapped IPv6 peer", nil, "[::ffff:203.0.113.9]:443", nil, "203.0.113.9"},
		{"IPv6 trusted proxy", []string{"fd00::/8"}, "[fd00::5]:80",
			map[string]string{"X-Forwarded-For": "2001:db8::77"}, "2001:db8::77"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClientIPs(tc.trusted)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("POST", "/graphql", nil)
			r.RemoteAddr = tc.remote
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			got, ok := c.Of(r)
			if !ok || got != netip.MustParseAddr(tc.want) {
				t.Fatalf("client IP = %v (%v), want %s", got, ok, tc.want)
			}
		})
	}
}

// TestClientIPsInvalid: a bad trusted-proxy entry is refused; a peer that
// is not an address gives no client IP.
func TestClientIPsInvalid(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0"} {
		if _, err := NewClientIPs([]string{bad}); err == nil {
			t.Errorf("NewClientIPs(%q) accepted", bad)
		}
	}
	c, err := NewClientIPs([]string{" 10.0.0.0/8 ", ""})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", "/graphql", nil)
	r.RemoteAddr = "@"
	if a, ok := c.Of(r); ok {
		t.Fatalf("client IP of a non-TCP peer = %v", a)
	}
}

// TestClientKey: IPv4 addresses count alone, IPv6 ones per /64.
func TestClientKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"203.0.113.9", "203.0.113.9"},
		{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"},
		{"2001:db8:1:2::1", "2001:db8:1:2::"},
	}
	for _, tc := range tests {
		if got := clientKey(netip.MustParseAddr(tc.in)); got != netip.MustParseAddr(tc.want) {
			t.Errorf("clientKey(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
