// Package config loads Beep IAM's settings once, at start-up, from
// environment variables (UPPER_SNAKE names, durations in integer seconds)
// and an optional config file named by CONFIG_FILE, with viper. Load
// validates everything and reports every problem at once; secrets are
// redacted. Nothing below the runtime sees this struct: each layer receives
// its own policy values.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// Environment names the deployment mode.
type Environment string

// Environments.
const (
	Dev        Environment = "dev"
	Production Environment = "production"
)

// Config is every setting of the server.
type Config struct {
	Env      Environment
	LogLevel slog.Level

	HTTPAddr        string
	AuthURL         *url.URL // APP_AUTH_URL: the public base URL
	ClientURL       *url.URL // APP_CLIENT_URL: the frontend, for email links (nil when unset)
	TrustedOrigins  []string
	BodyLimit       int64
	ShutdownTimeout time.Duration

	// Secrets are the signing keys: the first signs, all verify, so a key
	// can be rotated without signing everyone out.
	Secrets []Secret
	// SecretVersions are the BETTER_AUTH_SECRETS versions of Secrets, in the
	// same order; nil with a single BETTER_AUTH_SECRET. Sealed provider
	// tokens name the version that sealed them.
	SecretVersions []int

	CookieDomain      string
	CookieSameSite    string
	CookieCacheMaxAge time.Duration

	DatabaseURL string
	AutoMigrate bool

	SessionExpiresIn   time.Duration
	SessionUpdateAge   time.Duration
	SessionMaxLifetime time.Duration
	SessionFreshAge    time.Duration

	UserDeleteEnabled bool

	PasswordHash    string
	HashConcurrency int
	HashQueueWait   time.Duration

	Email Email

	Organizations Organizations

	OAuth OAuth

	RateLimit RateLimit

	// RedisURL is REDIS_URL: where shared ephemeral state (rate limits,
	// the session cache, revocations) lives; "" keeps it per node.
	RedisURL string
	// SessionCacheTTL is SESSION_CACHE_TTL: how long a get-session answer
	// is cached (never past the session's expiry); 0 turns the cache off.
	SessionCacheTTL time.Duration

	Ops Ops

	// TracesExporter and MetricsExporter are OTEL_TRACES_EXPORTER and
	// OTEL_METRICS_EXPORTER: none, otlp or console.
	TracesExporter  string
	MetricsExporter string
}

// Organizations holds the organization rules.
type Organizations struct {
	CreationEnabled bool
	// Limit is how many organizations besides their personal one a user
	// may belong to and still create one; 0 is no limit.
	Limit                  int
	MembershipLimit        int
	InvitationLimit        int
	InvitationExpiresIn    time.Duration
	RequireVerifiedInvitee bool
	// AcceptInvitationPath is the page under APP_CLIENT_URL (else
	// APP_AUTH_URL) that invitation links open, followed by /<id>.
	AcceptInvitationPath string
}

// Email holds the mail settings.
type Email struct {
	// Transport is resend, log or memory.
	Transport    string
	From         string
	ResendAPIKey Secret
	ResendAPIURL string
	LogFile      string
	MaxAttempts  int

	VerificationRequired     bool
	SendVerificationOnSignUp bool
	RevokeSessionsOnReset    bool
	ChangeEmailEnabled       bool
	ConfirmDeletionByEmail   bool
	// Frontend paths of the pages that complete each emailed flow, used
	// when APP_CLIENT_URL is set.
	ClientVerifyEmailPath   string
	ClientResetPasswordPath string
}

// Mail transports.
const (
	TransportResend = "resend"
	TransportLog    = "log"
	TransportMemory = "memory"
)

// Password hash algorithms for new hashes.
const (
	HashArgon2id = "argon2id"
	HashScrypt   = "scrypt"
)

// SecretMinLength is the shortest BETTER_AUTH_SECRET accepted.
const SecretMinLength = 32

// defaults lists every setting with its default; the README table mirrors it.
var defaults = map[string]any{
	"APP_ENV":                                        string(Dev),
	"LOG_LEVEL":                                      "info",
	"HTTP_ADDR":                                      "127.0.0.1:3000",
	"APP_AUTH_URL":                                   "",
	"APP_CLIENT_URL":                                 "",
	"SECURITY_TRUSTED_ORIGINS":                       "",
	"HTTP_BODY_LIMIT":                                "65536",
	"SHUTDOWN_TIMEOUT":                               "30",
	"BETTER_AUTH_SECRET":                             "",
	"BETTER_AUTH_SECRETS":                            "",
	"COOKIE_DOMAIN":                                  "",
	"COOKIE_SAME_SITE":                               "lax",
	"SESSION_COOKIE_CACHE_MAX_AGE":                   "300",
	"SESSION_FRESH_AGE":                              "86400",
	"USER_DELETE_ENABLED":                            "false",
	"PASSWORD_HASH":                                  HashArgon2id,
	"OTEL_TRACES_EXPORTER":                           "none",
	"OTEL_METRICS_EXPORTER":                          "none",
	"EMAIL_TRANSPORT":                                "",
	"EMAIL_FROM":                                     "Beep <no-reply@localhost>",
	"RESEND_API_KEY":                                 "",
	"RESEND_API_URL":                                 "",
	"EMAIL_LOG_FILE":                                 "",
	"EMAIL_MAX_ATTEMPTS":                             "8",
	"EMAIL_VERIFICATION_REQUIRED":                    "false",
	"EMAIL_VERIFICATION_ON_SIGN_UP":                  "true",
	"REVOKE_SESSIONS_ON_PASSWORD_RESET":              "true",
	"CHANGE_EMAIL_ENABLED":                           "true",
	"USER_DELETE_EMAIL_CONFIRMATION":                 "false",
	"APP_CLIENT_VERIFY_EMAIL_PATH":                   "/auth/verify-email",
	"APP_CLIENT_RESET_PASSWORD_PATH":                 "/auth/reset-password",
	"DATABASE_URL":                                   "sqlite:./data/iam.db",
	"ORGANIZATION_CREATION_ENABLED":                  "true",
	"ORGANIZATION_LIMIT":                             "100",
	"ORGANIZATION_MEMBERSHIP_LIMIT":                  "100",
	"ORGANIZATION_INVITATION_LIMIT":                  "100",
	"ORGANIZATION_INVITATION_EXPIRES_IN":             "172800",
	"ORGANIZATION_INVITATION_REQUIRE_VERIFIED_EMAIL": "true",
	"APP_CLIENT_ACCEPT_INVITATION_PATH":              "/accept-invitation",
	"OAUTH_PROVIDER_NAMES":                           "",
	"OAUTH_TRUSTED_PROVIDERS":                        "",
	"OAUTH_ALLOW_DIFFERENT_EMAILS":                   "false",
	"OAUTH_SIGN_UP_ENABLED":                          "true",
	"DATABASE_AUTO_MIGRATE":                          "",
	"SESSION_EXPIRES_IN":                             "2592000",
	"SESSION_UPDATE_AGE":                             "86400",
	"SESSION_MAX_LIFETIME":                           "7776000",
	"PASSWORD_HASH_CONCURRENCY":                      "0",
	"PASSWORD_HASH_QUEUE_TIMEOUT":                    "2",
}

// Load reads the environment (and CONFIG_FILE, when set) and validates it.
// The returned error joins every problem found. In dev, a missing secret is
// generated once and kept in the data directory (a warning goes to logger).
func Load(logger *slog.Logger) (Config, error) {
	v := viper.New()
	for k, d := range defaults {
		v.SetDefault(k, d)
		if err := v.BindEnv(k); err != nil {
			return Config{}, fmt.Errorf("bind %s: %w", k, err)
		}
	}
	if file := os.Getenv("CONFIG_FILE"); file != "" {
		v.SetConfigFile(file)
		if err := v.ReadInConfig(); err != nil {
			return Config{}, fmt.Errorf("CONFIG_FILE %s: %w", file, err)
		}
	}
	r := reader{v: v}
	c := Config{
		HTTPAddr:    strings.TrimSpace(v.GetString("HTTP_ADDR")),
		DatabaseURL: strings.TrimSpace(v.GetString("DATABASE_URL")),
	}
	switch env := Environment(strings.ToLower(v.GetString("APP_ENV"))); env {
	case Dev, Production:
		c.Env = env
	default:
		r.fail("APP_ENV must be dev or production, got %q", env)
	}
	if err := c.LogLevel.UnmarshalText([]byte(v.GetString("LOG_LEVEL"))); err != nil {
		r.fail("LOG_LEVEL must be debug, info, warn or error, got %q", v.GetString("LOG_LEVEL"))
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		r.fail("HTTP_ADDR must be host:port, got %q", c.HTTPAddr)
	}
	c.AuthURL = r.url("APP_AUTH_URL", "http://"+c.HTTPAddr)
	c.ClientURL = r.url("APP_CLIENT_URL", "")
	for _, o := range strings.Split(v.GetString("SECURITY_TRUSTED_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.TrustedOrigins = append(c.TrustedOrigins, o)
		}
	}
	if c.ClientURL != nil {
		c.TrustedOrigins = append(c.TrustedOrigins, c.ClientURL.Scheme+"://"+c.ClientURL.Host)
	}
	c.BodyLimit = int64(r.positive("HTTP_BODY_LIMIT"))
	c.ShutdownTimeout = r.seconds("SHUTDOWN_TIMEOUT")
	c.SessionExpiresIn = r.seconds("SESSION_EXPIRES_IN")
	c.SessionUpdateAge = r.seconds("SESSION_UPDATE_AGE")
	c.SessionMaxLifetime = r.seconds("SESSION_MAX_LIFETIME")
	c.SessionFreshAge = r.secondsOrZero("SESSION_FRESH_AGE")
	c.CookieCacheMaxAge = r.secondsOrZero("SESSION_COOKIE_CACHE_MAX_AGE")
	c.UserDeleteEnabled = r.boolean("USER_DELETE_ENABLED")
	c.CookieDomain = strings.TrimSpace(v.GetString("COOKIE_DOMAIN"))
	if strings.ContainsAny(c.CookieDomain, " ;,/:=\"") {
		r.fail("COOKIE_DOMAIN must be a bare domain such as example.com, got %q", c.CookieDomain)
	}
	switch ss := strings.ToLower(strings.TrimSpace(v.GetString("COOKIE_SAME_SITE"))); ss {
	case "lax", "strict", "none":
		c.CookieSameSite = ss
	default:
		r.fail("COOKIE_SAME_SITE must be lax, strict or none, got %q", ss)
	}
	switch ph := strings.ToLower(strings.TrimSpace(v.GetString("PASSWORD_HASH"))); ph {
	case HashArgon2id, HashScrypt:
		c.PasswordHash = ph
	default:
		r.fail("PASSWORD_HASH must be argon2id or scrypt, got %q", ph)
	}
	if c.SessionMaxLifetime > 0 && c.SessionMaxLifetime < c.SessionExpiresIn {
		r.fail("SESSION_MAX_LIFETIME (%d) must not be shorter than SESSION_EXPIRES_IN (%d)", int(c.SessionMaxLifetime.Seconds()), int(c.SessionExpiresIn.Seconds()))
	}
	if n, err := strconv.Atoi(v.GetString("PASSWORD_HASH_CONCURRENCY")); err != nil || n < 0 {
		r.fail("PASSWORD_HASH_CONCURRENCY must be a whole number ≥ 0 (0 = one per CPU), got %q", v.GetString("PASSWORD_HASH_CONCURRENCY"))
	} else {
		c.HashConcurrency = n
	}
	c.HashQueueWait = r.seconds("PASSWORD_HASH_QUEUE_TIMEOUT")
	if !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") && !strings.HasPrefix(c.DatabaseURL, "sqlite:") && c.DatabaseURL != "" {
		r.fail("DATABASE_URL must start with postgres://, postgresql:// or sqlite:, got %q", redactURL(c.DatabaseURL))
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = defaults["DATABASE_URL"].(string)
	}
	if strings.TrimSpace(v.GetString("DATABASE_AUTO_MIGRATE")) == "" {
		c.AutoMigrate = c.Env != Production
	} else {
		c.AutoMigrate = r.boolean("DATABASE_AUTO_MIGRATE")
	}
	c.Email = r.email(c.Env)
	c.Organizations = r.organizations()
	c.OAuth = r.oauth(logger)
	c.RateLimit = r.rateLimit()
	c.RedisURL = r.redisURL()
	c.SessionCacheTTL = r.secondsOrZero("SESSION_CACHE_TTL")
	c.Ops = r.ops()
	c.TracesExporter = r.exporter("OTEL_TRACES_EXPORTER")
	c.MetricsExporter = r.exporter("OTEL_METRICS_EXPORTER")
	c.Secrets, c.SecretVersions = r.secrets(c, logger)
	if len(r.problems) > 0 {
		return Config{}, fmt.Errorf("invalid configuration:\n%w", errors.Join(r.problems...))
	}
	return c, nil
}

// SecretKeys returns the signing keys as the HMAC and JWT code takes them:
// raw bytes, current first.
func (c Config) SecretKeys() [][]byte {
	keys := make([][]byte, len(c.Secrets))
	for i, s := range c.Secrets {
		keys[i] = []byte(s.Reveal())
	}
	return keys
}

// DataDir is where local state lives: the SQLite database's directory, or
// ./data for PostgreSQL deployments.
func (c Config) DataDir() string {
	if path, ok := strings.CutPrefix(c.DatabaseURL, "sqlite:"); ok && path != "" {
		return filepath.Dir(path)
	}
	return "data"
}

// reader collects problems while reading values.
type reader struct {
	v        *viper.Viper
	problems []error
}

func (r *reader) fail(format string, args ...any) {
	r.problems = append(r.problems, fmt.Errorf("  - "+format, args...))
}

func (r *reader) positive(key string) int {
	raw := strings.TrimSpace(r.v.GetString(key))
	n, err := strconv.Atoi(raw)
	if err != nil || n <= 0 {
		r.fail("%s must be a whole number > 0, got %q", key, raw)
		return 0
	}
	return n
}

func (r *reader) seconds(key string) time.Duration {
	return time.Duration(r.positive(key)) * time.Second
}

// secondsOrZero reads a duration where 0 means "off".
func (r *reader) secondsOrZero(key string) time.Duration {
	raw := strings.TrimSpace(r.v.GetString(key))
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		r.fail("%s must be a whole number ≥ 0 (0 = off), got %q", key, raw)
		return 0
	}
	return time.Duration(n) * time.Second
}

// exporter reads an OpenTelemetry exporter choice.
func (r *reader) exporter(key string) string {
	switch exp := strings.ToLower(strings.TrimSpace(r.v.GetString(key))); exp {
	case "", "none":
		return "none"
	case "otlp", "console":
		return exp
	default:
		r.fail("%s must be none, otlp or console, got %q", key, exp)
		return "none"
	}
}

func (r *reader) boolean(key string) bool {
	switch raw := strings.ToLower(strings.TrimSpace(r.v.GetString(key))); raw {
	case "true", "1", "yes":
		return true
	case "false", "0", "no", "":
		return false
	default:
		r.fail("%s must be true or false, got %q", key, raw)
		return false
	}
}

func (r *reader) url(key, fallback string) *url.URL {
	raw := strings.TrimSpace(r.v.GetString(key))
	if raw == "" {
		raw = fallback
	}
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.fail("%s must be an absolute http(s) URL, got %q", key, raw)
		return nil
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u
}

// wholeOrZero reads a count where 0 means "no limit".
func (r *reader) wholeOrZero(key string) int {
	raw := strings.TrimSpace(r.v.GetString(key))
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		r.fail("%s must be a whole number ≥ 0 (0 = no limit), got %q", key, raw)
		return 0
	}
	return n
}

// organizations reads the organization rules.
func (r *reader) organizations() Organizations {
	o := Organizations{
		CreationEnabled:        r.boolean("ORGANIZATION_CREATION_ENABLED"),
		Limit:                  r.wholeOrZero("ORGANIZATION_LIMIT"),
		MembershipLimit:        r.positive("ORGANIZATION_MEMBERSHIP_LIMIT"),
		InvitationLimit:        r.positive("ORGANIZATION_INVITATION_LIMIT"),
		InvitationExpiresIn:    r.seconds("ORGANIZATION_INVITATION_EXPIRES_IN"),
		RequireVerifiedInvitee: r.boolean("ORGANIZATION_INVITATION_REQUIRE_VERIFIED_EMAIL"),
		AcceptInvitationPath:   strings.TrimSpace(r.v.GetString("APP_CLIENT_ACCEPT_INVITATION_PATH")),
	}
	if !strings.HasPrefix(o.AcceptInvitationPath, "/") {
		r.fail("APP_CLIENT_ACCEPT_INVITATION_PATH must be a path starting with /, got %q", o.AcceptInvitationPath)
	}
	return o
}

// email reads the mail settings. Production must name its transport: the
// dev default, log, would silently drop every email.
func (r *reader) email(env Environment) Email {
	e := Email{
		Transport:                strings.ToLower(strings.TrimSpace(r.v.GetString("EMAIL_TRANSPORT"))),
		From:                     strings.TrimSpace(r.v.GetString("EMAIL_FROM")),
		ResendAPIKey:             NewSecret(strings.TrimSpace(r.v.GetString("RESEND_API_KEY"))),
		ResendAPIURL:             strings.TrimSpace(r.v.GetString("RESEND_API_URL")),
		LogFile:                  strings.TrimSpace(r.v.GetString("EMAIL_LOG_FILE")),
		MaxAttempts:              r.positive("EMAIL_MAX_ATTEMPTS"),
		VerificationRequired:     r.boolean("EMAIL_VERIFICATION_REQUIRED"),
		SendVerificationOnSignUp: r.boolean("EMAIL_VERIFICATION_ON_SIGN_UP"),
		RevokeSessionsOnReset:    r.boolean("REVOKE_SESSIONS_ON_PASSWORD_RESET"),
		ChangeEmailEnabled:       r.boolean("CHANGE_EMAIL_ENABLED"),
		ConfirmDeletionByEmail:   r.boolean("USER_DELETE_EMAIL_CONFIRMATION"),
		ClientVerifyEmailPath:    strings.TrimSpace(r.v.GetString("APP_CLIENT_VERIFY_EMAIL_PATH")),
		ClientResetPasswordPath:  strings.TrimSpace(r.v.GetString("APP_CLIENT_RESET_PASSWORD_PATH")),
	}
	switch e.Transport {
	case "":
		if env == Production {
			r.fail("EMAIL_TRANSPORT must be set when APP_ENV=production (resend; log would lose every email)")
		}
		e.Transport = TransportLog
	case TransportResend, TransportLog, TransportMemory:
	default:
		r.fail("EMAIL_TRANSPORT must be resend, log or memory, got %q", e.Transport)
	}
	if e.Transport == TransportResend && !e.ResendAPIKey.Set() {
		r.fail("RESEND_API_KEY is required when EMAIL_TRANSPORT=resend")
	}
	if e.ResendAPIURL != "" {
		if u, err := url.Parse(e.ResendAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			r.fail("RESEND_API_URL must be an absolute http(s) URL, got %q", e.ResendAPIURL)
		}
	}
	if e.From == "" || strings.ContainsAny(e.From, "\r\n") {
		r.fail("EMAIL_FROM must be a sender such as \"Beep <no-reply@example.com>\"")
	}
	for key, path := range map[string]string{"APP_CLIENT_VERIFY_EMAIL_PATH": e.ClientVerifyEmailPath, "APP_CLIENT_RESET_PASSWORD_PATH": e.ClientResetPasswordPath} {
		if !strings.HasPrefix(path, "/") {
			r.fail("%s must be a path starting with /, got %q", key, path)
		}
	}
	return e
}

// secrets returns BETTER_AUTH_SECRETS ("2:new,1:old": the first signs,
// all verify) when set, else BETTER_AUTH_SECRET alone.
func (r *reader) secrets(c Config, logger *slog.Logger) ([]Secret, []int) {
	list := strings.TrimSpace(r.v.GetString("BETTER_AUTH_SECRETS"))
	if list == "" {
		if s := r.secret(c, logger); s.Set() {
			return []Secret{s}, nil
		}
		return nil, nil
	}
	var (
		out      []Secret
		versions []int
	)
	seen := map[string]bool{}
	for i, entry := range strings.Split(list, ",") {
		version, value, ok := strings.Cut(strings.TrimSpace(entry), ":")
		n, err := strconv.Atoi(version)
		switch {
		case !ok || version == "":
			r.fail("BETTER_AUTH_SECRETS entry %d must be version:secret", i+1)
		case err != nil || n < 0:
			r.fail("BETTER_AUTH_SECRETS version %q must be a whole number ≥ 0 (it names the key in sealed tokens)", version)
		case seen[version]:
			r.fail("BETTER_AUTH_SECRETS repeats version %q", version)
		case len(value) < SecretMinLength:
			r.fail("BETTER_AUTH_SECRETS entry %q must be at least %d characters, got %d", version, SecretMinLength, len(value))
		default:
			out, versions = append(out, NewSecret(value)), append(versions, n)
		}
		seen[version] = true
	}
	return out, versions
}

// secret returns BETTER_AUTH_SECRET, or in dev a generated one kept in the
// data directory so sessions survive restarts.
func (r *reader) secret(c Config, logger *slog.Logger) Secret {
	s := r.v.GetString("BETTER_AUTH_SECRET")
	switch {
	case s != "" && len(s) < SecretMinLength:
		r.fail("BETTER_AUTH_SECRET must be at least %d characters, got %d", SecretMinLength, len(s))
	case s != "":
		return NewSecret(s)
	case c.Env == Production:
		r.fail("BETTER_AUTH_SECRET is required when APP_ENV=production (at least %d characters, e.g. openssl rand -hex 32)", SecretMinLength)
	default:
		generated, path, err := devSecret(c.DataDir())
		if err != nil {
			r.fail("BETTER_AUTH_SECRET is unset and no dev secret could be kept: %v", err)
			return Secret{}
		}
		logger.Warn("BETTER_AUTH_SECRET is unset; using a generated dev secret. Set it explicitly outside development.", "file", path)
		return NewSecret(generated)
	}
	return Secret{}
}

func devSecret(dir string) (string, string, error) {
	path := filepath.Join(dir, "dev-secret")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= SecretMinLength {
		return strings.TrimSpace(string(b)), path, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", path, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", path, err
	}
	s := hex.EncodeToString(raw[:])
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return "", path, err
	}
	return s, path, nil
}

// redactURL hides the password of a database URL in messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}
