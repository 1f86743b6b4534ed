package rest_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestSignInSuccess(t *testing.T) {
	s := newServer(t)
	s.signUp(t, "User One", "u1@example.com")
	res := s.post(t, "/sign-in/email", `{"email":"U1@example.com","password":"password123"}`)
	if res.status != http.StatusOK {
		t.Fatalf("status %d, body %s", res.status, res.body)
	}
	equal(t, "keys", keysOf(t, res.body), []string{"redirect", "token", "user"})
	equal(t, "user keys", keysOf(t, res.body, "user"), userKeys)
	var got struct {
		Redirect bool
		Token    string
		User     map[string]any
	}
	decode(t, res.body, &got)
	if got.Redirect || got.Token == "" || got.User["email"] != "u1@example.com" {
		t.Fatalf("body = %s", res.body)
	}
	if loc := res.header.Get("Location"); loc != "" {
		t.Fatalf("Location %q without callbackURL", loc)
	}
	if pair := cookiePair(t, res, "better-auth.session_token"); !strings.HasPrefix(pair, "better-auth.session_token="+got.Token+".") {
		t.Fatalf("cookie %q does not carry token %q", pair, got.Token)
	}
}

func TestSignInCallbackURL(t *testing.T) {
	s := newServer(t, withTrustedOrigins("https://app.example.com"))
	s.signUp(t, "User One", "u1@example.com")
	tests := []struct{ name, callback string }{
		{"relative", "/dashboard"},
		{"trusted absolute", "https://app.example.com/home"},
		{"own origin", s.origin + "/x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := s.post(t, "/sign-in/email", `{"email":"u1@example.com","password":"password123","callbackURL":"`+tc.callback+`"}`)
			if res.status != http.StatusOK {
				t.Fatalf("status %d, body %s", res.status, res.body)
			}
			equal(t, "keys", keysOf(t, res.body), []string{"redirect", "token", "url", "user"})
			var got struct {
				Redirect bool
				URL      string
			}
			decode(t, res.body, &got)
			if !got.Redirect || got.URL != tc.callback || res.header.Get("Location") != tc.callback {
				t.Fatalf("body %s, Location %q", res.body, res.header.Get("Location"))
			}
		})
	}
}

func TestSignInRejects(t *testing.T) {
	s := newServer(t)
	s.signUp(t, "User One", "u1@example.com")
	invalid := `{"message":"Invalid email or password","code":"INVALID_EMAIL_OR_PASSWORD"}`
	tests := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"wrong password", `{"email":"u1@example.com","password":"wrong-password"}`, 401, invalid},
		{"unknown email", `{"email":"nobody@example.com","password":"password123"}`, 401, invalid},
		{"7-char wrong password", `{"email":"u1@example.com","password":"1234567"}`, 401, invalid},
		{"empty password", `{"email":"u1@example.com","password":""}`, 401, invalid},
		{"bad email syntax", `{"email":"not-an-email","password":"password123"}`, 400,
			`{"message":"Invalid email","code":"INVALID_EMAIL"}`},
		{"email without @", `{"email":"u1.example.com","password":"password123"}`, 400,
			`{"message":"Invalid email","code":"INVALID_EMAIL"}`},
		{"email with surrounding space", `{"email":" u1@example.com","password":"password123"}`, 400,
			`{"message":"Invalid email","code":"INVALID_EMAIL"}`},
		{"129-char password", `{"email":"u1@example.com","password":"` + strings.Repeat("a", 129) + `"}`, 400,
			`{"message":"Password too long","code":"PASSWORD_TOO_LONG"}`},
		{"missing password", `{"email":"u1@example.com"}`, 400,
			`{"message":"[body.password] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}`},
		{"email as number", `{"email":42,"password":"x"}`, 400,
			`{"message":"[body.email] Invalid input: expected string, received number","code":"VALIDATION_ERROR"}`},
		{"rememberMe as string", `{"email":"u1@example.com","password":"password123","rememberMe":"false"}`, 400,
			`{"message":"[body.rememberMe] Invalid input: expected boolean, received string","code":"VALIDATION_ERROR"}`},
		// sign-in's schema is a plain z.object: one issue for a non-object.
		{"body array", `[]`, 400, `{"message":"[body] Invalid input: expected object, received array","code":"VALIDATION_ERROR"}`},
		{"malformed JSON", `{"email":`, 400, `{"message":"Invalid JSON in request body","code":"BAD_REQUEST"}`},
		{"foreign callbackURL", `{"email":"u1@example.com","password":"password123","callbackURL":"https://evil.example/x"}`, 403,
			`{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
		{"protocol-relative callbackURL", `{"email":"u1@example.com","password":"password123","callbackURL":"//evil.example/x"}`, 403,
			`{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
		{"backslash callbackURL", `{"email":"u1@example.com","password":"password123","callbackURL":"/\\evil.example"}`, 403,
			`{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
		{"encoded slash callbackURL", `{"email":"u1@example.com","password":"password123","callbackURL":"/%2F%2Fevil.example"}`, 403,
			`{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
		{"javascript callbackURL", `{"email":"u1@example.com","password":"password123","callbackURL":"javascript:alert(1)"}`, 403,
			`{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
		{"callbackURL object", `{"email":"u1@example.com","password":"password123","callbackURL":{}}`, 400,
			`{"message":"Invalid callbackURL: expected a string"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := s.post(t, "/sign-in/email", tc.body)
			wantError(t, res, tc.status, tc.want)
			if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
				t.Fatalf("failed sign-in set cookies %q", sc)
			}
		})
	}
}

func TestSignInCallbackURLFromQuery(t *testing.T) {
	s := newServer(t)
	s.signUp(t, "User One", "u1@example.com")
	res := s.post(t, "/sign-in/email?callbackURL=https://evil.example/", `{"email":"u1@example.com","password":"password123"}`)
	wantError(t, res, http.StatusForbidden, `{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`)
}

func TestSignInRememberMe(t *testing.T) {
	s := newServer(t)
	s.signUp(t, "User One", "u1@example.com")

	res := s.post(t, "/sign-in/email", `{"email":"u1@example.com","password":"password123","rememberMe":false}`)
	lines := res.header.Values("Set-Cookie")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "; Path=/; HttpOnly; SameSite=Lax") || strings.Contains(lines[0], "Max-Age") ||
		lines[1] != "better-auth.dont_remember=true.0mS%2BfUdVTLMMmJePckVgwJ1mK%2FQAuf%2F5Q7gxaBXqTFY%3D; Path=/; HttpOnly; SameSite=Lax" {
		t.Fatalf("Set-Cookie = %q", lines)
	}

	// Signing in again with rememberMe while holding the marker expires it.
	marker := cookiePair(t, res, "better-auth.dont_remember")
	again := s.post(t, "/sign-in/email", `{"email":"u1@example.com","password":"password123"}`, "Cookie", marker)
	lines = again.header.Values("Set-Cookie")
	if len(lines) != 2 || !strings.Contains(lines[0], "; Max-Age=2592000;") ||
		lines[1] != "better-auth.dont_remember=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax" {
		t.Fatalf("Set-Cookie = %q", lines)
	}
}
