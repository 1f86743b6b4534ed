package rest

import (
	"net/url"
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
)

// Config is what the edge needs to know about its deployment.
type Config struct {
	// BaseURL is the public base URL (APP_AUTH_URL), e.g.
	// http://127.0.0.1:3000. An https URL switches cookies to the __Secure-
	// name prefix and the Secure attribute; its origin is always trusted.
	BaseURL *url.URL
	// Secret is the HMAC key of signed cookies (the raw bytes of
	// BETTER_AUTH_SECRET).
	Secret []byte
	// TrustedOrigins are further exact origins allowed to call with cookies
	// and to be redirected to, e.g. https://app.example.com.
	TrustedOrigins []string
	// SessionMaxAge is the Max-Age of the session cookie; 30 days if zero.
	SessionMaxAge time.Duration
	// BodyLimit is the largest request body accepted, in bytes; 64 KiB if
	// zero.
	BodyLimit int64
}

// settings is a Config with defaults applied and derived values computed.
type settings struct {
	bodyLimit int64
	cookies   cookieSettings
	origins   originPolicy
}

func (cfg Config) resolve() settings {
	secure := cfg.BaseURL != nil && cfg.BaseURL.Scheme == "https"
	maxAge := cfg.SessionMaxAge
	if maxAge <= 0 {
		maxAge = defaultSessionMaxAge
	}
	maxAge = min(maxAge, maxCookieAge)
	limit := cfg.BodyLimit
	if limit <= 0 {
		limit = defaultBodyLimit
	}
	trusted := append([]string(nil), cfg.TrustedOrigins...)
	if cfg.BaseURL != nil {
		trusted = append(trusted, cfg.BaseURL.String())
	}
	return settings{
		bodyLimit: limit,
		cookies:   newCookieSettings(cfg.Secret, secure, int(maxAge/time.Second)),
		origins:   newOriginPolicy(trusted),
	}
}
