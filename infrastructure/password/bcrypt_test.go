package password_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/beep/iam/infrastructure/password"
)

func TestBcryptImports(t *testing.T) {
	h := mustNew(t, password.Config{})
	ctx := context.Background()
	long := strings.Repeat("b", 72)
	hashOf := func(pw string) string {
		enc, err := bcrypt.GenerateFromPassword([]byte(pw), 10)
		if err != nil {
			t.Fatal(err)
		}
		return string(enc)
	}
	short, full := hashOf("correct horse"), hashOf(long)
	tests := []struct {
		name, password, hash string
		want                 bool
	}{
		{"match", "correct horse", short, true},
		{"$2b$ variant", "correct horse", "$2b$" + short[4:], true},
		{"$2y$ variant", "correct horse", "$2y$" + short[4:], true},
		{"mismatch", "correct horsf", short, false},
		{"exactly 72 bytes", long, full, true},
		// bcrypt cannot tell these from the 72-byte password it hashed.
		{"73 bytes, first 72 match", long + "x", full, false},
		{"100 bytes, first 72 match", long + strings.Repeat("x", 28), full, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ok, err := h.Verify(ctx, tt.password, tt.hash); ok != tt.want || err != nil {
				t.Fatalf("Verify = %v, %v; want %v", ok, err, tt.want)
			}
		})
	}
}
