package rest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/beep/iam/interfaces/rest"
)

func TestBearerToken(t *testing.T) {
	s := newServer(t)
	_, up := s.signUp(t, "User One", "u1@example.com")
	raw := tokenOf(t, up)
	signed, err := url.QueryUnescape(strings.TrimPrefix(cookiePair(t, up, "better-auth.session_token"), "better-auth.session_token="))
	must(t, err)
	_, sig, _ := strings.Cut(signed, ".")
	forged := raw + ".A" + sig[1:]
	if forged == signed {
		forged = raw + ".B" + sig[1:]
	}
	tests := []struct {
		name, auth string
		ok         bool
	}{
		{"raw token", "Bearer " + raw, true},
		{"signed token", "Bearer " + signed, true},
		{"URL-encoded signed token", "bearer " + url.QueryEscape(signed), true},
		{"scheme in capitals, spaces around", "BEARER   " + signed + "  ", true},
		{"bad signature", "Bearer " + forged, false},
		{"signature of another secret", "Bearer " + signedCookieValueRaw([]byte("another secret"), raw), false},
		{"truncated signature", "Bearer " + raw + ".abc", false},
		{"another scheme", "Basic " + raw, false},
		{"empty token", "Bearer ", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := s.do(t, http.MethodGet, "/get-session", "", "Authorization", tc.auth)
			if got := strings.Contains(res.body, `"token":"`+raw+`"`); got != tc.ok {
				t.Fatalf("session found = %v, want %v: %s", got, tc.ok, res.body)
			}
			// A rejected bearer token falls back to the cookie, as the
			// plugin leaves the request alone.
			cookie := cookiePair(t, up, "better-auth.session_token")
			if res := s.do(t, http.MethodGet, "/get-session", "", "Authorization", tc.auth, "Cookie", cookie); !strings.Contains(res.body, raw) {
				t.Fatalf("with the cookie too: %s", res.body)
			}
			res = s.do(t, http.MethodGet, "/list-sessions", "", "Authorization", tc.auth)
			if (res.status == http.StatusOK) != tc.ok {
				t.Fatalf("list-sessions = %d %s", res.status, res.body)
			}
		})
	}
}

// signedCookieValueRaw is a signed value before URL-encoding.
func signedCookieValueRaw(key []byte, value string) string {
	v, _ := url.QueryUnescape(signedCookieValue(key, value))
	return v
}

// A bearer request carries no cookie, so the cookie CSRF check does not
// apply: a page on another site cannot make a browser send it.
func TestBearerSkipsTheCookieOriginCheck(t *testing.T) {
	s := newServer(t)
	_, up := s.signUp(t, "User One", "u1@example.com")
	res := s.do(t, http.MethodPost, "/update-user", `{"name":"B"}`,
		"Content-Type", "application/json", "Origin", "https://evil.example", "Authorization", "Bearer "+tokenOf(t, up))
	if res.status != http.StatusOK {
		t.Fatalf("update-user with a bearer token = %d %s", res.status, res.body)
	}
	// With a cookie as well, the check applies as usual.
	res = s.do(t, http.MethodPost, "/update-user", `{"name":"B"}`, "Content-Type", "application/json", "Origin", "https://evil.example",
		"Authorization", "Bearer "+tokenOf(t, up), "Cookie", "theme=dark")
	wantError(t, res, http.StatusForbidden, `{"message":"Invalid origin","code":"INVALID_ORIGIN"}`)
	// sign-out with a bearer token ends that session.
	res = s.do(t, http.MethodPost, "/sign-out", "", "Authorization", "Bearer "+tokenOf(t, up))
	if res.status != http.StatusOK {
		t.Fatalf("sign-out = %d", res.status)
	}
	if res := s.do(t, http.MethodGet, "/get-session", "", "Authorization", "Bearer "+tokenOf(t, up)); res.body != "null" {
		t.Fatalf("session survived a bearer sign-out: %s", res.body)
	}
}

func TestSetAuthToken(t *testing.T) {
	s := newServer(t, withConfig(func(c *rest.Config) { c.CookieCacheMaxAge = 300e9 }))
	_, up := s.signUp(t, "User One", "u1@example.com")
	signed, err := url.QueryUnescape(strings.TrimPrefix(cookiePair(t, up, "better-auth.session_token"), "better-auth.session_token="))
	must(t, err)
	if got := up.header.Get("Set-Auth-Token"); got != signed {
		t.Fatalf("set-auth-token = %q, want %q", got, signed)
	}
	if got := up.header.Get("Access-Control-Expose-Headers"); got != "set-auth-token" {
		t.Fatalf("expose headers = %q", got)
	}
	in := s.post(t, "/sign-in/email", `{"email":"u1@example.com","password":"password123","rememberMe":false}`)
	if in.header.Get("Set-Auth-Token") == "" || !strings.HasPrefix(in.header.Get("Set-Auth-Token"), tokenOf(t, in)+".") {
		t.Fatalf("sign-in set-auth-token = %q", in.header.Get("Set-Auth-Token"))
	}
	// Responses that set no session cookie, or delete it, carry none.
	for _, res := range []result{
		s.do(t, http.MethodGet, "/get-session", "", "Authorization", "Bearer "+signed), // a cache entry only
		s.post(t, "/sign-out", "", "Authorization", "Bearer "+signed),
		s.do(t, http.MethodGet, "/ok", ""),
	} {
		if res.header.Get("Set-Auth-Token") != "" || res.header.Get("Access-Control-Expose-Headers") != "" {
			t.Fatalf("set-auth-token %q on %d %s", res.header.Get("Set-Auth-Token"), res.status, res.body)
		}
	}
}
