package password_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beep/iam/infrastructure/password"
)

// cheap parameters keep unit tests fast; the fixture tests use the real ones.
var cheap = password.Params{N: 16, R: 1, P: 1, KeyLen: 64}

func TestBetterAuthFixtures(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "better-auth-hashes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fixtures []struct{ Password, Hash string }
	if err := json.Unmarshal(raw, &fixtures); err != nil {
		t.Fatal(err)
	}
	h := password.NewScrypt(password.Config{Params: password.BetterAuthParams})
	ctx := context.Background()
	for _, f := range fixtures {
		t.Run(f.Password, func(t *testing.T) {
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
	h := password.NewScrypt(password.Config{Params: password.BetterAuthParams})
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

func TestHashRoundTrip(t *testing.T) {
	h := password.NewScrypt(password.Config{Params: cheap})
	ctx := context.Background()
	long := strings.Repeat("p", 100)
	hash, err := h.Hash(ctx, long)
	if err != nil {
		t.Fatal(err)
	}
	salt, key, _ := strings.Cut(hash, ":")
	if len(salt) != 32 || len(key) != 128 {
		t.Fatalf("hash %q is not saltHex32:keyHex128", hash)
	}
	other, _ := h.Hash(ctx, long)
	if other == hash {
		t.Fatal("two hashes of one password are equal: salt is not random")
	}
	// No truncation or transformation (SECURITY #3).
	for _, wrong := range []string{long[:72], long + "x", "P" + long[1:], " " + long} {
		if ok, _ := h.Verify(ctx, wrong, hash); ok {
			t.Errorf("Verify(%q...) = true", wrong[:10])
		}
	}
	if ok, err := h.Verify(ctx, long, hash); !ok || err != nil {
		t.Fatalf("Verify = %v, %v", ok, err)
	}
}

func TestVerifyMalformed(t *testing.T) {
	h := password.NewScrypt(password.Config{Params: cheap})
	for _, enc := range []string{"", "nocolon", ":abcd", "salt:", "salt:xyz", "salt:abc", "salt:" + strings.Repeat("ab", 600)} {
		if ok, err := h.Verify(context.Background(), "pw", enc); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v; want an error", enc, ok, err)
		}
	}
}

func TestPoolRefusesWhenBusy(t *testing.T) {
	h := password.NewScrypt(password.Config{Params: password.Params{N: 1 << 14, R: 8, P: 1, KeyLen: 64}, Concurrency: 1, MaxWait: time.Millisecond})
	var wg sync.WaitGroup
	var busy atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := h.Hash(context.Background(), "password"); errors.Is(err, password.ErrBusy) {
				busy.Add(1)
			} else if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if busy.Load() == 0 {
		t.Fatal("no hash was refused although 8 competed for one slot with 1 ms of patience")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h2 := password.NewScrypt(password.Config{Params: cheap, Concurrency: 1, MaxWait: time.Minute})
	release := make(chan struct{})
	go func() { _, _ = h2.Hash(context.Background(), "x"); close(release) }()
	<-release
	if _, err := h2.Hash(ctx, "x"); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait error = %v", err)
	}
}
