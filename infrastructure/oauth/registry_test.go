package oauth_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beep/iam/infrastructure/oauth"
	"github.com/beep/iam/infrastructure/oauth/oauthtest"
)

func TestKindOf(t *testing.T) {
	t.Parallel()
	cases := map[string]oauth.Kind{
		"google": oauth.Google, "microsoft": oauth.Microsoft, "github": oauth.GitHub, "discord": oauth.Discord,
		"linkedin": oauth.LinkedIn, "twitter": oauth.Twitter, "GitHub": oauth.GitHub,
		"acme": oauth.OIDC, "okta": oauth.OIDC, "oidc": oauth.OIDC, "x": oauth.OIDC,
	}
	for id, want := range cases {
		if got := oauth.KindOf(id); got != want {
			t.Errorf("KindOf(%q) = %q, want %q", id, got, want)
		}
	}
}

// TestBuild builds a registry the way the runtime does, from ids and
// configs, without a single request.
func TestBuild(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	specs := []oauth.Spec{
		{ID: "google", Config: fake.Config(oauth.Google)},
		{ID: "github", Config: fake.Config(oauth.GitHub)},
		{ID: "acme", Config: fake.Config(oauth.OIDC)},
	}
	reg, err := oauth.Build(specs)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	for _, id := range []string{"google", "github", "acme"} {
		p, ok := reg.Provider(id)
		if !ok || p.ID() != id {
			t.Errorf("Provider(%q) = %v, %v; want the provider with that id", id, p, ok)
		}
	}
	if _, ok := reg.Provider("discord"); ok {
		t.Error("Provider(discord) found an unconfigured provider")
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("building made %d requests, want none", n)
	}
	if err := reg.Discover(context.Background()); err != nil {
		t.Errorf("Discover: %v", err)
	}
	if n := len(fake.RequestsTo(oauth.OIDC, oauthtest.Discovery)); n != 1 {
		t.Errorf("Discover fetched the discovery document %d times, want 1", n)
	}
}

// TestBuildReportsEveryProblem checks configuration errors, all at once.
func TestBuildReportsEveryProblem(t *testing.T) {
	t.Parallel()
	ok := oauth.Config{ClientID: "id", ClientSecret: "secret"}
	cases := []struct {
		name  string
		specs []oauth.Spec
		want  []string
	}{
		{"no client id", []oauth.Spec{{ID: "google", Config: oauth.Config{ClientSecret: "s"}}}, []string{"no client id"}},
		{"no secret", []oauth.Spec{{ID: "discord", Config: oauth.Config{ClientID: "i"}}}, []string{"no client secret"}},
		{"generic without issuer", []oauth.Spec{{ID: "acme", Config: ok}}, []string{`"acme"`, "no issuer"}},
		{"generic with a bad issuer", []oauth.Spec{{ID: "acme", Config: oauth.Config{ClientID: "i", ClientSecret: "s", Issuer: "ftp://x"}}}, []string{"not an http(s) URL"}},
		{"issuer on a built-in", []oauth.Spec{{ID: "google", Config: oauth.Config{ClientID: "i", ClientSecret: "s", Issuer: "https://x"}}}, []string{"only for generic"}},
		{"tenant off microsoft", []oauth.Spec{{ID: "github", Config: oauth.Config{ClientID: "i", ClientSecret: "s", Tenant: "common"}}}, []string{"only for microsoft"}},
		{"bad tenant", []oauth.Spec{{ID: "microsoft", Config: oauth.Config{ClientID: "i", ClientSecret: "s", Tenant: "../x"}}}, []string{"not a tenant"}},
		{"bad id", []oauth.Spec{{ID: "Ac me", Config: oauth.Config{ClientID: "i", ClientSecret: "s", Issuer: "https://x"}}}, []string{"lower-case"}},
		{"duplicate", []oauth.Spec{{ID: "github", Config: ok}, {ID: "github", Config: ok}}, []string{"two providers"}},
		{"several", []oauth.Spec{{ID: "google", Config: oauth.Config{}}, {ID: "acme", Config: ok}}, []string{`"google"`, `"acme"`}},
	}
	for _, tc := range cases {
		_, err := oauth.Build(tc.specs)
		if err == nil {
			t.Errorf("%s: Build succeeded, want an error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: Build error %q does not mention %q", tc.name, err, w)
			}
		}
	}
	if _, err := oauth.New("google", oauth.GitHub, ok); err == nil {
		t.Error(`New("google", GitHub) succeeded, want an error: a built-in's id is its kind`)
	}
}

// TestConfigHidesTheSecret checks every way a config might get printed.
func TestConfigHidesTheSecret(t *testing.T) {
	t.Parallel()
	cfg := oauth.Config{ClientID: "client", ClientSecret: "hunter2-secret"}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "oauth", cfg)
	for _, out := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%s", cfg), logged.String()} {
		if strings.Contains(out, "hunter2") || !strings.Contains(out, "client") {
			t.Errorf("printed config %q shows the secret or hides the client id", out)
		}
	}
}

// TestOIDCDiscoveryIsLazyAndRetried checks that an issuer down at
// start-up costs nothing until used, fails use with an Unavailable error
// that is remembered for a while, and recovers once it is back.
func TestOIDCDiscoveryIsLazyAndRetried(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	fake.Fail(oauth.OIDC, oauthtest.Discovery, oauthtest.Fault{Status: http.StatusServiceUnavailable})
	var (
		mu  sync.Mutex
		now = fixedNow
	)
	clock := oauth.WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	p, err := oauth.New("acme", oauth.OIDC, fake.Config(oauth.OIDC), clock)
	if err != nil {
		t.Fatalf("New with the issuer down: %v", err)
	}
	discoveries := func() int { return len(fake.RequestsTo(oauth.OIDC, oauthtest.Discovery)) }
	if n := discoveries(); n != 0 {
		t.Fatalf("New fetched discovery %d times, want 0", n)
	}

	_, err = p.AuthorizationURL(request(oauth.OIDC))
	unavailableErr.check(t, "AuthorizationURL with the issuer down", err)
	_, err = p.Exchange(context.Background(), "code", verifier, callbackURL(oauth.OIDC))
	unavailableErr.check(t, "Exchange right after", err)
	if n := discoveries(); n != 1 {
		t.Errorf("discovery fetched %d times within the retry period, want 1", n)
	}

	fake.Heal(oauth.OIDC, oauthtest.Discovery)
	mu.Lock()
	now = now.Add(10 * time.Second)
	mu.Unlock()
	if _, err := p.AuthorizationURL(request(oauth.OIDC)); err != nil {
		t.Fatalf("AuthorizationURL once the issuer is back: %v", err)
	}
	fake.Fail(oauth.OIDC, oauthtest.Discovery, oauthtest.Fault{Status: http.StatusServiceUnavailable})
	if _, err := p.AuthorizationURL(request(oauth.OIDC)); err != nil {
		t.Errorf("AuthorizationURL after a successful discovery: %v; want it kept", err)
	}
	if n := discoveries(); n != 2 {
		t.Errorf("discovery fetched %d times, want 2", n)
	}
}

// TestOIDCIssuerMismatch checks that a discovery document naming another
// issuer is refused.
func TestOIDCIssuerMismatch(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	p := newProvider(t, fake, oauth.OIDC, func(c *oauth.Config) { c.Issuer = fake.URL + "/oidc/" })
	_, err := p.AuthorizationURL(request(oauth.OIDC))
	unavailableErr.check(t, "AuthorizationURL with a mismatched issuer", err)
	if err := (oauth.Registry{"acme": p}).Discover(context.Background()); err == nil || !strings.Contains(err.Error(), "acme") {
		t.Errorf("Registry.Discover = %v, want the acme failure", err)
	}
}
