package config

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// RateLimit holds the limits: better-auth's per-IP ones on /api/auth and
// Beep's per-account and per-recipient ones. They count in Redis when
// REDIS_URL is set (falling back to memory while it fails), in memory
// otherwise.
type RateLimit struct {
	// Enabled is RATE_LIMIT_ENABLED: false turns every limit off (tests).
	Enabled bool
	// Window and Max are the limit of paths no rule matches
	// (RATE_LIMIT_WINDOW seconds, RATE_LIMIT_MAX requests).
	Window time.Duration
	Max    int
	// Rules are RATE_LIMIT_RULES, which override the built-in ones.
	Rules []RateLimitRule
	// TrustedProxies are TRUSTED_PROXIES: the proxies whose
	// X-Forwarded-For is believed, for the limits' keys and the sessions'
	// ipAddress alike.
	TrustedProxies []netip.Prefix

	// The per-account sign-in backoff: after AccountFreeFailures
	// consecutive failures the next attempt waits AccountBaseDelay, each
	// further failure doubling it up to AccountMaxDelay; from
	// AccountFailureCap failures on each one blocks for AccountCapDelay.
	AccountFreeFailures int
	AccountBaseDelay    time.Duration
	AccountMaxDelay     time.Duration
	AccountFailureCap   int
	AccountCapDelay     time.Duration

	// MailsPerRecipient reset (and, apart, verification) mails may go to
	// one address per MailWindow; 0 is no limit.
	MailsPerRecipient int
	MailWindow        time.Duration
}

// RateLimitRule is one RATE_LIMIT_RULES entry.
type RateLimitRule struct {
	// Path is relative to /api/auth: exact, or a prefix ending in "*".
	Path string
	// Max requests per Window per client address; 0 is no limit.
	Max    int
	Window time.Duration
}

// rateLimitDefaults are the defaults of RateLimit, merged into defaults.
var rateLimitDefaults = map[string]any{
	"RATE_LIMIT_ENABLED":               "true",
	"RATE_LIMIT_WINDOW":                "10",
	"RATE_LIMIT_MAX":                   "100",
	"RATE_LIMIT_RULES":                 "",
	"TRUSTED_PROXIES":                  "",
	"RATE_LIMIT_ACCOUNT_FREE_FAILURES": "20",
	"RATE_LIMIT_ACCOUNT_BASE_DELAY":    "30",
	"RATE_LIMIT_ACCOUNT_MAX_DELAY":     "3600",
	"RATE_LIMIT_ACCOUNT_FAILURE_CAP":   "100",
	"RATE_LIMIT_ACCOUNT_CAP_DELAY":     "86400",
	"RATE_LIMIT_MAILS_PER_RECIPIENT":   "3",
	"RATE_LIMIT_MAIL_WINDOW":           "3600",
}

func init() {
	for k, v := range rateLimitDefaults {
		defaults[k] = v
	}
}

// rateLimit reads RateLimit.
func (r *reader) rateLimit() RateLimit {
	rl := RateLimit{
		Enabled:             r.boolean("RATE_LIMIT_ENABLED"),
		Window:              r.seconds("RATE_LIMIT_WINDOW"),
		Max:                 r.positive("RATE_LIMIT_MAX"),
		Rules:               r.rateLimitRules("RATE_LIMIT_RULES"),
		TrustedProxies:      r.trustedProxies("TRUSTED_PROXIES"),
		AccountFreeFailures: r.positive("RATE_LIMIT_ACCOUNT_FREE_FAILURES"),
		AccountBaseDelay:    r.seconds("RATE_LIMIT_ACCOUNT_BASE_DELAY"),
		AccountMaxDelay:     r.seconds("RATE_LIMIT_ACCOUNT_MAX_DELAY"),
		AccountFailureCap:   r.positive("RATE_LIMIT_ACCOUNT_FAILURE_CAP"),
		AccountCapDelay:     r.seconds("RATE_LIMIT_ACCOUNT_CAP_DELAY"),
		MailsPerRecipient:   r.wholeOrZero("RATE_LIMIT_MAILS_PER_RECIPIENT"),
		MailWindow:          r.seconds("RATE_LIMIT_MAIL_WINDOW"),
	}
	if rl.AccountMaxDelay < rl.AccountBaseDelay {
		r.fail("RATE_LIMIT_ACCOUNT_MAX_DELAY must not be shorter than RATE_LIMIT_ACCOUNT_BASE_DELAY")
	}
	if rl.AccountFailureCap < rl.AccountFreeFailures {
		r.fail("RATE_LIMIT_ACCOUNT_FAILURE_CAP (%d) must not be below RATE_LIMIT_ACCOUNT_FREE_FAILURES (%d)", rl.AccountFailureCap, rl.AccountFreeFailures)
	}
	return rl
}

// rateLimitRules reads "PATH=MAX/WINDOW,…": PATH relative to /api/auth,
// exact or a prefix ending in *; MAX requests (0 = no limit, also written
// "off", with no window) per WINDOW seconds. Example:
// "/sign-in/*=5/60,/get-session=0".
func (r *reader) rateLimitRules(key string) []RateLimitRule {
	raw := strings.TrimSpace(r.v.GetString(key))
	if raw == "" {
		return nil
	}
	var out []RateLimitRule
	seen := map[string]bool{}
	for _, entry := range strings.Split(raw, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		path, limit, ok := strings.Cut(entry, "=")
		path, limit = strings.TrimSpace(path), strings.TrimSpace(limit)
		if !ok {
			r.fail("%s entry %q must be PATH=MAX/WINDOW (e.g. /sign-in/*=5/60) or PATH=0", key, entry)
			continue
		}
		rule := RateLimitRule{Path: path}
		switch maxRaw, windowRaw, hasWindow := strings.Cut(limit, "/"); {
		case limit == "0" || strings.EqualFold(limit, "off"):
		case !hasWindow:
			r.fail("%s entry %q must be PATH=MAX/WINDOW (WINDOW in seconds) or PATH=0", key, entry)
			continue
		default:
			n, errN := strconv.Atoi(strings.TrimSpace(maxRaw))
			w, errW := strconv.Atoi(strings.TrimSpace(windowRaw))
			if errN != nil || n < 0 || errW != nil || w <= 0 {
				r.fail("%s entry %q: MAX must be a whole number ≥ 0 and WINDOW a whole number of seconds > 0", key, entry)
				continue
			}
			rule.Max, rule.Window = n, time.Duration(w)*time.Second
		}
		prefix, _ := strings.CutSuffix(path, "*")
		switch {
		case !strings.HasPrefix(path, "/"):
			r.fail("%s entry %q: the path must start with / and is relative to /api/auth", key, entry)
			continue
		case path == "/api/auth" || strings.HasPrefix(path, "/api/auth/"):
			r.fail("%s entry %q: paths are relative to /api/auth; leave it out", key, entry)
			continue
		case strings.ContainsAny(prefix, "*?# \t"):
			r.fail("%s entry %q: the path may hold one *, at its end", key, entry)
			continue
		case seen[path]:
			r.fail("%s names %q twice", key, path)
			continue
		}
		seen[path] = true
		out = append(out, rule)
	}
	return out
}

// trustedProxies reads a comma-separated list of CIDRs or single
// addresses ("10.0.0.0/8, 192.168.1.10, fd00::/8").
func (r *reader) trustedProxies(key string) []netip.Prefix {
	var out []netip.Prefix
	for _, raw := range strings.Split(r.v.GetString(key), ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		if p, err := netip.ParsePrefix(raw); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(raw)
		if err != nil {
			r.fail("%s entry %q must be a CIDR (10.0.0.0/8) or an IP address", key, raw)
			continue
		}
		a = a.Unmap().WithZone("")
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out
}
