package rest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/domain/identity"
)

// member signs up a verified user and returns their browser.
func (s *testServer) verifiedUser(t *testing.T, name, email string) (*jar, string) {
	t.Helper()
	_, res := s.signUp(t, name, email)
	var out struct{ User struct{ ID string } }
	decode(t, res.body, &out)
	ctx := context.Background()
	u, err := s.store.Users().ByID(ctx, identity.UserID(out.User.ID))
	must(t, err)
	u.EmailVerified = true
	must(t, s.store.Users().Update(ctx, u))
	return s.signIn(t, email), out.User.ID
}

// ok sends a request from j and fails unless it answers 200.
func (j *jar) ok(t *testing.T, s *testServer, method, path, body string) string {
	t.Helper()
	res := j.send(t, s, method, path, body)
	if res.status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, res.status, res.body)
	}
	return res.body
}

func field(t *testing.T, raw string, path ...string) string {
	t.Helper()
	var v any
	decode(t, raw, &v)
	for _, p := range path {
		if v == nil {
			break // a missing key reads as null all the way down
		}
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%v: not an object in %s", path, raw)
		}
		v = m[p]
	}
	b, err := json.Marshal(v)
	must(t, err)
	return strings.Trim(string(b), `"`)
}

func TestCreateOrganizationWire(t *testing.T) {
	s := newServer(t)
	alice, aliceID := s.verifiedUser(t, "Alice", "alice@example.com")
	body := alice.ok(t, s, http.MethodPost, "/organization/create", `{"name":"Acme","slug":"acme","metadata":{"plan":"pro","n":1},"userId":"user__someone-else"}`)
	equal(t, "create keys", keysOf(t, body), []string{"name", "slug", "logo", "createdAt", "metadata", "type", "isPersonal",
		"ownerUserId", "subscriptionTier", "subscriptionStatus", "updatedAt", "id", "members"})
	if field(t, body, "metadata", "plan") != "pro" || field(t, body, "type") != "team" || field(t, body, "ownerUserId") != aliceID ||
		field(t, body, "logo") != "null" || !strings.HasPrefix(field(t, body, "id"), "organization__") {
		t.Fatalf("create = %s", body)
	}
	var created struct{ Members []json.RawMessage }
	decode(t, body, &created)
	members := []string{string(created.Members[0])}
	equal(t, "member keys", keysOf(t, members[0]), []string{"organizationId", "userId", "role", "createdAt", "status", "id"})
	if field(t, members[0], "role") != "owner" || field(t, members[0], "userId") != aliceID {
		t.Fatalf("owner member = %s", members[0])
	}
	// Elsewhere metadata is the stored JSON text, as better-auth returns it.
	list := items(t, alice.ok(t, s, http.MethodGet, "/organization/list", ""))
	if len(list) != 2 || field(t, list[1], "metadata") != `{\"plan\":\"pro\",\"n\":1}` || field(t, list[0], "isPersonal") != "true" {
		t.Fatalf("list = %v", list)
	}
	// Without metadata create leaves the key out.
	body = alice.ok(t, s, http.MethodPost, "/organization/create", `{"name":"B","slug":"b","keepCurrentActiveOrganization":true}`)
	if strings.Contains(body, `"metadata"`) {
		t.Fatalf("create without metadata = %s", body)
	}
}

func TestOrganizationBadInput(t *testing.T) {
	s := newServer(t)
	alice, _ := s.verifiedUser(t, "Alice", "alice@example.com")
	alice.ok(t, s, http.MethodPost, "/organization/create", `{"name":"Acme","slug":"acme"}`)
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"metadata not an object", "POST", "/organization/create", `{"name":"X","slug":"x","metadata":"{}"}`, 400,
			`{"message":"[body.metadata] Invalid input: expected record, received string","code":"VALIDATION_ERROR"}`},
		{"metadata an array", "POST", "/organization/create", `{"name":"X","slug":"x","metadata":[1]}`, 400,
			`{"message":"[body.metadata] Invalid input: expected record, received array","code":"VALIDATION_ERROR"}`},
		{"empty name", "POST", "/organization/create", `{"name":"","slug":"x"}`, 400,
			`{"message":"[body.name] Too small: expected string to have >=1 characters","code":"VALIDATION_ERROR"}`},
		{"slug taken", "POST", "/organization/create", `{"name":"X","slug":"acme"}`, 400,
			`{"message":"Organization already exists","code":"ORGANIZATION_ALREADY_EXISTS"}`},
		{"uppercase slug", "POST", "/organization/create", `{"name":"X","slug":"ACME"}`, 400,
			`{"message":"Slug must be 1 to 100 lower-case letters, digits and single hyphens","code":"INVALID_SLUG"}`},
		{"update metadata not an object", "POST", "/organization/update", `{"data":{"metadata":null}}`, 400,
			`{"message":"[body.data.metadata] Invalid input: expected record, received null","code":"VALIDATION_ERROR"}`},
		{"update without data", "POST", "/organization/update", `{}`, 400,
			`{"message":"[body.data] Invalid input: expected object, received undefined","code":"VALIDATION_ERROR"}`},
		{"has-permission with both keys", "POST", "/organization/has-permission", `{"permission":{},"permissions":{}}`, 400,
			`{"message":"[body.permissions] Invalid input: expected exactly one of permission or permissions","code":"VALIDATION_ERROR"}`},
		{"has-permission with a non-list", "POST", "/organization/has-permission", `{"permissions":{"member":"delete"}}`, 400,
			`{"message":"[body.permissions.member] Invalid input: expected array of strings","code":"VALIDATION_ERROR"}`},
		{"invite without role", "POST", "/organization/invite-member", `{"email":"x@example.com"}`, 400,
			`{"message":"[body.role] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}`},
		{"invite a malformed address", "POST", "/organization/invite-member", `{"email":"not-an-email","role":"member"}`, 400,
			`{"message":"Invalid email","code":"INVALID_EMAIL"}`},
		{"invite an unknown role", "POST", "/organization/invite-member", `{"email":"x@example.com","role":["member","god"]}`, 400,
			`{"message":"ROLE_NOT_FOUND: god"}`},
		{"empty role", "POST", "/organization/update-member-role", `{"memberId":"m","role":[]}`, 400, ``},
		{"email query from a client", "GET", "/organization/list-user-invitations?email=a@example.com", ``, 400,
			`{"message":"User email cannot be passed for client side API calls."}`},
		{"bad sort direction", "GET", "/organization/list-members?sortDirection=sideways", ``, 400,
			`{"message":"[query.sortDirection] Invalid option: expected one of \"asc\"|\"desc\"","code":"VALIDATION_ERROR"}`},
		{"sort by a column that is not a member field", "GET", "/organization/list-members?sortBy=password", ``, 400,
			`{"message":"Invalid sort or filter","code":"INVALID_MEMBER_QUERY"}`},
		{"filter with SQL", "GET", "/organization/list-members?filterField=role%3B%20drop%20table%20members&filterValue=x", ``, 400,
			`{"message":"Invalid sort or filter","code":"INVALID_MEMBER_QUERY"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := alice.send(t, s, tt.method, tt.path, tt.body)
			if res.status != tt.status || res.body != tt.want {
				t.Fatalf("got %d %s, want %d %s", res.status, res.body, tt.status, tt.want)
			}
		})
	}
}

func TestOrganizationEndpointsWithoutSession(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/organization/create", `{"name":"X","slug":"x"}`, 401, ``},
		{"POST", "/organization/delete", `{"organizationId":"x"}`, 401, ``},
		{"POST", "/organization/update", `{"data":{"name":"x"}}`, 401, `{"message":"User not found"}`},
		{"GET", "/organization/get-invitation?id=x", ``, 401, `{"message":"Not authenticated"}`},
		{"GET", "/organization/list-user-invitations", ``, 400, `{"message":"Missing session headers, or email query parameter."}`},
		{"GET", "/organization/list", ``, 401, unauthorized},
		{"POST", "/organization/set-active", `{"organizationId":null}`, 401, unauthorized},
		{"POST", "/organization/check-slug", `{"slug":"x"}`, 401, unauthorized},
		{"GET", "/organization/get-full-organization", ``, 401, unauthorized},
		{"POST", "/organization/has-permission", `{"permissions":{"member":["delete"]}}`, 401, unauthorized},
		{"POST", "/organization/leave", `{"organizationId":"x"}`, 401, unauthorized},
		// Validation comes first, as in better-call.
		{"POST", "/organization/create", `{}`, 400, `{"message":"[body.name] Invalid input: expected string, received undefined; [body.slug] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}`},
	}
	for _, tt := range tests {
		res := s.do(t, tt.method, tt.path, tt.body, "Content-Type", "application/json", "Origin", s.origin)
		if res.status != tt.status || res.body != tt.want {
			t.Errorf("%s %s: got %d %s, want %d %s", tt.method, tt.path, res.status, res.body, tt.status, tt.want)
		}
	}
}

func TestOrganizationCSRF(t *testing.T) {
	s := newServer(t)
	alice, _ := s.verifiedUser(t, "Alice", "alice@example.com")
	for _, origin := range []string{"", "https://evil.example"} {
		h := []string{"Cookie", alice.header(), "Content-Type", "application/json"}
		if origin != "" {
			h = append(h, "Origin", origin)
		}
		res := s.do(t, http.MethodPost, "/organization/create", `{"name":"X","slug":"x"}`, h...)
		if res.status != http.StatusForbidden {
			t.Fatalf("cross-site create from %q: %d %s", origin, res.status, res.body)
		}
	}
	if n := len(items(t, alice.ok(t, s, http.MethodGet, "/organization/list", ""))); n != 1 {
		t.Fatalf("%d organizations after refused cross-site creates, want 1 (personal)", n)
	}
}

// TestMembershipChangesShowThroughTheCookieCache: with the cookie cache
// on, a role change, a removal and set-active show in get-session at once,
// though the member's browser holds a cache entry from before.
func TestMembershipChangesShowThroughTheCookieCache(t *testing.T) {
	s := newServer(t, withCookieCache())
	alice, _ := s.verifiedUser(t, "Alice", "alice@example.com")
	bob, bobID := s.verifiedUser(t, "Bob", "bob@example.com")
	org := alice.ok(t, s, http.MethodPost, "/organization/create", `{"name":"Acme","slug":"acme"}`)
	orgID := field(t, org, "id")
	inv := alice.ok(t, s, http.MethodPost, "/organization/invite-member", `{"email":"bob@example.com","role":"member","organizationId":"`+orgID+`"}`)
	accepted := bob.ok(t, s, http.MethodPost, "/organization/accept-invitation", `{"invitationId":"`+field(t, inv, "id")+`"}`)
	memberID := field(t, accepted, "member", "id")

	context := func() (active, role string) {
		t.Helper()
		s.clock.Advance(time.Millisecond)
		body := bob.ok(t, s, http.MethodGet, "/get-session", "")
		return field(t, body, "session", "activeOrganizationId"), field(t, body, "session", "organizationContext", orgID, "role")
	}
	if active, role := context(); active != orgID || role != "member" {
		t.Fatalf("after accept: active %s, role %s", active, role)
	}
	if bob.get(dataCookie) == "" {
		t.Fatal("no cookie cache entry to go stale")
	}
	if active, role := context(); active != orgID || role != "member" { // served from the cache
		t.Fatalf("cached: active %s, role %s", active, role)
	}
	s.clock.Advance(time.Millisecond)
	alice.ok(t, s, http.MethodPost, "/organization/update-member-role", `{"memberId":"`+memberID+`","role":"admin","organizationId":"`+orgID+`"}`)
	if _, role := context(); role != "admin" {
		t.Fatalf("role after the change = %s, want admin at once", role)
	}
	s.clock.Advance(time.Millisecond)
	alice.ok(t, s, http.MethodPost, "/organization/remove-member", `{"memberIdOrEmail":"bob@example.com","organizationId":"`+orgID+`"}`)
	active, role := context()
	if role != "null" || active == orgID || active == "null" {
		t.Fatalf("after removal: active %s, role %s; want the personal organization and no role", active, role)
	}
	personal := items(t, bob.ok(t, s, http.MethodGet, "/organization/list", ""))
	if len(personal) != 1 || field(t, personal[0], "id") != active || field(t, personal[0], "ownerUserId") != bobID {
		t.Fatalf("active %s is not bob's personal organization %v", active, personal)
	}
}

func TestSetActiveReissuesTheSessionCookies(t *testing.T) {
	s := newServer(t, withCookieCache())
	alice, _ := s.verifiedUser(t, "Alice", "alice@example.com")
	org := alice.ok(t, s, http.MethodPost, "/organization/create", `{"name":"Acme","slug":"acme","keepCurrentActiveOrganization":true}`)
	alice.ok(t, s, http.MethodGet, "/get-session", "")
	res := alice.send(t, s, http.MethodPost, "/organization/set-active", `{"organizationSlug":"acme"}`)
	if res.status != http.StatusOK || field(t, res.body, "id") != field(t, org, "id") {
		t.Fatalf("set-active = %d %s", res.status, res.body)
	}
	cookiePair(t, result{header: res.header}, "better-auth.session_token")
	cookiePair(t, result{header: res.header}, dataCookie)
	if got := field(t, alice.ok(t, s, http.MethodGet, "/get-session", ""), "session", "activeOrganizationId"); got != field(t, org, "id") {
		t.Fatalf("get-session after set-active: active %s", got)
	}
	res = alice.send(t, s, http.MethodPost, "/organization/set-active", `{"organizationId":null}`)
	if res.status != http.StatusOK || res.body != "null" || res.header.Get("Content-Type") != "application/json" {
		t.Fatalf("set-active null = %d %q", res.status, res.body)
	}
	if got := field(t, alice.ok(t, s, http.MethodGet, "/get-session", ""), "session", "activeOrganizationId"); got != "null" {
		t.Fatalf("get-session after clearing: active %s", got)
	}
}

// TestEndpointSpecificAnswers: one rule, better-auth's answer per
// endpoint (the same "not a member" is 400, 401 or 403).
func TestEndpointSpecificAnswers(t *testing.T) {
	s := newServer(t)
	alice, _ := s.verifiedUser(t, "Alice", "alice@example.com")
	mallory, _ := s.verifiedUser(t, "Mallory", "mallory@example.com")
	org := alice.ok(t, s, http.MethodPost, "/organization/create", `{"name":"Acme","slug":"acme"}`)
	id := field(t, org, "id")
	inv := alice.ok(t, s, http.MethodPost, "/organization/invite-member", `{"email":"mallory@example.com","role":"member","organizationId":"`+id+`"}`)
	notMember := `{"message":"User is not a member of the organization","code":"USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION"}`
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"update", "POST", "/organization/update", `{"data":{"name":"x"},"organizationId":"` + id + `"}`, 400, notMember},
		{"delete", "POST", "/organization/delete", `{"organizationId":"` + id + `"}`, 400, notMember},
		{"set-active", "POST", "/organization/set-active", `{"organizationId":"` + id + `"}`, 403, notMember},
		{"get-full-organization", "GET", "/organization/get-full-organization?organizationId=" + id, ``, 403, notMember},
		{"has-permission", "POST", "/organization/has-permission", `{"organizationId":"` + id + `","permissions":{"member":["delete"]}}`, 401, notMember},
		{"list-invitations", "GET", "/organization/list-invitations?organizationId=" + id, ``, 403, `{"message":"You are not a member of this organization"}`},
		{"list-members", "GET", "/organization/list-members?organizationId=" + id, ``, 403,
			`{"message":"You are not a member of this organization","code":"YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"}`},
		{"reject an unknown invitation", "POST", "/organization/reject-invitation", `{"invitationId":"invitation__nope"}`, 400,
			`{"message":"Invitation not found!","code":"INVITATION_NOT_FOUND"}`},
		{"accept an unknown invitation", "POST", "/organization/accept-invitation", `{"invitationId":"invitation__nope"}`, 400,
			`{"message":"Invitation not found","code":"INVITATION_NOT_FOUND"}`},
		{"remove with no member", "POST", "/organization/remove-member", `{"memberIdOrEmail":"x","organizationId":"` + id + `"}`, 400,
			`{"message":"Member not found","code":"MEMBER_NOT_FOUND"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mallory.send(t, s, tt.method, tt.path, tt.body)
			if res.status != tt.status || res.body != tt.want {
				t.Fatalf("got %d %s, want %d %s", res.status, res.body, tt.status, tt.want)
			}
		})
	}
	// Mallory's own invitation, accepted: now a plain member.
	mallory.ok(t, s, http.MethodPost, "/organization/accept-invitation", `{"invitationId":"`+field(t, inv, "id")+`"}`)
	res := mallory.send(t, s, http.MethodPost, "/organization/remove-member", `{"memberIdOrEmail":"alice@example.com","organizationId":"`+id+`"}`)
	wantError(t, res, http.StatusUnauthorized, `{"message":"You are not allowed to delete this member","code":"YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER"}`)
	// Answers about organizations are never cached.
	for _, path := range []string{"/organization/list", "/organization/list-members", "/organization/get-full-organization", "/organization/get-active-member"} {
		if res := mallory.send(t, s, http.MethodGet, path, ""); res.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", path, res.header.Get("Cache-Control"))
		}
	}
}
