package rest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
)

func TestUpdateUser(t *testing.T) {
	s := newServer(t, withCookieCache())
	_, up := s.signUp(t, "User One", "u1@example.com")
	me := newJar(up)
	s.clock.Advance(time.Minute)

	res := me.send(t, s, http.MethodPost, "/update-user", `{"name":"Alice B","image":"https://img.example/a.png","emailVerified":true,"id":"x","createdAt":"2000-01-01T00:00:00.000Z","role":"admin","email":""}`)
	if res.status != http.StatusOK || res.body != `{"status":true}` {
		t.Fatalf("update-user = %d %s", res.status, res.body)
	}
	lines := res.header.Values("Set-Cookie")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "better-auth.session_token=") || !strings.HasSuffix(lines[0], "; Max-Age=2592000; Path=/; HttpOnly; SameSite=Lax") ||
		!strings.HasPrefix(lines[1], "better-auth.session_data=") || !strings.HasSuffix(lines[1], "; Max-Age=300; Path=/; HttpOnly; SameSite=Lax") {
		t.Fatalf("Set-Cookie = %q", lines)
	}
	if res.header.Get("Set-Auth-Token") == "" {
		t.Fatal("no set-auth-token with the re-issued session cookie")
	}
	// The new cache entry carries the new profile: answered from it, the
	// session shows the change without a storage read.
	got := me.send(t, s, http.MethodGet, "/get-session", "")
	var body struct{ User map[string]any }
	decode(t, got.body, &body)
	u := body.User
	if u["name"] != "Alice B" || u["image"] != "https://img.example/a.png" || u["emailVerified"] != false ||
		u["createdAt"] != "2026-11-28T19:30:27.532Z" || u["updatedAt"] != "2026-11-28T19:31:27.532Z" || !strings.HasPrefix(u["id"].(string), "user__") {
		t.Fatalf("user after update = %v", u)
	}
	if len(got.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("get-session was not a cache hit: %q", got.header.Values("Set-Cookie"))
	}

	// image: null clears the image.
	if res := me.send(t, s, http.MethodPost, "/update-user", `{"image":null}`); res.status != http.StatusOK {
		t.Fatalf("image null = %d %s", res.status, res.body)
	}
	got = me.send(t, s, http.MethodGet, "/get-session?disableCookieCache=true", "")
	if !strings.Contains(got.body, `"image":null`) || !strings.Contains(got.body, `"name":"Alice B"`) {
		t.Fatalf("after clearing the image: %s", got.body)
	}
}

func TestUpdateUserDontRemember(t *testing.T) {
	s := newServer(t, withCookieCache())
	s.signUp(t, "User One", "u1@example.com")
	me := s.signIn(t, "u1@example.com", `,"rememberMe":false`)
	res := me.send(t, s, http.MethodPost, "/update-user", `{"name":"DR"}`)
	lines := res.header.Values("Set-Cookie")
	if len(lines) != 3 || !strings.HasSuffix(lines[0], "; Path=/; HttpOnly; SameSite=Lax") || strings.Contains(lines[0], "Max-Age") ||
		lines[1] != "better-auth.dont_remember=true.0mS%2BfUdVTLMMmJePckVgwJ1mK%2FQAuf%2F5Q7gxaBXqTFY%3D; Path=/; HttpOnly; SameSite=Lax" ||
		!strings.HasPrefix(lines[2], "better-auth.session_data=") || strings.Contains(lines[2], "Max-Age") {
		t.Fatalf("Set-Cookie = %q", lines)
	}
}

func TestUpdateUserRejects(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	noFields := `{"message":"No fields to update"}`
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"email", `{"email":"x@example.com","name":"x"}`, 400, `{"message":"Email can not be updated","code":"EMAIL_CAN_NOT_BE_UPDATED"}`},
		{"empty", `{}`, 400, noFields},
		{"server-owned fields only", `{"emailVerified":true,"id":"x","createdAt":"2000-01-01T00:00:00.000Z","role":"admin"}`, 400, noFields},
		{"empty email is ignored", `{"email":""}`, 400, noFields},
		{"array", `[]`, 400, `{"message":"[body] Invalid input: expected record, received array","code":"VALIDATION_ERROR"}`},
		{"null", `null`, 400, `{"message":"[body] Invalid input: expected record, received null","code":"VALIDATION_ERROR"}`},
		{"name not a string", `{"name":42}`, 400, `{"message":"[body.name] Invalid input: expected string, received number","code":"VALIDATION_ERROR"}`},
		{"name null", `{"name":null}`, 400, `{"message":"[body.name] Invalid input: expected string, received null","code":"VALIDATION_ERROR"}`},
		{"image not a string", `{"image":{"a":1}}`, 400, `{"message":"[body.image] Invalid input: expected string, received object","code":"VALIDATION_ERROR"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := s.do(t, http.MethodPost, "/update-user", tc.body, "Content-Type", "application/json", "Origin", s.origin, "Cookie", cookie)
			wantError(t, res, tc.status, tc.want)
		})
	}
}

func TestChangePassword(t *testing.T) {
	s := newServer(t, withCookieCache())
	_, up := s.signUp(t, "User One", "u1@example.com")
	me, other := newJar(up), s.signIn(t, "u1@example.com")

	res := me.send(t, s, http.MethodPost, "/change-password", `{"currentPassword":"password123","newPassword":"password456"}`)
	if res.status != http.StatusOK || !strings.HasPrefix(res.body, `{"token":null,"user":{"name":"User One",`) {
		t.Fatalf("change-password = %d %s", res.status, res.body)
	}
	equal(t, "keys", keysOf(t, res.body), []string{"token", "user"})
	equal(t, "user keys", keysOf(t, res.body, "user"), userKeys)
	if res.header.Get("Set-Auth-Token") != "" {
		t.Fatal("set-auth-token without a new session")
	}
	if res := other.send(t, s, http.MethodGet, "/get-session", ""); res.body == "null" {
		t.Fatal("other session ended without revokeOtherSessions")
	}
	if res := s.post(t, "/sign-in/email", `{"email":"u1@example.com","password":"password456"}`); res.status != http.StatusOK {
		t.Fatalf("sign-in with the new password = %d", res.status)
	}

	// Rotation: every old session ends, a new one is set and answered.
	oldToken := tokenOf(t, up)
	res = me.send(t, s, http.MethodPost, "/change-password", `{"currentPassword":"password456","newPassword":"password789","revokeOtherSessions":true}`)
	newToken := tokenOf(t, res)
	if res.status != http.StatusOK || newToken == "" || newToken == oldToken {
		t.Fatalf("rotating change-password = %d %s", res.status, res.body)
	}
	signed := me.get("better-auth.session_token")
	if !strings.HasPrefix(signed, newToken+".") || res.header.Get("Set-Auth-Token") != strings.NewReplacer("%2B", "+", "%2F", "/", "%3D", "=").Replace(signed) {
		t.Fatalf("new cookie %q, set-auth-token %q", signed, res.header.Get("Set-Auth-Token"))
	}
	if !strings.Contains(res.header.Get("Access-Control-Expose-Headers"), "set-auth-token") {
		t.Fatalf("expose headers %q", res.header.Get("Access-Control-Expose-Headers"))
	}
	if res := me.send(t, s, http.MethodGet, "/get-session", ""); !strings.Contains(res.body, `"token":"`+newToken+`"`) {
		t.Fatalf("new session: %s", res.body)
	}
	for _, j := range []*jar{other, newJar(up)} {
		if res := j.send(t, s, http.MethodGet, "/get-session", ""); res.body != "null" {
			t.Fatalf("old session survived rotation: %s", res.body)
		}
	}
}

func TestChangePasswordRejects(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	long := strings.Repeat("a", 129)
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"wrong current password", `{"currentPassword":"nope12345","newPassword":"password456"}`, 400, `{"message":"Invalid password","code":"INVALID_PASSWORD"}`},
		{"new too short", `{"currentPassword":"password123","newPassword":"short"}`, 400, `{"message":"Password too short","code":"PASSWORD_TOO_SHORT"}`},
		{"new too long", `{"currentPassword":"password123","newPassword":"` + long + `"}`, 400, `{"message":"Password too long","code":"PASSWORD_TOO_LONG"}`},
		{"missing fields", `{}`, 400, `{"message":"[body.newPassword] Invalid input: expected string, received undefined; [body.currentPassword] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}`},
		{"revokeOtherSessions not a boolean", `{"currentPassword":"password123","newPassword":"password456","revokeOtherSessions":"yes"}`, 400,
			`{"message":"[body.revokeOtherSessions] Invalid input: expected boolean, received string","code":"VALIDATION_ERROR"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := s.do(t, http.MethodPost, "/change-password", tc.body, "Content-Type", "application/json", "Origin", s.origin, "Cookie", cookie)
			wantError(t, res, tc.status, tc.want)
		})
	}
}

// A user without a password (an OAuth-only account) cannot change one.
func TestChangePasswordWithoutCredential(t *testing.T) {
	s := newServer(t)
	cookie := passwordlessUser(t, s)
	res := s.post(t, "/change-password", `{"currentPassword":"password123","newPassword":"password456"}`, "Cookie", cookie)
	wantError(t, res, http.StatusBadRequest, `{"message":"Credential account not found","code":"CREDENTIAL_ACCOUNT_NOT_FOUND"}`)
	// verify-password reports it as a wrong password, as better-auth does.
	res = s.post(t, "/verify-password", `{"password":"password123"}`, "Cookie", cookie)
	wantError(t, res, http.StatusBadRequest, `{"message":"Invalid password","code":"INVALID_PASSWORD"}`)
}

// passwordlessUser stores a user with a GitHub account only and a session,
// and returns its session cookie.
func passwordlessUser(t *testing.T, s *testServer) string {
	t.Helper()
	ctx := context.Background()
	now := s.clock.Now()
	email, err := identity.ParseEmail("gh@example.com")
	must(t, err)
	u := identity.NewUser("user__gh", "GH", email, nil, now)
	must(t, s.repos.Users.Create(ctx, u))
	must(t, s.repos.Accounts.Create(ctx, identity.Account{
		ID: "account__gh", UserID: u.ID, ProviderID: "github", ProviderAccountID: "gh-1", CreatedAt: now, UpdatedAt: now,
	}))
	const token = "ghSessionToken000000000000000000"
	must(t, s.repos.Sessions.Create(ctx, session.Session{
		ID: "session__gh", Token: token, UserID: u.ID, ExpiresAt: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now,
	}))
	return "better-auth.session_token=" + signedCookieValue(secret, token)
}

func TestVerifyPassword(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	res := s.post(t, "/verify-password", `{"password":"password123"}`, "Cookie", cookie)
	if res.status != http.StatusOK || res.body != `{"status":true}` {
		t.Fatalf("verify-password = %d %s", res.status, res.body)
	}
	res = s.post(t, "/verify-password", `{"password":"nope"}`, "Cookie", cookie)
	wantError(t, res, http.StatusBadRequest, `{"message":"Invalid password","code":"INVALID_PASSWORD"}`)
	res = s.post(t, "/verify-password", `{}`, "Cookie", cookie)
	wantError(t, res, http.StatusBadRequest, `{"message":"[body.password] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}`)
}

func TestDeleteUserDisabled(t *testing.T) {
	s := newServer(t)
	cookie, _ := s.signUp(t, "User One", "u1@example.com")
	res := s.post(t, "/delete-user", `{"password":"password123"}`, "Cookie", cookie)
	if res.status != http.StatusNotFound || res.body != "" || res.header.Get("Content-Type") != "" {
		t.Fatalf("got %d %q (%s), want an empty 404", res.status, res.body, res.header.Get("Content-Type"))
	}
	if res := s.do(t, http.MethodGet, "/get-session", "", "Cookie", cookie); res.body == "null" {
		t.Fatal("user deleted while deletion is disabled")
	}
}

func TestDeleteUser(t *testing.T) {
	enabled := withPolicy(func(p *authn.Policy) { p.DeleteUserEnabled = true })
	t.Run("with the password", func(t *testing.T) {
		s := newServer(t, enabled, withCookieCache())
		_, up := s.signUp(t, "User One", "u1@example.com")
		me, other := newJar(up), s.signIn(t, "u1@example.com")
		s.clock.Advance(48 * time.Hour) // stale, but the password is enough
		res := me.send(t, s, http.MethodPost, "/delete-user", `{"password":"password123","callbackURL":"/bye"}`)
		if res.status != http.StatusOK || res.body != `{"success":true,"message":"User deleted"}` {
			t.Fatalf("delete-user = %d %s", res.status, res.body)
		}
		equal(t, "Set-Cookie", res.header.Values("Set-Cookie"), []string{
			"better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
			"better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
			"better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
			"better-auth.dont_remember=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
		})
		for _, j := range []*jar{other, newJar(up)} {
			if res := j.send(t, s, http.MethodGet, "/get-session", ""); res.body != "null" {
				t.Fatalf("a session outlived its user: %s", res.body)
			}
		}
		if res := s.post(t, "/sign-in/email", `{"email":"u1@example.com","password":"password123"}`); res.status != http.StatusUnauthorized {
			t.Fatalf("sign-in after deletion = %d", res.status)
		}
	})
	t.Run("fresh session without a password", func(t *testing.T) {
		s := newServer(t, enabled)
		cookie, _ := s.signUp(t, "User One", "u1@example.com")
		res := s.post(t, "/delete-user", `{"password":""}`, "Cookie", cookie)
		if res.status != http.StatusOK || res.body != `{"success":true,"message":"User deleted"}` {
			t.Fatalf("delete-user = %d %s", res.status, res.body)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		s := newServer(t, enabled)
		cookie, _ := s.signUp(t, "User One", "u1@example.com")
		s.clock.Advance(25 * time.Hour)
		tests := []struct {
			name, body string
			status     int
			want       string
		}{
			{"stale session without a password", `{}`, 400, `{"message":"Session expired. Re-authenticate to perform this action.","code":"SESSION_EXPIRED"}`},
			{"wrong password", `{"password":"wrongwrong"}`, 400, `{"message":"Invalid password","code":"INVALID_PASSWORD"}`},
			{"wrong password before the token", `{"password":"wrongwrong","token":"abc"}`, 400, `{"message":"Invalid password","code":"INVALID_PASSWORD"}`},
			{"unknown deletion token", `{"token":"abc"}`, 404, `{"message":"Invalid token","code":"INVALID_TOKEN"}`},
			{"right password, unknown token", `{"password":"password123","token":"abc"}`, 404, `{"message":"Invalid token","code":"INVALID_TOKEN"}`},
			{"no body", ``, 400, `{"message":"[body] Invalid input: expected object, received undefined","code":"VALIDATION_ERROR"}`},
			{"password not a string", `{"password":5}`, 400, `{"message":"[body.password] Invalid input: expected string, received number","code":"VALIDATION_ERROR"}`},
			{"foreign callbackURL", `{"callbackURL":"https://evil.example"}`, 403, `{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}`},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res := s.post(t, "/delete-user", tc.body, "Cookie", cookie)
				wantError(t, res, tc.status, tc.want)
			})
		}
		if res := s.do(t, http.MethodGet, "/get-session", "", "Cookie", cookie); res.body == "null" {
			t.Fatal("user deleted by a refused request")
		}
	})
	t.Run("sole owner of a shared organization", func(t *testing.T) {
		s := newServer(t, enabled)
		cookie, up := s.signUp(t, "User One", "u1@example.com")
		_, bob := s.signUp(t, "Bob", "bob@example.com")
		shareOrganization(t, s, userIDOf(t, up), userIDOf(t, bob))
		res := s.post(t, "/delete-user", `{"password":"password123"}`, "Cookie", cookie)
		wantError(t, res, http.StatusBadRequest,
			`{"message":"You are the only owner of an organization; transfer ownership or delete it first","code":"USER_IS_SOLE_OWNER_OF_AN_ORGANIZATION"}`)
	})
}

func userIDOf(t *testing.T, res result) identity.UserID {
	t.Helper()
	var v struct{ User struct{ ID string } }
	decode(t, res.body, &v)
	return identity.UserID(v.User.ID)
}

// shareOrganization creates a team organization owned by owner with member
// as a plain member.
func shareOrganization(t *testing.T, s *testServer, owner, member identity.UserID) {
	t.Helper()
	ctx := context.Background()
	now := s.clock.Now()
	org := organization.Organization{
		ID: "organization__team", Name: "Team", Slug: "team", Type: organization.TypeTeam,
		OwnerUserID: owner, SubscriptionTier: organization.TierFree, CreatedAt: now, UpdatedAt: now,
	}
	must(t, s.repos.Organizations.Create(ctx, org))
	for i, m := range []struct {
		user identity.UserID
		role organization.Role
	}{{owner, organization.RoleOwner}, {member, organization.RoleMember}} {
		must(t, s.repos.Organizations.AddMember(ctx, organization.Member{
			ID: organization.MemberID("member__team" + string(rune('a'+i))), OrganizationID: org.ID, UserID: m.user,
			Roles: organization.Roles{m.role}, Status: organization.MemberActive, CreatedAt: now,
		}))
	}
}

func TestListAccounts(t *testing.T) {
	s := newServer(t)
	cookie, up := s.signUp(t, "User One", "u1@example.com")
	uid := userIDOf(t, up)
	s.clock.Advance(time.Second)
	now := s.clock.Now()
	must(t, s.repos.Accounts.Create(context.Background(), identity.Account{
		ID: "account__github", UserID: uid, ProviderID: "github", ProviderAccountID: "gh-42",
		Scope: "read:user, user:email,,", CreatedAt: now, UpdatedAt: now,
	}))
	res := s.do(t, http.MethodGet, "/list-accounts", "", "Cookie", cookie)
	if res.status != http.StatusOK || res.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("list-accounts = %d %s", res.status, res.body)
	}
	list := items(t, res.body)
	if len(list) != 2 {
		t.Fatalf("accounts = %s", res.body)
	}
	for _, item := range list {
		equal(t, "account keys", keysOf(t, item), []string{"accountId", "providerId", "userId", "createdAt", "updatedAt", "id", "scopes"})
	}
	if !strings.HasPrefix(list[0], `{"accountId":"`+string(uid)+`","providerId":"credential","userId":"`+string(uid)+`","createdAt":"2026-11-28T19:30:27.532Z","updatedAt":"2026-11-28T19:30:27.532Z","id":"account__`) ||
		!strings.HasSuffix(list[0], `","scopes":[]}`) {
		t.Fatalf("credential account = %s", list[0])
	}
	want := `{"accountId":"gh-42","providerId":"github","userId":"` + string(uid) + `","createdAt":"2026-11-28T19:30:28.532Z","updatedAt":"2026-11-28T19:30:28.532Z","id":"account__github","scopes":["read:user","user:email"]}`
	if list[1] != want {
		t.Fatalf("github account = %s\nwant %s", list[1], want)
	}
	if strings.Contains(res.body, "sha256") || strings.Contains(res.body, "password") {
		t.Fatalf("secrets leaked: %s", res.body)
	}
}
