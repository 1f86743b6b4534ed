package tenancy_test

import (
	"context"
	"testing"
	"time"

	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/organization"
)

// org is a team with an owner, an admin and a member.
type org struct {
	organization.Organization
	owner, admin, member tenancy.Caller
	adminM, memberM      organization.Member
	ownerM               organization.Member
}

func (h *harness) staffed(t *testing.T, slug string) org {
	t.Helper()
	o := org{owner: h.user(t, "owner@"+slug+".example"), admin: h.user(t, "admin@"+slug+".example"), member: h.user(t, "member@"+slug+".example")}
	o.Organization = h.team(t, o.owner, slug)
	o.adminM = h.join(t, h.again(t, o.owner), o.Organization, o.admin, organization.RoleAdmin)
	o.memberM = h.join(t, h.again(t, o.owner), o.Organization, o.member, organization.RoleMember)
	m, err := h.store.Organizations().Member(context.Background(), o.ID, o.owner.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	o.ownerM = m
	return o
}

func TestRoleChangesAndRemovals(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.staffed(t, "acme")
	c := func(who tenancy.Caller) tenancy.Caller { return h.again(t, who) }
	owner := organization.Roles{organization.RoleOwner}
	admin := organization.Roles{organization.RoleAdmin}

	tests := []struct {
		name string
		run  func() error
		code string
	}{
		{"member raises own role", func() error {
			_, err := h.svc.UpdateMemberRole(ctx, c(a.member), a.ID, a.memberM.ID, admin)
			return err
		}, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER"},
		{"admin grants owner", func() error {
			_, err := h.svc.UpdateMemberRole(ctx, c(a.admin), a.ID, a.memberM.ID, owner)
			return err
		}, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER"},
		{"admin makes themselves owner", func() error {
			_, err := h.svc.UpdateMemberRole(ctx, c(a.admin), a.ID, a.adminM.ID, organization.Roles{"admin", "owner"})
			return err
		}, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER"},
		{"admin demotes the owner", func() error {
			_, err := h.svc.UpdateMemberRole(ctx, c(a.admin), a.ID, a.ownerM.ID, admin)
			return err
		}, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER"},
		{"last owner demotes themselves", func() error {
			_, err := h.svc.UpdateMemberRole(ctx, c(a.owner), a.ID, a.ownerM.ID, admin)
			return err
		}, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER"},
		{"unknown role", func() error {
			_, err := h.svc.UpdateMemberRole(ctx, c(a.owner), a.ID, a.memberM.ID, organization.Roles{"superuser"})
			return err
		}, "ROLE_NOT_FOUND"},
		{"member removes someone", func() error {
			_, err := h.svc.RemoveMember(ctx, c(a.member), a.ID, string(a.adminM.ID))
			return err
		}, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER"},
		{"admin removes the owner", func() error {
			_, err := h.svc.RemoveMember(ctx, c(a.admin), a.ID, string(a.owner.User.Email))
			return err
		}, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER"},
		{"last owner removes themselves", func() error {
			_, err := h.svc.RemoveMember(ctx, c(a.owner), a.ID, string(a.ownerM.ID))
			return err
		}, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER"},
		{"last owner leaves", func() error {
			_, err := h.svc.Leave(ctx, c(a.owner), a.ID)
			return err
		}, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER"},
		{"unknown member", func() error {
			_, err := h.svc.RemoveMember(ctx, c(a.owner), a.ID, "member__nope")
			return err
		}, "MEMBER_NOT_FOUND"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, tt.name, tt.run(), tt.code)
		})
	}
	// Nothing changed.
	if h.roles(t, a.ID, a.owner.User.ID) != "owner" || h.roles(t, a.ID, a.admin.User.ID) != "admin" || h.roles(t, a.ID, a.member.User.ID) != "member" {
		t.Fatal("a refused change changed a role")
	}

	// What is allowed: admin promotes a member to admin, owner hands
	// ownership over and steps down, the former owner can then leave.
	if _, err := h.svc.UpdateMemberRole(ctx, c(a.admin), a.ID, a.memberM.ID, admin); err != nil {
		t.Fatalf("admin promotes member: %v", err)
	}
	if _, err := h.svc.UpdateMemberRole(ctx, c(a.owner), a.ID, a.adminM.ID, owner); err != nil {
		t.Fatalf("owner grants owner: %v", err)
	}
	h.clock.Advance(time.Second) // so only the role change can mark the owner's context changed
	if _, err := h.svc.UpdateMemberRole(ctx, c(a.owner), a.ID, a.ownerM.ID, admin); err != nil {
		t.Fatalf("owner steps down with another owner present: %v", err)
	}
	if changed, _ := h.changes.ChangedSince(ctx, a.owner.User.ID, h.clock.Now()); !changed {
		t.Fatal("a role change did not refresh the member's session context")
	}
	if _, err := h.svc.Leave(ctx, c(a.owner), a.ID); err != nil {
		t.Fatalf("former owner leaves: %v", err)
	}
	if h.roles(t, a.ID, a.owner.User.ID) != "(none)" {
		t.Fatal("leave kept the membership")
	}
}

func TestRemovalReturnsTheRemovedToTheirPersonalOrganization(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.staffed(t, "acme")
	memberActive := h.again(t, a.member).Session.ActiveOrganizationID
	if *memberActive != a.ID {
		t.Fatal("setup: member's active organization is not acme")
	}
	m, err := h.svc.RemoveMember(ctx, h.again(t, a.admin), a.ID, string(a.member.User.Email))
	if err != nil || m.ID != a.memberM.ID {
		t.Fatalf("RemoveMember by email = %+v, %v", m, err)
	}
	after := h.again(t, a.member)
	if after.Session.ActiveOrganizationID == nil || *after.Session.ActiveOrganizationID == a.ID {
		t.Fatalf("removed member's session still points at the organization: %v", after.Session.ActiveOrganizationID)
	}
	o, err := h.store.Organizations().ByID(ctx, *after.Session.ActiveOrganizationID)
	if err != nil || !o.IsPersonal || o.OwnerUserID != a.member.User.ID {
		t.Fatalf("active organization after removal = %+v, %v; want the member's personal one", o, err)
	}
	_, err = h.svc.ActiveMember(ctx, h.again(t, a.member))
	if err != nil {
		t.Fatalf("ActiveMember in the personal organization: %v", err)
	}
}

// TestCrossOrganization: a member of A acting on B by id or slug is
// refused with better-auth's answer for each endpoint, and nothing of B
// changes or leaks.
func TestCrossOrganization(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a, b := h.staffed(t, "alpha"), h.staffed(t, "beta")
	mallory := h.again(t, a.owner) // owner of A, stranger to B
	name := "pwned"
	tests := []struct {
		name string
		run  func() error
		code string
	}{
		{"update", func() error { _, err := h.svc.Update(ctx, mallory, b.ID, tenancy.UpdateInput{Name: &name}); return err },
			"USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION"},
		{"delete", func() error { _, err := h.svc.Delete(ctx, mallory, b.ID); return err },
			"USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION"},
		{"invite", func() error {
			_, err := h.svc.Invite(ctx, mallory, tenancy.InviteInput{OrganizationID: b.ID, Email: "x@example.com", Roles: organization.Roles{"owner"}})
			return err
		}, "MEMBER_NOT_FOUND"},
		{"remove a member of B by id", func() error { _, err := h.svc.RemoveMember(ctx, mallory, b.ID, string(b.memberM.ID)); return err },
			"MEMBER_NOT_FOUND"},
		{"remove a member of B through A", func() error { _, err := h.svc.RemoveMember(ctx, mallory, a.ID, string(b.memberM.ID)); return err },
			"MEMBER_NOT_FOUND"},
		{"promote self in B through A's id", func() error {
			_, err := h.svc.UpdateMemberRole(ctx, mallory, a.ID, b.memberM.ID, organization.Roles{"owner"})
			return err
		}, "MEMBER_NOT_FOUND"},
		{"update role in B", func() error {
			_, err := h.svc.UpdateMemberRole(ctx, mallory, b.ID, b.memberM.ID, organization.Roles{"owner"})
			return err
		}, "MEMBER_NOT_FOUND"},
		{"leave B", func() error { _, err := h.svc.Leave(ctx, mallory, b.ID); return err }, "MEMBER_NOT_FOUND"},
		{"list B's members", func() error {
			_, _, err := h.svc.ListMembers(ctx, mallory, tenancy.ListMembersInput{Ref: tenancy.Ref{Slug: "beta"}})
			return err
		},
			"YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"},
		{"list B's invitations", func() error { _, err := h.svc.ListInvitations(ctx, mallory, b.ID); return err },
			"YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"},
		{"B's member roles", func() error {
			_, err := h.svc.ActiveMemberRole(ctx, mallory, tenancy.Ref{ID: b.ID}, b.owner.User.ID)
			return err
		}, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"},
		{"has-permission in B", func() error {
			_, err := h.svc.HasPermission(ctx, mallory, b.ID, map[organization.Resource]organization.Request{"member": {Actions: []organization.Action{"delete"}}})
			return err
		}, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantCode(t, tt.name, tt.run(), tt.code) })
	}
	got, err := h.store.Organizations().ByID(ctx, b.ID)
	if err != nil || got.Name != b.Name {
		t.Fatalf("B after the attempts = %+v, %v", got, err)
	}
	if h.roles(t, b.ID, b.member.User.ID) != "member" || h.roles(t, b.ID, mallory.User.ID) != "(none)" {
		t.Fatal("B's memberships changed")
	}
	// Cancelling B's invitation from A.
	inv, err := h.svc.Invite(ctx, h.again(t, b.owner), tenancy.InviteInput{OrganizationID: b.ID, Email: "new@example.com", Roles: organization.Roles{"member"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.svc.Cancel(ctx, mallory, inv.ID)
	wantCode(t, "cancel B's invitation", err, "MEMBER_NOT_FOUND")
}

func TestListMembers(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.staffed(t, "acme")
	page, total, err := h.svc.ListMembers(ctx, h.again(t, a.member), tenancy.ListMembersInput{Ref: tenancy.Ref{ID: a.ID}, Limit: 2, Offset: 1})
	if err != nil || total != 3 || len(page) != 2 || page[0].User.ID != a.admin.User.ID {
		t.Fatalf("page = %+v, total %d, %v", page, total, err)
	}
	page, total, err = h.svc.ListMembers(ctx, h.again(t, a.member), tenancy.ListMembersInput{Ref: tenancy.Ref{ID: a.ID},
		Filter: &tenancy.MemberFilter{Field: tenancy.MemberFieldRole, Values: []string{"admin"}}})
	if err != nil || total != 1 || page[0].Member.ID != a.adminM.ID {
		t.Fatalf("filtered page = %+v, total %d, %v", page, total, err)
	}
	for _, bad := range []tenancy.ListMembersInput{
		{SortBy: "password"},
		{Filter: &tenancy.MemberFilter{Field: "email", Values: []string{"x"}}},
		{Filter: &tenancy.MemberFilter{Field: "role", Operator: "regex", Values: []string{"x"}}},
		{Filter: &tenancy.MemberFilter{Field: "createdAt", Operator: "gt", Values: []string{"yesterday"}}},
		{Filter: &tenancy.MemberFilter{Field: "role", Operator: "eq", Values: []string{"a", "b"}}},
	} {
		bad.Ref = tenancy.Ref{ID: a.ID}
		_, _, err := h.svc.ListMembers(ctx, h.again(t, a.member), bad)
		wantCode(t, "bad query", err, "INVALID_MEMBER_QUERY")
	}
}

func TestHasPermission(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.staffed(t, "acme")
	want := func(res string, actions ...string) map[organization.Resource]organization.Request {
		r := organization.Request{}
		for _, x := range actions {
			r.Actions = append(r.Actions, organization.Action(x))
		}
		return map[organization.Resource]organization.Request{organization.Resource(res): r}
	}
	tests := []struct {
		who  tenancy.Caller
		want map[organization.Resource]organization.Request
		ok   bool
	}{
		{a.owner, want("organization", "delete"), true},
		{a.admin, want("organization", "delete"), false},
		{a.admin, want("invitation", "create"), true},
		{a.member, want("invitation", "create"), false},
		{a.member, want("ac", "read"), true},
		{a.owner, want("billing", "read"), false},
		{a.owner, want("organization"), false},
	}
	for _, tt := range tests {
		got, err := h.svc.HasPermission(ctx, h.again(t, tt.who), a.ID, tt.want)
		if err != nil || got != tt.ok {
			t.Errorf("HasPermission(%s, %v) = %v, %v; want %v", tt.who.User.Email, tt.want, got, err, tt.ok)
		}
	}
}
