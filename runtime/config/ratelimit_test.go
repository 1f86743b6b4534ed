package config_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/runtime/config"
)

var rateLimitKeys = []string{"RATE_LIMIT_ENABLED", "RATE_LIMIT_WINDOW", "RATE_LIMIT_MAX", "RATE_LIMIT_RULES", "TRUSTED_PROXIES",
	"RATE_LIMIT_ACCOUNT_FREE_FAILURES", "RATE_LIMIT_ACCOUNT_BASE_DELAY", "RATE_LIMIT_ACCOUNT_MAX_DELAY",
	"RATE_LIMIT_ACCOUNT_FAILURE_CAP", "RATE_LIMIT_ACCOUNT_CAP_DELAY", "RATE_LIMIT_MAILS_PER_RECIPIENT", "RATE_LIMIT_MAIL_WINDOW", "REDIS_URL"}

func loadRateLimit(t *testing.T, env map[string]string) (config.Config, error) {
	t.Helper()
	all := map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "iam.db")}
	for k, v := range env {
		all[k] = v
	}
	setenv(t, all)
	for _, k := range rateLimitKeys {
		if _, ok := env[k]; !ok {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	return config.Load(quiet)
}

func TestRateLimitDefaults(t *testing.T) {
	c, err := loadRateLimit(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := config.RateLimit{
		Enabled: true, Window: 10 * time.Second, Max: 100,
		AccountFreeFailures: 20, AccountBaseDelay: 30 * time.Second, AccountMaxDelay: time.Hour,
		AccountFailureCap: 100, AccountCapDelay: 24 * time.Hour, MailsPerRecipient: 3, MailWindow: time.Hour,
	}
	if !reflect.DeepEqual(c.RateLimit, want) {
		t.Fatalf("RateLimit = %+v, want %+v", c.RateLimit, want)
	}
	if c.RedisURL != "" {
		t.Fatalf("RedisURL = %q, want none", c.RedisURL)
	}
}

func TestRateLimitSettings(t *testing.T) {
	c, err := loadRateLimit(t, map[string]string{
		"RATE_LIMIT_ENABLED": "false", "RATE_LIMIT_WINDOW": "60", "RATE_LIMIT_MAX": "500",
		"RATE_LIMIT_RULES": " /sign-in/*=5/60 , /get-session=0,/organization/*=off,/ok=1/1",
		"TRUSTED_PROXIES":  "10.0.0.0/8, 192.168.1.10 ,fd00::/8",
		"REDIS_URL":        "redis://127.0.0.1:6379/0",
	})
	if err != nil {
		t.Fatal(err)
	}
	rl := c.RateLimit
	wantRules := []config.RateLimitRule{
		{Path: "/sign-in/*", Max: 5, Window: time.Minute}, {Path: "/get-session"}, {Path: "/organization/*"}, {Path: "/ok", Max: 1, Window: time.Second},
	}
	wantProxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.10/32"), netip.MustParsePrefix("fd00::/8")}
	if rl.Enabled || rl.Window != time.Minute || rl.Max != 500 || !reflect.DeepEqual(rl.Rules, wantRules) || !reflect.DeepEqual(rl.TrustedProxies, wantProxies) {
		t.Fatalf("RateLimit = %+v, want off, 500 per 60 s, rules %+v, proxies %v", rl, wantRules, wantProxies)
	}
	if c.RedisURL != "redis://127.0.0.1:6379/0" {
		t.Fatalf("RedisURL = %q", c.RedisURL)
	}
}

func TestRateLimitProblemsAreReported(t *testing.T) {
	tests := map[string]string{
		"RATE_LIMIT_RULES":               "/sign-in=5",
		"TRUSTED_PROXIES":                "10.0.0.0/33",
		"RATE_LIMIT_MAX":                 "0",
		"RATE_LIMIT_WINDOW":              "-1",
		"RATE_LIMIT_ENABLED":             "maybe",
		"REDIS_URL":                      "http://localhost",
		"RATE_LIMIT_MAILS_PER_RECIPIENT": "-1",
	}
	for key, value := range tests {
		t.Run(key, func(t *testing.T) {
			_, err := loadRateLimit(t, map[string]string{key: value})
			if err == nil || !strings.Contains(err.Error(), key) {
				t.Fatalf("Load with %s=%q: got %v, want an error naming it", key, value, err)
			}
		})
	}
	for _, rules := range []string{"sign-in=1/1", "/api/auth/sign-in=1/1", "/a*b=1/1", "/x=1/0", "/x=-1/10", "/x=1/1,/x=2/2", "/x", "/x=1/y"} {
		if _, err := loadRateLimit(t, map[string]string{"RATE_LIMIT_RULES": rules}); err == nil {
			t.Errorf("RATE_LIMIT_RULES=%q: got no error", rules)
		}
	}
	if _, err := loadRateLimit(t, map[string]string{"RATE_LIMIT_ACCOUNT_FREE_FAILURES": "50", "RATE_LIMIT_ACCOUNT_FAILURE_CAP": "40"}); err == nil {
		t.Error("a failure cap below the free failures: got no error")
	}
}
