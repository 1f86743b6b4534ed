package rest

import "testing"

func TestTrustedOriginPatterns(t *testing.T) {
	p := newOriginPolicy([]string{
		"https://app.example.com", "https://*.preview.example.com", "*.partner.example", "myapp://", "desktop://auth/callback",
		"javascript://", "data://x", "https://[bad", "*[",
	})
	tests := []struct {
		url  string
		want bool
	}{
		{"https://app.example.com/x", true},
		{"https://pr-1.preview.example.com", true},
		{"https://a.b.preview.example.com", true},
		{"http://pr-1.preview.example.com", false}, // scheme is part of a full-origin glob
		{"https://preview.example.com.evil.example", false},
		{"https://evil.example/https://x.preview.example.com", false}, // "*" never crosses "/"
		{"http://shop.partner.example", true},                         // host-only glob: any http(s) scheme
		{"https://shop.partner.example", true},
		{"https://shop.partner.example:8443", false},
		{"https://partner.example.evil", false},
		{"myapp://callback?code=1", true},
		{"MYAPP://callback", true},
		{"desktop://auth/callback/done", true},
		{"desktop://evil", false},
		{"javascript://alert(1)", false},
		{"data://x", false},
		{"otherapp://x", false},
		{"myapp://x\\y", false},
	}
	for _, tt := range tests {
		if got := p.trustedRedirect(tt.url); got != tt.want {
			t.Errorf("trustedRedirect(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
}
