package organization_test

import (
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
)

// stripAccents stands in for the x/text folder the application uses.
func stripAccents(s string) string {
	return strings.NewReplacer("é", "e", "è", "e", "ü", "u", "ç", "c", "É", "E").Replace(s)
}

func TestSlug(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Alice Smith", "alice-smith"},
		{"  Élodie   Müller ", "elodie-muller"},
		{"Robert'); DROP TABLE \"user\";--", "robert-drop-table-user"},
		{"---", "user"},
		{"", "user"},
		{"日本語", "user"},
		{"a__b..c", "a-b-c"},
		{strings.Repeat("x", 100), strings.Repeat("x", 48)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := organization.Slug(tt.name, stripAccents); got != tt.want {
				t.Fatalf("Slug(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

func TestPersonalOrganization(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	uid := identity.UserID("user__0192f6c4-aabb-7ccd-8eef-001122334455")
	tests := []struct {
		userName, wantName, wantSlug string
		suffix                       int
	}{
		{"Alice", "Alice's Organization", "alice-334455", 6},
		{"", "User's Organization", "user-334455", 6},
		{"   ", "User's Organization", "user-22334455", 8},
		{"Élodie", "Élodie's Organization", "elodie-334455", 6},
	}
	for _, tt := range tests {
		t.Run(tt.wantName, func(t *testing.T) {
			user := identity.User{ID: uid, Name: tt.userName}
			slug := organization.PersonalSlug(tt.userName, uid, tt.suffix, stripAccents)
			org, owner := organization.NewPersonal("organization__x", "member__y", user, slug, now)
			if org.Name != tt.wantName || org.Slug != tt.wantSlug {
				t.Fatalf("personal org = %q/%q, want %q/%q", org.Name, org.Slug, tt.wantName, tt.wantSlug)
			}
			if !org.IsPersonal || org.Type != organization.TypeIndividual || org.OwnerUserID != uid ||
				org.SubscriptionTier != organization.TierFree || org.SubscriptionStatus != organization.SubscriptionActive {
				t.Fatalf("personal org attributes wrong: %+v", org)
			}
			if owner.OrganizationID != org.ID || owner.UserID != uid || owner.Roles.String() != "owner" ||
				owner.Status != organization.MemberActive {
				t.Fatalf("owner member wrong: %+v", owner)
			}
		})
	}
}

func TestRoles(t *testing.T) {
	rs := organization.ParseRoles(" admin, member,,admin,member")
	if rs.String() != "admin,member" || !rs.Has("member") || rs.Has("owner") {
		t.Fatalf("ParseRoles = %v", rs)
	}
}

func TestPolicyAllows(t *testing.T) {
	p := organization.DefaultPolicy
	req := func(res organization.Resource, conn organization.Connector, actions ...organization.Action) map[organization.Resource]organization.Request {
		return map[organization.Resource]organization.Request{res: {Actions: actions, Connector: conn}}
	}
	tests := []struct {
		name  string
		roles string
		want  map[organization.Resource]organization.Request
		ok    bool
	}{
		{"owner deletes org", "owner", req("organization", organization.All, "delete"), true},
		{"admin cannot delete org", "admin", req("organization", organization.All, "delete"), false},
		{"admin updates org", "admin", req("organization", organization.All, "update"), true},
		{"admin update AND delete", "admin", req("organization", organization.All, "update", "delete"), false},
		{"admin update OR delete", "admin", req("organization", organization.Any, "update", "delete"), true},
		{"member cannot invite", "member", req("invitation", organization.All, "create"), false},
		{"member reads ac", "member", req("ac", organization.All, "read"), true},
		{"multi-role: any role wins", "member,admin", req("invitation", organization.All, "create"), true},
		{"unknown role", "superuser", req("organization", organization.All, "update"), false},
		{"unknown resource", "owner", req("billing", organization.All, "read"), false},
		{"empty action list", "owner", req("organization", organization.All), false},
		{"empty request", "owner", nil, false},
		{"every resource must pass", "admin", map[organization.Resource]organization.Request{
			"organization": {Actions: []organization.Action{"update"}},
			"member":       {Actions: []organization.Action{"delete"}},
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Allows(organization.ParseRoles(tt.roles), tt.want); got != tt.ok {
				t.Fatalf("Allows(%q, %v) = %v, want %v", tt.roles, tt.want, got, tt.ok)
			}
		})
	}
}
