package rest_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
)

func TestOriginCheckWithCookies(t *testing.T) {
	s := newServer(t, withTrustedOrigins("https://app.example.com"))
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	invalid := `{"message":"Invalid origin","code":"INVALID_ORIGIN"}`
	missing := `{"message":"Missing or null Origin","code":"MISSING_OR_NULL_ORIGIN"}`
	tests := []struct {
		name    string
		path    string
		headers []string
		status  int
		want    string
	}{
		{"foreign Origin", "/sign-out", []string{"Origin", "https://evil.example"}, 403, invalid},
		{"no Origin", "/sign-out", nil, 403, missing},
		{"Origin null", "/sign-out", []string{"Origin", "null"}, 403, missing},
		{"foreign Referer", "/sign-out", []string{"Referer", "https://evil.example/page"}, 403, invalid},
		{"lookalike Origin", "/sign-out", []string{"Origin", s.origin + ".evil.example"}, 403, invalid},
		{"two Origin headers", "/sign-out", []string{"Origin", s.origin, "Origin", "https://evil.example"}, 403, invalid},
		{"trusted Origin", "/sign-out", []string{"Origin", s.origin}, 200, `{"success":true}`},
		{"trusted Referer", "/sign-out", []string{"Referer", s.origin + "/some/page"}, 200, `{"success":true}`},
		{"extra trusted Origin", "/sign-out", []string{"Origin", "https://APP.example.com:443"}, 200, `{"success":true}`},
		{"null Origin of a same-origin fetch", "/sign-out", []string{"Origin", "null", "Sec-Fetch-Site", "same-origin"}, 200, `{"success":true}`},
		{"sign-in with foreign Origin", "/sign-in/email", []string{"Origin", "https://evil.example"}, 403, invalid},
		{"POST get-session is checked first", "/get-session", []string{"Origin", "https://evil.example"}, 403, invalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			headers := append([]string{"Content-Type", "application/json", "Cookie", cookie}, tc.headers...)
			res := s.do(t, http.MethodPost, tc.path, `{"email":"u1@example.com","password":"password123"}`, headers...)
			if res.status != tc.status || res.body != tc.want {
				t.Fatalf("got %d %s, want %d %s", res.status, res.body, tc.status, tc.want)
			}
		})
	}
}

func TestFormCSRFWithoutCookies(t *testing.T) {
	s := newServer(t)
	s.signUp(t, "User One", "u1@example.com")
	body := `{"email":"u1@example.com","password":"password123"}`
	tests := []struct {
		name    string
		headers []string
		status  int
		code    string
	}{
		{"curl-like: no Origin, no Sec-Fetch", nil, 200, ""},
		{"trusted Origin", []string{"Origin", s.origin}, 200, ""},
		{"foreign Origin", []string{"Origin", "https://evil.example"}, 403, "INVALID_ORIGIN"},
		{"foreign Referer", []string{"Referer", "https://evil.example/"}, 403, "INVALID_ORIGIN"},
		{"node fetch: Sec-Fetch-Mode cors, no Origin", []string{"Sec-Fetch-Mode", "cors"}, 403, "MISSING_OR_NULL_ORIGIN"},
		{"same-origin cors, no Origin", []string{"Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "cors"}, 403, "MISSING_OR_NULL_ORIGIN"},
		{"Sec-Fetch-Dest only", []string{"Sec-Fetch-Dest", "document"}, 403, "MISSING_OR_NULL_ORIGIN"},
		{"cross-site navigation", []string{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate"}, 403, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"},
		{"cross-site navigation with trusted Origin", []string{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Origin", s.origin}, 403, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"},
		{"browser fetch with trusted Origin", []string{"Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "cors", "Origin", s.origin}, 200, ""},
	}
	for _, path := range []string{"/sign-in/email", "/sign-up/email"} {
		for _, tc := range tests {
			t.Run(path+" "+tc.name, func(t *testing.T) {
				b := body
				if path == "/sign-up/email" {
					b = `{"name":"N","email":"` + randomEmail(t) + `","password":"password123"}`
				}
				res := s.do(t, http.MethodPost, path, b, append([]string{"Content-Type", "application/json"}, tc.headers...)...)
				if res.status != tc.status {
					t.Fatalf("got %d %s, want %d %s", res.status, res.body, tc.status, tc.code)
				}
				if tc.code != "" {
					var got struct{ Code string }
					decode(t, res.body, &got)
					if got.Code != tc.code {
						t.Fatalf("code %s, want %s", got.Code, tc.code)
					}
				}
			})
		}
	}
	res := s.do(t, http.MethodPost, "/sign-in/email", body, "Content-Type", "application/json", "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate")
	wantError(t, res, http.StatusForbidden,
		`{"message":"Cross-site navigation login blocked. This request appears to be a CSRF attack.","code":"CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"}`)
}

// A body that fails validation is answered before the form CSRF check, as
// better-call validates before running endpoint middleware.
func TestValidationBeforeFormCSRF(t *testing.T) {
	s := newServer(t)
	res := s.do(t, http.MethodPost, "/sign-in/email", `{"email":"u1@example.com"}`, "Content-Type", "application/json", "Sec-Fetch-Mode", "cors")
	wantError(t, res, http.StatusBadRequest,
		`{"message":"[body.password] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}`)
}

var emailSeq atomic.Int64

// randomEmail returns an address no other call returned.
func randomEmail(*testing.T) string {
	return fmt.Sprintf("fresh%d@example.com", emailSeq.Add(1))
}
