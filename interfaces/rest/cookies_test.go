package rest

import (
	"net/http"
	"testing"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/session"
)

// oracleSecret and the values below were recorded from better-auth 1.7.25
// (e2e/oracle/RECORDED.md).
var oracleSecret = []byte("oracle-test-secret-0123456789abcdef0123456789")

// testCookies are plain-http cookie settings with the cache off, signing
// with the first key.
func testCookies(maxAge int, keys ...[]byte) cookieSettings {
	return newCookieSettings(cookieOptions{keys: keys, sameSite: "Lax", maxAge: maxAge})
}

func TestSignedValueMatchesOracle(t *testing.T) {
	cs := testCookies(2592000, oracleSecret)
	tests := []struct{ value, want string }{
		{"ZkVAkRNEWrGg5jjzVutuv63aBNui9DUr", "ZkVAkRNEWrGg5jjzVutuv63aBNui9DUr.%2FXyP05o0cbTATGsle8rY56kXzrfTvsrKusCAxpgqOUM%3D"},
		{"PcL18LsuTnC9I3oHSsej2zcmDJiHkrEa", "PcL18LsuTnC9I3oHSsej2zcmDJiHkrEa.7srakeZ3Q8A9U1EBj8ayWZKO4VDbZezFV9mEX36Lt7w%3D"},
		{"bDT84pZP58Oysk8a1wTv9CkTB07MJrjX", "bDT84pZP58Oysk8a1wTv9CkTB07MJrjX.dbbpVslfLE3SCCMC07Y7%2FV0QAQE1PCE%2BMBNDbYNrKXg%3D"},
		{"true", "true.0mS%2BfUdVTLMMmJePckVgwJ1mK%2FQAuf%2F5Q7gxaBXqTFY%3D"},
	}
	for _, tc := range tests {
		if got := cs.signedValue(tc.value); got != tc.want {
			t.Errorf("signedValue(%q) = %q, want %q", tc.value, got, tc.want)
		}
		if got, ok := cs.verify(tryDecode(tc.want)); !ok || got != tc.value {
			t.Errorf("verify(%q) = %q, %v; want %q, true", tc.want, got, ok, tc.value)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	cs := testCookies(0, oracleSecret)
	good := "ZkVAkRNEWrGg5jjzVutuv63aBNui9DUr./XyP05o0cbTATGsle8rY56kXzrfTvsrKusCAxpgqOUM="
	tests := map[string]string{
		"forged first char":   "ZkVAkRNEWrGg5jjzVutuv63aBNui9DUr.AXyP05o0cbTATGsle8rY56kXzrfTvsrKusCAxpgqOUM=",
		"other token":         "ZkVAkRNEWrGg5jjzVutuv63aBNui9DUs./XyP05o0cbTATGsle8rY56kXzrfTvsrKusCAxpgqOUM=",
		"truncated":           good[:len(good)-4],
		"no padding":          good[:len(good)-1] + "A",
		"no dot":              "ZkVAkRNEWrGg5jjzVutuv63aBNui9DUr",
		"empty value":         "./XyP05o0cbTATGsle8rY56kXzrfTvsrKusCAxpgqOUM=",
		"not base64":          "ZkVAkRNEWrGg5jjzVutuv63aBNui9DUr.!XyP05o0cbTATGsle8rY56kXzrfTvsrKusCAxpgqOUM=",
		"signature of 'true'": "ZkVAkRNEWrGg5jjzVutuv63aBNui9DUr.0mS+fUdVTLMMmJePckVgwJ1mK/QAuf/5Q7gxaBXqTFY=",
	}
	for name, v := range tests {
		if got, ok := cs.verify(v); ok {
			t.Errorf("%s: verify(%q) = %q, true; want false", name, v, got)
		}
	}
	if _, ok := testCookies(0, []byte("another secret")).verify(good); ok {
		t.Error("a cookie signed with another secret verified")
	}
}

func TestEncodeURIComponent(t *testing.T) {
	tests := map[string]string{
		"abcXYZ019-_.!~*'()": "abcXYZ019-_.!~*'()",
		"a+b/c=d":            "a%2Bb%2Fc%3Dd",
		"a b;c,d%":           "a%20b%3Bc%2Cd%25",
		"é":                  "%C3%A9",
		"":                   "",
	}
	for in, want := range tests {
		if got := encodeURIComponent(in); got != want {
			t.Errorf("encodeURIComponent(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRequestCookies(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    map[string]string
	}{
		{"first wins", []string{"a=1; a=2; b=3"}, map[string]string{"a": "1", "b": "3"}},
		{"trim and unquote", []string{` a = "x y" ;b=`}, map[string]string{"a": "x y", "b": ""}},
		{"decode", []string{"a=x%2By%3D"}, map[string]string{"a": "x+y="}},
		{"bad escape kept", []string{"a=100%"}, map[string]string{"a": "100%"}},
		{"segment without =", []string{"junk; a=1"}, map[string]string{"a": "1"}},
		{"two headers", []string{"a=1", "b=2"}, map[string]string{"a": "1", "b": "2"}},
		{"lone quote", []string{`a="`}, map[string]string{"a": ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "/", nil)
			for _, h := range tc.headers {
				r.Header.Add("Cookie", h)
			}
			got := requestCookies(r)
			if len(got) != len(tc.want) {
				t.Fatalf("requestCookies = %q, want %q", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Fatalf("requestCookies = %q, want %q", got, tc.want)
				}
			}
		})
	}
}

func TestExpireReplacesEarlierSetCookie(t *testing.T) {
	cs := testCookies(60, oracleSecret)
	h := http.Header{}
	r, _ := http.NewRequest(http.MethodPost, "/", nil)
	cs.setSession(h, r, authn.CurrentSession{Session: session.Session{Token: "tok"}}, false)
	h.Add("Set-Cookie", "other=1")
	cs.deleteSession(h, r)
	got := h.Values("Set-Cookie")
	want := []string{
		"other=1",
		"better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
		"better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
		"better-auth.dont_remember=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
	}
	if len(got) != len(want) {
		t.Fatalf("Set-Cookie = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Set-Cookie = %q, want %q", got, want)
		}
	}
}
