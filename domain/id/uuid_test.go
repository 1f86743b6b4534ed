package id_test

import (
	"testing"

	"github.com/beep/iam/domain/id"
)

func TestFormat(t *testing.T) {
	u := id.UUID{0x01, 0x92, 0xf6, 0xc4, 0xaa, 0xbb, 0x7c, 0xcd, 0x8e, 0xef, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55}
	got := id.Format("user", u)
	want := "user__0192f6c4-aabb-7ccd-8eef-001122334455"
	if got != want {
		t.Fatalf("Format = %q, want %q", got, want)
	}
	tests := []struct {
		s, prefix string
		want      bool
	}{
		{want, "user", true},
		{want, "session", false},
		{"user__short", "user", false},
		{"user_0192f6c4-aabb-7ccd-8eef-001122334455", "user", false},
	}
	for _, tt := range tests {
		if got := id.HasPrefix(tt.s, tt.prefix); got != tt.want {
			t.Errorf("HasPrefix(%q, %q) = %v, want %v", tt.s, tt.prefix, got, tt.want)
		}
	}
}
