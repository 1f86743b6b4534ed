package emailtoken_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/infrastructure/emailtoken"
	"github.com/golang-jwt/jwt/v5"
)

var (
	newSecret = []byte("new-secret-new-secret-new-secret-0123")
	oldSecret = []byte("old-secret-old-secret-old-secret-4567")
	// t0 has a sub-second part: iat and exp are whole seconds regardless.
	t0 = time.Date(2026, 11, 28, 17, 32, 23, 370_000_000, time.UTC)
)

const (
	alice  = identity.Email("alice@example.com")
	bob    = identity.Email("bob@example.org")
	userID = identity.UserID("user__0194e7a0-0000-7000-8000-000000000001")
)

func at(t time.Time) func() time.Time { return func() time.Time { return t } }

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// hs256 signs header.payload by hand, so tests can build tokens jwt would
// refuse to produce.
func hs256(key []byte, header, payload string) string {
	signing := b64(header) + "." + b64(payload)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// segment decodes part i of a compact JWT.
func segment(t *testing.T, token string, i int) []byte {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q has %d parts, want 3", token, len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("decode part %d of %q: %v", i, token, err)
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   authn.EmailClaims
		want authn.EmailClaims
		// payload is the exact JSON the token carries.
		payload string
	}{
		{
			name:    "verification",
			in:      authn.EmailClaims{Email: alice, UserID: userID},
			want:    authn.EmailClaims{Email: alice, UserID: userID},
			payload: `{"email":"alice@example.com","userId":"` + string(userID) + `","iat":1795887143,"exp":1795890743}`,
		},
		{
			name:    "upper-case input is lower-cased as better-auth does",
			in:      authn.EmailClaims{Email: "Alice@Example.COM", UserID: userID, UpdateTo: "BOB@example.org"},
			want:    authn.EmailClaims{Email: alice, UserID: userID, UpdateTo: bob},
			payload: `{"email":"alice@example.com","updateTo":"bob@example.org","userId":"` + string(userID) + `","iat":1795887143,"exp":1795890743}`,
		},
		{
			name: "change-email confirmation",
			in:   authn.EmailClaims{Email: alice, UserID: userID, UpdateTo: bob, RequestType: authn.ChangeEmailConfirmation},
			want: authn.EmailClaims{Email: alice, UserID: userID, UpdateTo: bob, RequestType: authn.ChangeEmailConfirmation},
			payload: `{"email":"alice@example.com","updateTo":"bob@example.org","requestType":"change-email-confirmation","userId":"` +
				string(userID) + `","iat":1795887143,"exp":1795890743}`,
		},
		{
			name: "change-email verification",
			in:   authn.EmailClaims{Email: alice, UserID: userID, UpdateTo: bob, RequestType: authn.ChangeEmailVerification},
			want: authn.EmailClaims{Email: alice, UserID: userID, UpdateTo: bob, RequestType: authn.ChangeEmailVerification},
			payload: `{"email":"alice@example.com","updateTo":"bob@example.org","requestType":"change-email-verification","userId":"` +
				string(userID) + `","iat":1795887143,"exp":1795890743}`,
		},
		{
			name:    "request type without updateTo passes through",
			in:      authn.EmailClaims{Email: alice, UserID: userID, RequestType: "something-else"},
			want:    authn.EmailClaims{Email: alice, UserID: userID, RequestType: "something-else"},
			payload: `{"email":"alice@example.com","requestType":"something-else","userId":"` + string(userID) + `","iat":1795887143,"exp":1795890743}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tokens := emailtoken.New([][]byte{newSecret, oldSecret}, at(t0))
			token, err := tokens.Issue(tt.in, time.Hour)
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}
			if got := string(segment(t, token, 1)); got != tt.payload {
				t.Errorf("payload = %s\nwant      %s", got, tt.payload)
			}
			got, err := tokens.Parse(token)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got != tt.want {
				t.Errorf("Parse = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// The header is byte for byte what jose's SignJWT writes for better-auth:
// no "typ".
func TestHeaderIsBetterAuths(t *testing.T) {
	t.Parallel()
	token, err := emailtoken.New([][]byte{newSecret}, at(t0)).Issue(authn.EmailClaims{Email: alice, UserID: userID}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(segment(t, token, 0)); got != `{"alg":"HS256"}` {
		t.Fatalf("header = %s, want {\"alg\":\"HS256\"}", got)
	}
	if !strings.HasPrefix(token, "eyJhbGciOiJIUzI1NiJ9.") {
		t.Fatalf("token %s does not start with better-auth's header segment", token)
	}
}

func TestIatAndExp(t *testing.T) {
	t.Parallel()
	for _, ttl := range []time.Duration{time.Second, time.Hour, 24 * time.Hour, 90*time.Minute + 500*time.Millisecond} {
		token, err := emailtoken.New([][]byte{newSecret}, at(t0)).Issue(authn.EmailClaims{Email: alice, UserID: userID}, ttl)
		if err != nil {
			t.Fatal(err)
		}
		var p struct{ Iat, Exp int64 }
		if err := json.Unmarshal(segment(t, token, 1), &p); err != nil {
			t.Fatal(err)
		}
		if p.Iat != t0.Unix() || p.Exp != t0.Unix()+int64(ttl/time.Second) {
			t.Errorf("ttl %v: iat=%d exp=%d, want %d and %d", ttl, p.Iat, p.Exp, t0.Unix(), t0.Unix()+int64(ttl/time.Second))
		}
	}
}

// The first secret signs; every secret verifies, so links mailed before a
// rotation keep working.
func TestRotation(t *testing.T) {
	t.Parallel()
	claims := authn.EmailClaims{Email: alice, UserID: userID}
	beforeRotation, err := emailtoken.New([][]byte{oldSecret}, at(t0)).Issue(claims, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	rotated := emailtoken.New([][]byte{newSecret, oldSecret}, at(t0))
	if got, err := rotated.Parse(beforeRotation); err != nil || got != claims {
		t.Fatalf("Parse of a token signed by the old secret = %+v, %v", got, err)
	}
	afterRotation, err := rotated.Issue(claims, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emailtoken.New([][]byte{newSecret}, at(t0)).Parse(afterRotation); err != nil {
		t.Fatalf("a token issued after rotation does not verify with the new secret alone: %v", err)
	}
	if _, err := emailtoken.New([][]byte{oldSecret}, at(t0)).Parse(afterRotation); !errors.Is(err, authn.ErrInvalidToken) {
		t.Fatalf("a token issued after rotation verifies with the old secret alone (%v): the first secret must sign", err)
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	claims := authn.EmailClaims{Email: alice, UserID: userID}
	token, err := emailtoken.New([][]byte{oldSecret}, at(t0)).Issue(claims, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	exp := t0.Truncate(time.Second).Add(time.Hour)
	tests := []struct {
		name    string
		now     time.Time
		secrets [][]byte
		want    error
	}{
		{"just before exp", exp.Add(-time.Millisecond), [][]byte{oldSecret}, nil},
		// jose: expired when exp <= now, to the second.
		{"at exp", exp, [][]byte{oldSecret}, authn.ErrTokenExpired},
		{"after exp", exp.Add(48 * time.Hour), [][]byte{oldSecret}, authn.ErrTokenExpired},
		{"after exp, signed by a rotated-out secret", exp.Add(time.Minute), [][]byte{newSecret, oldSecret}, authn.ErrTokenExpired},
		// A forged token learns nothing from exp.
		{"after exp, wrong secret", exp.Add(time.Minute), [][]byte{newSecret}, authn.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := emailtoken.New(tt.secrets, at(tt.now)).Parse(token)
			if tt.want == nil {
				if err != nil || got != claims {
					t.Fatalf("Parse = %+v, %v; want the claims", got, err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse = %v, want %v", err, tt.want)
			}
			if tt.want == authn.ErrTokenExpired && errors.Is(err, authn.ErrInvalidToken) {
				t.Fatalf("Parse = %v matches both sentinels", err)
			}
		})
	}
}

func TestInvalidTokens(t *testing.T) {
	t.Parallel()
	tokens := emailtoken.New([][]byte{newSecret, oldSecret}, at(t0))
	good, err := tokens.Issue(authn.EmailClaims{Email: alice, UserID: userID, UpdateTo: bob, RequestType: authn.ChangeEmailConfirmation}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	header := `{"alg":"HS256"}`
	iat, exp := t0.Unix(), t0.Add(time.Hour).Unix()
	payload := func(fields string) string {
		return `{` + fields + `,"iat":` + jsonInt(iat) + `,"exp":` + jsonInt(exp) + `}`
	}
	valid := payload(`"email":"alice@example.com","userId":"` + string(userID) + `"`)

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signWith := func(m jwt.SigningMethod, key any) string {
		t.Helper()
		var c jwt.MapClaims
		if err := json.Unmarshal([]byte(valid), &c); err != nil {
			t.Fatal(err)
		}
		tok := jwt.NewWithClaims(m, c)
		delete(tok.Header, "typ")
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	tests := []struct {
		name  string
		token string
	}{
		{"wrong secret", hs256([]byte("some-other-secret-some-other-secret"), header, valid)},
		{"alg none, no signature", b64(`{"alg":"none"}`) + "." + b64(valid) + "."},
		{"alg none with typ", b64(`{"alg":"none","typ":"JWT"}`) + "." + b64(valid) + "."},
		{"alg NONE, HS256 signature", hs256(newSecret, `{"alg":"NONE"}`, valid)},
		{"alg none, valid signature kept", b64(`{"alg":"none"}`) + "." + parts[1] + "." + parts[2]},
		{"HS512 with the right secret", signWith(jwt.SigningMethodHS512, newSecret)},
		{"HS384 with the right secret", signWith(jwt.SigningMethodHS384, newSecret)},
		{"RS256", signWith(jwt.SigningMethodRS256, rsaKey)},
		{"ES256", signWith(jwt.SigningMethodES256, ecKey)},
		{"unknown alg", hs256(newSecret, `{"alg":"HS999"}`, valid)},
		{"no alg", hs256(newSecret, `{}`, valid)},
		{"tampered payload", parts[0] + "." + b64(strings.Replace(string(segment(t, good, 1)), "alice@", "mallory@", 1)) + "." + parts[2]},
		{"tampered header", b64(`{"alg":"HS256","typ":"JWT"}`) + "." + parts[1] + "." + parts[2]},
		{"tampered signature", parts[0] + "." + parts[1] + "." + flipFirst(parts[2])},
		{"signature of another token", parts[0] + "." + parts[1] + "." + strings.Split(hs256(newSecret, header, valid), ".")[2]},
		{"truncated signature", good[:len(good)-5]},
		{"no signature", parts[0] + "." + parts[1] + "."},
		{"two segments", parts[0] + "." + parts[1]},
		{"four segments", good + "." + parts[2]},
		{"empty", ""},
		{"garbage", "not a token"},
		{"dots", ".."},
		{"padding in base64", parts[0] + "=." + parts[1] + "." + parts[2]},
		{"payload not JSON", hs256(newSecret, header, "hello")},
		{"payload an array", hs256(newSecret, header, `["alice@example.com"]`)},
		{"too long", hs256(newSecret, header, payload(`"email":"alice@example.com","userId":"`+string(userID)+`","pad":"`+strings.Repeat("x", 10_000)+`"`))},
		{"missing userId", hs256(newSecret, header, payload(`"email":"alice@example.com"`))},
		{"empty userId", hs256(newSecret, header, payload(`"email":"alice@example.com","userId":""`))},
		{"userId not a string", hs256(newSecret, header, payload(`"email":"alice@example.com","userId":42`))},
		{"missing email", hs256(newSecret, header, payload(`"userId":"`+string(userID)+`"`))},
		{"email not an address", hs256(newSecret, header, payload(`"email":"alice","userId":"`+string(userID)+`"`))},
		{"email with a header injection", hs256(newSecret, header, payload(`"email":"alice@example.com\r\nBcc: x@evil.io","userId":"`+string(userID)+`"`))},
		{"updateTo not an address", hs256(newSecret, header, payload(`"email":"alice@example.com","updateTo":"bob","userId":"`+string(userID)+`"`))},
		{"no exp", hs256(newSecret, header, `{"email":"alice@example.com","userId":"`+string(userID)+`","iat":`+jsonInt(iat)+`}`)},
		{"exp not a number", hs256(newSecret, header, `{"email":"alice@example.com","userId":"`+string(userID)+`","exp":"soon"}`)},
		{"not yet valid (nbf)", hs256(newSecret, header, payload(`"email":"alice@example.com","userId":"`+string(userID)+`","nbf":`+jsonInt(exp)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tokens.Parse(tt.token)
			if !errors.Is(err, authn.ErrInvalidToken) {
				t.Fatalf("Parse(%q) = %+v, %v; want ErrInvalidToken", tt.token, got, err)
			}
			if errors.Is(err, authn.ErrTokenExpired) {
				t.Fatalf("Parse = %v matches ErrTokenExpired too", err)
			}
			if got != (authn.EmailClaims{}) {
				t.Fatalf("Parse returned claims %+v with an error", got)
			}
		})
	}

	// The hand-built valid token is accepted, so the cases above fail for
	// the reason they name and not because hs256 or payload are wrong.
	if _, err := tokens.Parse(hs256(oldSecret, header, valid)); err != nil {
		t.Fatalf("hand-built valid token: %v", err)
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// flipFirst changes the first character of a base64url segment, which
// changes its first decoded byte.
func flipFirst(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

func TestIssueRefuses(t *testing.T) {
	t.Parallel()
	tokens := emailtoken.New([][]byte{newSecret}, at(t0))
	tests := []struct {
		name string
		c    authn.EmailClaims
		ttl  time.Duration
	}{
		{"no email", authn.EmailClaims{UserID: userID}, time.Hour},
		{"no user", authn.EmailClaims{Email: alice}, time.Hour},
		{"zero ttl", authn.EmailClaims{Email: alice, UserID: userID}, 0},
		{"negative ttl", authn.EmailClaims{Email: alice, UserID: userID}, -time.Hour},
		{"sub-second ttl", authn.EmailClaims{Email: alice, UserID: userID}, 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if token, err := tokens.Issue(tt.c, tt.ttl); err == nil {
				t.Fatalf("Issue = %q, want an error", token)
			}
		})
	}
}

func TestNewPanicsWithoutAKey(t *testing.T) {
	t.Parallel()
	for name, secrets := range map[string][][]byte{"nil": nil, "empty list": {}, "empty secret": {newSecret, {}}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				if recover() == nil {
					t.Fatal("New did not panic")
				}
			}()
			emailtoken.New(secrets, nil)
		})
	}
}

// New copies the secrets: changing the caller's slices afterwards does not
// change the keys.
func TestNewCopiesSecrets(t *testing.T) {
	t.Parallel()
	secret := append([]byte(nil), newSecret...)
	tokens := emailtoken.New([][]byte{secret}, at(t0))
	token, err := tokens.Issue(authn.EmailClaims{Email: alice, UserID: userID}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	clear(secret)
	if _, err := tokens.Parse(token); err != nil {
		t.Fatalf("Parse after the caller cleared its secret: %v", err)
	}
}

// A nil clock is the wall clock.
func TestNilClockIsNow(t *testing.T) {
	t.Parallel()
	tokens := emailtoken.New([][]byte{newSecret}, nil)
	token, err := tokens.Issue(authn.EmailClaims{Email: alice, UserID: userID}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var p struct{ Iat int64 }
	if err := json.Unmarshal(segment(t, token, 1), &p); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(time.Unix(p.Iat, 0)); d < 0 || d > time.Minute {
		t.Fatalf("iat %d is not now", p.Iat)
	}
	if _, err := tokens.Parse(token); err != nil {
		t.Fatal(err)
	}
}

// One Tokens serves every request goroutine (run with -race).
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	tokens := emailtoken.New([][]byte{newSecret, oldSecret}, at(t0))
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			c := authn.EmailClaims{Email: alice, UserID: identity.UserID("user__" + jsonInt(int64(i)))}
			token, err := tokens.Issue(c, time.Hour)
			if err != nil {
				t.Error(err)
				return
			}
			if got, err := tokens.Parse(token); err != nil || got != c {
				t.Errorf("Parse = %+v, %v; want %+v", got, err, c)
			}
		})
	}
	wg.Wait()
}
