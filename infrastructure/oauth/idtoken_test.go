package oauth_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/infrastructure/oauth"
	"github.com/beep/iam/infrastructure/oauth/oauthtest"
)

// TestVerifyIDToken checks id-token sign-in for the kinds that support it
// (google, microsoft, generic OIDC) against tokens the fake mints: an
// honest token verifies; every tampered one is ErrInvalidIDToken.
func TestVerifyIDToken(t *testing.T) {
	t.Parallel()
	past := fixedNow.Add(-2 * time.Hour)
	cases := []struct {
		name string
		// opts tamper with the token; nonce is the one the token carries
		// and check the one VerifyIDToken is given.
		opts         oauthtest.IDTokenOptions
		nonce, check string
		ok           bool
		// onlyFor limits the case to one kind (0: every kind).
		onlyFor oauth.Kind
	}{
		{name: "honest", ok: true},
		{name: "honest with the nonce", nonce: "n-1", check: "n-1", ok: true},
		{name: "a nonce in the token and none asked for", nonce: "n-1", ok: true},
		{name: "another nonce", nonce: "n-1", check: "n-2"},
		{name: "no nonce but one asked for", check: "n-1"},
		{name: "another audience", opts: claims("aud", "someone-else")},
		{name: "an audience list without us", opts: claims("aud", []string{"a", "b"})},
		{name: "another issuer", opts: claims("iss", "https://evil.example")},
		{name: "expired", opts: claims("exp", fixedNow.Add(-time.Minute).Unix(), "iat", past.Unix())},
		{name: "no iat", opts: claims("iat", nil)},
		{name: "iat in the future", opts: claims("iat", fixedNow.Add(time.Hour).Unix())},
		{name: "no sub", opts: claims("sub", nil)},
		{name: "signed by a foreign key", opts: oauthtest.IDTokenOptions{Signer: oauthtest.SignForeignKey}},
		{name: "alg none", opts: oauthtest.IDTokenOptions{Signer: oauthtest.SignNone}},
		{name: "google: older than an hour", onlyFor: oauth.Google, opts: claims("iat", past.Unix())},
		{name: "microsoft: older than an hour", onlyFor: oauth.Microsoft, opts: claims("iat", past.Unix())},
		{name: "generic: no maximum age", onlyFor: oauth.OIDC, opts: claims("iat", past.Unix()), ok: true},
		{name: "google: the scheme-less issuer", onlyFor: oauth.Google, opts: claims("iss", "accounts.google.com"), ok: true},
		{name: "microsoft: no oid", onlyFor: oauth.Microsoft, opts: claims("oid", nil)},
		{name: "microsoft: no tid", onlyFor: oauth.Microsoft, opts: claims("tid", nil)},
		{name: "microsoft: the v1 issuer", onlyFor: oauth.Microsoft, opts: claims("iss", "https://sts.windows.net/"+oauthtest.DefaultTenantID+"/")},
	}
	for _, kind := range []oauth.Kind{oauth.Google, oauth.Microsoft, oauth.OIDC} {
		for _, tc := range cases {
			if tc.onlyFor != "" && tc.onlyFor != kind {
				continue
			}
			t.Run(string(kind)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				fake := newFake(t)
				p := newProvider(t, fake, kind, nil)
				token := fake.IDToken(kind, oauthtest.DefaultUser(kind), tc.nonce, tc.opts)
				got, err := p.VerifyIDToken(context.Background(), token, tc.check)
				if tc.ok {
					if err != nil {
						t.Fatalf("VerifyIDToken: %v", err)
					}
					if want := oauthtest.DefaultUser(kind).ID; got.AccountID != want || got.Email != "ada@example.com" {
						t.Errorf("VerifyIDToken = %+v, want account %q and ada@example.com", got, want)
					}
					return
				}
				invalidIDTokenErr.check(t, "VerifyIDToken", err)
			})
		}
	}
}

// TestVerifyIDTokenGarbage checks that what is not a JWT is refused.
func TestVerifyIDTokenGarbage(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	for _, kind := range []oauth.Kind{oauth.Google, oauth.Microsoft, oauth.OIDC} {
		for _, token := range []string{"", "not-a-jwt", "a.b.c"} {
			_, err := newProvider(t, fake, kind, nil).VerifyIDToken(context.Background(), token, "")
			invalidIDTokenErr.check(t, string(kind)+" VerifyIDToken("+token+")", err)
		}
	}
}

// TestMicrosoftIssuerOfAnotherTenant checks that a token of tenant A
// claiming tenant B's issuer is refused, whatever the configured tenant:
// the issuer must name the token's own tid.
func TestMicrosoftIssuerOfAnotherTenant(t *testing.T) {
	t.Parallel()
	for _, tenant := range []string{"common", "organizations", tenantA, tenantB} {
		t.Run(tenant, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			p := newProvider(t, fake, oauth.Microsoft, func(c *oauth.Config) { c.Tenant = tenant })
			u := oauthtest.DefaultUser(oauth.Microsoft)
			u.TenantID = tenantA
			forged := claims("iss", fake.Authority()+"/"+tenantB+"/v2.0")
			_, err := p.VerifyIDToken(context.Background(), fake.IDToken(oauth.Microsoft, u, "", forged), "")
			invalidIDTokenErr.check(t, "VerifyIDToken", err)

			fake.SetUser(oauth.Microsoft, u)
			fake.SetIDTokenOptions(oauth.Microsoft, forged)
			_, err = p.UserInfo(context.Background(), signIn(t, fake, p, oauth.Microsoft), nonce)
			invalidIDTokenErr.check(t, "UserInfo", err)
		})
	}
}

const (
	tenantA = "aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa"
	tenantB = "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb"
)

// claims builds options that override claims, in key, value pairs.
func claims(kv ...any) oauthtest.IDTokenOptions {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return oauthtest.IDTokenOptions{Claims: m}
}

// TestMicrosoftTenants checks the tenant binding: the multi-tenant names
// admit their account classes, a tenant id or domain only its own tenant.
func TestMicrosoftTenants(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, tenant, tid string
		ok                bool
	}{
		{"common takes any tenant", "common", tenantA, true},
		{"common takes personal accounts", "common", oauthtest.ConsumerTenantID, true},
		{"organizations takes work accounts", "organizations", tenantA, true},
		{"organizations refuses personal accounts", "organizations", oauthtest.ConsumerTenantID, false},
		{"consumers takes personal accounts", "consumers", oauthtest.ConsumerTenantID, true},
		{"consumers refuses work accounts", "consumers", tenantA, false},
		{"a tenant id takes its own tenant", tenantA, tenantA, true},
		{"a tenant id in capitals takes its own tenant", "AAAAAAAA-1111-4111-8111-AAAAAAAAAAAA", tenantA, true},
		{"a tenant id refuses another tenant", tenantA, tenantB, false},
		{"a tenant domain takes its tenant", "contoso.onmicrosoft.com", tenantA, true},
		{"a tenant domain refuses another tenant", "contoso.onmicrosoft.com", tenantB, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			fake.SetTenantDomain("contoso.onmicrosoft.com", tenantA)
			p := newProvider(t, fake, oauth.Microsoft, func(c *oauth.Config) { c.Tenant = tc.tenant })
			u := oauthtest.DefaultUser(oauth.Microsoft)
			u.TenantID = tc.tid
			fake.SetUser(oauth.Microsoft, u)

			// Through the code flow and through id-token sign-in.
			_, flowErr := p.UserInfo(context.Background(), signIn(t, fake, p, oauth.Microsoft), nonce)
			_, verifyErr := p.VerifyIDToken(context.Background(), fake.IDToken(oauth.Microsoft, u, "", oauthtest.IDTokenOptions{}), "")
			for call, err := range map[string]error{"UserInfo": flowErr, "VerifyIDToken": verifyErr} {
				if tc.ok && err != nil {
					t.Errorf("%s on tenant %s for tid %s: %v", call, tc.tenant, tc.tid, err)
				}
				if !tc.ok {
					invalidIDTokenErr.check(t, call, err)
				}
			}
		})
	}
}

// TestMicrosoftUnknownTenantDomain checks that a domain whose discovery
// fails leaves sign-in unavailable, not accepted.
func TestMicrosoftUnknownTenantDomain(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	p := newProvider(t, fake, oauth.Microsoft, func(c *oauth.Config) { c.Tenant = "unknown.example" })
	_, err := p.VerifyIDToken(context.Background(), fake.IDToken(oauth.Microsoft, oauthtest.DefaultUser(oauth.Microsoft), "", oauthtest.IDTokenOptions{}), "")
	unavailableErr.check(t, "VerifyIDToken on an unknown tenant domain", err)
}

// TestTamperedIDTokenInTheCodeFlow checks that UserInfo verifies the id
// token of the token response, for each kind that has one.
func TestTamperedIDTokenInTheCodeFlow(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		kind  oauth.Kind
		opts  oauthtest.IDTokenOptions
		nonce string
	}{
		{"google: another audience", oauth.Google, claims("aud", "someone-else"), nonce},
		{"google: a foreign key", oauth.Google, oauthtest.IDTokenOptions{Signer: oauthtest.SignForeignKey}, nonce},
		{"microsoft: alg none", oauth.Microsoft, oauthtest.IDTokenOptions{Signer: oauthtest.SignNone}, nonce},
		{"microsoft: expired", oauth.Microsoft, claims("exp", fixedNow.Add(-time.Second).Unix()), nonce},
		{"generic: another nonce", oauth.OIDC, claims("nonce", "n-other"), nonce},
		{"generic: no nonce in the token", oauth.OIDC, claims("nonce", nil), nonce},
		{"generic: no nonce to check against", oauth.OIDC, oauthtest.IDTokenOptions{}, ""},
		{"generic: another issuer", oauth.OIDC, claims("iss", "https://evil.example"), nonce},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			fake.SetIDTokenOptions(tc.kind, tc.opts)
			p := newProvider(t, fake, tc.kind, nil)
			_, err := p.UserInfo(context.Background(), signIn(t, fake, p, tc.kind), tc.nonce)
			invalidIDTokenErr.check(t, "UserInfo", err)
		})
	}

	t.Run("generic: userinfo of another subject", func(t *testing.T) {
		t.Parallel()
		fake := newFake(t)
		u := oauthtest.DefaultUser(oauth.OIDC)
		u.Claims = map[string]any{"email": nil}
		u.Profile = map[string]any{"sub": "someone-else"}
		fake.SetUser(oauth.OIDC, u)
		p := newProvider(t, fake, oauth.OIDC, nil)
		_, err := p.UserInfo(context.Background(), signIn(t, fake, p, oauth.OIDC), nonce)
		invalidIDTokenErr.check(t, "UserInfo", err)
	})
}

// TestKeysUnavailable checks that a JWKS that cannot be fetched is an
// outage, not a bad token.
func TestKeysUnavailable(t *testing.T) {
	t.Parallel()
	for _, kind := range []oauth.Kind{oauth.Google, oauth.Microsoft, oauth.OIDC} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			p := newProvider(t, fake, kind, nil)
			tokens := signIn(t, fake, p, kind) // discovers the generic issuer first
			fake.Fail(kind, oauthtest.JWKS, oauthtest.Fault{Status: http.StatusServiceUnavailable})
			_, err := p.UserInfo(context.Background(), tokens, nonce)
			unavailableErr.check(t, "UserInfo with the JWKS down", err)

			fake.Heal(kind, oauthtest.JWKS)
			if _, err := p.UserInfo(context.Background(), tokens, nonce); err != nil {
				t.Errorf("UserInfo once the JWKS is back: %v", err)
			}
		})
	}
}

// TestIDTokenNotSupported checks the kinds without id-token sign-in.
func TestIDTokenNotSupported(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	for _, kind := range []oauth.Kind{oauth.GitHub, oauth.Discord, oauth.LinkedIn, oauth.Twitter} {
		_, err := newProvider(t, fake, kind, nil).VerifyIDToken(context.Background(), "eyJ.x.y", "")
		if !errors.Is(err, authn.ErrIDTokenNotSupported) {
			t.Errorf("%s VerifyIDToken = %v, want ErrIDTokenNotSupported", kind, err)
		}
	}
}
