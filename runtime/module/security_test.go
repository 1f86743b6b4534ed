package module_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/fx/fxtest"
)

// startServer runs the graph that ships on a fresh SQLite database with
// env on top of the test defaults, and returns its base URL.
func startServer(t *testing.T, env map[string]string) string {
	t.Helper()
	addr := freeAddr(t)
	if env == nil {
		env = map[string]string{}
	}
	env["HTTP_ADDR"] = addr
	app := fxtest.New(t, graph(testConfig(t, env)))
	app.RequireStart()
	t.Cleanup(app.RequireStop)
	return "http://" + addr
}

// TestBlackBoxSecurity probes the running server over HTTP as an attacker
// would, for the SECURITY.md controls that apply: enumeration, cookie
// flags, CSRF, open redirects, hostile input. Every answer is a clear 4xx
// in the wire format, never a 5xx, and nothing leaks.
func TestBlackBoxSecurity(t *testing.T) {
	base := startServer(t, map[string]string{"RATE_LIMIT_ENABLED": "false"})
	b := (&socialServer{base: base}).browser(t)
	post := func(path, body string, headers ...string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, base+"/api/auth"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp, string(raw)
	}
	resp, _ := b.do(t, http.MethodPost, "/api/auth/sign-up/email", `{"name":"Ada","email":"ada@example.com","password":"correct horse battery staple"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("sign-up: %d", resp.StatusCode)
	}

	t.Run("sign-in does not tell unknown emails from wrong passwords", func(t *testing.T) {
		r1, b1 := post("/sign-in/email", `{"email":"ada@example.com","password":"wrong password 123"}`)
		r2, b2 := post("/sign-in/email", `{"email":"nobody@example.com","password":"wrong password 123"}`)
		if r1.StatusCode != 401 || r2.StatusCode != 401 || b1 != b2 {
			t.Fatalf("known: %d %s; unknown: %d %s", r1.StatusCode, b1, r2.StatusCode, b2)
		}
	})
	t.Run("password reset answers alike for known and unknown addresses", func(t *testing.T) {
		r1, b1 := post("/request-password-reset", `{"email":"ada@example.com"}`)
		r2, b2 := post("/request-password-reset", `{"email":"nobody@example.com"}`)
		if r1.StatusCode != r2.StatusCode || b1 != b2 {
			t.Fatalf("known: %d %s; unknown: %d %s", r1.StatusCode, b1, r2.StatusCode, b2)
		}
	})
	t.Run("session cookie flags", func(t *testing.T) {
		r, _ := post("/sign-in/email", `{"email":"ada@example.com","password":"correct horse battery staple"}`)
		var line string
		for _, l := range r.Header.Values("Set-Cookie") {
			if strings.HasPrefix(l, "better-auth.session_token=") {
				line = l
			}
		}
		if !strings.Contains(line, "HttpOnly") || !strings.Contains(line, "SameSite=Lax") || !strings.Contains(line, "Path=/") {
			t.Fatalf("session cookie %q", line)
		}
	})
	t.Run("cross-site requests with cookies are refused", func(t *testing.T) {
		for _, origin := range []string{"", "null", "https://evil.example"} {
			req, _ := http.NewRequest(http.MethodPost, base+"/api/auth/update-user", strings.NewReader(`{"name":"pwned"}`))
			req.Header.Set("Content-Type", "application/json")
			if origin != "" {
				req.Header.Set("Origin", origin)
			}
			for _, c := range b.client.Jar.Cookies(req.URL) {
				req.AddCookie(c)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("update-user from origin %q: %d, want 403", origin, resp.StatusCode)
			}
		}
	})
	hostile := []struct {
		name, path, body string
		status           int
	}{
		{"open redirect", "/sign-in/email", `{"email":"ada@example.com","password":"x","callbackURL":"https://evil.example"}`, 403},
		{"protocol-relative redirect", "/send-verification-email", `{"email":"ada@example.com","callbackURL":"//evil.example"}`, 403},
		{"javascript redirect", "/request-password-reset", `{"email":"ada@example.com","redirectTo":"javascript:alert(1)"}`, 403},
		{"malformed JSON", "/sign-in/email", `{"email":`, 400},
		{"wrong types", "/sign-in/email", `{"email":42,"password":["x"]}`, 400},
		{"duplicate keys", "/sign-in/email", `{"email":"ada@example.com","email":"eve@example.com","password":"x"}`, 400},
		{"NUL byte", "/sign-up/email", "{\"name\":\"a\\u0000b\",\"email\":\"nul@example.com\",\"password\":\"correct horse battery\"}", 400},
		{"invalid UTF-8", "/sign-up/email", "{\"name\":\"\xff\xfe\",\"email\":\"utf@example.com\",\"password\":\"correct horse battery\"}", 400},
		{"deep nesting", "/sign-in/email", strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100), 400},
		{"huge body", "/sign-up/email", `{"name":"` + strings.Repeat("a", 1<<20) + `"}`, 413},
		{"SQL metacharacters in the email", "/sign-in/email", `{"email":"x' OR '1'='1@example.com","password":"' OR 1=1 --"}`, 400},
	}
	for _, tt := range hostile {
		t.Run(tt.name, func(t *testing.T) {
			r, body := post(tt.path, tt.body)
			if r.StatusCode != tt.status {
				t.Fatalf("%d %s, want %d", r.StatusCode, body, tt.status)
			}
			if r.StatusCode != 413 && !strings.HasPrefix(body, `{"message":`) {
				t.Fatalf("not the wire's error shape: %s", body)
			}
		})
	}
	t.Run("SQL metacharacters in data are stored literally", func(t *testing.T) {
		name := `Robert'); DROP TABLE users;--`
		r, body := post("/sign-up/email", `{"name":"`+strings.ReplaceAll(name, `"`, `\"`)+`","email":"bobby@example.com","password":"correct horse battery staple"}`)
		if r.StatusCode != 200 || !strings.Contains(body, `"name":"Robert'); DROP TABLE users;--"`) {
			t.Fatalf("%d %s", r.StatusCode, body)
		}
		if r, _ := post("/sign-in/email", `{"email":"ada@example.com","password":"correct horse battery staple"}`); r.StatusCode != 200 {
			t.Fatal("the users table did not survive")
		}
	})
	t.Run("unsupported methods are never 5xx", func(t *testing.T) {
		for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch, "TRACE"} {
			req, _ := http.NewRequest(m, base+"/api/auth/sign-in/email", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 404 && resp.StatusCode != 405 {
				t.Errorf("%s: %d", m, resp.StatusCode)
			}
		}
		req, _ := http.NewRequest(http.MethodGet, base+"/api/auth/sign-out", nil)
		resp, _ := http.DefaultClient.Do(req)
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("GET sign-out changes state? %d", resp.StatusCode)
		}
	})
}

// TestBlackBoxBruteForce: with the shipped defaults (limits on, no
// trusted proxy), password guessing from one IP is cut off after 3
// attempts in 10 s, and rotating X-Forwarded-For does not buy new buckets:
// the header is only believed from a trusted proxy.
func TestBlackBoxBruteForce(t *testing.T) {
	base := startServer(t, map[string]string{"RATE_LIMIT_ENABLED": "true"})
	var got []int
	for i := range 6 {
		req, _ := http.NewRequest(http.MethodPost, base+"/api/auth/sign-in/email",
			strings.NewReader(`{"email":"victim@example.com","password":"guess number `+string(rune('a'+i))+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", "198.51.100."+string(rune('1'+i))) // spoofed, a new "IP" each time
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got = append(got, resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests {
			if string(body) != `{"message":"Too many requests. Please try again later."}` || resp.Header.Get("X-Retry-After") == "" || resp.Header.Get("Retry-After") == "" {
				t.Fatalf("429 = %s, X-Retry-After %q, Retry-After %q", body, resp.Header.Get("X-Retry-After"), resp.Header.Get("Retry-After"))
			}
		}
	}
	want := []int{401, 401, 401, 429, 429, 429}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("six guesses with rotating X-Forwarded-For answered %v, want %v", got, want)
		}
	}
	// Health probes are never limited.
	for range 10 {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/healthz = %d", resp.StatusCode)
		}
	}
}
