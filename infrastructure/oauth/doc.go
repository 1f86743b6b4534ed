// Package oauth holds Beep IAM's identity-provider adapters: one
// authn.OAuthProvider per provider kind (Google, Microsoft Entra ID, GitHub,
// Discord, LinkedIn, X/Twitter, and any OpenID Connect issuer), speaking
// each provider's protocol the way better-auth 1.7.25 does on the wire
// (e2e/oracle/SOCIAL.md): the same authorization URL parameters, PKCE for
// the same providers, client_secret_post everywhere but X (HTTP Basic), the
// same user-info calls and account ids.
//
// The OAuth 2.0 mechanics are golang.org/x/oauth2's; id tokens are verified
// by github.com/coreos/go-oidc/v3 (signature against the provider's JWKS,
// issuer, audience, expiry), to which this package adds what go-oidc leaves
// to its caller: the nonce, the required iat, Google's and Microsoft's one
// hour maximum token age, and Microsoft's per-tenant issuer.
//
// Where Beep is stricter than better-auth it says so: Google and Microsoft
// id tokens from the code flow are verified, not just decoded, and a
// transient failure of X's or GitHub's email lookup fails the sign-in
// instead of silently creating an account without the address.
//
// # Errors
//
// Every method returns one of three kinds of failure, each wrapping a
// cause that names the step and never carries a token:
//   - authn.ErrProviderRejected: the provider said no (an OAuth error answer,
//     GitHub's 200 {"error":…}, a 3xx or 4xx);
//   - authn.ErrInvalidIDToken: an id token that does not verify;
//   - a failure.Unavailable error: the provider is unreachable, slow past
//     the client's timeout, answered 5xx, or answered something unusable.
//
// # HTTP
//
// Providers share one *http.Client (WithHTTPClient; by default one with a
// 10 s timeout). Each provider derives its own from it that never follows
// redirects, sends no cookies, bounds every response body to 1 MiB, and
// turns a 5xx answer into a transport error, so go-oidc's key fetches are
// classified like everything else.
//
// # Building providers
//
// New builds one provider from its id, kind and Config; KindOf maps a
// configured provider id to its kind (a built-in name, or OIDC for any
// other id); Build and NewRegistry assemble the authn.OAuthProviders the
// use cases take. Generic OpenID Connect providers discover their issuer
// lazily (see OIDC), so an issuer that is down at start-up does not stop
// the server.
package oauth
