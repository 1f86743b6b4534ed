package rest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
)

func TestGetSession(t *testing.T) {
	s := newServer(t)
	_, up := s.signUp(t, "User One", "u1@example.com")
	in := s.post(t, "/sign-in/email", `{"email":"u1@example.com","password":"password123"}`, "User-Agent", "ua-test/1.0")
	cookie := cookiePair(t, in, "better-auth.session_token")

	res := s.do(t, http.MethodGet, "/get-session", "", "Cookie", cookie)
	if res.status != http.StatusOK {
		t.Fatalf("status %d, body %s", res.status, res.body)
	}
	for name, want := range map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"} {
		if got := res.header.Get(name); got != want {
			t.Fatalf("%s = %q, want %q", name, got, want)
		}
	}
	if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
		t.Fatalf("fresh session re-set cookies: %q", sc)
	}
	equal(t, "keys", keysOf(t, res.body), []string{"session", "user"})
	equal(t, "session keys", keysOf(t, res.body, "session"), sessionKeys)
	equal(t, "user keys", keysOf(t, res.body, "user"), userKeys)

	type org struct {
		Name, Type, Role, SubscriptionTier string
		IsPersonal                         bool
	}
	var got struct {
		Session struct {
			ExpiresAt, Token, CreatedAt, UpdatedAt, IPAddress, UserAgent, UserID, ID string
			ActiveOrganizationID                                                     *string
			OrganizationContext                                                      map[string]org
		}
		User map[string]any
	}
	decode(t, res.body, &got)
	var signIn struct{ Token string }
	decode(t, in.body, &signIn)
	sess := got.Session
	if sess.Token != signIn.Token || sess.UserID != got.User["id"] || !strings.HasPrefix(sess.ID, "session__") {
		t.Fatalf("session = %+v", sess)
	}
	if sess.CreatedAt != "2026-11-28T19:30:27.532Z" || sess.ExpiresAt != "2026-12-28T19:30:27.532Z" {
		t.Fatalf("createdAt %s expiresAt %s, want 30 days apart at ms precision", sess.CreatedAt, sess.ExpiresAt)
	}
	if sess.IPAddress != "127.0.0.1" || sess.UserAgent != "ua-test/1.0" {
		t.Fatalf("client = %q %q", sess.IPAddress, sess.UserAgent)
	}
	if sess.ActiveOrganizationID == nil || len(sess.OrganizationContext) != 1 {
		t.Fatalf("organizations: active %v, context %v", sess.ActiveOrganizationID, sess.OrganizationContext)
	}
	personal := sess.OrganizationContext[*sess.ActiveOrganizationID]
	want := org{Name: "User One's Organization", Type: "individual", Role: "owner", SubscriptionTier: "free", IsPersonal: true}
	if personal != want {
		t.Fatalf("organizationContext[%s] = %+v, want %+v", *sess.ActiveOrganizationID, personal, want)
	}
	equal(t, "organization keys", keysOf(t, res.body, "session", "organizationContext", *sess.ActiveOrganizationID),
		[]string{"name", "type", "role", "isPersonal", "subscriptionTier"})
	if !strings.Contains(up.body, `"user":{"name":"User One"`) {
		t.Fatalf("sign-up body %s", up.body)
	}
}

func TestGetSessionNoUserAgent(t *testing.T) {
	s := newServer(t)
	s.signUp(t, "U", "u@example.com")
	in := s.do(t, http.MethodPost, "/sign-in/email", `{"email":"u@example.com","password":"password123"}`,
		"Content-Type", "application/json", "User-Agent", "")
	res := s.do(t, http.MethodGet, "/get-session", "", "Cookie", cookiePair(t, in, "better-auth.session_token"))
	if !strings.Contains(res.body, `"userAgent":""`) {
		t.Fatalf("get-session = %s, want an empty userAgent", res.body)
	}
}

func TestGetSessionNull(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	value := strings.TrimPrefix(cookie, "better-auth.session_token=")
	token, sig, _ := strings.Cut(value, ".")
	forged := "A" + sig[1:]
	if forged == sig {
		forged = "B" + sig[1:]
	}
	tests := []struct{ name, cookie string }{
		{"no cookie", ""},
		{"forged signature", "better-auth.session_token=" + token + "." + forged},
		{"truncated signature", "better-auth.session_token=" + token + "." + sig[:len(sig)-4]},
		{"raw unsigned token", "better-auth.session_token=" + token},
		{"signature of another secret", "better-auth.session_token=" + token + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D"},
		{"empty value", "better-auth.session_token="},
		{"other cookies only", "theme=dark"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.cookie != "" {
				headers = []string{"Cookie", tc.cookie}
			}
			res := s.do(t, http.MethodGet, "/get-session", "", headers...)
			if res.status != http.StatusOK || res.body != "null" || res.header.Get("Content-Type") != "application/json" {
				t.Fatalf("got %d %q (%s), want 200 null", res.status, res.body, res.header.Get("Content-Type"))
			}
			if res.header.Get("Cache-Control") != "no-store" || res.header.Get("Pragma") != "no-cache" {
				t.Fatalf("cache headers %v", res.header)
			}
			if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
				t.Fatalf("Set-Cookie %q on an unverifiable cookie", sc)
			}
		})
	}
}

// A session_data cookie without a session cookie is left alone while the
// cache is on, and expired when it is off (a leftover from when it was on),
// as better-auth 1.7.25 does.
func TestGetSessionStrayCacheCookie(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []option
		want []string
	}{
		{"cache on", []option{withCookieCache()}, nil},
		{"cache off", nil, []string{"better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, tc.opts...)
			res := s.do(t, http.MethodGet, "/get-session", "", "Cookie", "theme=dark; better-auth.session_data=x; better-auth.session_data.0=y")
			if res.body != "null" {
				t.Fatalf("body %s", res.body)
			}
			want := tc.want
			if want != nil {
				want = append(want, "better-auth.session_data.0=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax")
			}
			equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), want)
		})
	}
}

func TestGetSessionFirstCookieWins(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	res := s.do(t, http.MethodGet, "/get-session", "", "Cookie", cookie+"; better-auth.session_token=garbage")
	if !strings.HasPrefix(res.body, `{"session":`) {
		t.Fatalf("first cookie ignored: %s", res.body)
	}
	res = s.do(t, http.MethodGet, "/get-session", "", "Cookie", "better-auth.session_token=garbage; "+cookie)
	if res.body != "null" {
		t.Fatalf("a later duplicate cookie was used: %s", res.body)
	}
}

func TestGetSessionExpired(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	s.clock.Advance(31 * 24 * time.Hour)
	res := s.do(t, http.MethodGet, "/get-session", "", "Cookie", cookie)
	if res.status != http.StatusOK || res.body != "null" {
		t.Fatalf("got %d %s, want null", res.status, res.body)
	}
	equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), deletionCookies)
	// The session is gone for good, even if the clock went back.
	res = s.do(t, http.MethodGet, "/get-session", "", "Cookie", cookie)
	if res.body != "null" {
		t.Fatalf("second look-up = %s", res.body)
	}
}

func TestGetSessionRefresh(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	s.clock.Advance(25 * time.Hour)

	// disableRefresh is coerced like JavaScript's Boolean: "false" is true.
	for _, q := range []string{"?disableRefresh=true", "?disableRefresh=false", "?disableRefresh=1&disableRefresh="} {
		res := s.do(t, http.MethodGet, "/get-session"+q, "", "Cookie", cookie)
		if sc := res.header.Values("Set-Cookie"); len(sc) != 0 || !strings.Contains(res.body, `"expiresAt":"2026-12-28T19:30:27.532Z"`) {
			t.Fatalf("%s: refreshed anyway: %q %s", q, sc, res.body)
		}
	}
	// A valid dont_remember cookie also keeps the session from being extended.
	marker := "better-auth.dont_remember=true.0mS%2BfUdVTLMMmJePckVgwJ1mK%2FQAuf%2F5Q7gxaBXqTFY%3D"
	if res := s.do(t, http.MethodGet, "/get-session", "", "Cookie", cookie+"; "+marker); len(res.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("refreshed despite dont_remember: %q", res.header.Values("Set-Cookie"))
	}

	res := s.do(t, http.MethodGet, "/get-session?disableRefresh=", "", "Cookie", cookie)
	equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), []string{cookie + "; Max-Age=2592000; Path=/; HttpOnly; SameSite=Lax"})
	if !strings.Contains(res.body, `"expiresAt":"2026-12-29T20:30:27.532Z"`) || !strings.Contains(res.body, `"updatedAt":"2026-11-29T20:30:27.532Z"`) {
		t.Fatalf("refreshed session = %s", res.body)
	}
}

func TestPostGetSession(t *testing.T) {
	s := newServer(t)
	res := s.post(t, "/get-session", `{}`)
	wantError(t, res, http.StatusMethodNotAllowed,
		`{"message":"POST method requires deferSessionRefresh to be enabled in session config","code":"METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED"}`)
	if res.header.Get("Cache-Control") != "no-store" || res.header.Get("Pragma") != "no-cache" {
		t.Fatalf("cache headers %v", res.header)
	}
}

func TestSignOut(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")

	res := s.do(t, http.MethodPost, "/sign-out", "", "Cookie", cookie, "Origin", s.origin)
	if res.status != http.StatusOK || res.body != `{"success":true}` || res.header.Get("Content-Type") != "application/json" {
		t.Fatalf("sign-out = %d %s", res.status, res.body)
	}
	equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), deletionCookies)

	after := s.do(t, http.MethodGet, "/get-session", "", "Cookie", cookie)
	if after.body != "null" {
		t.Fatalf("get-session after sign-out = %s", after.body)
	}
	equal(t, "Set-Cookie after sign-out", after.header.Values("Set-Cookie"), deletionCookies)
}

func TestSignOutWithoutSession(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name    string
		body    string
		headers []string
	}{
		{"no cookie, no body, no content type", "", nil},
		{"empty object", `{}`, []string{"Content-Type", "application/json"}},
		{"forged cookie", `{}`, []string{"Content-Type", "application/json", "Origin", s.origin, "Cookie", "better-auth.session_token=x.y"}},
		{"relative callbackURL", `{"callbackURL":"/bye","disableRedirect":true,"state":"s"}`, []string{"Content-Type", "application/json"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := s.do(t, http.MethodPost, "/sign-out", tc.body, tc.headers...)
			if res.status != http.StatusOK || res.body != `{"success":true}` {
				t.Fatalf("got %d %s", res.status, res.body)
			}
			equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), deletionCookies)
		})
	}
}

func TestSignOutRejects(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name, path, contentType, body string
		status                        int
		want                          string
	}{
		{"foreign callbackURL", "/sign-out", "application/json", `{"callbackURL":"https://evil.example"}`, 403,
			`{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
		{"foreign callbackURL in query", "/sign-out?callbackURL=https://evil.example", "", "", 403,
			`{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
		{"repeated callbackURL in query", "/sign-out?callbackURL=/a&callbackURL=/b", "", "", 400,
			`{"message":"Invalid callbackURL: expected a string"}`},
		{"wrong type", "/sign-out", "application/json", `{"disableRedirect":"yes"}`, 400,
			`{"message":"[body.disableRedirect] Invalid input: expected boolean, received string","code":"VALIDATION_ERROR"}`},
		{"null body", "/sign-out", "application/json", `null`, 400,
			`{"message":"[body] Invalid input: expected object, received null","code":"VALIDATION_ERROR"}`},
		{"form is not accepted", "/sign-out", "application/x-www-form-urlencoded", `a=b`, 415,
			`{"message":"Content-Type \"application/x-www-form-urlencoded\" is not allowed. Allowed types: application/json","code":"UNSUPPORTED_MEDIA_TYPE"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.contentType != "" {
				headers = []string{"Content-Type", tc.contentType}
			}
			res := s.do(t, http.MethodPost, tc.path, tc.body, headers...)
			wantError(t, res, tc.status, tc.want)
		})
	}
}

// stubAuth fails GetSession and SignOut with a chosen error.
type stubAuth struct {
	authn.Service // never called; satisfies the other methods
	err           error
}

func (s *stubAuth) GetSession(context.Context, authn.SessionQuery) (authn.CurrentSession, error) {
	return authn.CurrentSession{}, s.err
}

func (s *stubAuth) SignOut(context.Context, string) error { return s.err }

func TestGetSessionFailures(t *testing.T) {
	const validCookie = "better-auth.session_token=ZkVAkRNEWrGg5jjzVutuv63aBNui9DUr.%2FXyP05o0cbTATGsle8rY56kXzrfTvsrKusCAxpgqOUM%3D"
	t.Run("session vanished during refresh", func(t *testing.T) {
		s := newServer(t, withAuth(&stubAuth{err: authn.ErrSessionGone}))
		res := s.do(t, http.MethodGet, "/get-session", "", "Cookie", validCookie)
		wantError(t, res, http.StatusUnauthorized, `{"message":"Failed to get session","code":"FAILED_TO_GET_SESSION"}`)
		equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), deletionCookies)
	})
	t.Run("internal error", func(t *testing.T) {
		s := newServer(t, withAuth(&stubAuth{err: errors.New("connection refused to db-host:5432")}))
		res := s.do(t, http.MethodGet, "/get-session", "", "Cookie", validCookie, "X-Request-Id", "req-get-session-1")
		wantError(t, res, http.StatusInternalServerError, `{"message":"Failed to get session","code":"FAILED_TO_GET_SESSION"}`)
		logs := s.logs.String()
		if !strings.Contains(logs, `"request_id":"req-get-session-1"`) || !strings.Contains(logs, "db-host:5432") {
			t.Fatalf("internal error not logged with its request id: %s", logs)
		}
	})
	t.Run("sign-out storage failure", func(t *testing.T) {
		s := newServer(t, withAuth(&stubAuth{err: errors.New("db down")}))
		res := s.do(t, http.MethodPost, "/sign-out", "", "Cookie", validCookie, "Origin", s.origin)
		if res.status != http.StatusInternalServerError || res.body != "" {
			t.Fatalf("got %d %q, want an empty 500", res.status, res.body)
		}
		equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), deletionCookies)
	})
}
