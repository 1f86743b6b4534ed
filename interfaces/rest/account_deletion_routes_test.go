package rest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/mail"
)

// byEmail turns on deletion confirmed by a mailed link.
var byEmail = withPolicy(func(p *authn.Policy) {
	p.DeleteUserEnabled = true
	p.Email.ConfirmDeletionByEmail = true
})

// requestDeletion asks for the deletion link and returns it as a path.
func (s *testServer) requestDeletion(t *testing.T, cookie, email, body string) string {
	t.Helper()
	res := s.post(t, "/delete-user", body, "Cookie", cookie)
	if res.status != http.StatusOK || res.body != `{"success":true,"message":"Verification email sent"}` {
		t.Fatalf("delete-user = %d %s", res.status, res.body)
	}
	if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
		t.Fatalf("cookies changed before the deletion: %q", sc)
	}
	return s.linkPath(t, s.lastMail(t, mail.KindDeleteAccount, email).URL)
}

func TestDeleteUserByEmail(t *testing.T) {
	s := newServer(t, byEmail, withTrustedOrigins("https://app.example.com"))
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	strangerCookie, _ := s.signUp(t, "User Two", "u2@example.com")
	link := s.requestDeletion(t, cookie, "u1@example.com", `{"callbackURL":"https://app.example.com/bye"}`)
	if q, _ := url.ParseQuery(link[strings.Index(link, "?")+1:]); q.Get("callbackURL") != "https://app.example.com/bye" {
		t.Fatalf("link %s does not lead to the callbackURL", link)
	}

	res := s.get(t, link)
	wantError(t, res, http.StatusNotFound, `{"message":"Failed to get user info","code":"FAILED_TO_GET_USER_INFO"}`)
	// Someone else's session cannot use the link.
	res = s.get(t, link, "Cookie", strangerCookie)
	wantError(t, res, http.StatusNotFound, `{"message":"Invalid token","code":"INVALID_TOKEN"}`)

	res = s.get(t, link, "Cookie", cookie)
	if res.status != http.StatusFound || res.header.Get("Location") != "https://app.example.com/bye" || res.body != "" {
		t.Fatalf("callback = %d %q, Location %q", res.status, res.body, res.header.Get("Location"))
	}
	if res.header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatal("no Referrer-Policy on the deletion link's redirect")
	}
	equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), deletionCookies)
	if res := s.get(t, "/get-session", "Cookie", cookie); res.body != "null" {
		t.Fatalf("session outlived its user: %s", res.body)
	}
	if res := s.get(t, "/get-session", "Cookie", strangerCookie); res.body == "null" {
		t.Fatal("the other user was deleted")
	}
}

func TestDeleteUserCallbackWithoutCallbackURL(t *testing.T) {
	s := newServer(t, byEmail)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	link := s.requestDeletion(t, cookie, "u1@example.com", `{}`)
	res := s.get(t, link, "Cookie", cookie)
	if res.status != http.StatusOK || res.body != `{"success":true,"message":"User deleted"}` {
		t.Fatalf("callback = %d %s", res.status, res.body)
	}
	equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), deletionCookies)
}

// The mailed token also completes the deletion through POST /delete-user,
// once.
func TestDeleteUserWithMailedToken(t *testing.T) {
	s := newServer(t, byEmail)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	token := linkToken(t, s.requestDeletion(t, cookie, "u1@example.com", `{}`))
	res := s.post(t, "/delete-user", `{"token":"`+token+`"}`, "Cookie", cookie)
	if res.status != http.StatusOK || res.body != `{"success":true,"message":"User deleted"}` {
		t.Fatalf("delete-user with the token = %d %s", res.status, res.body)
	}
	equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), deletionCookies)
}

func TestDeleteUserCallbackRejects(t *testing.T) {
	sp := &spy{}
	s := newServer(t, byEmail, withSpy(sp))
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	link := s.requestDeletion(t, cookie, "u1@example.com", `{}`)
	token := url.QueryEscape(linkToken(t, link))
	invalid := `{"message":"Invalid token","code":"INVALID_TOKEN"}`
	tests := []struct {
		name, query string
		status      int
		want        string
	}{
		{"no token", "", 400, `{"message":"[query.token] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}`},
		{"two tokens", "token=" + token + "&token=" + token, 400, `{"message":"[query.token] Invalid input: expected string, received array","code":"VALIDATION_ERROR"}`},
		{"foreign callbackURL", "token=" + token + "&callbackURL=https%3A%2F%2Fevil.example", 403, `{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
		{"unknown token", "token=nope", 404, invalid},
		{"empty token", "token=", 404, invalid},
		{"tampered token", "token=" + token + "x", 404, invalid},
		{"huge token", "token=" + strings.Repeat("a", 5000), 404, invalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, s.get(t, "/delete-user/callback?"+tc.query, "Cookie", cookie), tc.status, tc.want)
		})
	}
	if n := sp.confirmDeletion.Load(); n != 3 {
		t.Fatalf("ConfirmDeletion called %d times, want 3 (not for the refused or absurd ones)", n)
	}
	if res := s.get(t, "/get-session", "Cookie", cookie); res.body == "null" {
		t.Fatal("user deleted by a refused request")
	}
	// The link still works once, and then no more.
	if res := s.get(t, link, "Cookie", cookie); res.status != http.StatusOK {
		t.Fatalf("callback = %d %s", res.status, res.body)
	}
	cookie2, _ := s.signUp(t, "User One Again", "u1@example.com")
	wantError(t, s.get(t, link, "Cookie", cookie2), http.StatusNotFound, invalid)
}

func TestDeleteUserCallbackDisabled(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	res := s.get(t, "/delete-user/callback?token=abc", "Cookie", cookie)
	wantError(t, res, http.StatusNotFound, `{"message":"Not found","code":"NOT_FOUND"}`)
}
