package rest_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
)

func TestProtectedEndpointsNeedASession(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	forged := cookie[:len(cookie)-8] + "AAAAA%3D"
	routes := []struct{ method, path, body string }{
		{http.MethodGet, "/list-sessions", ""},
		{http.MethodGet, "/list-accounts", ""},
		{http.MethodPost, "/revoke-session", `{"token":"x"}`},
		{http.MethodPost, "/revoke-sessions", `{}`},
		{http.MethodPost, "/revoke-other-sessions", `{}`},
		{http.MethodPost, "/update-session", `{}`},
		{http.MethodPost, "/update-user", `{"name":"x"}`},
		{http.MethodPost, "/change-password", `{"newPassword":"password456","currentPassword":"password123"}`},
		{http.MethodPost, "/verify-password", `{"password":"password123"}`},
		{http.MethodPost, "/delete-user", `{}`},
		{http.MethodPost, "/change-email", `{"newEmail":"n@example.com"}`},
	}
	for _, rt := range routes {
		for _, cookie := range []string{"", forged, "better-auth.session_token=raw-unsigned"} {
			headers := []string{"Content-Type", "application/json", "Origin", s.origin}
			if cookie != "" {
				headers = append(headers, "Cookie", cookie)
			}
			res := s.do(t, rt.method, rt.path, rt.body, headers...)
			wantError(t, res, http.StatusUnauthorized, unauthorized)
			if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
				t.Fatalf("%s with cookie %q set %q", rt.path, cookie, sc)
			}
		}
	}
}

// A signed cookie for a session that expired is a 401 that also clears the
// cookies, as better-auth's middleware passes on get-session's deletion.
func TestProtectedEndpointExpiredSession(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	s.clock.Advance(31 * 24 * time.Hour)
	res := s.do(t, http.MethodPost, "/update-user", `{"name":"x"}`, "Content-Type", "application/json", "Origin", s.origin, "Cookie", cookie)
	wantError(t, res, http.StatusUnauthorized, unauthorized)
	equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), deletionCookies)
}

func TestListSessions(t *testing.T) {
	s := newServer(t)
	s.signUp(t, "User One", "u1@example.com")
	other := s.signIn(t, "u1@example.com")
	me := s.signIn(t, "u1@example.com", `,"rememberMe":false`)
	s.signUp(t, "Bob", "bob@example.com")

	res := me.send(t, s, http.MethodGet, "/list-sessions", "")
	if res.status != http.StatusOK || res.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("list-sessions = %d %s %v", res.status, res.body, res.header)
	}
	var list []struct {
		Token, UserID        string
		ActiveOrganizationID *string
		OrganizationContext  map[string]any
	}
	decode(t, res.body, &list)
	if len(list) != 3 {
		t.Fatalf("got %d sessions, want alice's 3: %s", len(list), res.body)
	}
	for i, item := range items(t, res.body) {
		equal(t, "session keys", keysOf(t, item), sessionKeys)
		if list[i].UserID != list[0].UserID || list[i].ActiveOrganizationID == nil || len(list[i].OrganizationContext) != 1 {
			t.Fatalf("session %d = %+v", i, list[i])
		}
	}
	if !strings.Contains(res.body, other.get("better-auth.session_token")[:32]) {
		t.Fatalf("tokens missing from %s", res.body)
	}

	// Expired sessions are left out.
	s.clock.Advance(25 * time.Hour) // past the dont-remember session's day
	fresh := s.signIn(t, "u1@example.com")
	res = fresh.send(t, s, http.MethodGet, "/list-sessions", "")
	decode(t, res.body, &list)
	if len(list) != 3 {
		t.Fatalf("got %d sessions after one expired, want 3: %s", len(list), res.body)
	}
}

func TestListSessionsNeedsAFreshSession(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	s.clock.Advance(24 * time.Hour)
	res := s.do(t, http.MethodGet, "/list-sessions", "", "Cookie", cookie)
	wantError(t, res, http.StatusForbidden, `{"message":"Session is not fresh","code":"SESSION_NOT_FRESH"}`)
}

func TestRevokeSession(t *testing.T) {
	s := newServer(t, withCookieCache())
	_, up := s.signUp(t, "User One", "u1@example.com")
	me := newJar(up)
	other := s.signIn(t, "u1@example.com")
	_, bobUp := s.signUp(t, "Bob", "bob@example.com")
	bob := newJar(bobUp)

	// Someone else's token, or none at all: 200, nothing happens.
	for _, token := range []string{tokenOf(t, bobUp), "no-such-token"} {
		res := me.send(t, s, http.MethodPost, "/revoke-session", `{"token":"`+token+`"}`)
		if res.status != http.StatusOK || res.body != `{"status":true}` {
			t.Fatalf("revoke %s = %d %s", token, res.status, res.body)
		}
	}
	if res := bob.send(t, s, http.MethodGet, "/get-session?disableCookieCache=1", ""); !strings.HasPrefix(res.body, `{"session"`) {
		t.Fatalf("bob signed out by alice: %s", res.body)
	}

	// Another of my sessions: it ends; my cookies stay.
	otherToken := strings.SplitN(other.get("better-auth.session_token"), ".", 2)[0]
	res := me.send(t, s, http.MethodPost, "/revoke-session", `{"token":"`+otherToken+`"}`)
	if res.status != http.StatusOK || strings.Contains(strings.Join(res.header.Values("Set-Cookie"), "\n"), "Max-Age=0") {
		t.Fatalf("revoke other = %d %s %q", res.status, res.body, res.header.Values("Set-Cookie"))
	}
	if res := other.send(t, s, http.MethodGet, "/get-session", ""); res.body != "null" {
		t.Fatalf("revoked session still answers (cache included): %s", res.body)
	}

	// My own session: it ends and my cookies are expired.
	res = me.send(t, s, http.MethodPost, "/revoke-session", `{"token":"`+tokenOf(t, up)+`"}`)
	if res.status != http.StatusOK || res.body != `{"status":true}` {
		t.Fatalf("revoke own = %d %s", res.status, res.body)
	}
	equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), []string{
		"better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
		"better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
		// better-auth also expires each session_data cookie the client sent.
		"better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
		"better-auth.dont_remember=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
	})
	if res.header.Get("Set-Auth-Token") != "" {
		t.Fatalf("set-auth-token on a deletion: %q", res.header.Get("Set-Auth-Token"))
	}
}

func TestRevokeSessionRejects(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	tests := []struct{ body, want string }{
		{`{}`, `{"message":"[body.token] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}`},
		{``, `{"message":"[body] Invalid input: expected object, received undefined","code":"VALIDATION_ERROR"}`},
		{`{"token":5}`, `{"message":"[body.token] Invalid input: expected string, received number","code":"VALIDATION_ERROR"}`},
	}
	for _, tc := range tests {
		// The schema is checked before the session, as better-call does.
		for _, c := range []string{cookie, "a=b"} {
			res := s.do(t, http.MethodPost, "/revoke-session", tc.body, "Content-Type", "application/json", "Origin", s.origin, "Cookie", c)
			wantError(t, res, http.StatusBadRequest, tc.want)
		}
	}
}

func TestRevokeSessions(t *testing.T) {
	s := newServer(t)
	_, up := s.signUp(t, "User One", "u1@example.com")
	me, other := newJar(up), s.signIn(t, "u1@example.com")
	_, bobUp := s.signUp(t, "Bob", "bob@example.com")

	// Any JSON body is accepted: the endpoint declares none.
	res := me.send(t, s, http.MethodPost, "/revoke-sessions", `[1,2]`)
	if res.status != http.StatusOK || res.body != `{"status":true}` {
		t.Fatalf("revoke-sessions = %d %s", res.status, res.body)
	}
	equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), deletionCookies)
	for _, j := range []*jar{other, newJar(up)} {
		if res := j.send(t, s, http.MethodGet, "/get-session", ""); res.body != "null" {
			t.Fatalf("a session survived revoke-sessions: %s", res.body)
		}
	}
	if res := newJar(bobUp).send(t, s, http.MethodGet, "/get-session", ""); res.body == "null" {
		t.Fatal("bob's session was revoked")
	}
}

func TestRevokeOtherSessions(t *testing.T) {
	s := newServer(t)
	_, up := s.signUp(t, "User One", "u1@example.com")
	me, other := newJar(up), s.signIn(t, "u1@example.com")
	res := me.send(t, s, http.MethodPost, "/revoke-other-sessions", "")
	if res.status != http.StatusOK || res.body != `{"status":true}` || len(res.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("revoke-other-sessions = %d %s %q", res.status, res.body, res.header.Values("Set-Cookie"))
	}
	if res := other.send(t, s, http.MethodGet, "/get-session", ""); res.body != "null" {
		t.Fatalf("other session survived: %s", res.body)
	}
	if res := me.send(t, s, http.MethodGet, "/get-session", ""); !strings.HasPrefix(res.body, `{"session"`) {
		t.Fatalf("current session ended: %s", res.body)
	}
}

func TestUpdateSession(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	noFields := `{"message":"No fields to update"}`
	tests := []struct {
		name, body, cookie string
		status             int
		want               string
	}{
		{"empty object", `{}`, cookie, 400, noFields},
		{"unknown and server-owned fields are ignored", `{"expiresAt":"2099-01-01T00:00:00.000Z","userId":"x","organizationContext":{}}`, cookie, 400, noFields},
		{"activeOrganizationId is input:false", `{"activeOrganizationId":"organization__x"}`, cookie, 400,
			`{"message":"activeOrganizationId is not allowed to be set","code":"FIELD_NOT_ALLOWED"}`},
		{"a falsy activeOrganizationId is ignored", `{"activeOrganizationId":null}`, cookie, 400, noFields},
		{"array", `[]`, cookie, 400, `{"message":"[body] Invalid input: expected record, received array","code":"VALIDATION_ERROR"}`},
		{"no body", ``, cookie, 400, `{"message":"[body] Invalid input: expected record, received undefined","code":"VALIDATION_ERROR"}`},
		{"array before the session check", `[]`, "a=b", 400, `{"message":"[body] Invalid input: expected record, received array","code":"VALIDATION_ERROR"}`},
		{"no session", `{}`, "a=b", 401, unauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := s.do(t, http.MethodPost, "/update-session", tc.body, "Content-Type", "application/json", "Origin", s.origin, "Cookie", tc.cookie)
			wantError(t, res, tc.status, tc.want)
		})
	}
}

// Sensitive endpoints read storage even when the cookie cache holds the
// session: a cache-only copy of a revoked session authorises nothing.
func TestSensitiveEndpointsReadStorage(t *testing.T) {
	c := &counting{}
	s := newServer(t, withCookieCache(), withCounting(c))
	_, up := s.signUp(t, "User One", "u1@example.com")
	me := newJar(up)
	for _, rt := range []struct{ path, body string }{
		{"/revoke-other-sessions", `{}`},
		{"/verify-password", `{"password":"password123"}`},
		{"/change-password", `{"newPassword":"password456","currentPassword":"password123"}`},
		{"/revoke-session", `{"token":"x"}`},
	} {
		before := c.getSession.Load()
		res := me.send(t, s, http.MethodPost, rt.path, rt.body)
		if res.status != http.StatusOK || c.getSession.Load() != before+1 {
			t.Fatalf("%s: %d %s, storage reads %d", rt.path, res.status, res.body, c.getSession.Load()-before)
		}
	}
	// So do the others: only get-session answers from the cache.
	for _, path := range []string{"/list-accounts", "/list-sessions"} {
		before := c.getSession.Load()
		if res := me.send(t, s, http.MethodGet, path, ""); res.status != http.StatusOK || c.getSession.Load() != before+1 {
			t.Fatalf("%s: %d, storage reads %d", path, res.status, c.getSession.Load()-before)
		}
	}
}

// Protected endpoints look the session up as get-session does: a due
// session is extended and its cookies re-issued.
func TestProtectedEndpointRefreshes(t *testing.T) {
	s := newServer(t, withCookieCache())
	_, up := s.signUp(t, "User One", "u1@example.com")
	s.clock.Advance(25 * time.Hour)
	res := newJar(up).send(t, s, http.MethodGet, "/list-accounts", "")
	if res.status != http.StatusOK {
		t.Fatalf("list-accounts = %d %s", res.status, res.body)
	}
	// The refresh re-issues both cookies; the stale cache entry is replaced.
	equal(t, "Set-Cookie names", cookieNames(res), []string{"better-auth.session_token", dataCookie})
	if !strings.HasSuffix(res.header.Values("Set-Cookie")[0], "; Max-Age=2592000; Path=/; HttpOnly; SameSite=Lax") || res.header.Get("Set-Auth-Token") == "" {
		t.Fatalf("refresh cookies %q", res.header.Values("Set-Cookie"))
	}
	// disableRefresh is honoured there too.
	s.clock.Advance(25 * time.Hour)
	res = s.do(t, http.MethodGet, "/list-accounts?disableRefresh=true&disableCookieCache=true", "", "Cookie", cookiePair(t, up, "better-auth.session_token"))
	if res.status != http.StatusOK || len(res.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("disableRefresh: %d %q", res.status, res.header.Values("Set-Cookie"))
	}
}

func TestProtectedEndpointLookupFailures(t *testing.T) {
	const validCookie = "better-auth.session_token=ZkVAkRNEWrGg5jjzVutuv63aBNui9DUr.%2FXyP05o0cbTATGsle8rY56kXzrfTvsrKusCAxpgqOUM%3D"
	t.Run("session vanished during refresh", func(t *testing.T) {
		s := newServer(t, withAuth(&stubAuth{err: authn.ErrSessionGone}))
		res := s.do(t, http.MethodGet, "/list-accounts", "", "Cookie", validCookie)
		wantError(t, res, http.StatusUnauthorized, unauthorized)
		equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), deletionCookies)
	})
	t.Run("storage down", func(t *testing.T) {
		s := newServer(t, withAuth(&stubAuth{err: errors.New("connection refused")}))
		res := s.do(t, http.MethodGet, "/list-accounts", "", "Cookie", validCookie)
		wantError(t, res, http.StatusInternalServerError, `{"message":"Failed to get session","code":"FAILED_TO_GET_SESSION"}`)
	})
}
