package rest

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// basePath is where every better-auth endpoint lives.
const basePath = "/api/auth"

// Defaults applied to zero Config fields.
const (
	defaultBodyLimit     int64 = 64 << 10
	defaultSessionMaxAge       = 30 * 24 * time.Hour
	// maxCookieAge is the longest Max-Age better-call writes (400 days, the
	// cap browsers apply anyway).
	maxCookieAge = 400 * 24 * time.Hour
	// defaultEnumerationFloor is better-auth's MINIMUM_MS of a signed-out
	// send-verification-email (email-verification.mjs).
	defaultEnumerationFloor = 500 * time.Millisecond
)

// SameSite values of Config.SameSite.
const (
	SameSiteLax    = "lax"
	SameSiteStrict = "strict"
	SameSiteNone   = "none"
)

// Config is what the edge needs to know about its deployment.
type Config struct {
	// BaseURL is the public base URL (APP_AUTH_URL), e.g.
	// http://127.0.0.1:3000. An https URL switches cookies to the __Secure-
	// name prefix and the Secure attribute; its origin is always trusted.
	BaseURL *url.URL
	// Secrets are the HMAC keys of signed values (session_token,
	// dont_remember, session_data, bearer tokens), raw bytes. The first
	// signs; every one verifies, so a secret can be rotated in by putting
	// the new one first and retired once the old cookies have expired.
	Secrets [][]byte
	// TrustedOrigins are further exact origins allowed to call with cookies
	// and to be redirected to, e.g. https://app.example.com.
	TrustedOrigins []string
	// SessionMaxAge is the Max-Age of the session cookie; 30 days if zero.
	SessionMaxAge time.Duration
	// CookieCacheMaxAge is the lifetime of the signed session_data cookie
	// that lets get-session answer without reading storage; zero disables
	// the cache. Revoked sessions are refused at once whatever it is.
	CookieCacheMaxAge time.Duration
	// CookieDomain, when set, is the Domain attribute of every auth cookie,
	// so they are shared across subdomains (better-auth's
	// crossSubDomainCookies), e.g. "example.com".
	CookieDomain string
	// SameSite is the SameSite attribute of every auth cookie: "lax" (the
	// default), "strict" or "none"; "none" also forces Secure.
	SameSite string
	// BodyLimit is the largest request body accepted, in bytes; 64 KiB if
	// zero.
	BodyLimit int64
	// Now tells the time for the cookie cache's expiry; time.Now if nil.
	// Tests pass the clock the use cases use.
	Now func() time.Time
	// EnumerationFloor is the least time, from the request's arrival, that
	// the answers able to reveal whether an address has an account take:
	// a signed-out send-verification-email and request-password-reset. The
	// work differs (a mail is queued only for a real account), the wall
	// time must not. 500 ms (better-auth's) if zero; tests set a few ms.
	EnumerationFloor time.Duration
	// TrustedProxies are the proxies whose X-Forwarded-For is believed
	// (client_ip.go); none: the socket's peer is the client.
	TrustedProxies []netip.Prefix
	// RateLimit is the per-IP limiting of /api/auth; off without a Limiter.
	RateLimit RateLimit
}

// Validate reports configuration the edge cannot serve safely. The
// runtime calls it at start-up; resolve falls back to defaults instead.
func (cfg Config) Validate() error {
	var errs []error
	keys := cfg.Secrets
	if len(keys) == 0 {
		errs = append(errs, errors.New("rest: a signing secret is required"))
	}
	for i, k := range keys {
		if len(k) == 0 {
			errs = append(errs, fmt.Errorf("rest: secret %d is empty", i))
		}
	}
	if _, ok := sameSiteAttribute(cfg.SameSite); !ok {
		errs = append(errs, fmt.Errorf("rest: SameSite %q is not lax, strict or none", cfg.SameSite))
	}
	if d := cfg.CookieDomain; d != "" && (hasControl(d) || strings.ContainsAny(d, ";, \"")) {
		errs = append(errs, fmt.Errorf("rest: CookieDomain %q is not a domain", d))
	}
	if cfg.CookieCacheMaxAge < 0 {
		errs = append(errs, errors.New("rest: CookieCacheMaxAge is negative"))
	}
	if cfg.EnumerationFloor < 0 {
		errs = append(errs, errors.New("rest: EnumerationFloor is negative"))
	}
	errs = append(errs, cfg.RateLimit.Validate())
	return errors.Join(errs...)
}

// sameSiteAttribute is the SameSite attribute for a configured value, as
// better-call capitalises it; "" is Lax.
func sameSiteAttribute(v string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", SameSiteLax:
		return "Lax", true
	case SameSiteStrict:
		return "Strict", true
	case SameSiteNone:
		return "None", true
	}
	return "Lax", false
}

// settings is a Config with defaults applied and derived values computed.
type settings struct {
	bodyLimit        int64
	cookies          cookieSettings
	origins          originPolicy
	enumerationFloor time.Duration
}

func (cfg Config) resolve() settings {
	secure := cfg.BaseURL != nil && cfg.BaseURL.Scheme == "https"
	maxAge := cfg.SessionMaxAge
	if maxAge <= 0 {
		maxAge = defaultSessionMaxAge
	}
	maxAge = min(maxAge, maxCookieAge)
	cacheMaxAge := min(max(cfg.CookieCacheMaxAge, 0), maxCookieAge)
	limit := cfg.BodyLimit
	if limit <= 0 {
		limit = defaultBodyLimit
	}
	trusted := append([]string(nil), cfg.TrustedOrigins...)
	if cfg.BaseURL != nil {
		trusted = append(trusted, cfg.BaseURL.String())
	}
	floor := cfg.EnumerationFloor
	if floor <= 0 {
		floor = defaultEnumerationFloor
	}
	sameSite, _ := sameSiteAttribute(cfg.SameSite)
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return settings{
		bodyLimit: limit,
		cookies: newCookieSettings(cookieOptions{
			keys:        cfg.Secrets,
			secure:      secure,
			domain:      strings.TrimSpace(cfg.CookieDomain),
			sameSite:    sameSite,
			maxAge:      int(maxAge / time.Second),
			cacheMaxAge: int(cacheMaxAge / time.Second),
			now:         now,
			// Routes are built at start-up, so this is the process's start.
			cacheNotBefore: now(),
		}),
		origins:          newOriginPolicy(trusted),
		enumerationFloor: floor,
	}
}
