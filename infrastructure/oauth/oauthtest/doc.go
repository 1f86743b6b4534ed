// Package oauthtest is a fake identity provider for tests: one real HTTP
// server (httptest) that impersonates every provider kind of package oauth
// at once — Google, Microsoft Entra ID, GitHub, Discord, LinkedIn, X and a
// generic OpenID Connect issuer — under a path prefix per kind, with each
// provider's URL layout, request rules and answer shapes.
//
// It is strict where a real provider is, so tests catch a wrong request:
//   - /authorize checks client_id, redirect_uri and response_type, requires
//     an S256 PKCE challenge from the kinds better-auth sends one for
//     (all but Discord and LinkedIn), records state, nonce and challenge,
//     and redirects back with a code and the state (or an error on demand);
//   - the token endpoint checks the client authentication each kind uses
//     (HTTP Basic for X, client_id and client_secret in the body for the
//     others, and refuses the other method), that the code is used once,
//     the redirect_uri is the authorize request's, and the code_verifier
//     matches the challenge (and that none is sent without one); it also
//     serves the refresh_token grant. It answers errors as each provider
//     does: GitHub with 200 {"error":…}, the others with 400/401;
//   - the user endpoints (GitHub /user and /user/emails, Discord
//     /users/@me, X /2/users/me, LinkedIn and OIDC /userinfo, the Graph
//     photo) check the bearer token and answer in the provider's shape;
//   - Google, Microsoft and the OIDC issuer sign RS256 id tokens with a key
//     the fake's JWKS serves, and serve discovery documents.
//
// Tests shape what it does: SetUser picks who signs in, Fail injects a
// fault on one endpoint (an HTTP status, an OAuth error such as
// access_denied, or a delay for timeout tests), SetIDTokenOptions tampers
// with the id tokens it issues (claims, a foreign key, alg none), IDToken
// mints one directly, and Requests returns every request it received, so
// tests can assert the exact request shape.
//
// Typical use, from any package's tests:
//
//	fake := oauthtest.New(t)
//	p, _ := oauth.New("github", oauth.GitHub, fake.Config(oauth.GitHub))
//	u, _ := p.AuthorizationURL(authn.AuthorizationRequest{State: "s", RedirectURI: cb, CodeVerifier: v})
//	back, _ := fake.Authorize(u)           // plays the browser: the redirect to cb
//	tokens, _ := p.Exchange(ctx, back.Code, v, cb)
//	token := fake.RequestsTo(oauth.GitHub, oauthtest.Token)[0]
//
// A whole-server test configures the server's providers with Config (or
// builds the registry itself), follows the authorization URL the server
// returns with Authorize, and GETs the callback URL it gets back.
package oauthtest
