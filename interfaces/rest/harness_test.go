package rest_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/interfaces/rest"
)

// testFloor is the harness's enumeration floor.
const testFloor = 5 * time.Millisecond

// start has sub-millisecond digits so the 3-digit date format is exercised.
var start = time.Date(2026, 11, 28, 19, 30, 27, 532_123_456, time.UTC)

// secret is the oracle's, so its recorded signatures are test vectors.
var secret = []byte("oracle-test-secret-0123456789abcdef0123456789")

// testServer is the edge over real HTTP, backed by the authn service on
// in-memory fakes.
type testServer struct {
	url     string // e.g. http://127.0.0.1:41234
	origin  string // the trusted origin (the base URL's)
	clock   *authntest.Clock
	logs    *syncBuffer
	client  *http.Client
	repos   authntest.Repos    // the service's storage, when the harness built it
	store   *authntest.Store   // the same storage, with its outbox (Mail)
	revoked *authntest.Revoked // its revocation set
	changes *authntest.Changes // its organization-context changes
	ids     *authntest.IDs
	social  rest.Social
	emails  *authntest.EmailTokens
	auth    rest.Authenticator
}

type serverOptions struct {
	baseURL string // default: the listener's own URL
	auth    rest.Authenticator
	wrap    func(rest.Authenticator) rest.Authenticator
	tokens  authn.Tokens
	routes  []rest.Routes
	extra   []string // trusted origins
	policy  func(*authn.Policy)
	deps    func(*authn.Deps)
	config  []func(*rest.Config)
	shared  *testServer
	// providers are the social sign-in providers of the built service.
	providers authntest.Providers
}

type option func(*serverOptions)

// withProviders configures social sign-in providers.
func withProviders(p authntest.Providers) option { return func(o *serverOptions) { o.providers = p } }

func withBaseURL(u string) option           { return func(o *serverOptions) { o.baseURL = u } }
func withAuth(a rest.Authenticator) option  { return func(o *serverOptions) { o.auth = a } }
func withTokens(tk authn.Tokens) option     { return func(o *serverOptions) { o.tokens = tk } }
func withRoutes(r ...rest.Routes) option    { return func(o *serverOptions) { o.routes = r } }
func withTrustedOrigins(o ...string) option { return func(s *serverOptions) { s.extra = o } }

// withWrappedAuth puts w around the service the harness builds (to count
// or fail calls).
func withWrappedAuth(w func(rest.Authenticator) rest.Authenticator) option {
	return func(o *serverOptions) { o.wrap = w }
}

// withShared serves the same use cases, storage and clock as other: a
// second node of one deployment, configured on its own.
func withShared(other *testServer) option { return func(o *serverOptions) { o.shared = other } }

// withPolicy adjusts the use cases' policy.
func withPolicy(f func(*authn.Policy)) option { return func(o *serverOptions) { o.policy = f } }

// withDeps adjusts the ports of the service the harness builds.
func withDeps(f func(*authn.Deps)) option { return func(o *serverOptions) { o.deps = f } }

// withConfig adjusts the edge's configuration.
func withConfig(f func(*rest.Config)) option {
	return func(o *serverOptions) { o.config = append(o.config, f) }
}

// withCookieCache turns the cookie cache on with the runtime's default age.
func withCookieCache() option {
	return withConfig(func(c *rest.Config) { c.CookieCacheMaxAge = 300 * time.Second })
}
func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	must(t, err)
	return u
}

func newServer(t *testing.T, opts ...option) *testServer {
	t.Helper()
	var o serverOptions
	for _, opt := range opts {
		opt(&o)
	}
	ts := httptest.NewUnstartedServer(nil)
	self := "http://" + ts.Listener.Addr().String()
	if o.baseURL == "" {
		o.baseURL = self
	}
	clock := authntest.NewClock(start)
	if o.tokens == nil {
		o.tokens = &authntest.Tokens{}
	}
	store, revoked, emails := authntest.NewStore(), &authntest.Revoked{}, &authntest.EmailTokens{}
	changes, ids := &authntest.Changes{Clock: clock}, &authntest.IDs{}
	if o.shared != nil {
		clock, store, revoked, changes, ids, emails, o.auth = o.shared.clock, o.shared.store, o.shared.revoked, o.shared.changes, o.shared.ids, o.shared.emails, o.shared.auth
	}
	repos := authntest.Repos{
		Tx: store, Users: store.Users(), Accounts: store.Accounts(), Sessions: store.Sessions(),
		Organizations: store.Organizations(), Verifications: store.Verifications(),
	}
	var social rest.Social
	if o.shared != nil {
		social = o.shared.social
	}
	if o.auth == nil {
		policy := authn.DefaultPolicy
		policy.Links = authn.Links{AuthBase: mustURL(t, strings.TrimSuffix(o.baseURL, "/")+"/api/auth")}
		if o.policy != nil {
			o.policy(&policy)
		}
		if o.providers == nil {
			o.providers = authntest.Providers{}
		}
		policy.Social.Linking.Trusted = map[string]bool{"google": true} // as the runtime lists trusted providers
		deps := authn.Deps{
			Clock: clock, IDs: ids, Tokens: o.tokens, Hasher: &authntest.Hasher{},
			Tx: repos.Tx, Users: repos.Users, Accounts: repos.Accounts, Sessions: repos.Sessions,
			Organizations: repos.Organizations, Revoked: revoked, Changes: changes, Verifications: repos.Verifications,
			Outbox: store.Outbox(), EmailTokens: emails, FoldAccents: authntest.NoFold,
			Providers: o.providers, Cipher: authntest.Cipher{},
		}
		if o.deps != nil {
			o.deps(&deps)
		}
		svc := authn.NewService(deps, policy)
		o.auth, social = svc, svc
	}
	if o.wrap != nil && o.shared == nil {
		o.auth = o.wrap(o.auth)
	}
	cfg := rest.Config{
		BaseURL:        mustURL(t, o.baseURL),
		Secrets:        [][]byte{secret},
		TrustedOrigins: o.extra,
		SessionMaxAge:  30 * 24 * time.Hour,
		Now:            clock.Now,
		// A few milliseconds, so tests of the padded endpoints stay fast.
		EnumerationFloor: testFloor,
	}
	for _, f := range o.config {
		f(&cfg)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	authRoutes := rest.NewAuthRoutes(cfg, o.auth)
	orgs := tenancy.NewService(tenancy.Deps{
		Clock: clock, IDs: ids, Tx: store, Users: store.Users(), Organizations: store.Organizations(),
		Sessions: store.Sessions(), Outbox: store.Outbox(), Changes: changes,
	}, orgPolicy(t, o.baseURL))
	routes := append([]rest.Routes{authRoutes, rest.NewOrganizationRoutes(authRoutes, orgs)}, o.routes...)
	if social != nil {
		routes = append(routes, rest.NewSocialRoutes(authRoutes, social))
	}
	ts.Config.Handler = rest.NewEcho(cfg, logger, routes)
	ts.Start()
	t.Cleanup(ts.Close)
	origin := strings.TrimSuffix(o.baseURL, "/")
	return &testServer{
		url: self, origin: origin, clock: clock, logs: logs, repos: repos, store: store, revoked: revoked, changes: changes, ids: ids, social: social, emails: emails, auth: o.auth,
		client: &http.Client{
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// result is a response, read in full.
type result struct {
	status int
	header http.Header
	body   string
}

// do sends a request to path (under /api/auth unless it starts with "//"
// or "!") with headers given as name, value pairs.
func (s *testServer) do(t *testing.T, method, path, body string, headers ...string) result {
	t.Helper()
	target := s.url + "/api/auth" + path
	if raw, ok := strings.CutPrefix(path, "!"); ok {
		target = s.url + raw
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, target, rd)
	must(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	must(t, err)
	return result{status: res.StatusCode, header: res.Header, body: string(b)}
}

// post sends a JSON body from the trusted origin.
func (s *testServer) post(t *testing.T, path, body string, headers ...string) result {
	t.Helper()
	return s.do(t, http.MethodPost, path, body, append([]string{"Content-Type", "application/json", "Origin", s.origin}, headers...)...)
}

// signUp creates a user and returns the session cookie pair to send back
// ("better-auth.session_token=...") and the response.
func (s *testServer) signUp(t *testing.T, name, email string) (string, result) {
	t.Helper()
	res := s.post(t, "/sign-up/email", `{"name":"`+name+`","email":"`+email+`","password":"password123"}`)
	if res.status != http.StatusOK {
		t.Fatalf("sign-up %s: status %d, body %s", email, res.status, res.body)
	}
	return cookiePair(t, res, "better-auth.session_token"), res
}

// cookiePair returns "name=value" from the response's Set-Cookie of name.
func cookiePair(t *testing.T, res result, name string) string {
	t.Helper()
	for _, line := range res.header.Values("Set-Cookie") {
		if strings.HasPrefix(line, name+"=") {
			pair, _, _ := strings.Cut(line, ";")
			return pair
		}
	}
	t.Fatalf("no Set-Cookie %s in %q", name, res.header.Values("Set-Cookie"))
	return ""
}

// keysOf lists the keys of the JSON object at path inside raw, in order.
func keysOf(t *testing.T, raw string, path ...string) []string {
	t.Helper()
	data := json.RawMessage(raw)
	for _, p := range path {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("keysOf %v in %s: %v", path, raw, err)
		}
		data = m[p]
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("keysOf %v: not an object in %s", path, raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		must(t, err)
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		must(t, dec.Decode(&skip))
	}
	return keys
}

// signedCookieValue signs value as better-call does, computed here
// independently of the package: value.base64(HMAC-SHA256), URL-encoded.
func signedCookieValue(key []byte, value string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(value))
	return url.QueryEscape(value + "." + base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

// items splits a JSON array into its elements' raw text.
func items(t *testing.T, raw string) []string {
	t.Helper()
	var list []json.RawMessage
	decode(t, raw, &list)
	out := make([]string, len(list))
	for i, m := range list {
		out[i] = string(m)
	}
	return out
}

func decode(t *testing.T, raw string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantError checks an error response: status, JSON content type and the
// exact body.
func wantError(t *testing.T, res result, status int, body string) {
	t.Helper()
	if res.status != status || res.body != body {
		t.Fatalf("got %d %s, want %d %s", res.status, res.body, status, body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("content-type %q, want application/json", ct)
	}
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %q, want %q", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: got %q, want %q", what, got, want)
		}
	}
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Wire constants from RECORDED.md.
var (
	userKeys    = []string{"name", "email", "emailVerified", "image", "createdAt", "updatedAt", "id"}
	sessionKeys = []string{"expiresAt", "token", "createdAt", "updatedAt", "ipAddress", "userAgent", "userId",
		"activeOrganizationId", "organizationContext", "id"}
	deletionCookies = []string{
		"better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
		"better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
		"better-auth.dont_remember=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
	}
)

// jar is a browser's cookie store for one site: Set-Cookie lines are
// applied in order, Max-Age=0 deletes.
type jar struct {
	names  []string
	values map[string]string
}

func newJar(res ...result) *jar {
	j := &jar{values: map[string]string{}}
	for _, r := range res {
		j.update(r)
	}
	return j
}

// update applies a response's Set-Cookie lines.
func (j *jar) update(res result) {
	for _, line := range res.header.Values("Set-Cookie") {
		pair, attrs, _ := strings.Cut(line, ";")
		name, value, _ := strings.Cut(pair, "=")
		if strings.Contains(attrs, "Max-Age=0") {
			delete(j.values, name)
			continue
		}
		if _, ok := j.values[name]; !ok {
			j.names = append(j.names, name)
		}
		j.values[name] = value
	}
}

// get returns the value of a cookie ("" when absent).
func (j *jar) get(name string) string { return j.values[name] }

// header is the Cookie header the browser sends.
func (j *jar) header() string {
	var parts []string
	for _, n := range j.names {
		if v, ok := j.values[n]; ok {
			parts = append(parts, n+"="+v)
		}
	}
	return strings.Join(parts, "; ")
}

// send sends a request with the jar's cookies (and the trusted origin for
// POSTs) and applies the response's cookies.
func (j *jar) send(t *testing.T, s *testServer, method, path, body string, headers ...string) result {
	t.Helper()
	h := []string{"Cookie", j.header()}
	if method == http.MethodPost {
		h = append(h, "Content-Type", "application/json", "Origin", s.origin)
	}
	res := s.do(t, method, path, body, append(h, headers...)...)
	j.update(res)
	return res
}

// signIn signs in with the harness password and returns the browser jar.
func (s *testServer) signIn(t *testing.T, email string, extra ...string) *jar {
	t.Helper()
	body := `{"email":"` + email + `","password":"password123"` + strings.Join(extra, "") + `}`
	res := s.post(t, "/sign-in/email", body)
	if res.status != http.StatusOK {
		t.Fatalf("sign-in %s: %d %s", email, res.status, res.body)
	}
	return newJar(res)
}

// tokenOf returns the session token of a sign-in or sign-up response.
func tokenOf(t *testing.T, res result) string {
	t.Helper()
	var v struct{ Token string }
	decode(t, res.body, &v)
	return v.Token
}

// counting counts the storage-backed session look-ups of an Authenticator.
type counting struct {
	rest.Authenticator
	getSession atomic.Int32
	revoked    atomic.Int32
}

func (c *counting) GetSession(ctx context.Context, q authn.SessionQuery) (authn.CurrentSession, error) {
	c.getSession.Add(1)
	return c.Authenticator.GetSession(ctx, q)
}

func (c *counting) CacheStale(ctx context.Context, token string, userID identity.UserID, issuedAt time.Time) bool {
	c.revoked.Add(1)
	return c.Authenticator.CacheStale(ctx, token, userID, issuedAt)
}

// withCounting wraps the service in c.
func withCounting(c *counting) option {
	return withWrappedAuth(func(a rest.Authenticator) rest.Authenticator {
		c.Authenticator = a
		return c
	})
}

const (
	unauthorized = `{"message":"Unauthorized","code":"UNAUTHORIZED"}`
)

// orgPolicy is Beep's organization policy with invitation links to the
// test server.
func orgPolicy(t *testing.T, base string) tenancy.Policy {
	p := tenancy.DefaultPolicy
	p.AcceptBase = mustURL(t, base)
	return p
}
