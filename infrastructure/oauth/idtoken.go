package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// clockSkew is the tolerance on iat, as better-auth's 30 s.
const clockSkew = 30 * time.Second

// idTokenVerifier checks id tokens with go-oidc (signature against a
// remote JWKS, issuer, audience, expiry, allowed algorithms) and adds the
// checks go-oidc leaves to its caller.
type idTokenVerifier struct {
	verifier *oidc.IDTokenVerifier
	// maxAge bounds now - iat (0: unbounded).
	maxAge time.Duration
	now    func() time.Time
}

// verifiedToken is an id token that passed every check, with its claims.
type verifiedToken struct {
	*oidc.IDToken
	Claims map[string]any
}

// newIDTokenVerifier verifies tokens of issuer (skipped when issuer is ""
// and the caller checks it) for clientID, signed with one of algs
// (RS256 when none), with keys from jwksURL fetched through client.
func newIDTokenVerifier(client *http.Client, jwksURL, issuer, clientID string, algs []string, maxAge time.Duration, now func() time.Time) *idTokenVerifier {
	keys := oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), client), jwksURL)
	cfg := &oidc.Config{ClientID: clientID, SupportedSigningAlgs: algs, SkipIssuerCheck: issuer == "", Now: now}
	return &idTokenVerifier{verifier: oidc.NewVerifier(issuer, probedKeySet{keys}, cfg), maxAge: maxAge, now: now}
}

// verify checks raw: go-oidc's checks, a subject, an iat that is not in
// the future and (with maxAge) not too old, and the nonce when nonce is
// not "". A key set that cannot be fetched is Unavailable; every other
// failure is ErrInvalidIDToken.
func (v *idTokenVerifier) verify(ctx context.Context, raw, nonce string) (verifiedToken, error) {
	probe := &keySetProbe{}
	tok, err := v.verifier.Verify(context.WithValue(ctx, keySetProbeKey{}, probe), raw)
	if err != nil {
		if probe.err != nil && unreachable(probe.err) {
			return verifiedToken{}, unavailable("fetch id token keys", probe.err)
		}
		return verifiedToken{}, invalidIDToken(err)
	}
	now := v.now()
	switch {
	case tok.Subject == "":
		return verifiedToken{}, invalidIDToken(errors.New("id token has no sub"))
	case tok.IssuedAt.IsZero():
		return verifiedToken{}, invalidIDToken(errors.New("id token has no iat"))
	case tok.IssuedAt.After(now.Add(clockSkew)):
		return verifiedToken{}, invalidIDToken(errors.New("id token issued in the future"))
	case v.maxAge > 0 && now.Sub(tok.IssuedAt) > v.maxAge+clockSkew:
		return verifiedToken{}, invalidIDToken(fmt.Errorf("id token older than %s", v.maxAge))
	case nonce != "" && tok.Nonce != nonce:
		return verifiedToken{}, invalidIDToken(errors.New("id token nonce does not match"))
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return verifiedToken{}, invalidIDToken(err)
	}
	return verifiedToken{IDToken: tok, Claims: claims}, nil
}

// keySetProbe receives the key set's own error: go-oidc flattens it with
// %v, which would hide that the keys could not be fetched at all.
type keySetProbe struct{ err error }

type keySetProbeKey struct{}

// probedKeySet is a go-oidc key set that reports its failures to the
// probe in the context. It does no verification of its own.
type probedKeySet struct{ oidc.KeySet }

func (k probedKeySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	payload, err := k.KeySet.VerifySignature(ctx, jwt)
	if err != nil {
		if p, ok := ctx.Value(keySetProbeKey{}).(*keySetProbe); ok {
			p.err = err
		}
	}
	return payload, err
}
