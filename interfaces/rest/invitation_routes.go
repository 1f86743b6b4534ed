package rest

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/organization"
)

// invite answers the new (or renewed) invitation. An unknown role is
// refused with better-auth's code-less "ROLE_NOT_FOUND: a, b" here (its
// update-member-role answer carries the code).
func (o *OrganizationRoutes) invite(c echo.Context, body requestBody) error {
	in, err := parseInvite(body)
	if err != nil {
		return err
	}
	who, _, err := o.caller(c, nil)
	if err != nil {
		return err
	}
	inv, err := o.orgs.Invite(c.Request().Context(), who, in)
	var f *failure.Error
	if errors.As(err, &f) && f.Code == organization.ErrRoleNotFound.Code && strings.Contains(f.Message, ": ") {
		return &apiError{status: http.StatusBadRequest, message: f.Message}
	}
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newInvitationJSON(inv))
}

func (o *OrganizationRoutes) accept(c echo.Context, body requestBody) error {
	id, err := parseInvitationID(body)
	if err != nil {
		return err
	}
	who, _, err := o.caller(c, nil)
	if err != nil {
		return err
	}
	got, err := o.orgs.Accept(c.Request().Context(), who, id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, acceptedJSON{Invitation: newInvitationJSON(got.Invitation), Member: newMemberJSON(got.Member)})
}

func (o *OrganizationRoutes) reject(c echo.Context, body requestBody) error {
	id, err := parseInvitationID(body)
	if err != nil {
		return err
	}
	who, _, err := o.caller(c, nil)
	if err != nil {
		return err
	}
	inv, err := o.orgs.Reject(c.Request().Context(), who, id)
	if err != nil {
		return reworded(err, organization.ErrInvitationNotFound.Code, errInvitationGone)
	}
	return writeJSON(c, http.StatusOK, rejectedJSON{Invitation: newInvitationJSON(inv)})
}

func (o *OrganizationRoutes) cancel(c echo.Context, body requestBody) error {
	id, err := parseInvitationID(body)
	if err != nil {
		return err
	}
	who, _, err := o.caller(c, nil)
	if err != nil {
		return err
	}
	inv, err := o.orgs.Cancel(c.Request().Context(), who, id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newInvitationJSON(inv))
}

func (o *OrganizationRoutes) getInvitation(c echo.Context) error {
	v := newQueryValidator(c.QueryParams())
	id := v.requiredString("id")
	if err := v.err(); err != nil {
		return err
	}
	who, _, err := o.caller(c, errNotAuthenticated)
	if err != nil {
		return err
	}
	d, err := o.orgs.GetInvitation(c.Request().Context(), who, organization.InvitationID(id))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, invitationDetailsJSON{
		invitationJSON:   newInvitationJSON(d.Invitation),
		OrganizationName: d.OrganizationName, OrganizationSlug: d.OrganizationSlug, InviterEmail: d.InviterEmail.String(),
	})
}

func (o *OrganizationRoutes) listInvitations(c echo.Context) error {
	v := newQueryValidator(c.QueryParams())
	id, _ := v.optionalString("organizationId")
	if err := v.err(); err != nil {
		return err
	}
	who, _, err := o.caller(c, nil)
	if err != nil {
		return err
	}
	list, err := o.orgs.ListInvitations(c.Request().Context(), who, organization.ID(id))
	if err != nil {
		err = reworded(err, organization.ErrNoActiveOrganization.Code, errOrganizationIDRequired)
		return reworded(err, organization.ErrNotAMemberOfThis.Code, errNotAMemberPlain)
	}
	return writeJSON(c, http.StatusOK, newInvitationsJSON(list))
}

// listUserInvitations lists the caller's own invitations. better-auth's
// ?email= form is for server calls only and refused over HTTP.
func (o *OrganizationRoutes) listUserInvitations(c echo.Context) error {
	if _, ok := c.QueryParams()["email"]; ok {
		return errEmailFromClient
	}
	who, _, err := o.caller(c, errMissingSessionOrEmail)
	if err != nil {
		return err
	}
	list, err := o.orgs.ListUserInvitations(c.Request().Context(), who)
	if err != nil {
		return err
	}
	out := make([]userInvitationJSON, 0, len(list))
	for _, inv := range list {
		out = append(out, userInvitationJSON{invitationJSON: newInvitationJSON(inv.Invitation), OrganizationName: inv.OrganizationName})
	}
	return writeJSON(c, http.StatusOK, out)
}
