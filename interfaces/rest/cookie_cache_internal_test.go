package rest

import (
	"strings"
	"testing"
	"time"
)

// oracleCache is a session_data cookie better-auth 1.7.25 issued at
// sign-up (cookieCache {enabled, maxAge: 300}, compact strategy) under
// oracleSecret, for a user named "A<b>&é\u2028\"\\z": characters Go's
// encoder escapes and JSON.stringify does not.
const oracleCache = "eyJzZXNzaW9uIjp7InNlc3Npb24iOnsiZXhwaXJlc0F0IjoiMjAyNi0xMi0yOFQyMDoxMTo0OS42ODZaIiwidG9rZW4iOiJKaUlGQTNLM1d3b0NKeG1DOG0zcmViZndvTXh0MU5TZyIsImNyZWF0ZWRBdCI6IjIwMjYtMTEtMjhUMjA6MTE6NDkuNjg2WiIsInVwZGF0ZWRBdCI6IjIwMjYtMTEtMjhUMjA6MTE6NDkuNjg2WiIsImlwQWRkcmVzcyI6IiIsInVzZXJBZ2VudCI6Im5vZGUiLCJ1c2VySWQiOiJSVDhkYnNkN1MwcWVabzYxZmJlaGdWUDNNV3ZrZGNpaSIsImFjdGl2ZU9yZ2FuaXphdGlvbklkIjpudWxsLCJpZCI6IjlJMFhOakhid0J2bWR4cnZFa1VzMUUwVjA5U3ZLbTZoIn0sInVzZXIiOnsibmFtZSI6IkE8Yj4mw6nigKhcIlxceiIsImVtYWlsIjoidmVjLW14MHVqNXBuQGV4YW1wbGUuY29tIiwiZW1haWxWZXJpZmllZCI6ZmFsc2UsImltYWdlIjpudWxsLCJjcmVhdGVkQXQiOiIyMDI2LTExLTI4VDIwOjExOjQ5LjY4M1oiLCJ1cGRhdGVkQXQiOiIyMDI2LTExLTI4VDIwOjExOjQ5LjY4M1oiLCJpZCI6IlJUOGRic2Q3UzBxZVpvNjFmYmVoZ1ZQM01XdmtkY2lpIn0sInVwZGF0ZWRBdCI6MTc5NTg5NjcwOTY4OCwidmVyc2lvbiI6IjEifSwiZXhwaXJlc0F0IjoxNzk1ODk3MDA5Njg4LCJzaWduYXR1cmUiOiI4ZjFOMzNacVVzYXdyNGx1Z0xHM2JnaXg5c0xteHI5anJlSkFIS2gyeHprIn0"

// The oracle's user object, as JSON.stringify wrote it.
const oracleUserJSON = `{"name":"A<b>&é` + "\u2028" + `\"\\z","email":"vec-mx0uj5pn@example.com","emailVerified":false,"image":null,"createdAt":"2026-11-28T20:11:49.683Z","updatedAt":"2026-11-28T20:11:49.683Z","id":"RT8dbsd7S0qeZo61fbehgVP3MWvkdcii"}`

func TestDecodeOracleCache(t *testing.T) {
	e, ok := testCookies(0, oracleSecret).decodeCache(oracleCache)
	if !ok {
		t.Fatal("better-auth's cache cookie did not verify")
	}
	p := e.payload
	if p.Session.Token != "JiIFA3K3WwoCJxmC8m3rebfwoMxt1NSg" || p.User.Name != "A<b>&é\u2028\"\\z" || p.Version != "1" ||
		e.expiresAt.UnixMilli() != 1795897009688 || time.Time(p.Session.ExpiresAt).UnixMilli() != time.Date(2026, 12, 28, 20, 11, 49, 686e6, time.UTC).UnixMilli() {
		t.Fatalf("decoded %+v", e)
	}
	if !e.usableFor("JiIFA3K3WwoCJxmC8m3rebfwoMxt1NSg", time.UnixMilli(1795897009688), time.Time{}) || e.usableFor("other", time.UnixMilli(0), time.Time{}) ||
		e.usableFor("JiIFA3K3WwoCJxmC8m3rebfwoMxt1NSg", time.UnixMilli(1795897009689), time.Time{}) ||
		e.usableFor("JiIFA3K3WwoCJxmC8m3rebfwoMxt1NSg", time.UnixMilli(1795897009688), time.UnixMilli(1795897009688).Add(time.Hour)) {
		t.Fatal("usableFor")
	}
	// Beep's JSON of the same user is byte for byte better-auth's, so
	// better-auth's getCookieCache verifies the entries Beep signs.
	got, err := jsonStringify(p.User)
	if err != nil || string(got) != oracleUserJSON {
		t.Fatalf("jsonStringify(user) = %s, %v\nwant %s", got, err, oracleUserJSON)
	}
	if _, ok := testCookies(0, []byte("another secret")).decodeCache(oracleCache); ok {
		t.Fatal("verified under another secret")
	}
	if _, ok := testCookies(0, []byte("new secret"), oracleSecret).decodeCache(oracleCache); !ok {
		t.Fatal("an older secret no longer verifies")
	}
}

func TestUnescapeLineSeparators(t *testing.T) {
	tests := map[string]string{
		`"a\u2028b\u2029c"`: "\"a\u2028b\u2029c\"",
		`"a\\u2028"`:        `"a\\u2028"`,
		`"a\\\u2028"`:       "\"a\\\\\u2028\"",
		`"\u20"`:            `"\u20"`,
	}
	for in, want := range tests {
		if got := string(unescapeLineSeparators([]byte(in))); got != want {
			t.Errorf("unescapeLineSeparators(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestChunkIndex(t *testing.T) {
	tests := map[string]int{"d.0": 0, "d.12": 12, "d.01": -1, "d.-1": -1, "d.x": -1, "d": -1, "e.1": -1, "d.1.2": -1}
	for name, want := range tests {
		if got := chunkIndex("d", name); got != want {
			t.Errorf("chunkIndex(%q) = %d, want %d", name, got, want)
		}
	}
	if strings.Contains(oracleCache, "=") {
		t.Fatal("the oracle's value is padded")
	}
}
