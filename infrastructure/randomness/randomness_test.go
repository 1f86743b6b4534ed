package randomness_test

import (
	"regexp"
	"testing"

	"github.com/beep/iam/infrastructure/randomness"
)

func TestSessionTokens(t *testing.T) {
	shape := regexp.MustCompile(`^[A-Za-z0-9]{32}$`)
	seen := map[string]bool{}
	prefixes := map[string]int{}
	for range 1000 {
		tok, err := randomness.Tokens{}.SessionToken()
		if err != nil {
			t.Fatal(err)
		}
		if !shape.MatchString(tok) {
			t.Fatalf("token %q is not 32 alphanumerics", tok)
		}
		if seen[tok] {
			t.Fatalf("duplicate token %q", tok)
		}
		seen[tok] = true
		prefixes[tok[:3]]++
	}
	for p, n := range prefixes {
		if n > 5 {
			t.Fatalf("prefix %q repeated %d times in 1000 tokens", p, n)
		}
	}
}

func TestUUIDv7(t *testing.T) {
	a, b := randomness.IDs{}.NewUUID(), randomness.IDs{}.NewUUID()
	if a == b || a[6]>>4 != 7 || b[6]>>4 != 7 {
		t.Fatalf("uuids %v %v: want distinct version-7", a, b)
	}
	if a.String() > b.String() {
		t.Fatalf("uuid v7 not time-ordered: %v then %v", a, b)
	}
}
