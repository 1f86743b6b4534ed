package oauth

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Kind is a provider's protocol family.
type Kind string

// The kinds. The built-in kinds are also their provider ids; OIDC is any
// other OpenID Connect issuer, under the id it is configured with.
const (
	Google    Kind = "google"
	Microsoft Kind = "microsoft"
	GitHub    Kind = "github"
	Discord   Kind = "discord"
	LinkedIn  Kind = "linkedin"
	Twitter   Kind = "twitter"
	OIDC      Kind = "oidc"
)

// KindOf is the kind of the provider configured under id: the built-in
// kind of that name, or OIDC for any other id.
func KindOf(id string) Kind {
	switch k := Kind(strings.ToLower(id)); k {
	case Google, Microsoft, GitHub, Discord, LinkedIn, Twitter:
		return k
	}
	return OIDC
}

// Config is one provider's settings.
type Config struct {
	ClientID     string
	ClientSecret string
	// Scopes are requested on top of the kind's defaults.
	Scopes []string
	// Tenant is the Microsoft Entra ID tenant: "common" (the default),
	// "organizations", "consumers", a tenant id or a tenant domain.
	Tenant string
	// Issuer is the OpenID Connect issuer URL (OIDC only, required).
	Issuer string
	// Endpoints override the provider's real URLs (tests point them at a
	// fake); empty fields keep the defaults.
	Endpoints Endpoints
}

// String describes the config without its secret.
func (c Config) String() string {
	return fmt.Sprintf("oauth.Config{ClientID:%q ClientSecret:[REDACTED] Scopes:%q Tenant:%q Issuer:%q Endpoints:%+v}",
		c.ClientID, c.Scopes, c.Tenant, c.Issuer, c.Endpoints)
}

// GoString is String, so %#v does not print the secret either.
func (c Config) GoString() string { return c.String() }

// LogValue keeps the secret out of structured logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("client_id", c.ClientID), slog.String("client_secret", "[REDACTED]"),
		slog.Any("scopes", c.Scopes), slog.String("tenant", c.Tenant), slog.String("issuer", c.Issuer))
}

// Endpoints are a provider's URLs. Each kind uses some of them:
//
//	google     AuthURL, TokenURL, JWKSURL
//	microsoft  Authority (authorize, token, keys and the issuer derive from
//	           it and the tenant), PhotoURL
//	github     AuthURL, TokenURL, UserInfoURL (/user), EmailsURL (/user/emails)
//	discord    AuthURL, TokenURL, UserInfoURL (/users/@me)
//	linkedin   AuthURL, TokenURL, UserInfoURL (/v2/userinfo)
//	twitter    AuthURL, TokenURL, UserInfoURL (/2/users/me)
//	oidc       none: the issuer's discovery document names them
type Endpoints struct {
	AuthURL     string
	TokenURL    string
	UserInfoURL string
	EmailsURL   string
	JWKSURL     string
	Authority   string
	PhotoURL    string
}

// defaultEndpoints are the real URLs, as better-auth 1.7.25 calls them.
var defaultEndpoints = map[Kind]Endpoints{
	Google: {
		AuthURL:  "https://accounts.google.com/o/oauth2/v2/auth",
		TokenURL: "https://oauth2.googleapis.com/token",
		JWKSURL:  "https://www.googleapis.com/oauth2/v3/certs",
	},
	Microsoft: {
		Authority: "https://login.microsoftonline.com",
		PhotoURL:  "https://graph.microsoft.com/v1.0/me/photos/48x48/$value",
	},
	GitHub: {
		AuthURL:     "https://github.com/login/oauth/authorize",
		TokenURL:    "https://github.com/login/oauth/access_token",
		UserInfoURL: "https://api.github.com/user",
		EmailsURL:   "https://api.github.com/user/emails",
	},
	Discord: {
		AuthURL:     "https://discord.com/api/oauth2/authorize",
		TokenURL:    "https://discord.com/api/oauth2/token",
		UserInfoURL: "https://discord.com/api/users/@me",
	},
	LinkedIn: {
		AuthURL:     "https://www.linkedin.com/oauth/v2/authorization",
		TokenURL:    "https://www.linkedin.com/oauth/v2/accessToken",
		UserInfoURL: "https://api.linkedin.com/v2/userinfo",
	},
	Twitter: {
		AuthURL:     "https://x.com/i/oauth2/authorize",
		TokenURL:    "https://api.x.com/2/oauth2/token",
		UserInfoURL: "https://api.x.com/2/users/me",
	},
}

// withDefaults fills the empty fields of e from d.
func (e Endpoints) withDefaults(d Endpoints) Endpoints {
	pick := func(v, def string) string {
		if v != "" {
			return v
		}
		return def
	}
	return Endpoints{
		AuthURL: pick(e.AuthURL, d.AuthURL), TokenURL: pick(e.TokenURL, d.TokenURL),
		UserInfoURL: pick(e.UserInfoURL, d.UserInfoURL), EmailsURL: pick(e.EmailsURL, d.EmailsURL),
		JWKSURL: pick(e.JWKSURL, d.JWKSURL), Authority: strings.TrimRight(pick(e.Authority, d.Authority), "/"),
		PhotoURL: pick(e.PhotoURL, d.PhotoURL),
	}
}

// defaultTimeout bounds one provider call when the caller gives no client.
const defaultTimeout = 10 * time.Second

// Option tunes how providers are built.
type Option func(*options)

type options struct {
	client *http.Client
	now    func() time.Time
}

// WithHTTPClient makes providers call out through c (its Transport and
// Timeout; redirects and cookies are always off). The default client has
// a 10 s timeout.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithClock makes providers read the time from now, for token expiries and
// id token checks. The default is time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

func buildOptions(opts []Option) options {
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	if o.client == nil {
		o.client = &http.Client{Timeout: defaultTimeout}
	}
	if o.now == nil {
		o.now = time.Now
	}
	return o
}

var providerID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// validate reports what is wrong with cfg for a provider of kind under id.
func (c Config) validate(id string, kind Kind) error {
	var problems []string
	if !providerID.MatchString(id) {
		problems = append(problems, fmt.Sprintf("id %q is not lower-case letters, digits, _ and -", id))
	}
	if kind != OIDC && id != string(kind) {
		problems = append(problems, fmt.Sprintf("a %s provider has the id %q, not %q", kind, kind, id))
	}
	if c.ClientID == "" {
		problems = append(problems, "no client id")
	}
	if c.ClientSecret == "" {
		problems = append(problems, "no client secret")
	}
	if c.Tenant != "" && kind != Microsoft {
		problems = append(problems, "a tenant is only for microsoft")
	}
	if c.Tenant != "" && !tenantName.MatchString(c.Tenant) {
		problems = append(problems, fmt.Sprintf("tenant %q is not a tenant id or domain", c.Tenant))
	}
	switch {
	case kind == OIDC && c.Issuer == "":
		problems = append(problems, "no issuer")
	case kind == OIDC:
		if u, err := url.Parse(c.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			problems = append(problems, fmt.Sprintf("issuer %q is not an http(s) URL", c.Issuer))
		}
	case c.Issuer != "":
		problems = append(problems, "an issuer is only for generic OpenID Connect providers")
	}
	if len(problems) > 0 {
		return fmt.Errorf("oauth provider %q: %s", id, strings.Join(problems, "; "))
	}
	return nil
}

var tenantName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]*$`)
