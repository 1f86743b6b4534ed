package config

import (
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// OAuth holds social sign-in: the providers whose credentials are set, in
// OAUTH_PROVIDER_NAMES order, and the linking rules.
type OAuth struct {
	Providers []OAuthProvider
	// Trusted are the provider ids whose word on an address stands in for
	// a verification flag they do not send: OAUTH_TRUSTED_PROVIDERS, by
	// default every configured built-in provider (beep trusts all of its
	// providers; generic issuers must be named).
	Trusted []string
	// AllowDifferentEmails lets a signed-in user link a provider account
	// whose email differs from theirs.
	AllowDifferentEmails bool
	// SignUpEnabled lets a social sign-in create a user.
	SignUpEnabled bool
}

// OAuthProvider is one enabled provider. ID is the lower-case name: one of
// the built-in providers (BuiltinProviders), or any other name for a
// generic OpenID Connect provider found through Issuer.
type OAuthProvider struct {
	ID           string
	ClientID     string
	ClientSecret Secret
	TenantID     string
	Issuer       string
	Scopes       []string
}

// BuiltinProviders are the providers Beep knows by name; any other name
// is a generic OpenID Connect issuer.
var BuiltinProviders = []string{"google", "microsoft", "github", "discord", "linkedin", "twitter"}

// Builtin reports whether the provider is one of BuiltinProviders.
func (p OAuthProvider) Builtin() bool { return slices.Contains(BuiltinProviders, p.ID) }

var providerName = regexp.MustCompile(`^[A-Za-z0-9_]{1,40}$`)

// oauth reads OAUTH_PROVIDER_NAMES (default: the built-in providers) and,
// per NAME, OAUTH_PROVIDER_<NAME>_CLIENT_ID, _CLIENT_SECRET, _TENANT_ID,
// _SCOPES and _ISSUER. A provider is on only with both id and secret; a
// listed one without them is named in a warning.
func (r *reader) oauth(logger *slog.Logger) OAuth {
	o := OAuth{
		AllowDifferentEmails: r.boolean("OAUTH_ALLOW_DIFFERENT_EMAILS"),
		SignUpEnabled:        r.boolean("OAUTH_SIGN_UP_ENABLED"),
	}
	names := splitList(r.v.GetString("OAUTH_PROVIDER_NAMES"))
	if len(names) == 0 {
		names = BuiltinProviders
	}
	var missing []string
	for _, name := range names {
		if !providerName.MatchString(name) {
			r.fail("OAUTH_PROVIDER_NAMES: %q is not a name of letters, digits and _", name)
			continue
		}
		p, ok := r.oauthProvider(name)
		if !ok {
			missing = append(missing, strings.ToLower(name))
			continue
		}
		o.Providers = append(o.Providers, p)
	}
	ids := make([]string, len(o.Providers))
	o.Trusted = nil
	for i, p := range o.Providers {
		ids[i] = p.ID
		// A generic issuer may let anyone register any address: trust it
		// only when named in OAUTH_TRUSTED_PROVIDERS.
		if p.Builtin() {
			o.Trusted = append(o.Trusted, p.ID)
		}
	}
	if raw := strings.TrimSpace(r.v.GetString("OAUTH_TRUSTED_PROVIDERS")); raw != "" {
		o.Trusted = nil
		for _, t := range splitList(raw) {
			o.Trusted = append(o.Trusted, strings.ToLower(t))
		}
	}
	if logger != nil {
		if len(missing) > 0 && len(r.v.GetString("OAUTH_PROVIDER_NAMES")) > 0 {
			logger.Warn("listed social sign-in providers lack OAUTH_PROVIDER_<NAME>_CLIENT_ID and _CLIENT_SECRET and stay off", "providers", missing)
		}
	}
	return o
}

func (r *reader) oauthProvider(name string) (OAuthProvider, bool) {
	key := "OAUTH_PROVIDER_" + strings.ToUpper(name) + "_"
	get := func(suffix string) string {
		_ = r.v.BindEnv(key + suffix)
		return strings.TrimSpace(r.v.GetString(key + suffix))
	}
	p := OAuthProvider{
		ID: strings.ToLower(name), ClientID: get("CLIENT_ID"), ClientSecret: NewSecret(get("CLIENT_SECRET")),
		TenantID: get("TENANT_ID"), Issuer: get("ISSUER"), Scopes: splitList(get("SCOPES")),
	}
	if p.ClientID == "" || !p.ClientSecret.Set() {
		return OAuthProvider{}, false
	}
	if !p.Builtin() {
		if !issuerOK(p.Issuer) {
			r.fail("%sISSUER must be the https URL of an OpenID Connect issuer (http only on loopback), got %q", key, p.Issuer)
		}
	} else if p.Issuer != "" {
		r.fail("%sISSUER is only for generic OpenID Connect providers; %s is built in", key, p.ID)
	}
	return p, true
}

// issuerOK accepts an https issuer, or http on a loopback host (tests,
// local identity providers).
func issuerOK(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return u.Scheme == "http" && (u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback()))
}

// splitList splits a comma or whitespace separated list, dropping blanks.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}
