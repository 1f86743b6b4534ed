package rest_test

import (
	"net/http"
	"testing"
)

// Every POST validates the redirect fields better-auth's
// originCheckMiddleware knows, whatever the endpoint does with them, and
// before the endpoint's schema and session check.
func TestRedirectFieldsOnEveryPost(t *testing.T) {
	s := newServer(t, withTrustedOrigins("https://app.example.com"))
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	posts := []string{
		"/sign-in/email", "/sign-up/email", "/sign-out", "/revoke-session", "/revoke-sessions", "/revoke-other-sessions",
		"/update-session", "/update-user", "/change-password", "/verify-password", "/delete-user",
		"/change-email", "/send-verification-email", "/request-password-reset", "/reset-password",
	}
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"foreign redirectTo", `{"redirectTo":"https://evil.example/x"}`, 403, `{"message":"Invalid redirectURL","code":"INVALID_REDIRECT_URL"}`},
		{"foreign errorCallbackURL", `{"errorCallbackURL":"https://evil.example/x"}`, 403, `{"message":"Invalid errorCallbackURL","code":"INVALID_ERROR_CALLBACK_URL"}`},
		{"foreign newUserCallbackURL", `{"newUserCallbackURL":"//evil.example/x"}`, 403, `{"message":"Invalid newUserCallbackURL","code":"INVALID_NEW_USER_CALLBACK_URL"}`},
		{"foreign callbackURL", `{"callbackURL":"https://evil.example/x"}`, 403, `{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
		{"redirectTo not a string", `{"redirectTo":5}`, 400, `{"message":"Invalid redirectURL: expected a string"}`},
		{"errorCallbackURL not a string", `{"errorCallbackURL":["/a"]}`, 400, `{"message":"Invalid errorCallbackURL: expected a string"}`},
		{"newUserCallbackURL not a string", `{"newUserCallbackURL":true}`, 400, `{"message":"Invalid newUserCallbackURL: expected a string"}`},
		{"fields in better-auth's order", `{"newUserCallbackURL":"https://evil.example","redirectTo":"https://evil.example"}`, 403,
			`{"message":"Invalid redirectURL","code":"INVALID_REDIRECT_URL"}`},
	}
	for _, path := range posts {
		for _, tc := range tests {
			t.Run(path+" "+tc.name, func(t *testing.T) {
				res := s.post(t, path, tc.body, "Cookie", cookie)
				wantError(t, res, tc.status, tc.want)
			})
		}
	}
	// Trusted and relative values pass, and falsy ones are no value.
	res := s.post(t, "/revoke-other-sessions",
		`{"redirectTo":"/settings?tab=1","errorCallbackURL":"https://app.example.com/error","newUserCallbackURL":"","callbackURL":null}`, "Cookie", cookie)
	if res.status != http.StatusOK {
		t.Fatalf("trusted redirects = %d %s", res.status, res.body)
	}
}

// Only sign-up and sign-in take forms; every other POST is JSON only.
func TestMediaTypes(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	posts := []string{
		"/sign-out", "/revoke-session", "/revoke-sessions", "/revoke-other-sessions", "/update-session",
		"/update-user", "/change-password", "/verify-password", "/delete-user",
		"/change-email", "/send-verification-email", "/request-password-reset", "/reset-password",
	}
	for _, path := range posts {
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
			res := s.do(t, http.MethodPost, path, "a=b", "Content-Type", ct, "Origin", s.origin, "Cookie", cookie)
			wantError(t, res, http.StatusUnsupportedMediaType,
				`{"message":"Content-Type \"`+ct+`\" is not allowed. Allowed types: application/json","code":"UNSUPPORTED_MEDIA_TYPE"}`)
		}
		res := s.do(t, http.MethodPost, path, `{`, "Content-Type", "application/json", "Origin", s.origin, "Cookie", cookie)
		wantError(t, res, http.StatusBadRequest, `{"message":"Invalid JSON in request body","code":"BAD_REQUEST"}`)
	}
}
