package oauthtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/beep/iam/infrastructure/oauth"
	"github.com/beep/iam/infrastructure/oauth/oauthtest"
	"golang.org/x/oauth2"
)

// These tests talk to the fake with raw HTTP, to pin down that it refuses
// what a real provider refuses; package oauth's tests cover it answering
// well-formed flows.

const back = "http://127.0.0.1:9/cb"

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func authURL(fake *oauthtest.Server, kind oauth.Kind, q url.Values) string {
	base := fake.Endpoints(kind).AuthURL
	full := url.Values{"response_type": {"code"}, "client_id": {oauthtest.ClientID(kind)}, "redirect_uri": {back}, "state": {"s"}, "scope": {"openid"}}
	for k, v := range q {
		full[k] = v
	}
	return base + "?" + full.Encode()
}

func TestAuthorizeRefusals(t *testing.T) {
	t.Parallel()
	fake := oauthtest.New(t)
	pkce := url.Values{"code_challenge": {oauth2.S256ChallengeFromVerifier("v")}, "code_challenge_method": {"S256"}}
	cases := []struct {
		name      string
		kind      oauth.Kind
		q         url.Values
		status    int
		wantError string
	}{
		{"an unknown client gets a page, not a redirect", oauth.Google, merged(pkce, url.Values{"client_id": {"nope"}}), http.StatusBadRequest, ""},
		{"a relative redirect_uri gets a page", oauth.Google, merged(pkce, url.Values{"redirect_uri": {"/cb"}}), http.StatusBadRequest, ""},
		{"google without PKCE", oauth.Google, nil, http.StatusFound, "invalid_request"},
		{"twitter with plain PKCE", oauth.Twitter, url.Values{"code_challenge": {"v"}, "code_challenge_method": {"plain"}}, http.StatusFound, "invalid_request"},
		{"a token response type", oauth.Discord, url.Values{"response_type": {"token"}}, http.StatusFound, "unsupported_response_type"},
		{"discord without PKCE is fine", oauth.Discord, nil, http.StatusFound, ""},
	}
	for _, tc := range cases {
		resp, err := noRedirects.Get(authURL(fake, tc.kind, tc.q))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.status)
			continue
		}
		if tc.status != http.StatusFound {
			continue
		}
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if got := loc.Query().Get("error"); got != tc.wantError {
			t.Errorf("%s: redirected with error %q, want %q", tc.name, got, tc.wantError)
		}
		if tc.wantError == "" && loc.Query().Get("code") == "" {
			t.Errorf("%s: redirected to %s without a code", tc.name, loc)
		}
		if loc.Query().Get("state") != "s" {
			t.Errorf("%s: redirected to %s without the state", tc.name, loc)
		}
	}
}

// code runs /authorize for kind and returns the code.
func code(t *testing.T, fake *oauthtest.Server, kind oauth.Kind, q url.Values) string {
	t.Helper()
	cb, err := fake.Authorize(authURL(fake, kind, q))
	if err != nil || cb.Code == "" {
		t.Fatalf("authorize %s: %+v, %v", kind, cb, err)
	}
	return cb.Code
}

func postToken(t *testing.T, fake *oauthtest.Server, kind oauth.Kind, form url.Values, edit func(*http.Request)) (int, string, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, fake.Endpoints(kind).TokenURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	return resp.StatusCode, string(raw), body
}

func TestTokenRefusals(t *testing.T) {
	t.Parallel()
	fake := oauthtest.New(t)
	creds := func(kind oauth.Kind) url.Values {
		return url.Values{"client_id": {oauthtest.ClientID(kind)}, "client_secret": {oauthtest.ClientSecret(kind)}}
	}
	grant := func(c string, extra url.Values) url.Values {
		v := url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {back}}
		for k, vs := range extra {
			v[k] = vs
		}
		return v
	}

	// Google takes client_secret_post only.
	c := code(t, fake, oauth.Google, url.Values{"code_challenge": {oauth2.S256ChallengeFromVerifier("v")}, "code_challenge_method": {"S256"}})
	status, _, body := postToken(t, fake, oauth.Google, grant(c, url.Values{"code_verifier": {"v"}}), func(r *http.Request) {
		r.SetBasicAuth(oauthtest.ClientID(oauth.Google), oauthtest.ClientSecret(oauth.Google))
	})
	if status != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Errorf("google token with Basic: %d %v, want 401 invalid_client", status, body)
	}

	// X takes Basic only.
	c = code(t, fake, oauth.Twitter, url.Values{"code_challenge": {oauth2.S256ChallengeFromVerifier("v")}, "code_challenge_method": {"S256"}})
	status, _, body = postToken(t, fake, oauth.Twitter, grant(c, merged(creds(oauth.Twitter), url.Values{"code_verifier": {"v"}})), nil)
	if status != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Errorf("twitter token with body credentials: %d %v, want 401 invalid_client", status, body)
	}

	// A verifier without a challenge is refused, and the code is spent.
	c = code(t, fake, oauth.Discord, nil)
	status, _, body = postToken(t, fake, oauth.Discord, grant(c, merged(creds(oauth.Discord), url.Values{"code_verifier": {"v"}})), nil)
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("discord token with a stray code_verifier: %d %v, want 400 invalid_grant", status, body)
	}
	status, _, _ = postToken(t, fake, oauth.Discord, grant(c, creds(oauth.Discord)), nil)
	if status != http.StatusBadRequest {
		t.Errorf("reusing a refused code: %d, want 400", status)
	}

	// GitHub refuses a bad code with 200 {"error"}, and answers
	// form-encoded to a client that does not ask for JSON.
	status, _, body = postToken(t, fake, oauth.GitHub, grant("code-forged", creds(oauth.GitHub)), nil)
	if status != http.StatusOK || body["error"] != "bad_verification_code" {
		t.Errorf("github token with a bad code: %d %v, want 200 bad_verification_code", status, body)
	}
	c = code(t, fake, oauth.GitHub, url.Values{"code_challenge": {oauth2.S256ChallengeFromVerifier("v")}, "code_challenge_method": {"S256"}})
	status, raw, _ := postToken(t, fake, oauth.GitHub, grant(c, merged(creds(oauth.GitHub), url.Values{"code_verifier": {"v"}})), func(r *http.Request) {
		r.Header.Del("Accept")
	})
	if v, err := url.ParseQuery(raw); status != http.StatusOK || err != nil || v.Get("access_token") == "" || v.Get("scope") != "openid" {
		t.Errorf("github token without Accept: %d %q, want a form-encoded token", status, raw)
	}

	// The request is recorded with its form.
	reqs := fake.RequestsTo(oauth.GitHub, oauthtest.Token)
	if last := reqs[len(reqs)-1]; last.Form.Get("code") != c || last.Method != http.MethodPost {
		t.Errorf("last recorded github token request = %+v, want the POST with code %q", last, c)
	}
}

func TestUserEndpointsNeedTheirToken(t *testing.T) {
	t.Parallel()
	fake := oauthtest.New(t)
	get := func(u, auth, ua string) int {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		req.Header.Set("User-Agent", ua)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get(fake.Endpoints(oauth.Discord).UserInfoURL, "", "t"); s != http.StatusUnauthorized {
		t.Errorf("discord /users/@me without a token: %d, want 401", s)
	}
	if s := get(fake.Endpoints(oauth.Discord).UserInfoURL, "Bearer at-forged", "t"); s != http.StatusUnauthorized {
		t.Errorf("discord /users/@me with a forged token: %d, want 401", s)
	}
	if s := get(fake.Endpoints(oauth.GitHub).UserInfoURL, "Bearer at-forged", ""); s != http.StatusForbidden {
		t.Errorf("github /user without a User-Agent: %d, want 403", s)
	}
}

func TestFaultTimes(t *testing.T) {
	t.Parallel()
	fake := oauthtest.New(t)
	fake.Fail(oauth.OIDC, oauthtest.Discovery, oauthtest.Fault{Status: http.StatusBadGateway, Times: 2})
	var got []int
	for range 3 {
		resp, err := http.Get(fake.Issuer() + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got = append(got, resp.StatusCode)
	}
	if got[0] != 502 || got[1] != 502 || got[2] != 200 {
		t.Errorf("discovery answered %v, want [502 502 200]", got)
	}
}

// merged is the union of vs, later ones winning.
func merged(vs ...url.Values) url.Values {
	out := url.Values{}
	for _, m := range vs {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
