package domain

import (
	"net"
	"net/url"
	"strconv"
	"strings"
)

// MaxReturnURLLen is the longest return URL a purchase may name.
const MaxReturnURLLen = 2048

// ReturnURLOrigin checks that raw is a plain absolute http(s) URL a browser
// can be sent to without surprises, and returns its canonical origin
// (scheme://host[:port], lower case, default port dropped). It refuses, with
// INVALID_INPUT on field "returnUrl": other schemes (javascript:, data:, …),
// scheme-relative URLs (//host), userinfo (https://app@evil), backslashes,
// percent-encoded or non-ASCII hosts, spaces and control characters, and
// URLs longer than MaxReturnURLLen. It does not say whether the origin is
// allowed: CheckReturnURL does.
func ReturnURLOrigin(raw string) (string, error) {
	bad := func(why string) (string, error) { return "", InvalidInput("returnUrl", "%s", why) }
	if raw == "" {
		return bad("the return URL is empty")
	}
	if len(raw) > MaxReturnURLLen {
		return bad("the return URL is longer than " + strconv.Itoa(MaxReturnURLLen) + " bytes")
	}
	for i := 0; i < len(raw); i++ {
		// Printable ASCII only: browsers strip tabs and newlines and read a
		// backslash as a slash, so such URLs do not go where they seem to.
		if c := raw[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return bad("the return URL may hold only printable ASCII without spaces or backslashes")
		}
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	scheme = strings.ToLower(scheme)
	if !ok || (scheme != "http" && scheme != "https") {
		return bad("the return URL must be an absolute http(s) URL")
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	host, port, ok := splitAuthority(authority)
	if !ok {
		return bad("the return URL must name a plain host (no user, no encoded characters)")
	}
	// The standard parser must read the same host, so that nothing
	// downstream (a gateway, a browser) can see another one.
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.User != nil || !strings.EqualFold(u.Host, authority) {
		return bad("the return URL must be an absolute http(s) URL")
	}
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	origin := scheme + "://" + strings.ToLower(host)
	if port != "" {
		origin += ":" + port
	}
	return origin, nil
}

// splitAuthority splits host[:port] and accepts only DNS names (letters,
// digits, dots, hyphens), IPv4 addresses and bracketed IPv6 addresses, with
// an optional decimal port 1-65535.
func splitAuthority(a string) (host, port string, ok bool) {
	if a == "" || strings.ContainsAny(a, "@%") {
		return "", "", false
	}
	host = a
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return "", "", false
		}
		host, port = a[:end+1], strings.TrimPrefix(a[end+1:], ":")
		if a[end+1:] != "" && !strings.HasPrefix(a[end+1:], ":") {
			return "", "", false
		}
		if ip := net.ParseIP(host[1 : len(host)-1]); ip == nil || ip.To4() != nil {
			return "", "", false
		}
	} else if i := strings.LastIndexByte(a, ':'); i >= 0 {
		host, port = a[:i], a[i+1:]
		if port == "" {
			return "", "", false
		}
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return "", "", false
		}
	}
	if !strings.HasPrefix(host, "[") {
		if host == "" || strings.HasPrefix(host, ".") || strings.HasPrefix(host, "-") {
			return "", "", false
		}
		for i := 0; i < len(host); i++ {
			if !hostByte(host[i]) {
				return "", "", false
			}
		}
	}
	return host, port, true
}

// hostByte reports whether c may appear in a DNS name or IPv4 address.
func hostByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
}

// CheckReturnURL checks that raw is where a hosted payment page may send the
// buyer back to: a URL ReturnURLOrigin accepts whose origin is one of
// allowed (origins or URLs, compared by canonical origin; entries that are
// not http(s) origins, such as "*", never match). INVALID_INPUT on field
// "returnUrl" otherwise.
func CheckReturnURL(raw string, allowed []string) error {
	origin, err := ReturnURLOrigin(raw)
	if err != nil {
		return err
	}
	for _, a := range allowed {
		if o, err := canonicalOrigin(a); err == nil && o == origin {
			return nil
		}
	}
	return InvalidInput("returnUrl", "the return URL's origin %s is not an allowed origin", origin)
}

// canonicalOrigin is the canonical origin of a configured origin or URL.
func canonicalOrigin(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "*" {
		return "", InvalidInput("returnUrl", "not an origin")
	}
	return ReturnURLOrigin(s)
}

// returnURL is the URL a purchase's hosted flow sends the buyer back to:
// the requested one when its origin is allowed (Config.ReturnOrigins or
// PublicURL's origin), "" when none is requested (the gateway decides).
func (s *Service) returnURL(requested string) (string, error) {
	if requested == "" {
		return "", nil // the gateway decides: its own result page, or its configured one
	}
	allowed := append([]string{s.cfg.PublicURL}, s.cfg.ReturnOrigins...)
	if err := CheckReturnURL(requested, allowed); err != nil {
		return "", err
	}
	return requested, nil
}
