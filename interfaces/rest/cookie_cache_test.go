package rest_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const dataCookie = "better-auth.session_data"

// cacheEntry is a session_data value taken apart independently of the
// package: base64url(JSON {session: payload, expiresAt, signature}).
type cacheEntry struct {
	payload   string // the payload's exact JSON text
	expiresAt int64
	signature string
}

func parseCache(t *testing.T, value string) cacheEntry {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(value)
	must(t, err)
	equal(t, "cache cookie keys", keysOf(t, string(raw)), []string{"session", "expiresAt", "signature"})
	var env struct {
		Session   json.RawMessage
		ExpiresAt int64
		Signature string
	}
	decode(t, string(raw), &env)
	return cacheEntry{payload: string(env.Session), expiresAt: env.ExpiresAt, signature: env.Signature}
}

// sign is better-auth's signature: base64url(HMAC-SHA256(key,
// JSON.stringify({...payload, expiresAt}))).
func (e cacheEntry) sign(key []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(strings.TrimSuffix(e.payload, "}") + `,"expiresAt":` + strconv.FormatInt(e.expiresAt, 10) + "}"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// encode builds the cookie value.
func (e cacheEntry) encode() string {
	env := `{"session":` + e.payload + `,"expiresAt":` + strconv.FormatInt(e.expiresAt, 10) + `,"signature":"` + e.signature + `"}`
	return base64.RawURLEncoding.EncodeToString([]byte(env))
}

func TestCookieCacheIssued(t *testing.T) {
	s := newServer(t, withCookieCache())
	_, up := s.signUp(t, "User One", "u1@example.com")
	lines := up.header.Values("Set-Cookie")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], dataCookie+"=") || !strings.HasSuffix(lines[1], "; Max-Age=300; Path=/; HttpOnly; SameSite=Lax") {
		t.Fatalf("Set-Cookie = %q", lines)
	}
	e := parseCache(t, newJar(up).get(dataCookie))
	if e.signature != e.sign(secret) {
		t.Fatalf("signature %s, want %s", e.signature, e.sign(secret))
	}
	if want := start.Add(300 * time.Second).UnixMilli(); e.expiresAt != want {
		t.Fatalf("expiresAt %d, want %d", e.expiresAt, want)
	}
	equal(t, "payload keys", keysOf(t, e.payload), []string{"session", "user", "updatedAt", "version"})
	equal(t, "session keys", keysOf(t, e.payload, "session"), sessionKeys)
	equal(t, "user keys", keysOf(t, e.payload, "user"), userKeys)
	var p struct {
		Session struct {
			Token               string
			OrganizationContext map[string]any
		}
		UpdatedAt int64
		Version   string
	}
	decode(t, e.payload, &p)
	if p.Session.Token != tokenOf(t, up) || len(p.Session.OrganizationContext) != 1 || p.Version != "1" || p.UpdatedAt != start.UnixMilli() {
		t.Fatalf("payload = %s", e.payload)
	}
	// The cached session is exactly get-session's.
	got := s.do(t, http.MethodGet, "/get-session?disableCookieCache=true&disableRefresh=true", "", "Cookie", newJar(up).header())
	if !strings.Contains(got.body, `"session":`+string(mustField(t, e.payload, "session"))) {
		t.Fatalf("cached session differs from storage's:\n%s\n%s", e.payload, got.body)
	}
}

func mustField(t *testing.T, raw, key string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	decode(t, raw, &m)
	return m[key]
}

func TestCookieCacheHitReadsNoStorage(t *testing.T) {
	c := &counting{}
	s := newServer(t, withCookieCache(), withCounting(c))
	_, up := s.signUp(t, "User One", "u1@example.com")
	me := newJar(up)
	fromStorage := s.do(t, http.MethodGet, "/get-session?disableCookieCache=true", "", "Cookie", me.header())

	reads, checks := c.getSession.Load(), c.revoked.Load()
	res := me.send(t, s, http.MethodGet, "/get-session", "")
	if c.getSession.Load() != reads || c.revoked.Load() != checks+1 {
		t.Fatalf("cache hit did %d storage reads and %d revocation checks", c.getSession.Load()-reads, c.revoked.Load()-checks)
	}
	if res.body != fromStorage.body || len(res.header.Values("Set-Cookie")) != 0 || res.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("cache answer %s %q\nstorage answer %s", res.body, res.header.Values("Set-Cookie"), fromStorage.body)
	}
	// Only get-session answers from the cache; every protected endpoint
	// reads storage, so a cached copy of a revoked session (say, from
	// before a restart) can never act.
	if res := me.send(t, s, http.MethodGet, "/list-accounts", ""); res.status != http.StatusOK || c.getSession.Load() != reads+1 {
		t.Fatalf("list-accounts: %d, %d storage reads", res.status, c.getSession.Load()-reads)
	}
	reads = c.getSession.Load()

	// disableCookieCache reads storage and re-issues the entry.
	res = me.send(t, s, http.MethodGet, "/get-session?disableCookieCache=true", "")
	if c.getSession.Load() != reads+1 || len(res.header.Values("Set-Cookie")) != 1 || !strings.HasPrefix(res.header.Values("Set-Cookie")[0], dataCookie+"=ey") {
		t.Fatalf("disableCookieCache: %d reads, Set-Cookie %q", c.getSession.Load()-reads, res.header.Values("Set-Cookie"))
	}

	// An expired entry is no longer used.
	s.clock.Advance(301 * time.Second)
	reads = c.getSession.Load()
	res = me.send(t, s, http.MethodGet, "/get-session", "")
	if c.getSession.Load() != reads+1 || !strings.HasPrefix(res.body, `{"session"`) {
		t.Fatalf("expired entry: %d reads, %s", c.getSession.Load()-reads, res.body)
	}
	// The expired entry is replaced by a fresh one.
	equal(t, "Set-Cookie names", cookieNames(res), []string{dataCookie})
	if !strings.HasPrefix(res.header.Values("Set-Cookie")[0], dataCookie+"=ey") {
		t.Fatalf("expired entry not replaced: %q", res.header.Values("Set-Cookie"))
	}
}

func cookieNames(res result) []string {
	var names []string
	for _, l := range res.header.Values("Set-Cookie") {
		name, _, _ := strings.Cut(l, "=")
		names = append(names, name)
	}
	return names
}

// A cache entry that does not verify, belongs to another session or is in
// another version is ignored and expired; storage answers and a new entry
// is issued.
func TestCookieCacheRejects(t *testing.T) {
	c := &counting{}
	s := newServer(t, withCookieCache(), withCounting(c))
	_, up := s.signUp(t, "User One", "u1@example.com")
	_, bobUp := s.signUp(t, "Bob", "bob@example.com")
	mine := parseCache(t, newJar(up).get(dataCookie))
	token := cookiePair(t, up, "better-auth.session_token")

	wrongKey := mine
	wrongKey.signature = mine.sign([]byte("not-the-secret-0123456789abcdef0123456789"))
	tampered := mine
	tampered.payload = strings.Replace(mine.payload, `"name":"User One"`, `"name":"Mallory"`, 1)
	version2 := mine
	version2.payload = strings.Replace(mine.payload, `"version":"1"`, `"version":"2"`, 1)
	version2.signature = version2.sign(secret)
	tests := []struct{ name, value string }{
		{"signed with another secret", wrongKey.encode()},
		{"payload changed after signing", tampered.encode()},
		{"another session's entry", newJar(bobUp).get(dataCookie)},
		{"another version", version2.encode()},
		{"not base64", "%%%"},
		{"not JSON", base64.RawURLEncoding.EncodeToString([]byte("nope"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reads := c.getSession.Load()
			res := s.do(t, http.MethodGet, "/get-session", "", "Cookie", token+"; "+dataCookie+"="+tc.value)
			if c.getSession.Load() != reads+1 || !strings.Contains(res.body, `"name":"User One"`) {
				t.Fatalf("%d storage reads, body %s", c.getSession.Load()-reads, res.body)
			}
			lines := res.header.Values("Set-Cookie")
			// The bad entry is replaced by a fresh one (the last cookie of
			// a name in a response is the one that counts).
			if len(lines) != 1 || !strings.HasPrefix(lines[0], dataCookie+"=ey") {
				t.Fatalf("Set-Cookie = %q", lines)
			}
		})
	}
}

// A copy of the cookies taken before the session ended is refused at
// once, cache entry included: better-auth would keep answering from the
// cache until the entry expires.
func TestCookieCacheReplayAfterRevocation(t *testing.T) {
	actions := []struct {
		name string
		do   func(t *testing.T, s *testServer, victim, other *jar)
	}{
		{"sign-out", func(t *testing.T, s *testServer, victim, _ *jar) {
			victim.send(t, s, http.MethodPost, "/sign-out", "")
		}},
		{"revoke-other-sessions from another session", func(t *testing.T, s *testServer, _, other *jar) {
			other.send(t, s, http.MethodPost, "/revoke-other-sessions", "")
		}},
		{"change-password with revokeOtherSessions", func(t *testing.T, s *testServer, victim, _ *jar) {
			res := victim.send(t, s, http.MethodPost, "/change-password", `{"currentPassword":"password123","newPassword":"password456","revokeOtherSessions":true}`)
			if res.status != http.StatusOK {
				t.Fatalf("change-password = %d %s", res.status, res.body)
			}
		}},
		{"revoke-sessions", func(t *testing.T, s *testServer, victim, _ *jar) {
			victim.send(t, s, http.MethodPost, "/revoke-sessions", "")
		}},
		{"revoke-session of it from another session", func(t *testing.T, s *testServer, victim, other *jar) {
			token, _, _ := strings.Cut(victim.get("better-auth.session_token"), ".")
			other.send(t, s, http.MethodPost, "/revoke-session", `{"token":"`+token+`"}`)
		}},
	}
	for _, tc := range actions {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, withCookieCache())
			_, up := s.signUp(t, "User One", "u1@example.com")
			victim, other := newJar(up), s.signIn(t, "u1@example.com")
			copied := victim.header()
			if !strings.Contains(copied, dataCookie+"=") {
				t.Fatalf("no cache entry to copy: %s", copied)
			}
			tc.do(t, s, victim, other)
			res := s.do(t, http.MethodGet, "/get-session", "", "Cookie", copied)
			if res.body != "null" {
				t.Fatalf("replayed cache entry answered: %s", res.body)
			}
			equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), append(deletionCookies[:2:2],
				dataCookie+"=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax", deletionCookies[2]))
			res = s.do(t, http.MethodGet, "/list-accounts", "", "Cookie", copied)
			wantError(t, res, http.StatusUnauthorized, unauthorized)
		})
	}
}

// When the revocation store fails, the cache is not trusted: storage
// answers.
func TestCookieCacheRevocationStoreDown(t *testing.T) {
	c := &counting{}
	s := newServer(t, withCookieCache(), withCounting(c))
	_, up := s.signUp(t, "User One", "u1@example.com")
	s.revoked.Err = errors.New("redis down")
	reads := c.getSession.Load()
	res := newJar(up).send(t, s, http.MethodGet, "/get-session", "")
	if c.getSession.Load() != reads+1 || !strings.HasPrefix(res.body, `{"session"`) {
		t.Fatalf("%d storage reads, %s", c.getSession.Load()-reads, res.body)
	}
}

func TestCookieCacheDontRemember(t *testing.T) {
	c := &counting{}
	s := newServer(t, withCookieCache(), withCounting(c))
	s.signUp(t, "User One", "u1@example.com")
	res := s.post(t, "/sign-in/email", `{"email":"u1@example.com","password":"password123","rememberMe":false}`)
	lines := res.header.Values("Set-Cookie")
	if len(lines) != 3 || !strings.HasPrefix(lines[2], dataCookie+"=") || !strings.HasSuffix(lines[2], "; Path=/; HttpOnly; SameSite=Lax") || strings.Contains(lines[2], "Max-Age") {
		t.Fatalf("Set-Cookie = %q", lines)
	}
	me := newJar(res)
	if e := parseCache(t, me.get(dataCookie)); e.expiresAt != start.Add(time.Minute).UnixMilli() {
		t.Fatalf("dont-remember entry expires at %d, want a minute from now", e.expiresAt)
	}
	s.clock.Advance(61 * time.Second)
	reads := c.getSession.Load()
	res = me.send(t, s, http.MethodGet, "/get-session", "")
	// Storage answers; as in better-auth, a dont-remember session's
	// look-up does not re-issue the entry, only expires the stale one.
	if c.getSession.Load() != reads+1 || !strings.HasPrefix(res.body, `{"session"`) {
		t.Fatalf("%d reads, %s", c.getSession.Load()-reads, res.body)
	}
	equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), []string{dataCookie + "=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"})
}

// A payload too large for one cookie is split into session_data.N chunks,
// read back whole, and every chunk is expired with the session.
func TestCookieCacheChunks(t *testing.T) {
	c := &counting{}
	s := newServer(t, withCookieCache(), withCounting(c))
	// Names are bounded; a long image URL still makes a big entry.
	name := "https://img.example/" + strings.Repeat("n", 9000)
	up := s.post(t, "/sign-up/email", `{"name":"User One","email":"u1@example.com","password":"password123","image":"`+name+`"}`)
	if up.status != http.StatusOK {
		t.Fatalf("sign-up: %d %s", up.status, up.body)
	}
	chunks := []string{dataCookie + ".0", dataCookie + ".1", dataCookie + ".2", dataCookie + ".3"}
	equal(t, "Set-Cookie names", cookieNames(up), append([]string{"better-auth.session_token"}, chunks...))
	// Chunks are as long as better-auth makes them: the line of a ".99"
	// chunk would be 4050 bytes.
	if l := up.header.Values("Set-Cookie")[1]; len(l) != 4049 {
		t.Fatalf("first chunk line is %d bytes, want 4049", len(l))
	}
	me := newJar(up)
	reads := c.getSession.Load()
	if res := me.send(t, s, http.MethodGet, "/get-session", ""); c.getSession.Load() != reads || !strings.Contains(res.body, name) {
		t.Fatalf("chunked entry not used: %d reads", c.getSession.Load()-reads)
	}
	// A new entry that fits one cookie expires the chunks a client holds,
	// in place, and adds the plain cookie.
	_, small := s.signUp(t, "Short", "short@example.com")
	stale := cookiePair(t, small, "better-auth.session_token") + "; " + dataCookie + ".0=x; " + dataCookie + ".1=y"
	res := s.post(t, "/update-user", `{"name":"Shorter"}`, "Cookie", stale)
	// The session look-up (the chunks do not verify, so storage answers)
	// writes its cookies first, then update-user its own.
	names := cookieNames(res)
	equal(t, "Set-Cookie names", names[len(names)-4:], []string{"better-auth.session_token", dataCookie + ".0", dataCookie + ".1", dataCookie})
	if lines := res.header.Values("Set-Cookie"); !strings.HasPrefix(lines[len(lines)-3], dataCookie+".0=; Max-Age=0;") || !strings.HasPrefix(lines[len(lines)-1], dataCookie+"=ey") {
		t.Fatalf("Set-Cookie = %q", lines)
	}
	if j := newJar(small, res); j.get(dataCookie+".0") != "" || j.get(dataCookie) == "" {
		t.Fatalf("browser holds %s", j.header())
	}
	res = newJar(up).send(t, s, http.MethodPost, "/sign-out", "")
	equal(t, "Set-Cookie names", cookieNames(res), append(append([]string{"better-auth.session_token", dataCookie}, chunks...), "better-auth.dont_remember"))
}
