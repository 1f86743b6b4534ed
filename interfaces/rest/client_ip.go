package rest

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
)

// Where a request comes from is decided once, here, for everything that
// needs it: the rate limits' keys and the ipAddress recorded on sessions.
//
// X-Forwarded-For is believed only from a trusted proxy (Config.
// TrustedProxies): when the socket's peer is one, the header's chain is
// walked from the right, skipping trusted hops, and the first address not
// trusted is the client (each trusted proxy appends the peer it saw, so
// everything left of that is the client's own say). Any other peer is the
// client itself, whatever headers it sends.

type clientIPKey struct{}

// clientIPResolver finds a request's client address.
type clientIPResolver struct {
	trusted []netip.Prefix
}

func (c clientIPResolver) isTrusted(a netip.Addr) bool {
	for _, p := range c.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// resolve returns the client's address, or an invalid Addr when even the
// socket's peer is not an IP address (a Unix socket).
func (c clientIPResolver) resolve(r *http.Request) netip.Addr {
	peer := parseIP(r.RemoteAddr)
	if !peer.IsValid() || len(c.trusted) == 0 || !c.isTrusted(peer) {
		return peer
	}
	hops := r.Header.Values("X-Forwarded-For")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			hop := parseIP(strings.TrimSpace(parts[j]))
			if !hop.IsValid() {
				// Garbage where an address should be: the trusted hop to
				// its right is the last thing known for sure.
				return client
			}
			client = hop
			if !c.isTrusted(hop) {
				return hop
			}
		}
	}
	return client // every hop was a trusted proxy
}

// parseIP reads "1.2.3.4", "1.2.3.4:5678", "[::1]:5678" or "::1",
// unmapping IPv4-in-IPv6 and dropping zones.
func parseIP(s string) netip.Addr {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}

// middleware stores the resolved client address in the request context.
func (c clientIPResolver) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ctx echo.Context) error {
		r := ctx.Request()
		ip := c.resolve(r)
		ctx.SetRequest(r.WithContext(context.WithValue(r.Context(), clientIPKey{}, ip)))
		return next(ctx)
	}
}

// clientIP returns the address the middleware resolved for r, falling back
// to the socket's peer outside the middleware.
func clientIP(r *http.Request) netip.Addr {
	if ip, ok := r.Context().Value(clientIPKey{}).(netip.Addr); ok {
		return ip
	}
	return parseIP(r.RemoteAddr)
}

// clientIPString is clientIP as recorded on sessions: the address, or the
// raw peer when it is none.
func clientIPString(r *http.Request) string {
	if ip := clientIP(r); ip.IsValid() {
		return ip.String()
	}
	return r.RemoteAddr
}

// rateLimitSubject is the address a rate-limit key names: an IPv6 client
// by its /64 (one subscriber usually holds a whole /64, so counting single
// addresses would let it rotate through 2^64 of them), an IPv4 one as is.
// Requests with no address at all share one bucket.
func rateLimitSubject(ip netip.Addr) string {
	switch {
	case !ip.IsValid():
		return "no-ip"
	case ip.Is6():
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
