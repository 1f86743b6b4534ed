package tokencipher_test

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/beep/iam/infrastructure/tokencipher"
)

const (
	legacySecret = "better-auth-secret-0123456789abcdef0123456789abcdef"
	oldSecret    = "old-secret"
	newSecret    = "current-secret-0123456789abcdef0123456789"
)

func mustNew(t *testing.T, keys []tokencipher.Key, legacy string) *tokencipher.Cipher {
	t.Helper()
	var l []byte
	if legacy != "" {
		l = []byte(legacy)
	}
	c, err := tokencipher.New(keys, l)
	if err != nil {
		t.Fatalf("New(%d keys, legacy %t): %v", len(keys), legacy != "", err)
	}
	return c
}

func key(version int, secret string) tokencipher.Key {
	return tokencipher.Key{Version: version, Secret: []byte(secret)}
}

func mustSeal(t *testing.T, c *tokencipher.Cipher, plain string) string {
	t.Helper()
	sealed, err := c.Seal(plain)
	if err != nil {
		t.Fatalf("Seal(%q): %v", plain, err)
	}
	return sealed
}

func wantOpen(t *testing.T, what string, c *tokencipher.Cipher, sealed, want string) {
	t.Helper()
	got, err := c.Open(sealed)
	if err != nil || got != want {
		t.Fatalf("%s: Open(%.40q…) = %q, %v; want %q", what, sealed, got, err, want)
	}
}

func wantCannotOpen(t *testing.T, what string, c *tokencipher.Cipher, sealed string) {
	t.Helper()
	if got, err := c.Open(sealed); !errors.Is(err, tokencipher.ErrCannotOpen) {
		t.Fatalf("%s: Open(%.40q…) = %q, %v; want ErrCannotOpen", what, sealed, got, err)
	}
}

var plains = []string{
	"ya29.a0AfH6SMBx-token",
	"gho_ünïcödé 🔑 ' \" $ba$1$ \x00",
	strings.Repeat("eyJhbGciOiJSUzI1NiJ9.", 400),
	"0123456789abcdef", // a plain token that is hex must still round-trip
}

// TestRoundTrip seals and opens with both kinds of configuration and checks
// the shape of what is stored.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		cipher *tokencipher.Cipher
		prefix string
	}{
		{"lone secret", mustNew(t, nil, legacySecret), ""},
		{"versioned secrets", mustNew(t, []tokencipher.Key{key(7, newSecret), key(1, oldSecret)}, ""), "$ba$7$"},
		{"versioned with legacy", mustNew(t, []tokencipher.Key{key(0, newSecret)}, legacySecret), "$ba$0$"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, plain := range plains {
				sealed := mustSeal(t, tc.cipher, plain)
				body, ok := strings.CutPrefix(sealed, tc.prefix)
				if !ok {
					t.Fatalf("Seal = %.40q…, want prefix %q", sealed, tc.prefix)
				}
				raw, err := hex.DecodeString(body)
				if err != nil || body != strings.ToLower(body) || len(raw) != 24+len(plain)+16 {
					t.Fatalf("Seal(%d bytes) = %d hex characters (%v), want lowercase hex of nonce(24) ‖ ciphertext ‖ tag(16)", len(plain), len(body), err)
				}
				wantOpen(t, "own value", tc.cipher, sealed, plain)
				wantOpen(t, "upper-case hex", tc.cipher, tc.prefix+strings.ToUpper(body), plain)
				if again := mustSeal(t, tc.cipher, plain); again == sealed {
					t.Fatalf("two Seals of one token gave the same value: the nonce is not fresh")
				}
			}
			if sealed := mustSeal(t, tc.cipher, ""); sealed != "" {
				t.Fatalf(`Seal("") = %q, want "" (no token)`, sealed)
			}
			wantOpen(t, "empty", tc.cipher, "", "")
		})
	}
}

// TestOpensBetterAuthVectors opens values better-auth 1.7.25 sealed (with
// e2e/oracle/token-cipher.mjs), so the format is checked even where node is
// not installed.
func TestOpensBetterAuthVectors(t *testing.T) {
	t.Parallel()
	wantOpen(t, "bare value of a lone secret", mustNew(t, nil, legacySecret),
		"73fc336a64491ffebd07a3e7701c1f9133bfe5f4496d9ce1aa698c5da687e8f2abbb76b700ba448437f881d2c73174df7c8c48f3ee",
		"ya29.a0-token")
	wantOpen(t, "envelope of version 3", mustNew(t, []tokencipher.Key{key(3, newSecret), key(1, oldSecret)}, ""),
		"$ba$3$731b436eda4b4725d73efe725ae375d1c402fba5621251a7b9e1e1157cb50a708dc61f707be6aeeac00d8ea9b5bad59065ff0b35bc79c72314361cac",
		"gho_ünïcödé 🔑")
}

// TestTamperingIsDetected alters sealed values every way and wants an error,
// never a wrong token.
func TestTamperingIsDetected(t *testing.T) {
	t.Parallel()
	c := mustNew(t, []tokencipher.Key{key(2, newSecret), key(1, oldSecret)}, legacySecret)
	sealed := mustSeal(t, c, "secret-token")
	body := strings.TrimPrefix(sealed, "$ba$2$")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == '0' {
			b[i] = '1'
		} else {
			b[i] = '0'
		}
		return string(b)
	}
	cases := map[string]string{
		"nonce altered":         "$ba$2$" + flip(body, 3),
		"ciphertext altered":    "$ba$2$" + flip(body, 48+2),
		"tag altered":           "$ba$2$" + flip(body, len(body)-1),
		"last byte cut":         "$ba$2$" + body[:len(body)-2],
		"byte appended":         "$ba$2$" + body + "00",
		"odd hex":               "$ba$2$" + body[:len(body)-1],
		"not hex":               "$ba$2$" + body[:len(body)-2] + "zz",
		"too short":             "$ba$2$" + body[:78],
		"other known version":   "$ba$1$" + body,
		"unknown version":       "$ba$9$" + body,
		"version not a number":  "$ba$two$" + body,
		"signed version":        "$ba$+2$" + body,
		"negative version":      "$ba$-2$" + body,
		"no version separator":  "$ba$2" + body,
		"empty envelope":        "$ba$",
		"envelope stripped":     body, // bare: opened with every secret, and the tag still holds
		"bare value altered":    flip(body, 10),
		"bare value too short":  body[:78],
		"envelope without body": "$ba$2$",
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if name == "envelope stripped" {
				// Not tampering with the sealed bytes: any configured secret
				// opens a bare value, which is what better-auth's legacy
				// path reads.
				wantOpen(t, name, c, value, "secret-token")
				return
			}
			wantCannotOpen(t, name, c, value)
		})
	}
}

// TestWrongSecret opens with a cipher that does not hold the sealing secret.
func TestWrongSecret(t *testing.T) {
	t.Parallel()
	bare := mustSeal(t, mustNew(t, nil, legacySecret), "tok")
	wantCannotOpen(t, "bare value, other lone secret", mustNew(t, nil, legacySecret+"x"), bare)
	wantCannotOpen(t, "bare value, versioned secrets without it", mustNew(t, []tokencipher.Key{key(1, oldSecret)}, newSecret), bare)
	enveloped := mustSeal(t, mustNew(t, []tokencipher.Key{key(1, oldSecret)}, ""), "tok")
	wantCannotOpen(t, "version 1 under another secret", mustNew(t, []tokencipher.Key{key(1, newSecret)}, ""), enveloped)
	wantCannotOpen(t, "envelope, lone secret", mustNew(t, nil, oldSecret), enveloped)
}

// TestRotation adds a new current secret in front of the old one: values
// sealed before open, new ones are sealed with the new version, and
// retiring a secret makes its values unreadable rather than misread.
func TestRotation(t *testing.T) {
	t.Parallel()
	before := mustNew(t, []tokencipher.Key{key(1, oldSecret)}, "")
	oldValue := mustSeal(t, before, "issued before the rotation")
	legacyValue := mustSeal(t, mustNew(t, nil, legacySecret), "issued before versions")

	rotated := mustNew(t, []tokencipher.Key{key(2, newSecret), key(1, oldSecret)}, legacySecret)
	wantOpen(t, "old version after rotation", rotated, oldValue, "issued before the rotation")
	wantOpen(t, "bare legacy value after rotation", rotated, legacyValue, "issued before versions")
	newValue := mustSeal(t, rotated, "issued after the rotation")
	if !strings.HasPrefix(newValue, "$ba$2$") {
		t.Fatalf("Seal after rotation = %.20q…, want the new current version 2", newValue)
	}
	wantOpen(t, "new value", rotated, newValue, "issued after the rotation")
	wantCannotOpen(t, "new value on a node not yet rotated", before, newValue)

	// The old lone secret listed as a version still opens its bare values:
	// Open tries every secret on a value without an envelope.
	listed := mustNew(t, []tokencipher.Key{key(2, newSecret), key(1, legacySecret)}, "")
	wantOpen(t, "bare value under a listed secret", listed, legacyValue, "issued before versions")

	retired := mustNew(t, []tokencipher.Key{key(2, newSecret)}, "")
	wantOpen(t, "new value after retiring", retired, newValue, "issued after the rotation")
	wantCannotOpen(t, "value of a retired version", retired, oldValue)
	wantCannotOpen(t, "bare value after retiring the legacy secret", retired, legacyValue)
}

// TestPlainTokensPassThrough reads tokens stored before encryption was on,
// as better-auth's decryptOAuthToken does: what cannot be a sealed value
// is returned as it is.
func TestPlainTokensPassThrough(t *testing.T) {
	t.Parallel()
	c := mustNew(t, []tokencipher.Key{key(1, newSecret)}, "")
	for _, plain := range []string{"gho_16C7e42F292c6912E7710c838347Ae178B4a", "ya29.a0AfH6SMB", "abc", "eyJhbGciOiJSUzI1NiJ9.e30.sig", "$BA$1$00"} {
		wantOpen(t, "plain token", c, plain, plain)
	}
}

func TestNewRejects(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		keys   []tokencipher.Key
		legacy []byte
	}{
		"no secret":          {nil, nil},
		"empty legacy":       {nil, []byte{}},
		"negative version":   {[]tokencipher.Key{key(-1, newSecret)}, nil},
		"duplicate versions": {[]tokencipher.Key{key(1, newSecret), key(1, oldSecret)}, nil},
		"empty secret":       {[]tokencipher.Key{key(2, newSecret), key(1, "")}, nil},
	} {
		if c, err := tokencipher.New(tc.keys, tc.legacy); err == nil {
			t.Errorf("New with %s = %v, nil; want an error", name, c)
		}
	}
}
