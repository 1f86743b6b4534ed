package organization_test

import (
	"testing"

	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
)

func member(id, roles string) organization.Member {
	return organization.Member{ID: organization.MemberID(id), UserID: identity.UserID("user__" + id), Roles: organization.ParseRoles(roles), Status: organization.MemberActive}
}

func TestCheckRoleChange(t *testing.T) {
	p := organization.DefaultPolicy
	owner, owner2, admin, plain := member("o", "owner"), member("o2", "admin,owner"), member("a", "admin"), member("m", "member")
	tests := []struct {
		name          string
		actor, target organization.Member
		to            string
		owners        int
		want          error
	}{
		{"owner promotes a member to admin", owner, plain, "admin", 1, nil},
		{"owner grants ownership", owner, plain, "owner", 1, nil},
		{"admin promotes a member to admin", admin, plain, "admin", 1, nil},
		{"admin grants ownership", admin, plain, "owner", 1, organization.ErrUpdateMemberNotAllowed},
		{"admin takes ownership", admin, admin, "admin,owner", 1, organization.ErrUpdateMemberNotAllowed},
		{"admin demotes an owner", admin, owner, "member", 1, organization.ErrUpdateMemberNotAllowed},
		{"member raises themselves", plain, plain, "admin", 1, organization.ErrUpdateMemberNotAllowed},
		{"member demotes an admin", plain, admin, "member", 1, organization.ErrUpdateMemberNotAllowed},
		{"last owner steps down", owner, owner, "admin", 1, organization.ErrWouldHaveNoOwner},
		{"last owner keeps owner among roles", owner, owner, "owner,admin", 1, nil},
		{"one of two owners steps down", owner2, owner2, "admin", 2, nil},
		{"owner demotes the other owner", owner, owner2, "member", 2, nil},
		{"unknown role", owner, plain, "superuser", 1, organization.ErrRoleNotFound},
		{"no role", owner, plain, "", 1, organization.ErrRoleNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.CheckRoleChange(tt.actor, tt.target, organization.ParseRoles(tt.to), tt.owners)
			if !sameRule(got, tt.want) {
				t.Fatalf("CheckRoleChange = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheckRemoval(t *testing.T) {
	p := organization.DefaultPolicy
	owner, owner2, admin, plain := member("o", "owner"), member("o2", "owner"), member("a", "admin"), member("m", "member")
	tests := []struct {
		name          string
		actor, target organization.Member
		owners        int
		want          error
	}{
		{"owner removes a member", owner, plain, 1, nil},
		{"admin removes a member", admin, plain, 1, nil},
		{"member removes anyone", plain, admin, 1, organization.ErrRemoveNotPermitted},
		{"member removes themselves (leave is the way)", plain, plain, 1, organization.ErrRemoveNotPermitted},
		{"admin removes an owner", admin, owner, 2, organization.ErrRemoveNotAllowed},
		{"owner removes another owner", owner, owner2, 2, nil},
		{"the last owner removes themselves", owner, owner, 1, organization.ErrOnlyOwnerCannotLeave},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.CheckRemoval(tt.actor, tt.target, tt.owners); !sameRule(got, tt.want) {
				t.Fatalf("CheckRemoval = %v, want %v", got, tt.want)
			}
		})
	}
	// The two refusals share better-auth's code but not its status.
	if organization.ErrRemoveNotPermitted.Kind == organization.ErrRemoveNotAllowed.Kind {
		t.Fatal("lacking member:delete and touching an owner must be told apart")
	}
}

func TestCheckInvite(t *testing.T) {
	p := organization.DefaultPolicy
	owner, admin, plain := member("o", "owner"), member("a", "admin"), member("m", "member")
	tests := []struct {
		name    string
		inviter organization.Member
		roles   string
		want    error
	}{
		{"owner invites an owner", owner, "owner", nil},
		{"admin invites an admin", admin, "admin", nil},
		{"admin invites an owner", admin, "member,owner", organization.ErrInviteRoleNotAllowed},
		{"member invites", plain, "member", organization.ErrInviteNotAllowed},
		{"unknown role", owner, "member,god", organization.ErrRoleNotFound},
		{"no role", owner, " , ", organization.ErrRoleNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.CheckInvite(tt.inviter, organization.ParseRoles(tt.roles)); !sameRule(got, tt.want) {
				t.Fatalf("CheckInvite = %v, want %v", got, tt.want)
			}
		})
	}
	if err := p.CheckRoles(organization.Roles{"god", "member", "root"}); err == nil || err.Error() != "ROLE_NOT_FOUND: ROLE_NOT_FOUND: god, root" {
		t.Fatalf("CheckRoles names the unknown roles as better-auth does: %v", err)
	}
}

func TestCheckLeave(t *testing.T) {
	personal := organization.Organization{IsPersonal: true, OwnerUserID: "user__o"}
	team := organization.Organization{Type: organization.TypeTeam, OwnerUserID: "user__o"}
	tests := []struct {
		name   string
		org    organization.Organization
		m      organization.Member
		owners int
		want   error
	}{
		{"member leaves a team", team, member("m", "member"), 1, nil},
		{"one of two owners leaves", team, member("o", "owner"), 2, nil},
		{"the last owner leaves", team, member("o", "owner"), 1, organization.ErrOnlyOwnerCannotLeave},
		{"the user leaves their personal organization", personal, member("o", "owner"), 2, organization.ErrPersonalNotLeavable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := organization.CheckLeave(tt.org, tt.m, tt.owners); !sameRule(got, tt.want) {
				t.Fatalf("CheckLeave = %v, want %v", got, tt.want)
			}
		})
	}
}

// sameRule compares a rule's outcome with the expected failure by wire
// code and kind (CheckRoles words its message per call).
func sameRule(got, want error) bool {
	if want == nil || got == nil {
		return got == want
	}
	gf, wf := asFailure(got), asFailure(want)
	return gf != nil && wf != nil && gf.Code == wf.Code && gf.Kind == wf.Kind
}
