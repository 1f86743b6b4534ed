package config_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/runtime/config"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// setenv clears every setting, then applies env for this test.
func setenv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, k := range []string{"APP_ENV", "LOG_LEVEL", "HTTP_ADDR", "APP_AUTH_URL", "APP_CLIENT_URL", "SECURITY_TRUSTED_ORIGINS",
		"HTTP_BODY_LIMIT", "SHUTDOWN_TIMEOUT", "BETTER_AUTH_SECRET", "DATABASE_URL", "DATABASE_AUTO_MIGRATE",
		"SESSION_EXPIRES_IN", "SESSION_UPDATE_AGE", "SESSION_MAX_LIFETIME", "PASSWORD_HASH_CONCURRENCY", "PASSWORD_HASH_QUEUE_TIMEOUT", "CONFIG_FILE",
		"BETTER_AUTH_SECRETS", "COOKIE_DOMAIN", "COOKIE_SAME_SITE", "SESSION_COOKIE_CACHE_MAX_AGE", "SESSION_FRESH_AGE",
		"USER_DELETE_ENABLED", "PASSWORD_HASH", "EMAIL_TRANSPORT", "EMAIL_FROM", "RESEND_API_KEY", "RESEND_API_URL",
		"EMAIL_LOG_FILE", "EMAIL_MAX_ATTEMPTS", "EMAIL_VERIFICATION_REQUIRED", "EMAIL_VERIFICATION_ON_SIGN_UP",
		"REVOKE_SESSIONS_ON_PASSWORD_RESET", "CHANGE_EMAIL_ENABLED", "USER_DELETE_EMAIL_CONFIRMATION",
		"APP_CLIENT_VERIFY_EMAIL_PATH", "APP_CLIENT_RESET_PASSWORD_PATH", "OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER",
		"ORGANIZATION_CREATION_ENABLED", "ORGANIZATION_LIMIT", "ORGANIZATION_MEMBERSHIP_LIMIT", "ORGANIZATION_INVITATION_LIMIT",
		"ORGANIZATION_INVITATION_EXPIRES_IN", "ORGANIZATION_INVITATION_REQUIRE_VERIFIED_EMAIL", "APP_CLIENT_ACCEPT_INVITATION_PATH",
		"OAUTH_PROVIDER_NAMES", "OAUTH_TRUSTED_PROVIDERS", "OAUTH_ALLOW_DIFFERENT_EMAILS", "OAUTH_SIGN_UP_ENABLED"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}

func TestDefaults(t *testing.T) {
	dir := t.TempDir()
	setenv(t, map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(dir, "db", "iam.db")})
	c, err := config.Load(quiet)
	if err != nil {
		t.Fatal(err)
	}
	if c.Env != config.Dev || c.HTTPAddr != "127.0.0.1:3000" || c.AuthURL.String() != "http://127.0.0.1:3000" ||
		!c.AutoMigrate || c.SessionExpiresIn != 30*24*time.Hour || c.SessionUpdateAge != 24*time.Hour || c.BodyLimit != 65536 {
		t.Fatalf("defaults = %+v", c)
	}
	if len(c.Secrets) != 1 || len(c.Secrets[0].Reveal()) < config.SecretMinLength {
		t.Fatal("no dev secret generated")
	}
	if c.CookieCacheMaxAge != 300*time.Second || c.SessionFreshAge != 24*time.Hour || c.UserDeleteEnabled ||
		c.CookieSameSite != "lax" || c.CookieDomain != "" || c.PasswordHash != config.HashArgon2id {
		t.Fatalf("defaults = %+v", c)
	}
	again, err := config.Load(quiet)
	if err != nil || again.Secrets[0].Reveal() != c.Secrets[0].Reveal() {
		t.Fatal("the dev secret is not kept across loads")
	}
	if st, err := os.Stat(filepath.Join(dir, "db", "dev-secret")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("dev secret file: %v, %v", st, err)
	}
}

func TestProductionRequiresSecretAndTurnsOffAutoMigrate(t *testing.T) {
	setenv(t, map[string]string{"APP_ENV": "production", "BETTER_AUTH_SECRET": strings.Repeat("s", 32), "DATABASE_URL": "postgres://u:pw@db/iam",
		"EMAIL_TRANSPORT": "resend", "RESEND_API_KEY": "re_test"})
	c, err := config.Load(quiet)
	if err != nil {
		t.Fatal(err)
	}
	if c.AutoMigrate {
		t.Fatal("auto-migrate on by default in production")
	}
	setenv(t, map[string]string{"APP_ENV": "production", "DATABASE_URL": "postgres://u:pw@db/iam", "DATABASE_AUTO_MIGRATE": "true"})
	if _, err := config.Load(quiet); err == nil || !strings.Contains(err.Error(), "BETTER_AUTH_SECRET is required") {
		t.Fatalf("error = %v, want the missing secret named", err)
	}
}

func TestEveryProblemReportedAtOnce(t *testing.T) {
	setenv(t, map[string]string{
		"APP_ENV": "staging", "LOG_LEVEL": "loud", "HTTP_ADDR": "nope", "APP_AUTH_URL": "ftp://x",
		"HTTP_BODY_LIMIT": "-1", "SESSION_EXPIRES_IN": "30d", "BETTER_AUTH_SECRET": "short",
		"DATABASE_URL": "mysql://root:hunter2@db/x", "DATABASE_AUTO_MIGRATE": "maybe", "PASSWORD_HASH_CONCURRENCY": "x", "PASSWORD_HASH_QUEUE_TIMEOUT": "0",
		"COOKIE_SAME_SITE": "sometimes", "COOKIE_DOMAIN": "a.com; evil", "PASSWORD_HASH": "md5", "USER_DELETE_ENABLED": "perhaps",
		"SESSION_COOKIE_CACHE_MAX_AGE": "-1", "OTEL_TRACES_EXPORTER": "jaeger", "OTEL_METRICS_EXPORTER": "statsd",
	})
	_, err := config.Load(quiet)
	if err == nil {
		t.Fatal("Load accepted a broken configuration")
	}
	for _, want := range []string{"APP_ENV", "LOG_LEVEL", "HTTP_ADDR", "APP_AUTH_URL", "HTTP_BODY_LIMIT", "SESSION_EXPIRES_IN",
		"BETTER_AUTH_SECRET must be at least 32", "DATABASE_URL", "DATABASE_AUTO_MIGRATE", "PASSWORD_HASH_CONCURRENCY", "PASSWORD_HASH_QUEUE_TIMEOUT",
		"COOKIE_SAME_SITE", "COOKIE_DOMAIN", "PASSWORD_HASH must", "USER_DELETE_ENABLED", "SESSION_COOKIE_CACHE_MAX_AGE",
		"OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error leaks the database password:\n%v", err)
	}
}

func TestConfigFileAndEnvPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "iam.yaml")
	os.WriteFile(file, []byte("HTTP_ADDR: 127.0.0.1:4000\nSECURITY_TRUSTED_ORIGINS: https://a.example, https://b.example\n"), 0o600)
	setenv(t, map[string]string{"CONFIG_FILE": file, "HTTP_ADDR": "127.0.0.1:5000", "BETTER_AUTH_SECRET": strings.Repeat("k", 40),
		"APP_CLIENT_URL": "https://app.example/"})
	c, err := config.Load(quiet)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:5000" {
		t.Errorf("HTTP_ADDR = %q: the environment must win over the file", c.HTTPAddr)
	}
	if got := strings.Join(c.TrustedOrigins, " "); got != "https://a.example https://b.example https://app.example" {
		t.Errorf("trusted origins = %q", got)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := config.NewSecret("hunter2-hunter2-hunter2-hunter2-xx")
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "secret", s)
	js, _ := json.Marshal(struct{ S config.Secret }{s})
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s), buf.String(), string(js)} {
		if strings.Contains(out, "hunter2") {
			t.Fatalf("secret leaked: %s", out)
		}
	}
	if s.Reveal() != "hunter2-hunter2-hunter2-hunter2-xx" {
		t.Fatal("Reveal lost the value")
	}
}

func TestSecretRotation(t *testing.T) {
	newKey, oldKey := strings.Repeat("n", 32), strings.Repeat("o", 40)
	setenv(t, map[string]string{"BETTER_AUTH_SECRETS": "2:" + newKey + ", 1:" + oldKey, "BETTER_AUTH_SECRET": strings.Repeat("x", 32)})
	c, err := config.Load(quiet)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Secrets) != 2 || c.Secrets[0].Reveal() != newKey || c.Secrets[1].Reveal() != oldKey ||
		len(c.SecretVersions) != 2 || c.SecretVersions[0] != 2 || c.SecretVersions[1] != 1 {
		t.Fatalf("secrets = %d entries (versions %v), want new (2) then old (1)", len(c.Secrets), c.SecretVersions)
	}
	for _, bad := range []string{"2:short", "nocolon" + newKey, "1:" + newKey + ",1:" + oldKey, "v2:" + newKey, "-1:" + newKey} {
		setenv(t, map[string]string{"BETTER_AUTH_SECRETS": bad})
		if _, err := config.Load(quiet); err == nil || !strings.Contains(err.Error(), "BETTER_AUTH_SECRETS") {
			t.Errorf("BETTER_AUTH_SECRETS=%q: error = %v", bad, err)
		}
	}
}

func TestEmailSettings(t *testing.T) {
	setenv(t, map[string]string{"BETTER_AUTH_SECRET": strings.Repeat("s", 32)})
	c, err := config.Load(quiet)
	if err != nil {
		t.Fatal(err)
	}
	e := c.Email
	if e.Transport != config.TransportLog || e.MaxAttempts != 8 || e.VerificationRequired || !e.SendVerificationOnSignUp ||
		!e.RevokeSessionsOnReset || !e.ChangeEmailEnabled || e.ConfirmDeletionByEmail || e.ClientVerifyEmailPath != "/auth/verify-email" {
		t.Fatalf("email defaults = %+v", e)
	}
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"APP_ENV": "production"}, "EMAIL_TRANSPORT must be set when APP_ENV=production"},
		{map[string]string{"EMAIL_TRANSPORT": "resend"}, "RESEND_API_KEY is required"},
		{map[string]string{"EMAIL_TRANSPORT": "carrier-pigeon"}, "EMAIL_TRANSPORT must be resend, log or memory"},
		{map[string]string{"RESEND_API_URL": "not a url"}, "RESEND_API_URL"},
		{map[string]string{"EMAIL_FROM": "a@b\r\nBcc: x@y"}, "EMAIL_FROM"},
		{map[string]string{"APP_CLIENT_RESET_PASSWORD_PATH": "reset"}, "APP_CLIENT_RESET_PASSWORD_PATH"},
	}
	for _, tt := range tests {
		env := map[string]string{"BETTER_AUTH_SECRET": strings.Repeat("s", 32)}
		for k, v := range tt.env {
			env[k] = v
		}
		setenv(t, env)
		if _, err := config.Load(quiet); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error = %v, want %q", tt.env, err, tt.want)
		}
	}
	setenv(t, map[string]string{"BETTER_AUTH_SECRET": strings.Repeat("s", 32), "EMAIL_TRANSPORT": "resend", "RESEND_API_KEY": "re_live_secret"})
	c, err = config.Load(quiet)
	if err != nil || c.Email.ResendAPIKey.Reveal() != "re_live_secret" || strings.Contains(fmt.Sprintf("%+v", c), "re_live_secret") {
		t.Fatalf("resend key handling: %v", err)
	}
}

func TestOrganizationSettings(t *testing.T) {
	dir := t.TempDir()
	setenv(t, map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(dir, "iam.db")})
	c, err := config.Load(quiet)
	if err != nil {
		t.Fatal(err)
	}
	want := config.Organizations{
		CreationEnabled: true, Limit: 100, MembershipLimit: 100, InvitationLimit: 100,
		InvitationExpiresIn: 48 * time.Hour, RequireVerifiedInvitee: true, AcceptInvitationPath: "/accept-invitation",
	}
	if c.Organizations != want {
		t.Fatalf("organization defaults = %+v, want %+v", c.Organizations, want)
	}
	setenv(t, map[string]string{
		"DATABASE_URL": "sqlite:" + filepath.Join(dir, "iam.db"), "ORGANIZATION_LIMIT": "-1", "ORGANIZATION_MEMBERSHIP_LIMIT": "0",
		"ORGANIZATION_INVITATION_LIMIT": "many", "ORGANIZATION_INVITATION_EXPIRES_IN": "2d",
		"ORGANIZATION_INVITATION_REQUIRE_VERIFIED_EMAIL": "sometimes", "APP_CLIENT_ACCEPT_INVITATION_PATH": "invite",
	})
	_, err = config.Load(quiet)
	for _, key := range []string{"ORGANIZATION_LIMIT", "ORGANIZATION_MEMBERSHIP_LIMIT", "ORGANIZATION_INVITATION_LIMIT",
		"ORGANIZATION_INVITATION_EXPIRES_IN", "ORGANIZATION_INVITATION_REQUIRE_VERIFIED_EMAIL", "APP_CLIENT_ACCEPT_INVITATION_PATH"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("error %v does not name %s", err, key)
		}
	}
}

func TestOAuthSettings(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "iam.db")
	setenv(t, map[string]string{
		"DATABASE_URL":                        db,
		"OAUTH_PROVIDER_NAMES":                "google, GitHub ,discord,acme",
		"OAUTH_PROVIDER_GOOGLE_CLIENT_ID":     "g-id",
		"OAUTH_PROVIDER_GOOGLE_CLIENT_SECRET": "g-secret",
		"OAUTH_PROVIDER_GITHUB_CLIENT_ID":     "gh-id",
		"OAUTH_PROVIDER_GITHUB_CLIENT_SECRET": "gh-secret",
		"OAUTH_PROVIDER_GITHUB_SCOPES":        "read:org, repo",
		"OAUTH_PROVIDER_DISCORD_CLIENT_ID":    "only-an-id",
		"OAUTH_PROVIDER_ACME_CLIENT_ID":       "acme-id",
		"OAUTH_PROVIDER_ACME_CLIENT_SECRET":   "acme-secret",
		"OAUTH_PROVIDER_ACME_ISSUER":          "http://127.0.0.1:9999/realms/acme",
	})
	c, err := config.Load(quiet)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range c.OAuth.Providers {
		ids = append(ids, p.ID)
	}
	if strings.Join(ids, ",") != "google,github,acme" || strings.Join(c.OAuth.Trusted, ",") != "google,github" {
		t.Fatalf("providers %v, trusted %v; want google,github,acme (discord lacks a secret)", ids, c.OAuth.Trusted)
	}
	if gh := c.OAuth.Providers[1]; strings.Join(gh.Scopes, " ") != "read:org repo" || gh.ClientSecret.Reveal() != "gh-secret" || !gh.Builtin() {
		t.Fatalf("github = %+v", gh)
	}
	if acme := c.OAuth.Providers[2]; acme.Builtin() || acme.Issuer != "http://127.0.0.1:9999/realms/acme" {
		t.Fatalf("acme = %+v", acme)
	}
	if !c.OAuth.SignUpEnabled || c.OAuth.AllowDifferentEmails {
		t.Fatalf("oauth defaults = %+v", c.OAuth)
	}

	setenv(t, map[string]string{
		"DATABASE_URL":                        db,
		"OAUTH_PROVIDER_NAMES":                "acme,bad.name,google",
		"OAUTH_PROVIDER_ACME_ISSUER":          "http://idp.example/realms/acme",
		"OAUTH_PROVIDER_ACME_CLIENT_ID":       "x",
		"OAUTH_PROVIDER_ACME_CLIENT_SECRET":   "y",
		"OAUTH_PROVIDER_GOOGLE_CLIENT_ID":     "x",
		"OAUTH_PROVIDER_GOOGLE_CLIENT_SECRET": "y",
		"OAUTH_PROVIDER_GOOGLE_ISSUER":        "https://evil.example",
		"OAUTH_TRUSTED_PROVIDERS":             "Google",
	})
	_, err = config.Load(quiet)
	for _, want := range []string{"OAUTH_PROVIDER_ACME_ISSUER", "bad.name", "OAUTH_PROVIDER_GOOGLE_ISSUER is only for generic"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %q", err, want)
		}
	}
}
