package rest_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/beep/iam/application/authn/authntest"
)

func TestSignUpSuccessShapeAndCookie(t *testing.T) {
	s := newServer(t)
	res := s.post(t, "/sign-up/email", `{"name":"User One","email":"U1@Example.com","password":"password123"}`, "User-Agent", "ua-test/1.0")
	if res.status != http.StatusOK {
		t.Fatalf("status %d, body %s", res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("content-type %q", ct)
	}
	equal(t, "top-level keys", keysOf(t, res.body), []string{"token", "user"})
	equal(t, "user keys", keysOf(t, res.body, "user"), userKeys)

	var got struct {
		Token string
		User  map[string]any
	}
	decode(t, res.body, &got)
	u := got.User
	if u["name"] != "User One" || u["email"] != "u1@example.com" || u["emailVerified"] != false || u["image"] != nil {
		t.Fatalf("user = %v", u)
	}
	if u["createdAt"] != "2026-11-28T19:30:27.532Z" || u["updatedAt"] != "2026-11-28T19:30:27.532Z" {
		t.Fatalf("dates = %v, %v; want 2026-11-28T19:30:27.532Z", u["createdAt"], u["updatedAt"])
	}
	if !strings.HasPrefix(u["id"].(string), "user__") {
		t.Fatalf("id = %v", u["id"])
	}

	// The cookie, signed with an HMAC computed here independently.
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(got.Token))
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	enc := strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(sig)
	want := fmt.Sprintf("better-auth.session_token=%s.%s; Max-Age=2592000; Path=/; HttpOnly; SameSite=Lax", got.Token, enc)
	equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), []string{want})
}

// fixedTokens hands out one recorded token, so the Set-Cookie line can be
// compared with the oracle's byte for byte.
type fixedTokens struct{ token string }

func (f fixedTokens) SessionToken() (string, error) { return f.token, nil }

func (f fixedTokens) RandomToken(n int) (string, error) { return (&authntest.Tokens{}).RandomToken(n) }

func TestSignUpSetCookieMatchesOracle(t *testing.T) {
	s := newServer(t, withTokens(fixedTokens{"ZkVAkRNEWrGg5jjzVutuv63aBNui9DUr"}))
	res := s.post(t, "/sign-up/email", `{"name":"User One","email":"u1@example.com","password":"password123"}`)
	// RECORDED.md, "sign-in success".
	want := "better-auth.session_token=ZkVAkRNEWrGg5jjzVutuv63aBNui9DUr.%2FXyP05o0cbTATGsle8rY56kXzrfTvsrKusCAxpgqOUM%3D; Max-Age=2592000; Path=/; HttpOnly; SameSite=Lax"
	equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), []string{want})
}

func TestSignUpRememberMeFalse(t *testing.T) {
	s := newServer(t, withTokens(fixedTokens{"ZkVAkRNEWrGg5jjzVutuv63aBNui9DUr"}))
	res := s.post(t, "/sign-up/email", `{"name":"User Two","email":"u2@example.com","password":"password123","rememberMe":false}`)
	equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), []string{
		"better-auth.session_token=ZkVAkRNEWrGg5jjzVutuv63aBNui9DUr.%2FXyP05o0cbTATGsle8rY56kXzrfTvsrKusCAxpgqOUM%3D; Path=/; HttpOnly; SameSite=Lax",
		// RECORDED.md: HMAC(secret, "true") is constant for the secret.
		"better-auth.dont_remember=true.0mS%2BfUdVTLMMmJePckVgwJ1mK%2FQAuf%2F5Q7gxaBXqTFY%3D; Path=/; HttpOnly; SameSite=Lax",
	})
}

func TestSignUpSecureCookies(t *testing.T) {
	s := newServer(t, withBaseURL("https://auth.example.com"), withTokens(fixedTokens{"ZkVAkRNEWrGg5jjzVutuv63aBNui9DUr"}))
	res := s.post(t, "/sign-up/email", `{"name":"S","email":"s@example.com","password":"password123"}`)
	want := "__Secure-better-auth.session_token=ZkVAkRNEWrGg5jjzVutuv63aBNui9DUr.%2FXyP05o0cbTATGsle8rY56kXzrfTvsrKusCAxpgqOUM%3D; Max-Age=2592000; Path=/; HttpOnly; Secure; SameSite=Lax"
	equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), []string{want})

	// Only the __Secure- name is read on an https deployment.
	pair := cookiePair(t, res, "__Secure-better-auth.session_token")
	got := s.do(t, http.MethodGet, "/get-session", "", "Cookie", pair)
	if got.status != http.StatusOK || !strings.HasPrefix(got.body, `{"session":`) {
		t.Fatalf("get-session with secure cookie: %d %s", got.status, got.body)
	}
	plain := strings.TrimPrefix(pair, "__Secure-")
	if got := s.do(t, http.MethodGet, "/get-session", "", "Cookie", plain); got.body != "null" {
		t.Fatalf("get-session with unprefixed cookie on https: %s, want null", got.body)
	}
	// Sign-out deletes the prefixed names, with Secure.
	out := s.post(t, "/sign-out", "", "Cookie", pair)
	equal(t, "sign-out Set-Cookie", out.header.Values("Set-Cookie"), []string{
		"__Secure-better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax",
		"__Secure-better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax",
		"__Secure-better-auth.dont_remember=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax",
	})
}

func TestSignUpRejects(t *testing.T) {
	const (
		validation = `{"message":"%s","code":"VALIDATION_ERROR"}`
		undefined  = `[body.%s] Invalid input: expected string, received undefined`
	)
	long := strings.Repeat("a", 129)
	tests := []struct {
		name        string
		contentType string
		body        string
		status      int
		want        string
	}{
		{"email not an email", "", `{"name":"X","email":"not-an-email","password":"password123"}`, 400,
			fmt.Sprintf(validation, "[body.email] Invalid email address")},
		{"email without @", "", `{"name":"X","email":"user.example.com","password":"password123"}`, 400,
			fmt.Sprintf(validation, "[body.email] Invalid email address")},
		{"email with spaces around", "", `{"name":"X","email":" a@example.com ","password":"password123"}`, 400,
			fmt.Sprintf(validation, "[body.email] Invalid email address")},
		{"empty password", "", `{"name":"X","email":"p0@example.com","password":""}`, 400,
			fmt.Sprintf(validation, "[body.password] Too small: expected string to have >=1 characters")},
		{"7-char password", "", `{"name":"X","email":"p7@example.com","password":"1234567"}`, 400,
			`{"message":"Password too short","code":"PASSWORD_TOO_SHORT"}`},
		{"129-char password", "", `{"name":"X","email":"p129@example.com","password":"` + long + `"}`, 400,
			`{"message":"Password too long","code":"PASSWORD_TOO_LONG"}`},
		{"missing name", "", `{"email":"nn@example.com","password":"password123"}`, 400,
			fmt.Sprintf(validation, fmt.Sprintf(undefined, "name"))},
		{"missing password", "", `{"name":"X","email":"np@example.com"}`, 400,
			fmt.Sprintf(validation, fmt.Sprintf(undefined, "password"))},
		{"empty object", "", `{}`, 400, fmt.Sprintf(validation,
			fmt.Sprintf(undefined, "name")+"; "+fmt.Sprintf(undefined, "email")+"; "+fmt.Sprintf(undefined, "password"))},
		{"name as number", "", `{"name":42,"email":"num@example.com","password":"password123"}`, 400,
			fmt.Sprintf(validation, "[body.name] Invalid input: expected string, received number")},
		{"email as number", "", `{"name":"X","email":42,"password":"password123"}`, 400,
			fmt.Sprintf(validation, "[body.email] Invalid input: expected string, received number")},
		{"rememberMe as string", "", `{"name":"X","email":"rm@example.com","password":"password123","rememberMe":"no"}`, 400,
			fmt.Sprintf(validation, "[body.rememberMe] Invalid input: expected boolean, received string")},
		{"image as null", "", `{"name":"X","email":"im@example.com","password":"password123","image":null}`, 400,
			fmt.Sprintf(validation, "[body.image] Invalid input: expected string, received null")},
		{"several issues in schema order", "", `{"name":true,"email":"bad","password":"","rememberMe":1}`, 400, fmt.Sprintf(validation,
			"[body.name] Invalid input: expected string, received boolean; [body.email] Invalid email address; "+
				"[body.password] Too small: expected string to have >=1 characters; [body.rememberMe] Invalid input: expected boolean, received number")},
		{"body array", "", `[]`, 400, fmt.Sprintf(validation,
			"[body] Invalid input: expected object, received array; [body] Invalid input: expected record, received array")},
		{"body string", "", `"s"`, 400, fmt.Sprintf(validation,
			"[body] Invalid input: expected object, received string; [body] Invalid input: expected record, received string")},
		{"body null", "", `null`, 400, fmt.Sprintf(validation,
			"[body] Invalid input: expected object, received null; [body] Invalid input: expected record, received null")},
		{"empty body", "", ``, 400, fmt.Sprintf(validation,
			"[body] Invalid input: expected object, received undefined; [body] Invalid input: expected record, received undefined")},
		{"empty body without content type", "-", ``, 400, fmt.Sprintf(validation,
			"[body] Invalid input: expected object, received undefined; [body] Invalid input: expected record, received undefined")},
		{"malformed JSON", "", `{`, 400, `{"message":"Invalid JSON in request body","code":"BAD_REQUEST"}`},
		{"trailing garbage", "", `{"name":"X"} {}`, 400, `{"message":"Invalid JSON in request body","code":"BAD_REQUEST"}`},
		{"whitespace only", "", `   `, 400, `{"message":"Invalid JSON in request body","code":"BAD_REQUEST"}`},
		{"text/plain", "text/plain", `{"name":"T","email":"tp@example.com","password":"password123"}`, 415,
			`{"message":"Content-Type \"text/plain\" is not allowed. Allowed types: application/x-www-form-urlencoded, application/json","code":"UNSUPPORTED_MEDIA_TYPE"}`},
		{"body without content type", "-", `{"name":"T"}`, 415,
			`{"message":"Content-Type is required. Allowed types: application/x-www-form-urlencoded, application/json","code":"UNSUPPORTED_MEDIA_TYPE"}`},
		{"callbackURL foreign", "", `{"name":"X","email":"cb@example.com","password":"password123","callbackURL":"https://evil.example/x"}`, 403,
			`{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
		{"callbackURL not a string", "", `{"name":"X","email":"cb@example.com","password":"password123","callbackURL":42}`, 400,
			`{"message":"Invalid callbackURL: expected a string"}`},
		{"callbackURL false is a type error", "", `{"name":"X","email":"cb@example.com","password":"password123","callbackURL":false}`, 400,
			fmt.Sprintf(validation, "[body.callbackURL] Invalid input: expected string, received boolean")},
		// Beep hardening.
		{"duplicate key", "", `{"name":"X","email":"dup@example.com","email":"other@example.com","password":"password123"}`, 400,
			fmt.Sprintf(validation, "[body.email] Invalid input: duplicate key")},
		{"nested duplicate key", "", `{"name":"X","email":"nd@example.com","password":"password123","x":{"a":1,"a":2}}`, 400,
			fmt.Sprintf(validation, "[body.x.a] Invalid input: duplicate key")},
		{"NUL in a string", "", `{"name":"X\u0000Y","email":"nul@example.com","password":"password123"}`, 400,
			fmt.Sprintf(validation, "[body.name] Invalid input: string contains a NUL character")},
		{"raw NUL byte", "", "{\"name\":\"X\x00\",\"email\":\"nul@example.com\",\"password\":\"password123\"}", 400,
			`{"message":"Invalid JSON in request body","code":"BAD_REQUEST"}`},
		{"invalid UTF-8", "", "{\"name\":\"\xff\xfe\",\"email\":\"utf@example.com\",\"password\":\"password123\"}", 400,
			fmt.Sprintf(validation, "[body] Invalid input: expected UTF-8 text")},
		{"deep nesting", "", `{"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, 400,
			fmt.Sprintf(validation, "[body.x.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0] Invalid input: nested too deeply")},
		{"form duplicate key", "application/x-www-form-urlencoded", `name=a&name=b&email=f%40example.com&password=password123`, 400,
			fmt.Sprintf(validation, "[body.name] Invalid input: duplicate key")},
		{"form NUL", "application/x-www-form-urlencoded", `name=a%00b&email=f%40example.com&password=password123`, 400,
			fmt.Sprintf(validation, "[body.name] Invalid input: string contains a NUL character")},
		{"form invalid UTF-8", "application/x-www-form-urlencoded", `name=%FF&email=f%40example.com&password=password123`, 400,
			fmt.Sprintf(validation, "[body.name] Invalid input: expected UTF-8 text")},
		{"form rememberMe is a string", "application/x-www-form-urlencoded", `name=a&email=f%40example.com&password=password123&rememberMe=false`, 400,
			fmt.Sprintf(validation, "[body.rememberMe] Invalid input: expected boolean, received string")},
	}
	s := newServer(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			headers := []string{"Origin", s.origin}
			switch tc.contentType {
			case "":
				headers = append(headers, "Content-Type", "application/json")
			case "-":
			default:
				headers = append(headers, "Content-Type", tc.contentType)
			}
			res := s.do(t, http.MethodPost, "/sign-up/email", tc.body, headers...)
			wantError(t, res, tc.status, tc.want)
			if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
				t.Fatalf("failed sign-up set cookies %q", sc)
			}
		})
	}
}

func TestSignUpAccepts(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name, contentType, body, wantName, wantEmail string
	}{
		{"128-char password", "application/json",
			`{"name":"X","email":"p128@example.com","password":"` + strings.Repeat("a", 128) + `"}`, "X", "p128@example.com"},
		{"json with charset", "application/json; charset=utf-8",
			`{"name":"CS","email":"cs@example.com","password":"password123"}`, "CS", "cs@example.com"},
		{"form", "application/x-www-form-urlencoded",
			`name=Form+User&email=form%40example.com&password=password123`, "Form User", "form@example.com"},
		{"form with malformed escape kept literally", "application/x-www-form-urlencoded",
			`name=100%+sure%zz&email=pct%40example.com&password=password123`, "100% sure%zz", "pct@example.com"},
		{"server-owned and unknown fields ignored", "application/json",
			`{"name":"Extra","email":"extra@example.com","password":"password123","emailVerified":true,"id":"attacker-chosen-id","createdAt":"2000-01-01T00:00:00.000Z","role":"admin"}`,
			"Extra", "extra@example.com"},
		{"safe relative callbackURL", "application/json",
			`{"name":"R","email":"rel@example.com","password":"password123","callbackURL":"/welcome?from=signup"}`, "R", "rel@example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := s.do(t, http.MethodPost, "/sign-up/email", tc.body, "Content-Type", tc.contentType, "Origin", s.origin)
			if res.status != http.StatusOK {
				t.Fatalf("status %d, body %s", res.status, res.body)
			}
			var got struct{ User map[string]any }
			decode(t, res.body, &got)
			u := got.User
			if u["name"] != tc.wantName || u["email"] != tc.wantEmail || u["emailVerified"] != false {
				t.Fatalf("user = %v, want name %q email %q unverified", u, tc.wantName, tc.wantEmail)
			}
			if u["id"] == "attacker-chosen-id" || u["createdAt"] != "2026-11-28T19:30:27.532Z" {
				t.Fatalf("server-owned fields taken from the client: %v", u)
			}
		})
	}
}

func TestSignUpExistingEmailAnyCase(t *testing.T) {
	s := newServer(t)
	s.signUp(t, "U1", "u1@example.com")
	res := s.post(t, "/sign-up/email", `{"name":"Dup","email":"U1@EXAMPLE.COM","password":"password123"}`)
	wantError(t, res, http.StatusUnprocessableEntity,
		`{"message":"User already exists. Use another email.","code":"USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"}`)
}

func TestSignUpRaceOnOneEmail(t *testing.T) {
	s := newServer(t)
	for round := range 10 {
		email := fmt.Sprintf("race%d@example.com", round)
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i := range statuses {
			wg.Go(func() {
				res := s.post(t, "/sign-up/email", `{"name":"R","email":"`+email+`","password":"password123"}`)
				statuses[i] = res.status
			})
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, st := range statuses {
			switch st {
			case http.StatusOK:
				ok++
			case http.StatusUnprocessableEntity:
				conflict++
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("round %d: statuses %v, want one 200 and one 422", round, statuses)
		}
	}
}

func TestSQLMetacharactersRoundTrip(t *testing.T) {
	s := newServer(t)
	name := `Robert'); DROP TABLE "user"; -- \ % _ ;`
	email := `o'brien+x@example.com`
	password := `' OR '1'='1' --; DELETE FROM account; /*`
	image := `https://img.example/a.png?q=' OR 1=1;--&x="y"`
	callback := `/after?q='%20OR%201=1--`
	body := fmt.Sprintf(`{"name":%q,"email":%q,"password":%q,"image":%q,"callbackURL":%q}`, name, email, password, image, callback)
	res := s.post(t, "/sign-up/email", body)
	if res.status != http.StatusOK {
		t.Fatalf("sign-up: %d %s", res.status, res.body)
	}
	var up struct{ User map[string]any }
	decode(t, res.body, &up)
	if up.User["name"] != name || up.User["email"] != email || up.User["image"] != image {
		t.Fatalf("sign-up user = %v", up.User)
	}
	// The same literal password signs in; the callback URL comes back as sent.
	in := s.post(t, "/sign-in/email", fmt.Sprintf(`{"email":%q,"password":%q,"callbackURL":%q}`, email, password, callback))
	if in.status != http.StatusOK {
		t.Fatalf("sign-in: %d %s", in.status, in.body)
	}
	var got struct {
		URL  string
		User map[string]any
	}
	decode(t, in.body, &got)
	if got.URL != callback || in.header.Get("Location") != callback || got.User["name"] != name {
		t.Fatalf("sign-in = %s (Location %q)", in.body, in.header.Get("Location"))
	}
	// And the session echoes them too.
	sess := s.do(t, http.MethodGet, "/get-session", "", "Cookie", cookiePair(t, in, "better-auth.session_token"))
	if !strings.Contains(sess.body, `"name":"Robert'); DROP TABLE \"user\"; -- \\ % _ ;"`) {
		t.Fatalf("get-session = %s", sess.body)
	}
}
