package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/beep/iam/application/authn"
	"golang.org/x/oauth2"
)

// core is what every provider shares: its id, client credentials, HTTP
// clients and clock, and the OAuth 2.0 requests of x/oauth2.
type core struct {
	id           string
	clientID     string
	clientSecret string
	// basicAuth sends the client credentials in an Authorization: Basic
	// header (X); every other provider gets them in the form body, as
	// better-auth sends them (client_secret_post).
	basicAuth bool
	http      clients
	now       func() time.Time
}

func newCore(id string, cfg Config, o options) core {
	return core{id: id, clientID: cfg.ClientID, clientSecret: cfg.ClientSecret, http: newClients(o.client), now: o.now}
}

// ID is the provider id.
func (c *core) ID() string { return c.id }

func (c *core) endpoint(authURL, tokenURL string) oauth2.Endpoint {
	style := oauth2.AuthStyleInParams
	if c.basicAuth {
		style = oauth2.AuthStyleInHeader
	}
	return oauth2.Endpoint{AuthURL: authURL, TokenURL: tokenURL, AuthStyle: style}
}

// authCodeURL builds the authorization URL: response_type, client_id,
// state, scope (space separated), redirect_uri, the S256 challenge of
// verifier when pkce is on and a verifier was given, then extra.
func (c *core) authCodeURL(authURL string, req authn.AuthorizationRequest, scopes []string, pkce bool, extra ...oauth2.AuthCodeOption) (string, error) {
	if req.State == "" || req.RedirectURI == "" {
		return "", errors.New("oauth: authorization request without state or redirect uri")
	}
	cfg := &oauth2.Config{ClientID: c.clientID, Endpoint: c.endpoint(authURL, ""), RedirectURL: req.RedirectURI, Scopes: scopes}
	if pkce && req.CodeVerifier != "" {
		extra = append(extra, oauth2.S256ChallengeOption(req.CodeVerifier))
	}
	return cfg.AuthCodeURL(req.State, extra...), nil
}

// exchange trades code for tokens at tokenURL, sending code_verifier when
// pkce is on and one was given.
func (c *core) exchange(ctx context.Context, tokenURL, code, verifier, redirectURI string, pkce bool) (authn.OAuthTokens, error) {
	const op = "token exchange"
	if code == "" {
		return authn.OAuthTokens{}, rejected(op, errors.New("no code"))
	}
	cfg := &oauth2.Config{ClientID: c.clientID, ClientSecret: c.clientSecret, Endpoint: c.endpoint("", tokenURL), RedirectURL: redirectURI}
	var opts []oauth2.AuthCodeOption
	if pkce && verifier != "" {
		opts = append(opts, oauth2.VerifierOption(verifier))
	}
	tok, err := cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, c.http.token), code, opts...)
	if err != nil {
		return authn.OAuthTokens{}, tokenError(op, err)
	}
	return c.tokens(tok), nil
}

// refresh trades a refresh token for new tokens at tokenURL, adding extra
// to the form.
func (c *core) refresh(ctx context.Context, tokenURL, refreshToken string, extra url.Values) (authn.OAuthTokens, error) {
	const op = "token refresh"
	if refreshToken == "" {
		return authn.OAuthTokens{}, rejected(op, errors.New("no refresh token"))
	}
	client := c.http.token
	if len(extra) > 0 {
		client = derive(client, func(rt http.RoundTripper) http.RoundTripper { return formParams{base: rt, extra: extra} })
	}
	cfg := &oauth2.Config{ClientID: c.clientID, ClientSecret: c.clientSecret, Endpoint: c.endpoint("", tokenURL)}
	tok, err := cfg.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, client), &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return authn.OAuthTokens{}, tokenError(op, err)
	}
	return c.tokens(tok), nil
}

// tokens reads a token response as better-auth's getOAuth2Tokens does:
// expiries are now + expires_in and now + refresh_token_expires_in, and
// scope is split on spaces and commas (GitHub and LinkedIn use commas).
// When a refresh answer carries no new refresh token, x/oauth2 keeps the
// one that was sent.
func (c *core) tokens(t *oauth2.Token) authn.OAuthTokens {
	now := c.now()
	out := authn.OAuthTokens{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken}
	if s, ok := t.Extra("id_token").(string); ok {
		out.IDToken = s
	}
	if n := seconds(t.Extra("expires_in")); n > 0 {
		out.AccessTokenExpiresAt = now.Add(time.Duration(n) * time.Second)
	}
	if n := seconds(t.Extra("refresh_token_expires_in")); n > 0 {
		out.RefreshTokenExpiresAt = now.Add(time.Duration(n) * time.Second)
	}
	out.Scopes = scopes(t.Extra("scope"))
	return out
}

// seconds reads a JSON or form number of seconds.
func seconds(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case int64:
		return n
	case json.Number:
		i, _ := strconv.ParseFloat(string(n), 64)
		return int64(i)
	case string:
		i, _ := strconv.ParseFloat(strings.TrimSpace(n), 64)
		return int64(i)
	}
	return 0
}

// scopes splits a scope field: a string separated by spaces or commas, or
// a JSON array of strings.
func scopes(v any) []string {
	var out []string
	add := func(s string) {
		out = append(out, strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })...)
	}
	switch s := v.(type) {
	case string:
		add(s)
	case []any:
		for _, e := range s {
			if str, ok := e.(string); ok {
				add(str)
			}
		}
	}
	return out
}

// joinScopes appends lists in order, as better-auth builds scope lists.
func joinScopes(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// str reads a string field of a decoded JSON object ("" when absent or
// not a string).
func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// idString reads an id that may be a JSON string or number.
func idString(m map[string]any, key string) string {
	switch v := m[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// truthy is better-auth's parseStringBoolean: true or "true".
func truthy(v any) bool {
	b, ok := v.(bool)
	return (ok && b) || v == "true"
}
