// Package emailtoken issues and checks the stateless email-verification
// tokens of Beep IAM in better-auth 1.7.25's format, so a link mailed by
// either server verifies on the other and links in flight survive the
// switch: an HS256 JWT keyed by the raw server secret, with the protected
// header exactly {"alg":"HS256"} and the claims email (lower-cased),
// userId, optionally updateTo and requestType (email change), iat and exp.
//
// Secrets rotate as sessions do: the first secret signs, every secret
// verifies. Only HS256 is accepted, so "alg":"none" and public-key
// algorithms (the classic key-confusion attacks) never verify.
package emailtoken

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
	"github.com/golang-jwt/jwt/v5"
)

// maxTokenLength bounds what Parse decodes. Our tokens are a few hundred
// bytes; anything far longer is not one of them and is refused before any
// base64 or JSON work.
const maxTokenLength = 8 << 10

// claims is the JWT payload, with better-auth's claim names in the order
// its createEmailVerificationToken writes them (email, updateTo, then the
// extra payload requestType and userId, then jose's iat and exp), so for
// the same inputs and instant both servers mint byte-identical tokens
// (Go's JSON escapes <, > and & where JavaScript's does not; addresses
// cannot hold them and ids do not).
// nbf is never written but, as jose does, honoured when present.
type claims struct {
	Email       string           `json:"email"`
	UpdateTo    string           `json:"updateTo,omitempty"`
	RequestType string           `json:"requestType,omitempty"`
	UserID      string           `json:"userId"`
	IssuedAt    *jwt.NumericDate `json:"iat,omitempty"`
	ExpiresAt   *jwt.NumericDate `json:"exp,omitempty"`
	NotBefore   *jwt.NumericDate `json:"nbf,omitempty"`
}

var _ jwt.Claims = (*claims)(nil)

// The jwt.Claims methods let the parser validate exp and nbf. Issuer,
// subject and audience are not part of the format and are never checked.

func (c *claims) GetExpirationTime() (*jwt.NumericDate, error) { return c.ExpiresAt, nil }
func (c *claims) GetIssuedAt() (*jwt.NumericDate, error)       { return c.IssuedAt, nil }
func (c *claims) GetNotBefore() (*jwt.NumericDate, error)      { return c.NotBefore, nil }
func (c *claims) GetIssuer() (string, error)                   { return "", nil }
func (c *claims) GetSubject() (string, error)                  { return "", nil }
func (c *claims) GetAudience() (jwt.ClaimStrings, error)       { return nil, nil }

// Tokens is the authn.EmailTokens of Beep IAM. It is safe for concurrent
// use.
type Tokens struct {
	signing   []byte
	verifying jwt.VerificationKeySet
	now       func() time.Time
	parser    *jwt.Parser
}

var _ authn.EmailTokens = (*Tokens)(nil)

// New returns Tokens that sign with secrets[0] and verify with any of
// secrets, reading the time from now (time.Now when nil). The secrets are
// used as raw bytes, as better-auth uses the UTF-8 of its secret string.
// New panics when secrets is empty or holds an empty secret: a token keyed
// by nothing would be forgeable, and configuration is validated before
// this is reached.
func New(secrets [][]byte, now func() time.Time) *Tokens {
	if len(secrets) == 0 {
		panic("emailtoken: no secrets")
	}
	if now == nil {
		now = time.Now
	}
	t := &Tokens{now: now}
	for i, s := range secrets {
		if len(s) == 0 {
			panic(fmt.Sprintf("emailtoken: secret %d is empty", i))
		}
		// Copied, so a caller reusing its slices cannot change our keys.
		key := append([]byte(nil), s...)
		if i == 0 {
			t.signing = key
		}
		t.verifying.Keys = append(t.verifying.Keys, key)
	}
	t.parser = jwt.NewParser(
		// jose's jwtVerify in better-auth's verify-email pins HS256 too;
		// anything else, "none" included, fails before a key is tried.
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithTimeFunc(now),
		// Both servers always set exp; a token without one would be
		// valid forever, so it is not one of ours.
		jwt.WithExpirationRequired(),
	)
	return t
}

// Issue implements authn.EmailTokens. iat is the current second and exp
// iat + ttl (whole seconds), as better-auth's signJWT sets them. Email and
// UserID are required: Parse refuses a token without them.
func (t *Tokens) Issue(c authn.EmailClaims, ttl time.Duration) (string, error) {
	if c.Email == "" || c.UserID == "" {
		return "", errors.New("emailtoken: issue: email and user id are required")
	}
	if ttl < time.Second {
		return "", fmt.Errorf("emailtoken: issue: ttl %v is shorter than the one-second resolution of exp", ttl)
	}
	iat := t.now().Truncate(time.Second)
	payload := claims{
		// better-auth lower-cases both addresses before signing and
		// compares the lower-cased form on use; identity.Email is already
		// canonical, this keeps the token right even if it were not.
		Email:       strings.ToLower(string(c.Email)),
		UpdateTo:    strings.ToLower(string(c.UpdateTo)),
		RequestType: c.RequestType,
		UserID:      string(c.UserID),
		IssuedAt:    jwt.NewNumericDate(iat),
		ExpiresAt:   jwt.NewNumericDate(iat.Add(ttl)),
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, &payload)
	// jose's SignJWT().setProtectedHeader({alg: "HS256"}) writes no typ;
	// byte-identical headers keep our tokens indistinguishable from
	// better-auth's.
	delete(tok.Header, "typ")
	signed, err := tok.SignedString(t.signing)
	if err != nil {
		return "", fmt.Errorf("emailtoken: issue: %w", err)
	}
	return signed, nil
}

// Parse implements authn.EmailTokens: authn.ErrTokenExpired for a genuine
// token past its exp, authn.ErrInvalidToken for everything else (bad
// signature under every secret, another algorithm, malformed, no email or
// userId, an address that is not one). The returned error keeps the cause
// for logs; errors.Is matches the sentinel.
func (t *Tokens) Parse(token string) (authn.EmailClaims, error) {
	if len(token) > maxTokenLength {
		return authn.EmailClaims{}, authn.ErrInvalidToken
	}
	var c claims
	_, err := t.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.verifying, nil })
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		// jwt checks the signature before the claims, so an expired token
		// is a genuine one that is merely old (the caller offers a new
		// link); a forged one is invalid whatever its exp says.
		return authn.EmailClaims{}, authn.ErrTokenExpired.WithCause(err)
	case err != nil:
		return authn.EmailClaims{}, authn.ErrInvalidToken.WithCause(err)
	}
	// better-auth 1.7.25 binds every token it mails to the user (userId),
	// and checks the address with zod's z.email(), whose grammar
	// identity.ParseEmail shares.
	if c.UserID == "" {
		return authn.EmailClaims{}, authn.ErrInvalidToken.WithCause(errors.New("no userId claim"))
	}
	email, err := identity.ParseEmail(c.Email)
	if err != nil {
		return authn.EmailClaims{}, authn.ErrInvalidToken.WithCause(fmt.Errorf("email claim: %w", err))
	}
	out := authn.EmailClaims{Email: email, UserID: identity.UserID(c.UserID), RequestType: c.RequestType}
	if c.UpdateTo != "" {
		if out.UpdateTo, err = identity.ParseEmail(c.UpdateTo); err != nil {
			return authn.EmailClaims{}, authn.ErrInvalidToken.WithCause(fmt.Errorf("updateTo claim: %w", err))
		}
	}
	return out, nil
}
