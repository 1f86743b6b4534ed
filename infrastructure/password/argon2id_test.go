package password_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"

	"github.com/beep/iam/infrastructure/password"
)

// TestArgon2idReferenceVectors verifies PHC strings from the reference
// implementation's tests (phc-winner-argon2, src/test.c: "password",
// salt "somesalt").
func TestArgon2idReferenceVectors(t *testing.T) {
	h := mustNew(t, password.Config{})
	ctx := context.Background()
	for _, enc := range []string{
		"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
	} {
		if ok, err := h.Verify(ctx, "password", enc); !ok || err != nil {
			t.Errorf("Verify(password, %s) = %v, %v; want true", enc, ok, err)
		}
		if ok, err := h.Verify(ctx, "sassword", enc); ok || err != nil {
			t.Errorf("Verify(sassword, %s) = %v, %v; want false", enc, ok, err)
		}
	}
}

// TestArgon2idIndependentEncoder checks both directions against a PHC
// string built here with argon2.IDKey directly: one made outside the
// package verifies, and one Hash writes has the parameters it claims.
func TestArgon2idIndependentEncoder(t *testing.T) {
	h := mustNew(t, password.Config{})
	ctx := context.Background()
	b64 := base64.RawStdEncoding
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte("correct horse"), salt, 3, 12288, 2, 32)
	enc := fmt.Sprintf("$argon2id$v=19$m=12288,t=3,p=2$%s$%s", b64.EncodeToString(salt), b64.EncodeToString(key))
	if ok, err := h.Verify(ctx, "correct horse", enc); !ok || err != nil {
		t.Fatalf("Verify(independent hash) = %v, %v; want true", ok, err)
	}

	ours, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	var m, tc, p int
	var saltB64, keyB64 string
	parts := strings.Split(ours, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v=19" {
		t.Fatalf("Hash = %q, want a $argon2id$v=19$ PHC string", ours)
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &tc, &p); err != nil || m != 19456 || tc != 2 || p != 1 {
		t.Fatalf("Hash parameters %q, want m=19456,t=2,p=1", parts[3])
	}
	saltB64, keyB64 = parts[4], parts[5]
	gotSalt, err1 := b64.DecodeString(saltB64)
	gotKey, err2 := b64.DecodeString(keyB64)
	if err1 != nil || err2 != nil || len(gotSalt) != 16 || len(gotKey) != 32 {
		t.Fatalf("Hash salt/key %q/%q: want unpadded base64 of 16 and 32 bytes", saltB64, keyB64)
	}
	if want := argon2.IDKey([]byte("correct horse"), gotSalt, 2, 19456, 1, 32); string(want) != string(gotKey) {
		t.Fatal("the key Hash wrote is not argon2id of the password with the parameters it wrote")
	}
}
