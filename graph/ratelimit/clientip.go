package ratelimit

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/realclientip/realclientip-go"
)

// ClientIPs finds the address of the client behind a request. The peer's
// address is the client's unless the peer is a trusted proxy: then the
// rightmost X-Forwarded-For address that is not a trusted proxy is, or
// else X-Real-IP. Headers from any other peer are ignored, since anyone can
// send them.
type ClientIPs struct {
	trusted []netip.Prefix
	xff     realclientip.Strategy // nil without trusted proxies
	realIP  realclientip.Strategy
}

// NewClientIPs trusts the proxies in the given CIDR ranges or single
// addresses (e.g. "10.0.0.0/8", "192.0.2.7").
func NewClientIPs(trustedProxies []string) (*ClientIPs, error) {
	c := &ClientIPs{}
	var nets []net.IPNet
	for _, s := range trustedProxies {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := parsePrefix(s)
		if err != nil {
			return nil, err
		}
		c.trusted = append(c.trusted, p)
		nets = append(nets, net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())})
	}
	if len(c.trusted) == 0 {
		return c, nil
	}
	xff, err := realclientip.NewRightmostTrustedRangeStrategy("X-Forwarded-For", nets)
	if err != nil {
		return nil, err
	}
	realIP, err := realclientip.NewSingleIPHeaderStrategy("X-Real-IP")
	if err != nil {
		return nil, err
	}
	c.xff, c.realIP = xff, realIP
	return c, nil
}

// parsePrefix reads a CIDR range or a single address.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("trusted proxy %q is not a CIDR range: %w", s, err)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("trusted proxy %q is not an IP address or CIDR range", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Of returns the client address of r; false when the peer address cannot
// be read (not a TCP peer).
func (c *ClientIPs) Of(r *http.Request) (netip.Addr, bool) {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	addr := peer.Addr().Unmap()
	if c.xff == nil || !c.isTrusted(addr) {
		return addr, true
	}
	for _, s := range []realclientip.Strategy{c.xff, c.realIP} {
		if ip := s.ClientIP(r.Header, r.RemoteAddr); ip != "" {
			if a, err := netip.ParseAddr(ip); err == nil {
				return a.WithZone("").Unmap(), true
			}
		}
	}
	return addr, true // a trusted proxy that said nothing: its own address
}

func (c *ClientIPs) isTrusted(a netip.Addr) bool {
	for _, p := range c.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientKey is the unit a client is limited by: its IPv4 address, or its
// IPv6 /64 (one subscriber usually holds a whole /64, so counting single
// IPv6 addresses would give an attacker billions of budgets).
func clientKey(a netip.Addr) netip.Addr {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}

type clientIPKey struct{}

// WithClientIP returns ctx carrying the client address.
func WithClientIP(ctx context.Context, a netip.Addr) context.Context {
	return context.WithValue(ctx, clientIPKey{}, a)
}

// ClientIPFrom returns the client address the ClientIP middleware put in
// ctx; false when there is none.
func ClientIPFrom(ctx context.Context) (netip.Addr, bool) {
	a, ok := ctx.Value(clientIPKey{}).(netip.Addr)
	return a, ok && a.IsValid()
}
