package identity_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/domain/identity"
)

func TestParseEmail(t *testing.T) {
	tests := []struct {
		raw  string
		want identity.Email
		ok   bool
	}{
		{"alice@example.com", "alice@example.com", true},
		{"  Alice@Example.COM ", "alice@example.com", true},
		{"a.b+tag@sub.example.io", "a.b+tag@sub.example.io", true},
		{"o'brien@example.ie", "o'brien@example.ie", true},
		{"not-an-email", "", false},
		{"a@b", "", false},
		{"a@b.c", "", false},
		{".a@example.com", "", false},
		{"a..b@example.com", "", false},
		{"a.@example.com", "", false},
		{"a@-example.com", "", false},
		{"a'@example.com", "", false},
		{"a b@example.com", "", false},
		{"a@x.io\r\nBcc: v@x.io", "", false},
		{"a\x00@x.io", "", false},
		{"", "", false},
		{strings.Repeat("a", 250) + "@x.io", "", false},
		{"' OR '1'='1'--@x.io", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := identity.ParseEmail(tt.raw)
			if tt.ok != (err == nil) || got != tt.want {
				t.Fatalf("ParseEmail(%q) = %q, %v; want %q, ok=%v", tt.raw, got, err, tt.want, tt.ok)
			}
			if err != nil && !errors.Is(err, identity.ErrInvalidEmail) {
				t.Fatalf("ParseEmail(%q) error = %v, want ErrInvalidEmail", tt.raw, err)
			}
		})
	}
}

func TestPasswordPolicy(t *testing.T) {
	p := identity.DefaultPasswordPolicy
	tests := []struct {
		name string
		pw   string
		want error
	}{
		{"7 chars", "abcdefg", identity.ErrPasswordTooShort},
		{"8 chars", "abcdefgh", nil},
		{"emoji counts two units", "abcdef😀", nil},
		{"128 chars", strings.Repeat("a", 128), nil},
		{"129 chars", strings.Repeat("a", 129), identity.ErrPasswordTooLong},
		{"64 emoji is 128 units", strings.Repeat("😀", 64), nil},
		{"65 emoji is 130 units", strings.Repeat("😀", 65), identity.ErrPasswordTooLong},
		{"128 accented letters (2 bytes each)", strings.Repeat("é", 128), nil},
		{"1 MiB", strings.Repeat("a", 1<<20), identity.ErrPasswordTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Check(tt.pw); !errors.Is(got, tt.want) && !(got == nil && tt.want == nil) {
				t.Fatalf("Check(%d bytes) = %v, want %v", len(tt.pw), got, tt.want)
			}
		})
	}
}

func TestVerificationExpired(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v := identity.Verification{ExpiresAt: now}
	if !v.Expired(now) {
		t.Error("a verification is expired at its expiry instant")
	}
	if v.Expired(now.Add(-time.Second)) {
		t.Error("a verification is valid before its expiry")
	}
}

func TestCheckName(t *testing.T) {
	for name, ok := range map[string]bool{
		"Alice": true, "Élodie Müller": true, "<script>x</script>": true, "": true,
		strings.Repeat("é", 256): true, strings.Repeat("a", 257): false,
		"Eve\r\nBcc: v@x.io": false, "tab\there": false, "nul\x00": false, "bell\a": false, "del\x7f": false,
	} {
		if err := identity.CheckName(name); (err == nil) != ok {
			t.Errorf("CheckName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}
