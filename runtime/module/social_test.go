package module_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/infrastructure/bunstore"
	"github.com/beep/iam/infrastructure/oauth"
	"github.com/beep/iam/infrastructure/oauth/oauthtest"
)

// socialServer is iamd (the graph that ships) with its providers pointed
// at the fake provider, on SQLite or, when IAM_TEST_POSTGRES_URL is set, a
// fresh PostgreSQL schema.
type socialServer struct {
	base string
	fake *oauthtest.Server
}

// providerID is the id a kind is configured under here: generic OpenID
// Connect as "acme", the built-ins under their own name.
func providerID(kind oauth.Kind) string {
	if kind == oauth.OIDC {
		return "acme"
	}
	return string(kind)
}

func startSocial(t *testing.T, databaseURL string, kinds ...oauth.Kind) *socialServer {
	t.Helper()
	fake := oauthtest.New(t)
	addr := freeAddr(t)
	env := map[string]string{"HTTP_ADDR": addr, "DATABASE_URL": databaseURL}
	var names []string
	var specs []oauth.Spec
	for _, k := range kinds {
		id := providerID(k)
		names = append(names, id)
		key := "OAUTH_PROVIDER_" + strings.ToUpper(id) + "_"
		env[key+"CLIENT_ID"], env[key+"CLIENT_SECRET"] = oauthtest.ClientID(k), oauthtest.ClientSecret(k)
		if k == oauth.OIDC {
			env[key+"ISSUER"] = fake.Issuer()
		}
		specs = append(specs, oauth.Spec{ID: id, Config: fake.Config(k)})
	}
	env["OAUTH_PROVIDER_NAMES"] = strings.Join(names, ",")
	c := testConfig(t, env)
	app := fxtest.New(t, graph(c), fx.Decorate(func(authn.OAuthProviders) authn.OAuthProviders {
		r, err := oauth.Build(specs)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}))
	app.RequireStart()
	t.Cleanup(app.RequireStop)
	return &socialServer{base: "http://" + addr, fake: fake}
}

// browser is a cookie jar that does not follow redirects and sends the
// server's origin on POSTs, as a browser on the frontend would.
type browser struct {
	s      *socialServer
	client *http.Client
}

func (s *socialServer) browser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{s: s, client: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(t *testing.T, method, target, body string) (*http.Response, string) {
	t.Helper()
	if strings.HasPrefix(target, "/") {
		target = b.s.base + target
	}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", b.s.base)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

// start posts sign-in/social and returns the authorization URL.
func (b *browser) start(t *testing.T, provider string) string {
	t.Helper()
	resp, body := b.do(t, http.MethodPost, "/api/auth/sign-in/social",
		`{"provider":"`+provider+`","callbackURL":"/home","newUserCallbackURL":"/welcome","errorCallbackURL":"/login"}`)
	var out struct{ URL string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil || out.URL == "" {
		t.Fatalf("sign-in/social %s: %d %s", provider, resp.StatusCode, body)
	}
	return out.URL
}

// back follows the provider's redirect to the callback and returns where
// the server sent the browser next.
func (b *browser) back(t *testing.T, cb oauthtest.Callback) string {
	t.Helper()
	resp, body := b.do(t, http.MethodGet, cb.URL.String(), "")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("callback: %d %s", resp.StatusCode, body)
	}
	return resp.Header.Get("Location")
}

func (b *browser) email(t *testing.T) string {
	t.Helper()
	_, body := b.do(t, http.MethodGet, "/api/auth/get-session", "")
	var s *struct{ User struct{ Email string } }
	_ = json.Unmarshal([]byte(body), &s)
	if s == nil {
		return ""
	}
	return s.User.Email
}

// databases are SQLite and, when configured, PostgreSQL.
func databases(t *testing.T) map[string]func(t *testing.T) string {
	dbs := map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return "sqlite:" + t.TempDir() + "/iam.db" },
	}
	if base := os.Getenv("IAM_TEST_POSTGRES_URL"); base != "" {
		dbs["postgres"] = func(t *testing.T) string { return postgresSchemaURL(t, base) }
	} else if os.Getenv("IAM_TEST_REQUIRE_POSTGRES") == "1" {
		t.Fatal("IAM_TEST_REQUIRE_POSTGRES=1 but IAM_TEST_POSTGRES_URL is unset")
	}
	return dbs
}

// postgresSchemaURL is base in a new schema of its own, dropped after t.
func postgresSchemaURL(t *testing.T, base string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := bunstore.Open(ctx, base, bunstore.WithMaxOpenConns(1))
	if err != nil {
		t.Fatal(err)
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	schema := "social_" + hex.EncodeToString(suffix)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		_ = admin.Close()
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// TestSocialSignInWithEveryProviderKind runs the whole browser flow for
// each provider kind against the fake speaking its API: sign-in/social,
// the provider's authorization page, the callback, a session; the token
// request carries a PKCE verifier exactly for the kinds that use PKCE.
func TestSocialSignInWithEveryProviderKind(t *testing.T) {
	kinds := []oauth.Kind{oauth.Google, oauth.Microsoft, oauth.GitHub, oauth.Discord, oauth.LinkedIn, oauth.Twitter, oauth.OIDC}
	for name, fresh := range databases(t) {
		t.Run(name, func(t *testing.T) {
			s := startSocial(t, fresh(t), kinds...)
			for _, k := range kinds {
				t.Run(string(k), func(t *testing.T) {
					u := oauthtest.DefaultUser(k)
					u.Email = string(k) + "-user@example.com"
					s.fake.SetUser(k, u)
					b := s.browser(t)
					cb, err := s.fake.Authorize(b.start(t, providerID(k)))
					if err != nil || cb.Error != "" {
						t.Fatalf("authorize: %+v, %v", cb, err)
					}
					if loc := b.back(t, cb); loc != "/welcome" {
						t.Fatalf("new user lands on %q, want /welcome", loc)
					}
					if got := b.email(t); got != u.Email {
						t.Fatalf("signed in as %q, want %q", got, u.Email)
					}
					tokens := s.fake.RequestsTo(k, oauthtest.Token)
					pkce := k != oauth.Discord && k != oauth.LinkedIn
					if len(tokens) == 0 || (tokens[len(tokens)-1].Form.Get("code_verifier") != "") != pkce {
						t.Fatalf("token requests %+v, want a code_verifier: %v", tokens, pkce)
					}
					// Signing in again is the same user, landing on callbackURL.
					again := s.browser(t)
					cb, _ = s.fake.Authorize(again.start(t, providerID(k)))
					if loc := again.back(t, cb); loc != "/home" || again.email(t) != u.Email {
						t.Fatalf("second sign-in lands on %q as %q", loc, again.email(t))
					}
				})
			}
		})
	}
}

// TestSocialAttacks are SECURITY.md's OAuth client controls (#45-#47)
// against the whole server: each ends on the error page with no session,
// and the state failures never reach the provider's token endpoint.
func TestSocialAttacks(t *testing.T) {
	for name, fresh := range databases(t) {
		t.Run(name, func(t *testing.T) {
			s := startSocial(t, fresh(t), oauth.OIDC, oauth.GitHub)
			acme := "acme"
			tokenCalls := func() int { return len(s.fake.RequestsTo(oauth.OIDC, oauthtest.Token)) }

			t.Run("callback in another browser (login CSRF)", func(t *testing.T) {
				attacker, victim := s.browser(t), s.browser(t)
				cb, _ := s.fake.Authorize(attacker.start(t, acme))
				before := tokenCalls()
				if loc := victim.back(t, cb); loc != s.base+"/api/auth/error?error=state_mismatch" || victim.email(t) != "" {
					t.Fatalf("victim's browser lands on %q signed in as %q", loc, victim.email(t))
				}
				if tokenCalls() != before {
					t.Fatal("a state mismatch reached the token endpoint")
				}
				if loc := attacker.back(t, cb); loc != "/welcome" && loc != "/home" {
					t.Fatalf("the rightful browser's callback after the attempt: %q", loc)
				}
			})
			t.Run("replayed callback", func(t *testing.T) {
				b := s.browser(t)
				cb, _ := s.fake.Authorize(b.start(t, acme))
				b.back(t, cb)
				before := tokenCalls()
				if loc := b.back(t, cb); !strings.Contains(loc, "error=state_mismatch") || tokenCalls() != before {
					t.Fatalf("replay lands on %q (%d token calls)", loc, tokenCalls()-before)
				}
			})
			t.Run("code injection into the victim's flow", func(t *testing.T) {
				attacker, victim := s.browser(t), s.browser(t)
				stolen, _ := s.fake.Authorize(attacker.start(t, acme))
				own, _ := s.fake.Authorize(victim.start(t, acme))
				injected := *own.URL
				q := injected.Query()
				q.Set("code", stolen.Code)
				injected.RawQuery = q.Encode()
				loc := victim.back(t, oauthtest.Callback{URL: &injected})
				if loc != "/login?error=invalid_code" || victim.email(t) != "" {
					t.Fatalf("injected code lands on %q signed in as %q", loc, victim.email(t))
				}
			})
			for _, tamper := range []struct {
				name string
				opts oauthtest.IDTokenOptions
			}{
				{"alg none", oauthtest.IDTokenOptions{Signer: oauthtest.SignNone}},
				{"foreign key", oauthtest.IDTokenOptions{Signer: oauthtest.SignForeignKey}},
				{"wrong audience", oauthtest.IDTokenOptions{Claims: map[string]any{"aud": "someone-else"}}},
				{"wrong issuer", oauthtest.IDTokenOptions{Claims: map[string]any{"iss": "https://evil.example"}}},
				{"expired", oauthtest.IDTokenOptions{Claims: map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}}},
				{"nonce mismatch", oauthtest.IDTokenOptions{Claims: map[string]any{"nonce": "another-flow"}}},
				{"no nonce", oauthtest.IDTokenOptions{Claims: map[string]any{"nonce": nil}}},
			} {
				t.Run("id token: "+tamper.name, func(t *testing.T) {
					s.fake.SetIDTokenOptions(oauth.OIDC, tamper.opts)
					defer s.fake.SetIDTokenOptions(oauth.OIDC, oauthtest.IDTokenOptions{})
					u := oauthtest.DefaultUser(oauth.OIDC)
					u.ID, u.Email = "tamper-"+strings.ReplaceAll(tamper.name, " ", "-"), strings.ReplaceAll(tamper.name, " ", "-")+"@example.com"
					s.fake.SetUser(oauth.OIDC, u)
					b := s.browser(t)
					cb, _ := s.fake.Authorize(b.start(t, acme))
					if loc := b.back(t, cb); loc != "/login?error=unable_to_get_user_info" || b.email(t) != "" {
						t.Fatalf("tampered id token lands on %q signed in as %q", loc, b.email(t))
					}
				})
			}
			t.Run("provider refuses", func(t *testing.T) {
				s.fake.Fail(oauth.OIDC, oauthtest.Authorize, oauthtest.Fault{Error: "access_denied", Description: "no", Times: 1})
				b := s.browser(t)
				cb, _ := s.fake.Authorize(b.start(t, acme))
				if loc := b.back(t, cb); loc != "/login?error=access_denied&error_description=no" {
					t.Fatalf("refusal lands on %q", loc)
				}
			})
			t.Run("provider token endpoint down", func(t *testing.T) {
				s.fake.Fail(oauth.OIDC, oauthtest.Token, oauthtest.Fault{Status: 500, Times: 1})
				b := s.browser(t)
				cb, _ := s.fake.Authorize(b.start(t, acme))
				if loc := b.back(t, cb); loc != "/login?error=invalid_code" {
					t.Fatalf("a 500 at the token endpoint lands on %q", loc)
				}
			})
			t.Run("no email", func(t *testing.T) {
				u := oauthtest.DefaultUser(oauth.GitHub)
				u.ID, u.Email = "9999", ""
				s.fake.SetUser(oauth.GitHub, u)
				b := s.browser(t)
				cb, _ := s.fake.Authorize(b.start(t, "github"))
				if loc := b.back(t, cb); loc != "/login?error=email_not_found" {
					t.Fatalf("no email lands on %q", loc)
				}
			})
		})
	}
}
