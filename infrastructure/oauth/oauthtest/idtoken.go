package oauthtest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/beep/iam/infrastructure/oauth"
	jose "github.com/go-jose/go-jose/v4"
)

// KeyID is the kid of the fake's signing key (and of the foreign key,
// which pretends to be it).
const KeyID = "oauthtest-key-1"

// Signer is how an id token is signed.
type Signer int

// The signers.
const (
	// SignValid signs RS256 with the key the fake's JWKS serves.
	SignValid Signer = iota
	// SignForeignKey signs RS256 with another key under the same kid.
	SignForeignKey
	// SignNone writes an unsigned token with "alg":"none".
	SignNone
)

// IDTokenOptions tamper with id tokens, for fault tests.
type IDTokenOptions struct {
	Signer Signer
	// Claims are merged over the standard claims; a nil value removes
	// the claim (e.g. {"aud": "someone-else"}, {"exp": <past>},
	// {"nonce": nil}).
	Claims map[string]any
}

// keys are generated once per test binary: RSA generation is slow, and a
// fake key needs no freshness.
var keys = sync.OnceValues(func() (*rsa.PrivateKey, *rsa.PrivateKey) {
	gen := func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic("oauthtest: generate key: " + err.Error())
		}
		return k
	}
	return gen(), gen()
})

// SetIDTokenOptions tampers with the id tokens kind's token endpoint
// issues from now on; the zero options restore honest tokens.
func (s *Server) SetIDTokenOptions(kind oauth.Kind, opts IDTokenOptions) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tamper[kind] = opts
}

// IDToken mints an id token of kind for u, as the token endpoint would
// (nonce is left out when ""), then applies opts.
func (s *Server) IDToken(kind oauth.Kind, u User, nonce string, opts IDTokenOptions) string {
	claims := merge(merge(s.standardClaims(kind, u, nonce), u.Claims), opts.Claims)
	return sign(claims, opts.Signer)
}

// mintFor mints the id token of a grant at the token endpoint.
func (s *Server) mintFor(g *grant) string {
	s.mu.Lock()
	opts := s.tamper[g.kind]
	s.mu.Unlock()
	return s.IDToken(g.kind, g.user, g.nonce, opts)
}

// standardClaims are the claims kind's real id tokens carry.
func (s *Server) standardClaims(kind oauth.Kind, u User, nonce string) map[string]any {
	now := s.clock()
	c := map[string]any{"aud": ClientID(kind), "sub": u.ID, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "name": u.Name}
	if nonce != "" {
		c["nonce"] = nonce
	}
	switch kind {
	case oauth.Google:
		c["iss"], c["azp"], c["picture"] = "https://accounts.google.com", ClientID(kind), u.Picture
		if u.Email != "" {
			c["email"], c["email_verified"] = u.Email, u.EmailVerified
		}
	case oauth.Microsoft:
		tid := u.TenantID
		if tid == "" {
			tid = DefaultTenantID
		}
		c["iss"], c["tid"], c["oid"], c["sub"], c["ver"] = s.Authority()+"/"+tid+"/v2.0", tid, u.ID, "sub-"+u.ID, "2.0"
		c["nbf"] = now.Unix()
		if u.Email != "" {
			// Entra ID sends no email_verified; better-auth reads the
			// verified_primary_email list instead.
			c["email"], c["preferred_username"] = u.Email, u.Email
			if u.EmailVerified {
				c["verified_primary_email"] = []string{u.Email}
			}
		}
	default:
		c["iss"], c["picture"] = s.Issuer(), u.Picture
		if u.Email != "" {
			c["email"], c["email_verified"] = u.Email, u.EmailVerified
		}
	}
	return c
}

// sign serializes claims as a compact JWT.
func sign(claims map[string]any, how Signer) string {
	payload, err := json.Marshal(claims)
	if err != nil {
		panic("oauthtest: marshal claims: " + err.Error())
	}
	if how == SignNone {
		enc := base64.RawURLEncoding.EncodeToString
		return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(payload) + "."
	}
	key, foreign := keys()
	if how == SignForeignKey {
		key = foreign
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: KeyID, Algorithm: string(jose.RS256)}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		panic("oauthtest: signer: " + err.Error())
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		panic("oauthtest: sign: " + err.Error())
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		panic("oauthtest: serialize: " + err.Error())
	}
	return out
}

// jwks serves the public half of the fake's signing key.
func (s *Server) jwks(w http.ResponseWriter, _ *http.Request) {
	key, _ := keys()
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &key.PublicKey, KeyID: KeyID, Algorithm: string(jose.RS256), Use: "sig"},
	}})
}
