package tokencipher_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/beep/iam/infrastructure/tokencipher"
)

// oracle is a request to e2e/oracle/token-cipher.mjs: better-auth's own
// write path (seal) or read path (open) of OAuth tokens.
type oracle struct {
	Op   string `json:"op"`
	Key  any    `json:"key"`
	Data string `json:"data"`
}

type oracleAnswer struct {
	Value *string `json:"value"`
	Error string  `json:"error"`
}

// betterAuthKey is how the script takes a configuration: a lone secret as
// a string, versioned secrets as better-auth's `secrets` option.
func betterAuthKey(keys []tokencipher.Key, legacy string) any {
	if len(keys) == 0 {
		return legacy
	}
	type secret struct {
		Version int    `json:"version"`
		Value   string `json:"value"`
	}
	cfg := struct {
		Secrets []secret `json:"secrets"`
		Legacy  string   `json:"legacySecret,omitempty"`
	}{Legacy: legacy}
	for _, k := range keys {
		cfg.Secrets = append(cfg.Secrets, secret{k.Version, string(k.Secret)})
	}
	return cfg
}

// askBetterAuth runs the requests through better-auth in one node process.
// It needs node and the e2e npm packages, which make test installs (and
// then requires this test by setting IAM_TEST_REQUIRE_NODE=1).
func askBetterAuth(t *testing.T, requests []oracle) []oracleAnswer {
	t.Helper()
	script, _ := filepath.Abs(filepath.Join("..", "..", "e2e", "oracle", "token-cipher.mjs"))
	modules := filepath.Join(filepath.Dir(filepath.Dir(script)), "node_modules", "better-auth")
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(modules); err != nil || statErr != nil {
		if os.Getenv("IAM_TEST_REQUIRE_NODE") == "1" {
			t.Fatalf("node (%v) or the better-auth npm package at %s (%v) missing", err, modules, statErr)
		}
		t.Skip("node or e2e/node_modules not installed; run make test (npm ci in e2e/) to check tokens against better-auth")
	}
	in, err := json.Marshal(requests)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), node, script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v: %s", script, err, stderr.Bytes())
	}
	var answers []oracleAnswer
	if err := json.Unmarshal(out, &answers); err != nil || len(answers) != len(requests) {
		t.Fatalf("node %s answered %d of %d requests (%v): %s", script, len(answers), len(requests), err, out)
	}
	return answers
}

// TestInteropWithBetterAuth checks both directions against better-auth
// itself: better-auth opens what Go sealed, Go opens what better-auth
// sealed, for a lone secret, versioned secrets, and a rotation done on one
// side only.
func TestInteropWithBetterAuth(t *testing.T) {
	t.Parallel()
	type config struct {
		name   string
		keys   []tokencipher.Key
		legacy string
	}
	configs := []config{
		{"lone secret", nil, legacySecret},
		{"versioned", []tokencipher.Key{key(2, newSecret), key(1, oldSecret)}, ""},
		{"versioned with legacy", []tokencipher.Key{key(5, newSecret)}, legacySecret},
	}

	// Round 1: Go seals for better-auth to open; better-auth seals for Go.
	var requests []oracle
	type goSealed struct {
		cfg    config
		plain  string
		sealed string
	}
	var fromGo []goSealed
	for _, cfg := range configs {
		c := mustNew(t, cfg.keys, cfg.legacy)
		for _, plain := range slices.Concat(plains, []string{""}) {
			sealed := mustSeal(t, c, plain)
			fromGo = append(fromGo, goSealed{cfg, plain, sealed})
			requests = append(requests,
				oracle{"open", betterAuthKey(cfg.keys, cfg.legacy), sealed},
				oracle{"seal", betterAuthKey(cfg.keys, cfg.legacy), plain})
		}
	}
	// A rotation on one side: better-auth still on version 1 seals, Go
	// already rotated opens; Go's new value is refused by the old node.
	rotated := mustNew(t, []tokencipher.Key{key(2, newSecret), key(1, oldSecret)}, legacySecret)
	afterRotation := mustSeal(t, rotated, "sealed after rotation")
	requests = append(requests,
		oracle{"seal", betterAuthKey([]tokencipher.Key{key(1, oldSecret)}, ""), "sealed by better-auth on version 1"},
		oracle{"seal", legacySecret, "sealed by better-auth before versions"},
		oracle{"open", betterAuthKey([]tokencipher.Key{key(1, oldSecret)}, ""), afterRotation},
		oracle{"open", betterAuthKey([]tokencipher.Key{key(2, newSecret), key(1, oldSecret)}, legacySecret), "gho_plainTokenStoredBeforeEncryption"},
	)

	answers := askBetterAuth(t, requests)
	for i, g := range fromGo {
		opened, sealed := answers[2*i], answers[2*i+1]
		what := g.cfg.name
		if opened.Value == nil || *opened.Value != g.plain {
			t.Errorf("%s: better-auth opened Go's %.40q… as %v (error %q), want %q", what, g.sealed, deref(opened.Value), opened.Error, g.plain)
		}
		if sealed.Value == nil {
			t.Errorf("%s: better-auth could not seal %q: %s", what, g.plain, sealed.Error)
			continue
		}
		if g.cfg.keys != nil && g.plain != "" && !strings.HasPrefix(*sealed.Value, "$ba$"+strconv.Itoa(g.cfg.keys[0].Version)+"$") {
			t.Errorf("%s: better-auth sealed as %.20q…, a version Go would not write", what, *sealed.Value)
		}
		got, err := mustNew(t, g.cfg.keys, g.cfg.legacy).Open(*sealed.Value)
		if err != nil || got != g.plain {
			t.Errorf("%s: Go opened better-auth's %.40q… as %q, %v; want %q", what, *sealed.Value, got, err, g.plain)
		}
	}
	tail := answers[2*len(fromGo):]
	for _, a := range tail[:2] {
		if a.Value == nil {
			t.Fatalf("better-auth could not seal: %s", a.Error)
		}
	}
	wantOpen(t, "better-auth's version-1 value on rotated Go", rotated, *tail[0].Value, "sealed by better-auth on version 1")
	wantOpen(t, "better-auth's bare value on rotated Go", rotated, *tail[1].Value, "sealed by better-auth before versions")
	if tail[2].Value != nil || !strings.Contains(tail[2].Error, "not found") {
		t.Errorf("better-auth without version 2 opened Go's rotated value: %v, %q; want a version-not-found error", deref(tail[2].Value), tail[2].Error)
	}
	if tail[3].Value == nil || *tail[3].Value != "gho_plainTokenStoredBeforeEncryption" {
		t.Errorf("better-auth read a plain token as %v (%q); Go returns it unchanged", deref(tail[3].Value), tail[3].Error)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<none>"
	}
	return *s
}
