package rest

import "testing"

func TestOriginOf(t *testing.T) {
	tests := map[string]string{
		"http://127.0.0.1:3999":            "http://127.0.0.1:3999",
		"http://127.0.0.1:3999/some/page":  "http://127.0.0.1:3999",
		"HTTPS://App.Example.COM:443/x?y":  "https://app.example.com",
		"http://example.com:80":            "http://example.com",
		"http://example.com:0080":          "http://example.com",
		"https://example.com:8443":         "https://example.com:8443",
		"http://[::1]:3000/":               "http://[::1]:3000",
		"http://user@example.com/":         "http://example.com",
		"https://example.com:99999":        "",
		"javascript:alert(1)":              "",
		"chrome-extension://abcdef":        "",
		"//example.com":                    "",
		"/relative":                        "",
		"null":                             "",
		"":                                 "",
		"http:example.com":                 "",
		`http://evil.com\@example.com`:     "",
		"http://exa mple.com":              "",
		"http://example.com\t.evil.com":    "",
		"https://example.com, https://x.y": "",
	}
	for in, want := range tests {
		if got := originOf(in); got != want {
			t.Errorf("originOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSafeRelativeURL(t *testing.T) {
	tests := map[string]bool{
		"/":                        true,
		"/dashboard":               true,
		"/a/b-c_d.e+f@g?x=1&y=%2F": true, // an encoded slash in the query is harmless
		"/page#section":            true,
		"/über":                    true,
		"":                         false,
		"dashboard":                false,
		"//evil.example":           false,
		"/\\evil.example":          false,
		"/a\\b":                    false,
		"/%2Fevil.example":         false,
		"/x/%5cevil":               false,
		"/x\ny":                    false,
		"/x\u0085y":                false,
		"https://evil.example":     false,
		"/.//evil.example":         false,
		"/a/../../evil.example":    false,
		"/a/.":                     false,
		"/a.b/c..d/.e":             true,
	}
	for in, want := range tests {
		if got := safeRelativeURL(in); got != want {
			t.Errorf("safeRelativeURL(%q) = %v, want %v", in, got, want)
		}
	}
}
