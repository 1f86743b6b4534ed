package rest

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
)

// Organizations is what the organization endpoints need of the
// application: tenancy.Service.
type Organizations interface {
	Create(ctx context.Context, c tenancy.Caller, in tenancy.CreateInput) (tenancy.Created, error)
	CheckSlug(ctx context.Context, slug string) error
	Update(ctx context.Context, c tenancy.Caller, orgID organization.ID, in tenancy.UpdateInput) (organization.Organization, error)
	Delete(ctx context.Context, c tenancy.Caller, orgID organization.ID) (organization.Organization, error)
	SetActive(ctx context.Context, c tenancy.Caller, in tenancy.SetActiveInput) (*organization.Organization, error)
	Get(ctx context.Context, c tenancy.Caller, ref tenancy.Ref) (*organization.Organization, error)
	GetFull(ctx context.Context, c tenancy.Caller, ref tenancy.Ref, membersLimit int) (*tenancy.FullOrganization, error)
	List(ctx context.Context, c tenancy.Caller) ([]organization.Organization, error)

	Invite(ctx context.Context, c tenancy.Caller, in tenancy.InviteInput) (organization.Invitation, error)
	Accept(ctx context.Context, c tenancy.Caller, invID organization.InvitationID) (tenancy.Accepted, error)
	Reject(ctx context.Context, c tenancy.Caller, invID organization.InvitationID) (organization.Invitation, error)
	Cancel(ctx context.Context, c tenancy.Caller, invID organization.InvitationID) (organization.Invitation, error)
	GetInvitation(ctx context.Context, c tenancy.Caller, invID organization.InvitationID) (tenancy.InvitationDetails, error)
	ListInvitations(ctx context.Context, c tenancy.Caller, orgID organization.ID) ([]organization.Invitation, error)
	ListUserInvitations(ctx context.Context, c tenancy.Caller) ([]tenancy.InvitationWithOrganization, error)

	ListMembers(ctx context.Context, c tenancy.Caller, in tenancy.ListMembersInput) ([]tenancy.MemberWithUser, int, error)
	RemoveMember(ctx context.Context, c tenancy.Caller, orgID organization.ID, memberIDOrEmail string) (organization.Member, error)
	UpdateMemberRole(ctx context.Context, c tenancy.Caller, orgID organization.ID, memberID organization.MemberID, roles organization.Roles) (organization.Member, error)
	Leave(ctx context.Context, c tenancy.Caller, orgID organization.ID) (organization.Member, error)
	ActiveMember(ctx context.Context, c tenancy.Caller) (tenancy.MemberWithUser, error)
	ActiveMemberRole(ctx context.Context, c tenancy.Caller, ref tenancy.Ref, userID identity.UserID) (organization.Roles, error)
	HasPermission(ctx context.Context, c tenancy.Caller, orgID organization.ID, want map[organization.Resource]organization.Request) (bool, error)
}

var (
	_ Organizations = (*tenancy.Service)(nil)
	_ Routes        = (*OrganizationRoutes)(nil)
)

// OrganizationRoutes serves better-auth's organization plugin under
// /api/auth/organization. Sessions are found as the core endpoints find
// them (always from storage), through the AuthRoutes they share.
type OrganizationRoutes struct {
	orgs    Organizations
	session *AuthRoutes
}

// NewOrganizationRoutes returns the organization endpoints over orgs,
// finding sessions through auth.
func NewOrganizationRoutes(auth *AuthRoutes, orgs Organizations) *OrganizationRoutes {
	return &OrganizationRoutes{orgs: orgs, session: auth}
}

// Register adds the endpoints to g, the /api/auth group.
func (o *OrganizationRoutes) Register(g *echo.Group) {
	json := func(h bodyHandler) echo.HandlerFunc { return o.session.withBody(mediaJSON, h) }
	// Every answer describes the caller's organizations: never cached.
	private := func(h echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			noStore(c)
			return h(c)
		}
	}
	g.POST("/organization/create", json(o.create))
	g.POST("/organization/check-slug", json(o.checkSlug))
	g.POST("/organization/update", json(o.update))
	g.POST("/organization/delete", json(o.delete))
	g.POST("/organization/set-active", json(o.setActive))
	g.GET("/organization/get-organization", private(o.get))
	g.GET("/organization/get-full-organization", private(o.getFull))
	g.GET("/organization/list", private(o.list))

	g.POST("/organization/invite-member", json(o.invite))
	g.POST("/organization/accept-invitation", json(o.accept))
	g.POST("/organization/reject-invitation", json(o.reject))
	g.POST("/organization/cancel-invitation", json(o.cancel))
	g.GET("/organization/get-invitation", private(o.getInvitation))
	g.GET("/organization/list-invitations", private(o.listInvitations))
	g.GET("/organization/list-user-invitations", private(o.listUserInvitations))

	g.GET("/organization/list-members", private(o.listMembers))
	g.POST("/organization/remove-member", json(o.removeMember))
	g.POST("/organization/update-member-role", json(o.updateMemberRole))
	g.POST("/organization/leave", json(o.leave))
	g.GET("/organization/get-active-member", private(o.activeMember))
	g.GET("/organization/get-active-member-role", private(o.activeMemberRole))
	g.POST("/organization/has-permission", json(o.hasPermission))
}

// caller is the signed-in caller, or ifNone when there is no session
// (better-auth's answer differs by endpoint).
func (o *OrganizationRoutes) caller(c echo.Context, ifNone error) (tenancy.Caller, authn.CurrentSession, error) {
	cur, err := o.session.requireSession(c)
	if errors.Is(err, errUnauthorized) && ifNone != nil {
		return tenancy.Caller{}, authn.CurrentSession{}, ifNone
	}
	if err != nil {
		return tenancy.Caller{}, authn.CurrentSession{}, err
	}
	return tenancy.Caller{User: cur.User, Session: cur.Session}, cur, nil
}

func (o *OrganizationRoutes) create(c echo.Context, body requestBody) error {
	in, err := parseCreateOrganization(body)
	if err != nil {
		return err
	}
	who, _, err := o.caller(c, errNoSessionEmpty)
	if err != nil {
		return err
	}
	created, err := o.orgs.Create(c.Request().Context(), who, in)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, createdOrgJSON{
		orgJSON: newOrgJSON(created.Organization, metadataParsed),
		Members: []memberJSON{newMemberJSON(created.Owner)},
	})
}

func (o *OrganizationRoutes) checkSlug(c echo.Context, body requestBody) error {
	slug, err := parseSlug(body)
	if err != nil {
		return err
	}
	if _, _, err := o.caller(c, nil); err != nil {
		return err
	}
	if err := o.orgs.CheckSlug(c.Request().Context(), slug); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, statusResponse{Status: true})
}

func (o *OrganizationRoutes) update(c echo.Context, body requestBody) error {
	orgID, in, err := parseUpdateOrganization(body)
	if err != nil {
		return err
	}
	who, _, err := o.caller(c, errUserNotFound401)
	if err != nil {
		return err
	}
	org, err := o.orgs.Update(c.Request().Context(), who, orgID, in)
	if err != nil {
		return withStatus(err, organization.ErrNotAMember.Code, http.StatusBadRequest)
	}
	return writeJSON(c, http.StatusOK, newOrgJSON(org, metadataParsed))
}

func (o *OrganizationRoutes) delete(c echo.Context, body requestBody) error {
	orgID, err := parseOrganizationID(body)
	if err != nil {
		return err
	}
	who, _, err := o.caller(c, errNoSessionEmpty)
	if err != nil {
		return err
	}
	org, err := o.orgs.Delete(c.Request().Context(), who, orgID)
	if err != nil {
		return withStatus(err, organization.ErrNotAMember.Code, http.StatusBadRequest)
	}
	return writeJSON(c, http.StatusOK, newOrgJSON(org, metadataText))
}

// setActive changes the session's active organization and, when it wrote
// the session, re-issues the session cookies, so the cookie cache carries
// the new one at once.
func (o *OrganizationRoutes) setActive(c echo.Context, body requestBody) error {
	in, err := parseSetActive(body)
	if err != nil {
		return err
	}
	who, cur, err := o.caller(c, nil)
	if err != nil {
		return err
	}
	r := c.Request()
	org, err := o.orgs.SetActive(r.Context(), who, in)
	if err != nil {
		return err
	}
	if org != nil || cur.Session.ActiveOrganizationID != nil {
		cur.Session.ActiveOrganizationID = nil
		if org != nil {
			cur.Session.ActiveOrganizationID = &org.ID
		}
		// cur.LoadedAt stays: the entry is as old as the memberships it
		// carries, so a change committed during this request outdates it.
		cs := o.session.cookies
		cs.setSession(c.Response().Header(), r, cur, cs.dontRememberOf(r))
	}
	if org == nil {
		return writeNull(c)
	}
	return writeJSON(c, http.StatusOK, newOrgJSON(*org, metadataText))
}

func (o *OrganizationRoutes) get(c echo.Context) error {
	v := newQueryValidator(c.QueryParams())
	ref := refQuery(v)
	if err := v.err(); err != nil {
		return err
	}
	who, _, err := o.caller(c, nil)
	if err != nil {
		return err
	}
	org, err := o.orgs.Get(c.Request().Context(), who, ref)
	if err != nil {
		return err
	}
	if org == nil {
		return writeNull(c)
	}
	return writeJSON(c, http.StatusOK, newOrgJSON(*org, metadataText))
}

func (o *OrganizationRoutes) getFull(c echo.Context) error {
	v := newQueryValidator(c.QueryParams())
	ref := refQuery(v)
	limit := intQuery(v, "membersLimit")
	if err := v.err(); err != nil {
		return err
	}
	who, _, err := o.caller(c, nil)
	if err != nil {
		return err
	}
	full, err := o.orgs.GetFull(c.Request().Context(), who, ref, limit)
	if err != nil {
		return err
	}
	if full == nil {
		return writeNull(c)
	}
	return writeJSON(c, http.StatusOK, fullOrgJSON{
		orgJSON:     newOrgJSON(full.Organization, metadataText),
		Invitations: newInvitationsJSON(full.Invitations),
		Members:     newMembersWithUserJSON(full.Members),
	})
}

func (o *OrganizationRoutes) list(c echo.Context) error {
	who, _, err := o.caller(c, nil)
	if err != nil {
		return err
	}
	orgs, err := o.orgs.List(c.Request().Context(), who)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newOrgsJSON(orgs))
}
