package rest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/beep/iam/interfaces/rest"
)

// Domain and SameSite apply to every auth cookie, set or deleted, in
// better-call's attribute order; SameSite=None forces Secure.
func TestCookieDomainAndSameSite(t *testing.T) {
	tests := []struct {
		name, baseURL, sameSite, attrs string
	}{
		{"strict", "", "strict", "; Domain=example.com; Path=/; HttpOnly; SameSite=Strict"},
		{"none forces Secure", "", "None", "; Domain=example.com; Path=/; HttpOnly; Secure; SameSite=None"},
		{"https lax", "https://auth.example.com", "", "; Domain=example.com; Path=/; HttpOnly; Secure; SameSite=Lax"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := []option{withCookieCache(), withConfig(func(c *rest.Config) {
				c.CookieDomain, c.SameSite = "example.com", tc.sameSite
			})}
			prefix := "better-auth."
			if tc.baseURL != "" {
				opts = append(opts, withBaseURL(tc.baseURL))
				prefix = "__Secure-better-auth."
			}
			s := newServer(t, opts...)
			res := s.post(t, "/sign-up/email", `{"name":"U","email":"u@example.com","password":"password123","rememberMe":false}`)
			lines := res.header.Values("Set-Cookie")
			if len(lines) != 3 {
				t.Fatalf("Set-Cookie = %q", lines)
			}
			for i, name := range []string{"session_token", "dont_remember", "session_data"} {
				if !strings.HasPrefix(lines[i], prefix+name+"=") || !strings.HasSuffix(lines[i], tc.attrs) || strings.Contains(lines[i], "Max-Age") {
					t.Fatalf("line %d = %q, want %s...%s", i, lines[i], prefix+name, tc.attrs)
				}
			}
			j := newJar(res)
			out := s.do(t, http.MethodPost, "/sign-out", "", "Cookie", j.header(), "Origin", s.origin)
			lines = out.header.Values("Set-Cookie")
			for _, l := range lines {
				if !strings.Contains(l, "=; Max-Age=0"+tc.attrs) {
					t.Fatalf("deletion %q lacks %s", l, tc.attrs)
				}
			}
			if len(lines) != 4 {
				t.Fatalf("sign-out Set-Cookie = %q", lines)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	ok := rest.Config{Secrets: [][]byte{[]byte("s")}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	for name, cfg := range map[string]rest.Config{
		"no secret":          {},
		"empty rotated key":  {Secrets: [][]byte{[]byte("new"), nil}},
		"unknown SameSite":   {Secrets: [][]byte{[]byte("s")}, SameSite: "sometimes"},
		"domain with a ';'":  {Secrets: [][]byte{[]byte("s")}, CookieDomain: "example.com; Secure"},
		"negative cache age": {Secrets: [][]byte{[]byte("s")}, CookieCacheMaxAge: -1},
		"negative floor":     {Secrets: [][]byte{[]byte("s")}, EnumerationFloor: -1},
	} {
		if err := cfg.Validate(); err == nil {
			t.Errorf("%s: Validate() = nil", name)
		}
	}
}
