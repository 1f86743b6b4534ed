package module_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/fx/fxtest"
)

// TestRateLimitsThroughTheGraph: with limits on (the default), the wired
// server answers the 4th sign-in within 10 s with better-auth's 429, the
// health probes stay unlimited, and TRUSTED_PROXIES decides whose
// X-Forwarded-For counts. With REDIS_URL (IAM_TEST_REDIS_URL) the counts
// go to Redis.
func TestRateLimitsThroughTheGraph(t *testing.T) {
	backends := map[string]map[string]string{"memory": {}}
	if u := os.Getenv("IAM_TEST_REDIS_URL"); u != "" {
		backends["redis"] = map[string]string{"REDIS_URL": u}
	}
	for name, extra := range backends {
		t.Run(name, func(t *testing.T) {
			addr := freeAddr(t)
			env := map[string]string{"HTTP_ADDR": addr, "RATE_LIMIT_ENABLED": "true", "TRUSTED_PROXIES": "127.0.0.1/32"}
			for k, v := range extra {
				env[k] = v
			}
			app := fxtest.New(t, graph(testConfig(t, env)))
			app.RequireStart()
			defer app.RequireStop()

			// A client address unique to this run, so Redis state left by
			// other runs cannot interfere.
			client := fmt.Sprintf("203.0.113.%d", 1+os.Getpid()%250)
			other := fmt.Sprintf("203.0.113.%d", 1+(os.Getpid()+1)%250)
			email := fmt.Sprintf("nobody-%d@example.com", time.Now().UnixNano())
			signIn := func(xff string) *http.Response {
				t.Helper()
				req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/auth/sign-in/email",
					strings.NewReader(`{"email":"`+email+`","password":"wrong-password"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Forwarded-For", xff)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			for i := range 3 {
				res := signIn(client)
				res.Body.Close()
				if res.StatusCode != http.StatusUnauthorized {
					t.Fatalf("sign-in %d: got %d, want 401", i+1, res.StatusCode)
				}
			}
			res := signIn(client)
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusTooManyRequests || string(body) != `{"message":"Too many requests. Please try again later."}` ||
				res.Header.Get("X-Retry-After") == "" || res.Header.Get("Retry-After") == "" {
				t.Fatalf("4th sign-in: got %d %s (X-Retry-After %q, Retry-After %q), want 429 with both headers",
					res.StatusCode, body, res.Header.Get("X-Retry-After"), res.Header.Get("Retry-After"))
			}
			// Another client behind the trusted proxy has its own count.
			res = signIn("198.51.100.7, " + other)
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("sign-in from another client behind the proxy: got %d, want 401", res.StatusCode)
			}
			for range 5 {
				res, err := http.Get("http://" + addr + "/healthz")
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode == http.StatusTooManyRequests {
					t.Fatal("/healthz was rate limited")
				}
			}
		})
	}
}
