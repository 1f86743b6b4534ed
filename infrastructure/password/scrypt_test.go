package password_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/beep/iam/infrastructure/password"
)

// betterAuth is the configuration that writes better-auth's own format.
var betterAuth = password.Config{Algorithm: password.Scrypt, Scrypt: password.BetterAuthParams}

// TestBetterAuthFixtures verifies hashes written by better-auth, under both
// configurations: the format does not depend on the one new hashes use.
func TestBetterAuthFixtures(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "better-auth-hashes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fixtures []struct{ Password, Hash string }
	if err := json.Unmarshal(raw, &fixtures); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, cfg := range []password.Config{betterAuth, {}} {
		h := mustNew(t, cfg)
		for _, f := range fixtures {
			t.Run(string(cfg.Algorithm)+"/"+f.Password, func(t *testing.T) {
				if ok, err := h.Verify(ctx, f.Password, f.Hash); err != nil || !ok {
					t.Fatalf("Verify(better-auth hash) = %v, %v; want true", ok, err)
				}
				if ok, _ := h.Verify(ctx, f.Password+"x", f.Hash); ok {
					t.Fatal("a different password verified")
				}
			})
		}
		// NFKC: the decomposed (NFD) spelling verifies against the NFC hash.
		nfd := "Cre\u0300me bru\u0302le\u0301e a\u0300 9h"
		if ok, err := h.Verify(ctx, nfd, fixtures[1].Hash); err != nil || !ok {
			t.Fatalf("NFD spelling: Verify = %v, %v; want true", ok, err)
		}
	}
}

// TestHashVerifiesInBetterAuth checks the reverse direction with
// better-auth's own verifyPassword. It needs the e2e npm packages, which
// make test installs (and then requires this test by setting
// IAM_TEST_REQUIRE_NODE=1).
func TestHashVerifiesInBetterAuth(t *testing.T) {
	script, _ := filepath.Abs(filepath.Join("..", "..", "e2e", "oracle", "verify-hash.mjs"))
	modules := filepath.Join(filepath.Dir(filepath.Dir(script)), "node_modules", "better-auth")
	if _, err := os.Stat(modules); err != nil {
		if os.Getenv("IAM_TEST_REQUIRE_NODE") == "1" {
			t.Fatalf("better-auth npm package missing at %s", modules)
		}
		t.Skip("e2e/node_modules not installed; run make test (npm ci in e2e/) to check hashes against better-auth")
	}
	h := mustNew(t, betterAuth)
	for _, pw := range []string{"correct horse battery staple", "ﬁancé Ⅸ ' \" ; -- \\ < > %"} {
		hash, err := h.Hash(context.Background(), pw)
		if err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("node", script, hash, pw).CombinedOutput(); err != nil {
			t.Fatalf("better-auth rejected our hash of %q: %v: %s", pw, err, out)
		}
		if err := exec.Command("node", script, hash, pw+"!").Run(); err == nil {
			t.Fatalf("better-auth accepted a wrong password for our hash")
		}
	}
}
