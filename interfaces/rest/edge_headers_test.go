package rest_test

import (
	"net/http"
	"testing"
)

func TestSecurityHeadersAndCORS(t *testing.T) {
	s := newServer(t, withTrustedOrigins("https://app.example", "https://*.preview.example"))
	tests := []struct {
		name, method, path, origin string
		preflight                  bool
		wantCORS                   bool
		wantStatus                 int
	}{
		{"trusted origin", http.MethodGet, "/get-session", "https://app.example", false, true, 200},
		{"pattern origin", http.MethodGet, "/get-session", "https://pr-7.preview.example", false, true, 200},
		{"foreign origin", http.MethodGet, "/get-session", "https://evil.example", false, false, 200},
		{"no origin", http.MethodGet, "/ok", "", false, false, 200},
		{"preflight, trusted", http.MethodOptions, "/sign-in/email", "https://app.example", true, true, 204},
		{"preflight, foreign", http.MethodOptions, "/sign-in/email", "https://evil.example", true, false, 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := []string{}
			if tt.origin != "" {
				h = append(h, "Origin", tt.origin)
			}
			if tt.preflight {
				h = append(h, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type")
			}
			res := s.do(t, tt.method, tt.path, "", h...)
			if res.status != tt.wantStatus {
				t.Fatalf("status %d, want %d", res.status, tt.wantStatus)
			}
			for name, want := range map[string]string{
				"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin",
				"X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'",
			} {
				if got := res.header.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if res.header.Get("Strict-Transport-Security") != "" {
				t.Error("HSTS on an http deployment")
			}
			acao := res.header.Get("Access-Control-Allow-Origin")
			if tt.wantCORS != (acao == tt.origin && res.header.Get("Access-Control-Allow-Credentials") == "true") {
				t.Errorf("CORS headers: allow-origin %q, credentials %q", acao, res.header.Get("Access-Control-Allow-Credentials"))
			}
			if !tt.wantCORS && acao != "" {
				t.Errorf("an untrusted origin got Access-Control-Allow-Origin %q", acao)
			}
			if tt.preflight && tt.wantCORS && res.header.Get("Access-Control-Allow-Methods") == "" {
				t.Error("a trusted preflight got no allowed methods")
			}
		})
	}
	https := newServer(t, withBaseURL("https://auth.example"))
	if got := https.do(t, http.MethodGet, "/ok", "").header.Get("Strict-Transport-Security"); got != "max-age=63072000; includeSubDomains" {
		t.Fatalf("HSTS on https = %q", got)
	}
}
