package rest

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
)

func (o *OrganizationRoutes) listMembers(c echo.Context) error {
	in, err := parseListMembers(c.QueryParams())
	if err != nil {
		return err
	}
	who, _, err := o.caller(c, nil)
	if err != nil {
		return err
	}
	members, total, err := o.orgs.ListMembers(c.Request().Context(), who, in)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, membersPageJSON{Members: newMembersWithUserJSON(members), Total: total})
}

func (o *OrganizationRoutes) removeMember(c echo.Context, body requestBody) error {
	who, orgID, err := parseRemoveMember(body)
	if err != nil {
		return err
	}
	caller, _, err := o.caller(c, nil)
	if err != nil {
		return err
	}
	m, err := o.orgs.RemoveMember(c.Request().Context(), caller, orgID, strings.TrimSpace(who))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, removedMemberJSON{Member: newMemberJSON(m)})
}

func (o *OrganizationRoutes) updateMemberRole(c echo.Context, body requestBody) error {
	memberID, roles, orgID, err := parseUpdateMemberRole(body)
	if err != nil {
		return err
	}
	who, _, err := o.caller(c, nil)
	if err != nil {
		return err
	}
	m, err := o.orgs.UpdateMemberRole(c.Request().Context(), who, orgID, memberID, roles)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newMemberJSON(m))
}

// leave answers the ended membership with the caller's profile.
func (o *OrganizationRoutes) leave(c echo.Context, body requestBody) error {
	orgID, err := parseOrganizationID(body)
	if err != nil {
		return err
	}
	who, _, err := o.caller(c, nil)
	if err != nil {
		return err
	}
	m, err := o.orgs.Leave(c.Request().Context(), who, orgID)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newMemberWithUserJSON(tenancy.MemberWithUser{Member: m, User: who.User}))
}

func (o *OrganizationRoutes) activeMember(c echo.Context) error {
	who, _, err := o.caller(c, nil)
	if err != nil {
		return err
	}
	m, err := o.orgs.ActiveMember(c.Request().Context(), who)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newMemberWithUserJSON(m))
}

func (o *OrganizationRoutes) activeMemberRole(c echo.Context) error {
	v := newQueryValidator(c.QueryParams())
	ref := refQuery(v)
	userID, _ := v.optionalString("userId")
	if err := v.err(); err != nil {
		return err
	}
	who, _, err := o.caller(c, nil)
	if err != nil {
		return err
	}
	roles, err := o.orgs.ActiveMemberRole(c.Request().Context(), who, ref, identity.UserID(userID))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, roleJSON{Role: roles.String()})
}

func (o *OrganizationRoutes) hasPermission(c echo.Context, body requestBody) error {
	orgID, want, err := parseHasPermission(body)
	if err != nil {
		return err
	}
	who, _, err := o.caller(c, nil)
	if err != nil {
		return err
	}
	ok, err := o.orgs.HasPermission(c.Request().Context(), who, orgID, want)
	if err != nil {
		return withStatus(err, organization.ErrNotAMember.Code, http.StatusUnauthorized)
	}
	return writeJSON(c, http.StatusOK, permissionJSON{Success: ok})
}
