package module_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/fx/fxtest"
)

// TestTwoNodes is issue 7's "done when": two servers on one PostgreSQL
// schema and one Redis agree at once. A session made on node A works on
// node B; ended on A (sign-out, revoke-session) it is refused by B at once,
// also when B is shown the cookie-cache entry A issued; a role changed on A
// shows on B at once through that cookie cache; and B's server-side session
// cache (filled by B) is dropped by A's revocations.
func TestTwoNodes(t *testing.T) {
	pg, rd := os.Getenv("IAM_TEST_POSTGRES_URL"), os.Getenv("IAM_TEST_REDIS_URL")
	if pg == "" || rd == "" {
		if os.Getenv("IAM_TEST_REQUIRE_POSTGRES") == "1" || os.Getenv("IAM_TEST_REQUIRE_REDIS") == "1" {
			t.Fatal("the two-node test needs IAM_TEST_POSTGRES_URL and IAM_TEST_REDIS_URL: run under scripts/with-postgres.sh scripts/with-redis.sh")
		}
		t.Skip("IAM_TEST_POSTGRES_URL or IAM_TEST_REDIS_URL unset: two-node test skipped (make test runs it)")
	}
	db := postgresSchemaURL(t, pg)
	a, b := startNode(t, db, rd), startNode(t, db, rd)

	t.Run("session made on A works on B", func(t *testing.T) {
		alice := newAgent()
		alice.ok(t, a, "POST", "/sign-up/email", `{"name":"Alice","email":"alice@example.com","password":"correct horse battery"}`)
		if alice.cookies["better-auth.session_data"] == "" {
			t.Fatal("A issued no cookie-cache entry: the cookie-cache checks below would prove nothing")
		}
		if got := jsonField(t, alice.ok(t, b, "GET", "/get-session", ""), "user", "email"); got != "alice@example.com" {
			t.Fatalf("B's get-session user email = %q, want alice@example.com", got)
		}
	})

	for _, end := range []struct {
		name string
		run  func(t *testing.T, victim, other *agent)
	}{
		{"sign-out", func(t *testing.T, victim, _ *agent) {
			victim.clone().ok(t, a, "POST", "/sign-out", "")
		}},
		{"revoke-session", func(t *testing.T, victim, other *agent) {
			other.ok(t, a, "POST", "/revoke-session", `{"token":"`+victim.token()+`"}`)
		}},
		{"revoke-sessions", func(t *testing.T, victim, _ *agent) {
			victim.clone().ok(t, a, "POST", "/revoke-sessions", "")
		}},
	} {
		t.Run(end.name+" on A is refused by B at once", func(t *testing.T) {
			email := strings.ReplaceAll(end.name, "-", "") + "@example.com"
			victim := newAgent()
			victim.ok(t, a, "POST", "/sign-up/email", `{"name":"V","email":"`+email+`","password":"correct horse battery"}`)
			other := newAgent()
			other.ok(t, a, "POST", "/sign-in/email", `{"email":"`+email+`","password":"correct horse battery"}`)
			// B serves the session: from A's cookie-cache entry, and from
			// storage (which fills the shared session cache).
			if body := victim.clone().ok(t, b, "GET", "/get-session", ""); body == "null" {
				t.Fatal("B refused a live session")
			}
			bare := victim.without("better-auth.session_data")
			bare.ok(t, b, "GET", "/get-session", "")
			bare.ok(t, b, "GET", "/get-session", "")

			end.run(t, victim, other)

			if body := victim.clone().ok(t, b, "GET", "/get-session", ""); body != "null" {
				t.Fatalf("B's get-session with A's cookie-cache entry after %s on A = %s, want null", end.name, body)
			}
			if body := victim.without("better-auth.session_data").ok(t, b, "GET", "/get-session", ""); body != "null" {
				t.Fatalf("B's get-session (session cache) after %s on A = %s, want null", end.name, body)
			}
		})
	}

	t.Run("role change on A shows on B through the cookie cache", func(t *testing.T) {
		owner, member := newAgent(), newAgent()
		owner.ok(t, a, "POST", "/sign-up/email", `{"name":"Olga","email":"olga@example.com","password":"correct horse battery"}`)
		member.ok(t, a, "POST", "/sign-up/email", `{"name":"Max","email":"max@example.com","password":"correct horse battery"}`)
		orgID := jsonField(t, owner.ok(t, a, "POST", "/organization/create", `{"name":"Acme","slug":"acme-two-nodes"}`), "id")
		inv := owner.ok(t, a, "POST", "/organization/invite-member", `{"email":"max@example.com","role":"member","organizationId":"`+orgID+`"}`)
		accepted := member.ok(t, a, "POST", "/organization/accept-invitation", `{"invitationId":"`+jsonField(t, inv, "id")+`"}`)
		memberID := jsonField(t, accepted, "member", "id")
		// A cookie-cache entry from A saying "member", also used on B.
		time.Sleep(2 * time.Millisecond)
		role := func(node string) string {
			return jsonField(t, member.clone().ok(t, node, "GET", "/get-session", ""), "session", "organizationContext", orgID, "role")
		}
		if got := role(a); got != "member" {
			t.Fatalf("role on A = %s, want member", got)
		}
		member.ok(t, a, "GET", "/get-session", "") // keep the entry A issued
		if got := role(b); got != "member" {
			t.Fatalf("role on B before the change = %s, want member", got)
		}
		time.Sleep(2 * time.Millisecond)
		owner.ok(t, a, "POST", "/organization/update-member-role", `{"memberId":"`+memberID+`","role":"admin","organizationId":"`+orgID+`"}`)
		if got := role(b); got != "admin" {
			t.Fatalf("role on B right after the change on A = %s, want admin", got)
		}
		if got := jsonField(t, member.without("better-auth.session_data").ok(t, b, "GET", "/get-session", ""), "session", "organizationContext", orgID, "role"); got != "admin" {
			t.Fatalf("role on B from its session cache = %s, want admin", got)
		}
	})

	t.Run("readyz pings Redis", func(t *testing.T) {
		resp, err := http.Get(a + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || jsonField(t, string(raw), "checks", "redis") != "ok" {
			t.Fatalf("GET /readyz = %d %s, want 200 with a redis check that passed", resp.StatusCode, raw)
		}
	})

	t.Run("rate limit counts requests sent to both nodes", func(t *testing.T) {
		// Two more nodes with limits on (the ones above run without, for
		// the other checks): sign-in allows 3 per 10 s per IP, counted in
		// Redis, so the 4th attempt is refused whichever node gets it.
		c, d := startNode(t, db, rd, "RATE_LIMIT_ENABLED", "true"), startNode(t, db, rd, "RATE_LIMIT_ENABLED", "true")
		statuses := make([]int, 0, 4)
		for i, node := range []string{c, d, c, d} {
			resp, err := http.Post(node+"/api/auth/sign-in/email", "application/json",
				strings.NewReader(`{"email":"two-nodes-`+strconv.Itoa(i)+`@example.com","password":"wrong password 1"}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			statuses = append(statuses, resp.StatusCode)
			if i == 3 && resp.Header.Get("X-Retry-After") == "" {
				t.Error("the refusal has no X-Retry-After")
			}
		}
		if fmt.Sprint(statuses) != "[401 401 401 429]" {
			t.Fatalf("sign-ins alternating between two nodes answered %v, want [401 401 401 429]", statuses)
		}
	})
}

// startNode starts a server on the shared database and Redis and returns
// its base URL.
func startNode(t *testing.T, databaseURL, redisURL string, extra ...string) string {
	t.Helper()
	addr := freeAddr(t)
	env := map[string]string{
		"HTTP_ADDR": addr, "DATABASE_URL": databaseURL, "REDIS_URL": redisURL,
		"ORGANIZATION_INVITATION_REQUIRE_VERIFIED_EMAIL": "false",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	c := testConfig(t, env)
	app := fxtest.New(t, graph(c))
	app.RequireStart()
	t.Cleanup(app.RequireStop)
	return "http://" + addr
}

// agent is a browser's cookies, sent to whichever node it is told.
type agent struct{ cookies map[string]string }

func newAgent() *agent { return &agent{cookies: map[string]string{}} }

// clone is a copy whose later cookie changes do not touch the original.
func (g *agent) clone() *agent {
	c := newAgent()
	for k, v := range g.cookies {
		c.cookies[k] = v
	}
	return c
}

// without is a clone lacking the named cookie.
func (g *agent) without(name string) *agent {
	c := g.clone()
	delete(c.cookies, name)
	return c
}

// token is the session token inside the signed session cookie.
func (g *agent) token() string {
	v := g.cookies["better-auth.session_token"]
	if i := strings.Index(v, "."); i >= 0 {
		v = v[:i]
	}
	return v
}

// ok sends a request to node and wants 200; it returns the body and keeps
// the cookies the node set.
func (g *agent) ok(t *testing.T, node, method, path, body string) string {
	t.Helper()
	req, err := http.NewRequest(method, node+"/api/auth"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", node)
		if body == "" {
			req.Body = io.NopCloser(strings.NewReader("{}"))
		}
	}
	for k, v := range g.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s on %s = %d %s, want 200", method, path, node, resp.StatusCode, raw)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(g.cookies, c.Name)
		} else {
			g.cookies[c.Name] = c.Value
		}
	}
	return string(raw)
}

// jsonField is the string (or JSON text) at path in body.
func jsonField(t *testing.T, body string, path ...string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("no %v in %s", path, body)
		}
		v = m[p]
	}
	if s, ok := v.(string); ok {
		return s
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}

// TestRedisDownFallsBackToTheDatabase: a node whose Redis does not answer
// still starts, signs users up and in, and answers get-session from the
// database (its cookie-cache entries count as revoked, so each request
// reads storage); /readyz reports Redis down but stays ready (degraded).
func TestRedisDownFallsBackToTheDatabase(t *testing.T) {
	dead := "redis://" + freeAddr(t) + "/0" // nothing listens there
	n := startNode(t, "sqlite:"+t.TempDir()+"/iam.db", dead)
	u := newAgent()
	u.ok(t, n, "POST", "/sign-up/email", `{"name":"Ann","email":"ann@example.com","password":"correct horse battery"}`)
	for range 3 { // the cookie-cache path and the session cache both fall back
		if got := jsonField(t, u.ok(t, n, "GET", "/get-session", ""), "user", "email"); got != "ann@example.com" {
			t.Fatalf("get-session with Redis down = user %q, want ann@example.com from the database", got)
		}
	}
	// Ready, but degraded: the node serves without Redis, so a Redis outage
	// must not take every node out of the load balancer.
	resp, err := http.Get(n + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || jsonField(t, string(raw), "status") != "degraded" || jsonField(t, string(raw), "checks", "redis") == "ok" {
		t.Fatalf("GET /readyz with Redis down = %d %s, want 200 degraded with redis not ok", resp.StatusCode, raw)
	}
}
