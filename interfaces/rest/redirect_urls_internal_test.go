package rest

import "testing"

// withErrorParam follows better-auth's appendQueryParams.
func TestWithErrorParam(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/cb", "/cb?error=INVALID_TOKEN"},
		{"/cb?", "/cb?error=INVALID_TOKEN"},
		{"/cb?a=1", "/cb?a=1&error=INVALID_TOKEN"},
		{"/cb?a=1&", "/cb?a=1&error=INVALID_TOKEN"},
		{"/cb#x?y", "/cb?error=INVALID_TOKEN#x?y"},
		{"/cb?a=1#x", "/cb?a=1&error=INVALID_TOKEN#x"},
		{"https://app.example.com", "https://app.example.com/?error=INVALID_TOKEN"},
		{"https://app.example.com?a=1", "https://app.example.com/?a=1&error=INVALID_TOKEN"},
		{"https://app.example.com/p?a=1", "https://app.example.com/p?a=1&error=INVALID_TOKEN"},
	}
	for _, tc := range tests {
		if got := withErrorParam(tc.in, "INVALID_TOKEN"); got != tc.want {
			t.Errorf("withErrorParam(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// setParam is URLSearchParams.set: in place, once, others kept in order.
func TestSetParam(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "token=t"},
		{"a=1", "a=1&token=t"},
		{"token=old&a=1&token=again", "token=t&a=1"},
		{"a=1&&b", "a=1&b&token=t"},
		{"%74oken=old", "token=t"},
	}
	for _, tc := range tests {
		if got := setParam(tc.in, "token", "t"); got != tc.want {
			t.Errorf("setParam(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
