package oauthtest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/beep/iam/infrastructure/oauth"
)

// Server is the fake identity provider. Its methods are safe for
// concurrent use.
type Server struct {
	// URL is the server's base URL.
	URL string

	srv    *httptest.Server
	closed chan struct{} // closed by Close, to release delayed answers

	mu       sync.Mutex
	now      func() time.Time
	users    map[oauth.Kind]User
	codes    map[string]*grant // by authorization code
	access   map[string]*grant // by access token
	refresh  map[string]*grant // by refresh token
	faults   map[faultKey]*Fault
	tamper   map[oauth.Kind]IDTokenOptions
	tenants  map[string]string // Microsoft tenant domain → tenant id
	requests []Request
}

// grant is one authorization: who signed in at which kind, where the
// browser went back to, the scopes asked for, and the PKCE challenge and
// nonce it must be redeemed with.
type grant struct {
	kind        oauth.Kind
	user        User
	redirectURI string
	scopes      []string
	challenge   string
	nonce       string
	used        bool
}

// New starts a fake provider that closes when the test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := NewServer()
	tb.Cleanup(s.Close)
	return s
}

// NewServer starts a fake provider; the caller must Close it.
func NewServer() *Server {
	s := &Server{
		closed: make(chan struct{}), now: time.Now,
		users: map[oauth.Kind]User{}, codes: map[string]*grant{}, access: map[string]*grant{}, refresh: map[string]*grant{},
		faults: map[faultKey]*Fault{}, tamper: map[oauth.Kind]IDTokenOptions{}, tenants: map[string]string{},
	}
	s.srv = httptest.NewServer(s.routes())
	s.URL = s.srv.URL
	return s
}

// Close stops the server, releasing any answer held by a Delay fault.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.closed:
		s.mu.Unlock()
		return
	default:
		close(s.closed)
	}
	s.mu.Unlock()
	s.srv.Close()
}

// SetClock makes the fake read the time from now (for the iat, nbf and
// exp of the id tokens it issues), to agree with a provider on a fixed
// clock.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// clock is the fake's current time.
func (s *Server) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

// ClientID is the client id the fake expects for kind ("github-client-id").
func ClientID(kind oauth.Kind) string { return string(kind) + "-client-id" }

// ClientSecret is the client secret the fake expects for kind.
func ClientSecret(kind oauth.Kind) string { return string(kind) + "-secret" }

// Issuer is the fake's generic OpenID Connect issuer.
func (s *Server) Issuer() string { return s.URL + "/oidc" }

// Authority is the fake's Microsoft authority: tokens of tenant T are
// issued by Authority()/T/v2.0.
func (s *Server) Authority() string { return s.URL + "/microsoft" }

// Endpoints are kind's URLs on the fake, for oauth.Config.Endpoints (none
// for OIDC, which discovers them from Issuer).
func (s *Server) Endpoints(kind oauth.Kind) oauth.Endpoints {
	u := s.URL
	switch kind {
	case oauth.Google:
		return oauth.Endpoints{AuthURL: u + "/google/o/oauth2/v2/auth", TokenURL: u + "/google/token", JWKSURL: u + "/google/oauth2/v3/certs"}
	case oauth.Microsoft:
		return oauth.Endpoints{Authority: s.Authority(), PhotoURL: u + "/msgraph/v1.0/me/photos/48x48/$value"}
	case oauth.GitHub:
		return oauth.Endpoints{AuthURL: u + "/github/login/oauth/authorize", TokenURL: u + "/github/login/oauth/access_token",
			UserInfoURL: u + "/github/api/user", EmailsURL: u + "/github/api/user/emails"}
	case oauth.Discord:
		return oauth.Endpoints{AuthURL: u + "/discord/api/oauth2/authorize", TokenURL: u + "/discord/api/oauth2/token",
			UserInfoURL: u + "/discord/api/users/@me"}
	case oauth.LinkedIn:
		return oauth.Endpoints{AuthURL: u + "/linkedin/oauth/v2/authorization", TokenURL: u + "/linkedin/oauth/v2/accessToken",
			UserInfoURL: u + "/linkedin/v2/userinfo"}
	case oauth.Twitter:
		return oauth.Endpoints{AuthURL: u + "/twitter/i/oauth2/authorize", TokenURL: u + "/twitter/2/oauth2/token",
			UserInfoURL: u + "/twitter/2/users/me"}
	}
	return oauth.Endpoints{}
}

// Config is an oauth.Config for kind that talks to the fake with the
// credentials it expects.
func (s *Server) Config(kind oauth.Kind) oauth.Config {
	c := oauth.Config{ClientID: ClientID(kind), ClientSecret: ClientSecret(kind), Endpoints: s.Endpoints(kind)}
	if kind == oauth.OIDC {
		c.Issuer = s.Issuer()
	}
	return c
}

// SetTenantDomain makes the Microsoft tenant domain resolve to tenantID
// in the tenant's discovery document.
func (s *Server) SetTenantDomain(domain, tenantID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tenants[domain] = tenantID
}

// routes maps each provider's URL layout under its prefix.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, kind oauth.Kind, ep Endpoint, h http.HandlerFunc) {
		mux.Handle(pattern, s.endpoint(kind, func(*http.Request) Endpoint { return ep }, h))
	}
	authorize := func(k oauth.Kind) http.HandlerFunc { return s.authorize(k) }
	token := func(k oauth.Kind) http.HandlerFunc { return s.token(k) }
	jwks := http.HandlerFunc(s.jwks)

	handle("GET /google/o/oauth2/v2/auth", oauth.Google, Authorize, authorize(oauth.Google))
	handle("POST /google/token", oauth.Google, Token, token(oauth.Google))
	handle("GET /google/oauth2/v3/certs", oauth.Google, JWKS, jwks)

	handle("GET /microsoft/{tenant}/oauth2/v2.0/authorize", oauth.Microsoft, Authorize, authorize(oauth.Microsoft))
	handle("POST /microsoft/{tenant}/oauth2/v2.0/token", oauth.Microsoft, Token, token(oauth.Microsoft))
	handle("GET /microsoft/{tenant}/discovery/v2.0/keys", oauth.Microsoft, JWKS, jwks)
	handle("GET /microsoft/{tenant}/v2.0/.well-known/openid-configuration", oauth.Microsoft, Discovery, s.microsoftDiscovery)
	handle("GET /msgraph/v1.0/me/photos/48x48/{value}", oauth.Microsoft, Photo, s.photo)

	handle("GET /github/login/oauth/authorize", oauth.GitHub, Authorize, authorize(oauth.GitHub))
	handle("POST /github/login/oauth/access_token", oauth.GitHub, Token, token(oauth.GitHub))
	handle("GET /github/api/user", oauth.GitHub, UserInfo, s.githubUser)
	handle("GET /github/api/user/emails", oauth.GitHub, Emails, s.githubEmails)

	handle("GET /discord/api/oauth2/authorize", oauth.Discord, Authorize, authorize(oauth.Discord))
	handle("POST /discord/api/oauth2/token", oauth.Discord, Token, token(oauth.Discord))
	handle("GET /discord/api/users/@me", oauth.Discord, UserInfo, s.discordUser)

	handle("GET /linkedin/oauth/v2/authorization", oauth.LinkedIn, Authorize, authorize(oauth.LinkedIn))
	handle("POST /linkedin/oauth/v2/accessToken", oauth.LinkedIn, Token, token(oauth.LinkedIn))
	handle("GET /linkedin/v2/userinfo", oauth.LinkedIn, UserInfo, s.userinfo(oauth.LinkedIn))

	handle("GET /twitter/i/oauth2/authorize", oauth.Twitter, Authorize, authorize(oauth.Twitter))
	handle("POST /twitter/2/oauth2/token", oauth.Twitter, Token, token(oauth.Twitter))
	// X's email lookup is the same URL with user.fields=confirmed_email;
	// it counts as the Emails endpoint, so it can fail on its own.
	mux.Handle("GET /twitter/2/users/me", s.endpoint(oauth.Twitter, func(r *http.Request) Endpoint {
		if wantsField(r, "confirmed_email") {
			return Emails
		}
		return UserInfo
	}, s.twitterUser))

	handle("GET /oidc/.well-known/openid-configuration", oauth.OIDC, Discovery, s.oidcDiscovery)
	handle("GET /oidc/authorize", oauth.OIDC, Authorize, authorize(oauth.OIDC))
	handle("POST /oidc/token", oauth.OIDC, Token, token(oauth.OIDC))
	handle("GET /oidc/userinfo", oauth.OIDC, UserInfo, s.userinfo(oauth.OIDC))
	handle("GET /oidc/jwks", oauth.OIDC, JWKS, jwks)
	return mux
}

// endpoint wraps a handler: it records the request, then applies the
// fault set on the endpoint, if any.
func (s *Server) endpoint(kind oauth.Kind, which func(*http.Request) Endpoint, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ep := which(r)
		s.record(kind, ep, r)
		f, ok := s.takeFault(kind, ep)
		if !ok {
			h(w, r)
			return
		}
		if f.Delay > 0 {
			t := time.NewTimer(f.Delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done():
				return
			case <-s.closed:
				return
			}
		}
		switch {
		case f.Status != 0:
			code := f.Error
			if code == "" {
				code = "server_error"
			}
			writeJSON(w, f.Status, map[string]any{"error": code, "error_description": f.Description})
		case f.Error != "" && (ep == Authorize || ep == Token):
			h(w, r.WithContext(context.WithValue(r.Context(), injectedKey{}, f)))
		case f.Error != "":
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": f.Error, "error_description": f.Description})
		default:
			h(w, r)
		}
	})
}

// injectedKey carries an OAuth error fault to the endpoint's handler.
type injectedKey struct{}

// injected is the OAuth error fault the endpoint should answer with.
func injected(r *http.Request) (Fault, bool) {
	f, ok := r.Context().Value(injectedKey{}).(Fault)
	return f, ok
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// randomToken is a fresh opaque value with a readable prefix.
func randomToken(prefix string) string {
	return prefix + "-" + rand.Text()
}
