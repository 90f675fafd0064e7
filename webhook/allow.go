package webhook

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Allowlist says which hosts a delivery may reach. A mock must not become a way to make
// requests elsewhere, so by default it reaches loopback addresses only; the user adds host
// names, addresses and CIDR prefixes (the `-webhook-allow` flag the wiring adds).
//
// Names are checked before resolution and addresses after it, on the address actually
// dialled: a name that resolves to a refused address is refused, and a second resolution
// cannot change the answer (no DNS rebinding).
type Allowlist struct {
	hosts    map[string]bool
	prefixes []netip.Prefix
}

// NewAllowlist returns the allowlist of loopback plus entries: host names ("hooks.test"),
// addresses ("10.0.0.5", "::1") or prefixes ("10.0.0.0/8").
func NewAllowlist(entries ...string) (*Allowlist, error) {
	a := &Allowlist{hosts: map[string]bool{}}
	for _, e := range entries {
		e = strings.TrimSpace(e)
		switch {
		case e == "":
			continue
		case strings.Contains(e, "/"):
			p, err := netip.ParsePrefix(e)
			if err != nil {
				return nil, fmt.Errorf("webhook: allowlist entry %q: %w", e, err)
			}
			a.prefixes = append(a.prefixes, p.Masked())
		default:
			if ip, err := netip.ParseAddr(e); err == nil {
				a.prefixes = append(a.prefixes, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
				continue
			}
			if strings.ContainsAny(e, " :@?#") {
				return nil, fmt.Errorf("webhook: allowlist entry %q is neither a host name, an address nor a CIDR prefix", e)
			}
			a.hosts[strings.ToLower(strings.TrimSuffix(e, "."))] = true
		}
	}
	return a, nil
}

// AllowsAddr reports whether ip may be called: loopback, or in an allowed prefix.
func (a *Allowlist) AllowsAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() {
		return true
	}
	for _, p := range a.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// allowsName reports whether host was allowed by name.
func (a *Allowlist) allowsName(host string) bool {
	return a.hosts[strings.ToLower(strings.TrimSuffix(host, "."))]
}

// ErrNotAllowed is wrapped by the error of a delivery to a host the allowlist refuses.
var ErrNotAllowed = fmt.Errorf("webhook: target not allowed")

// dialContext dials addr ("host:port") only if the allowlist allows it: by name, or every
// address the name resolves to is tried only if allowed.
func (a *Allowlist) dialContext(d *net.Dialer, resolver *net.Resolver) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if a.allowsName(host) {
			return d.DialContext(ctx, network, addr)
		}
		var ips []netip.Addr
		if ip, err := netip.ParseAddr(host); err == nil {
			ips = []netip.Addr{ip}
		} else {
			ips, err = resolver.LookupNetIP(ctx, "ip", host)
			if err != nil {
				return nil, err
			}
		}
		var lastErr error
		for _, ip := range ips {
			if !a.AllowsAddr(ip) {
				lastErr = fmt.Errorf("%w: %s (%s) is not loopback and not in the allowlist", ErrNotAllowed, host, ip)
				continue
			}
			c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
			if err == nil {
				return c, nil
			}
			lastErr = err
		}
		if lastErr == nil {
			lastErr = fmt.Errorf("webhook: %s resolves to no address", host)
		}
		return nil, lastErr
	}
}

func netipParse(s string) (netip.Addr, error) { return netip.ParseAddr(s) }
