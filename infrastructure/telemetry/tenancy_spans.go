package telemetry

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
)

// TracedTenancy decorates the organization use cases with one span each,
// recorded as TracedAuthn records its spans.
type TracedTenancy struct {
	next   *tenancy.Service
	tracer trace.Tracer
}

// TraceTenancy wraps svc.
func TraceTenancy(svc *tenancy.Service) *TracedTenancy {
	return &TracedTenancy{next: svc, tracer: otel.Tracer("github.com/beep/iam/application/tenancy")}
}

// Create traces tenancy.Service.Create.
func (t *TracedTenancy) Create(ctx context.Context, c tenancy.Caller, in tenancy.CreateInput) (tenancy.Created, error) {
	return span(ctx, t.tracer, "tenancy.Create", func(ctx context.Context) (tenancy.Created, error) { return t.next.Create(ctx, c, in) })
}

// CheckSlug traces tenancy.Service.CheckSlug.
func (t *TracedTenancy) CheckSlug(ctx context.Context, slug string) error {
	return spanErr(ctx, t.tracer, "tenancy.CheckSlug", func(ctx context.Context) error { return t.next.CheckSlug(ctx, slug) })
}

// Update traces tenancy.Service.Update.
func (t *TracedTenancy) Update(ctx context.Context, c tenancy.Caller, id organization.ID, in tenancy.UpdateInput) (organization.Organization, error) {
	return span(ctx, t.tracer, "tenancy.Update", func(ctx context.Context) (organization.Organization, error) { return t.next.Update(ctx, c, id, in) })
}

// Delete traces tenancy.Service.Delete.
func (t *TracedTenancy) Delete(ctx context.Context, c tenancy.Caller, id organization.ID) (organization.Organization, error) {
	return span(ctx, t.tracer, "tenancy.Delete", func(ctx context.Context) (organization.Organization, error) { return t.next.Delete(ctx, c, id) })
}

// SetActive traces tenancy.Service.SetActive.
func (t *TracedTenancy) SetActive(ctx context.Context, c tenancy.Caller, in tenancy.SetActiveInput) (*organization.Organization, error) {
	return span(ctx, t.tracer, "tenancy.SetActive", func(ctx context.Context) (*organization.Organization, error) { return t.next.SetActive(ctx, c, in) })
}

// Get traces tenancy.Service.Get.
func (t *TracedTenancy) Get(ctx context.Context, c tenancy.Caller, ref tenancy.Ref) (*organization.Organization, error) {
	return span(ctx, t.tracer, "tenancy.Get", func(ctx context.Context) (*organization.Organization, error) { return t.next.Get(ctx, c, ref) })
}

// GetFull traces tenancy.Service.GetFull.
func (t *TracedTenancy) GetFull(ctx context.Context, c tenancy.Caller, ref tenancy.Ref, limit int) (*tenancy.FullOrganization, error) {
	return span(ctx, t.tracer, "tenancy.GetFull", func(ctx context.Context) (*tenancy.FullOrganization, error) {
		return t.next.GetFull(ctx, c, ref, limit)
	})
}

// List traces tenancy.Service.List.
func (t *TracedTenancy) List(ctx context.Context, c tenancy.Caller) ([]organization.Organization, error) {
	return span(ctx, t.tracer, "tenancy.List", func(ctx context.Context) ([]organization.Organization, error) { return t.next.List(ctx, c) })
}

// Invite traces tenancy.Service.Invite.
func (t *TracedTenancy) Invite(ctx context.Context, c tenancy.Caller, in tenancy.InviteInput) (organization.Invitation, error) {
	return span(ctx, t.tracer, "tenancy.Invite", func(ctx context.Context) (organization.Invitation, error) { return t.next.Invite(ctx, c, in) })
}

// Accept traces tenancy.Service.Accept.
func (t *TracedTenancy) Accept(ctx context.Context, c tenancy.Caller, id organization.InvitationID) (tenancy.Accepted, error) {
	return span(ctx, t.tracer, "tenancy.Accept", func(ctx context.Context) (tenancy.Accepted, error) { return t.next.Accept(ctx, c, id) })
}

// Reject traces tenancy.Service.Reject.
func (t *TracedTenancy) Reject(ctx context.Context, c tenancy.Caller, id organization.InvitationID) (organization.Invitation, error) {
	return span(ctx, t.tracer, "tenancy.Reject", func(ctx context.Context) (organization.Invitation, error) { return t.next.Reject(ctx, c, id) })
}

// Cancel traces tenancy.Service.Cancel.
func (t *TracedTenancy) Cancel(ctx context.Context, c tenancy.Caller, id organization.InvitationID) (organization.Invitation, error) {
	return span(ctx, t.tracer, "tenancy.Cancel", func(ctx context.Context) (organization.Invitation, error) { return t.next.Cancel(ctx, c, id) })
}

// GetInvitation traces tenancy.Service.GetInvitation.
func (t *TracedTenancy) GetInvitation(ctx context.Context, c tenancy.Caller, id organization.InvitationID) (tenancy.InvitationDetails, error) {
	return span(ctx, t.tracer, "tenancy.GetInvitation", func(ctx context.Context) (tenancy.InvitationDetails, error) {
		return t.next.GetInvitation(ctx, c, id)
	})
}

// ListInvitations traces tenancy.Service.ListInvitations.
func (t *TracedTenancy) ListInvitations(ctx context.Context, c tenancy.Caller, id organization.ID) ([]organization.Invitation, error) {
	return span(ctx, t.tracer, "tenancy.ListInvitations", func(ctx context.Context) ([]organization.Invitation, error) {
		return t.next.ListInvitations(ctx, c, id)
	})
}

// ListUserInvitations traces tenancy.Service.ListUserInvitations.
func (t *TracedTenancy) ListUserInvitations(ctx context.Context, c tenancy.Caller) ([]tenancy.InvitationWithOrganization, error) {
	return span(ctx, t.tracer, "tenancy.ListUserInvitations", func(ctx context.Context) ([]tenancy.InvitationWithOrganization, error) {
		return t.next.ListUserInvitations(ctx, c)
	})
}

// ListMembers traces tenancy.Service.ListMembers.
func (t *TracedTenancy) ListMembers(ctx context.Context, c tenancy.Caller, in tenancy.ListMembersInput) ([]tenancy.MemberWithUser, int, error) {
	type page struct {
		members []tenancy.MemberWithUser
		total   int
	}
	p, err := span(ctx, t.tracer, "tenancy.ListMembers", func(ctx context.Context) (page, error) {
		m, n, err := t.next.ListMembers(ctx, c, in)
		return page{m, n}, err
	})
	return p.members, p.total, err
}

// RemoveMember traces tenancy.Service.RemoveMember.
func (t *TracedTenancy) RemoveMember(ctx context.Context, c tenancy.Caller, id organization.ID, who string) (organization.Member, error) {
	return span(ctx, t.tracer, "tenancy.RemoveMember", func(ctx context.Context) (organization.Member, error) { return t.next.RemoveMember(ctx, c, id, who) })
}

// UpdateMemberRole traces tenancy.Service.UpdateMemberRole.
func (t *TracedTenancy) UpdateMemberRole(ctx context.Context, c tenancy.Caller, id organization.ID, m organization.MemberID, roles organization.Roles) (organization.Member, error) {
	return span(ctx, t.tracer, "tenancy.UpdateMemberRole", func(ctx context.Context) (organization.Member, error) {
		return t.next.UpdateMemberRole(ctx, c, id, m, roles)
	})
}

// Leave traces tenancy.Service.Leave.
func (t *TracedTenancy) Leave(ctx context.Context, c tenancy.Caller, id organization.ID) (organization.Member, error) {
	return span(ctx, t.tracer, "tenancy.Leave", func(ctx context.Context) (organization.Member, error) { return t.next.Leave(ctx, c, id) })
}

// ActiveMember traces tenancy.Service.ActiveMember.
func (t *TracedTenancy) ActiveMember(ctx context.Context, c tenancy.Caller) (tenancy.MemberWithUser, error) {
	return span(ctx, t.tracer, "tenancy.ActiveMember", func(ctx context.Context) (tenancy.MemberWithUser, error) { return t.next.ActiveMember(ctx, c) })
}

// ActiveMemberRole traces tenancy.Service.ActiveMemberRole.
func (t *TracedTenancy) ActiveMemberRole(ctx context.Context, c tenancy.Caller, ref tenancy.Ref, userID identity.UserID) (organization.Roles, error) {
	return span(ctx, t.tracer, "tenancy.ActiveMemberRole", func(ctx context.Context) (organization.Roles, error) {
		return t.next.ActiveMemberRole(ctx, c, ref, userID)
	})
}

// HasPermission traces tenancy.Service.HasPermission.
func (t *TracedTenancy) HasPermission(ctx context.Context, c tenancy.Caller, id organization.ID, want map[organization.Resource]organization.Request) (bool, error) {
	return span(ctx, t.tracer, "tenancy.HasPermission", func(ctx context.Context) (bool, error) { return t.next.HasPermission(ctx, c, id, want) })
}
