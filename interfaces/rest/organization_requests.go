package rest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/organization"
)

// Refusals of the organization endpoints that better-auth words without a
// code (APIError.fromStatus), or with no body at all.
var (
	errNoSessionEmpty        = &apiError{status: http.StatusUnauthorized}
	errBadRequestEmpty       = &apiError{status: http.StatusBadRequest}
	errUserNotFound401       = &apiError{status: http.StatusUnauthorized, message: "User not found"}
	errNotAuthenticated      = &apiError{status: http.StatusUnauthorized, message: "Not authenticated"}
	errEmailFromClient       = &apiError{status: http.StatusBadRequest, message: "User email cannot be passed for client side API calls."}
	errMissingSessionOrEmail = &apiError{status: http.StatusBadRequest, message: "Missing session headers, or email query parameter."}
	// better-auth's wordings of failures on single endpoints.
	errInvitationGone         = &apiError{status: http.StatusBadRequest, code: "INVITATION_NOT_FOUND", message: "Invitation not found!"}
	errOrganizationIDRequired = &apiError{status: http.StatusBadRequest, message: "Organization ID is required"}
	errNotAMemberPlain        = &apiError{status: http.StatusForbidden, message: "You are not a member of this organization"}
)

// object is a nested object field (z.record / z.object): absent is (zero,
// false); any other kind is an issue.
func (v *validator) object(field, want string) (requestBody, bool) {
	f, ok := v.lookup(field)
	if !ok {
		return requestBody{}, false
	}
	if f.kind != kindObject {
		v.typeIssue(field, want, f.kind)
		return requestBody{}, false
	}
	b, err := decodeJSON(f.raw)
	if err != nil { // cannot happen: the outer scan accepted these bytes
		v.add(field, "Invalid input")
		return requestBody{}, false
	}
	return b, true
}

// metadata is z.record(z.string(), z.any()).optional(): the JSON text of an
// object, kept as the client sent it.
func (v *validator) metadata(field string) *string {
	if _, ok := v.object(field, "record"); !ok {
		return nil
	}
	raw := string(v.fields[field].raw)
	return &raw
}

// roles is z.union([z.string(), z.array(z.string())]): a comma-joined
// string or a list of role names, as organization.Roles.
func (v *validator) roles(field string) organization.Roles {
	f, ok := v.lookup(field)
	switch {
	case !v.ok:
		return nil
	case !ok:
		v.typeIssue(field, "string", kindUndefined)
		return nil
	case f.kind == kindString:
		return organization.ParseRoles(f.str)
	case f.kind == kindArray:
		var list []string
		if err := json.Unmarshal(f.raw, &list); err != nil {
			v.add(field, "Invalid input")
			return nil
		}
		return organization.ParseRoles(strings.Join(list, ","))
	default:
		v.add(field, "Invalid input")
		return nil
	}
}

func parseCreateOrganization(b requestBody) (tenancy.CreateInput, error) {
	v := newValidator(b, objectSchema{})
	in := tenancy.CreateInput{Name: v.nonEmptyString("name"), Slug: v.nonEmptyString("slug")}
	v.optionalString("userId") // server-only; a client's is ignored
	in.Logo, _ = v.nullableString("logo")
	in.Metadata = v.metadata("metadata")
	if keep := v.optionalBool("keepCurrentActiveOrganization"); keep != nil {
		in.KeepActive = *keep
	}
	return in, v.err()
}

func parseSlug(b requestBody) (string, error) {
	v := newValidator(b, objectSchema{})
	slug, _ := v.requiredString("slug")
	return slug, v.err()
}

func parseUpdateOrganization(b requestBody) (organization.ID, tenancy.UpdateInput, error) {
	v := newValidator(b, objectSchema{})
	data, ok := v.object("data", "object")
	if !ok && v.ok && !v.present("data") {
		v.typeIssue("data", "object", kindUndefined)
	}
	orgID := v.optionalString("organizationId")
	var in tenancy.UpdateInput
	if ok {
		d := newValidator(data, objectSchema{})
		if name := d.optionalString("name"); name != nil {
			if *name == "" {
				d.add("name", "Too small: expected string to have >=1 characters")
			}
			in.Name = name
		}
		if slug := d.optionalString("slug"); slug != nil {
			if *slug == "" {
				d.add("slug", "Too small: expected string to have >=1 characters")
			}
			in.Slug = slug
		}
		in.Logo, in.ClearLogo = d.nullableString("logo")
		in.Metadata = d.metadata("metadata")
		for _, issue := range d.issues {
			v.issues = append(v.issues, "[body.data."+issue[len("[body."):])
		}
	}
	return idOf(orgID), in, v.err()
}

func idOf(s *string) organization.ID {
	if s == nil {
		return ""
	}
	return organization.ID(*s)
}

// parseOrganizationID is z.object({organizationId: z.string()}).
func parseOrganizationID(b requestBody) (organization.ID, error) {
	v := newValidator(b, objectSchema{})
	id, _ := v.requiredString("organizationId")
	return organization.ID(id), v.err()
}

func parseSetActive(b requestBody) (tenancy.SetActiveInput, error) {
	v := newValidator(b, objectSchema{})
	id, null := v.nullableString("organizationId")
	slug := v.optionalString("organizationSlug")
	in := tenancy.SetActiveInput{ID: idOf(id), Clear: null}
	if slug != nil {
		in.Slug = *slug
	}
	return in, v.err()
}

func parseInvite(b requestBody) (tenancy.InviteInput, error) {
	v := newValidator(b, objectSchema{})
	email, _ := v.requiredString("email")
	in := tenancy.InviteInput{Email: email, Roles: v.roles("role"), OrganizationID: idOf(v.optionalString("organizationId"))}
	if resend := v.optionalBool("resend"); resend != nil {
		in.Resend = *resend
	}
	return in, v.err()
}

func parseInvitationID(b requestBody) (organization.InvitationID, error) {
	v := newValidator(b, objectSchema{})
	id, _ := v.requiredString("invitationId")
	return organization.InvitationID(id), v.err()
}

func parseRemoveMember(b requestBody) (string, organization.ID, error) {
	v := newValidator(b, objectSchema{})
	who, _ := v.requiredString("memberIdOrEmail")
	return who, idOf(v.optionalString("organizationId")), v.err()
}

func parseUpdateMemberRole(b requestBody) (organization.MemberID, organization.Roles, organization.ID, error) {
	v := newValidator(b, objectSchema{})
	roles := v.roles("role")
	memberID, _ := v.requiredString("memberId")
	orgID := idOf(v.optionalString("organizationId"))
	if err := v.err(); err != nil {
		return "", nil, "", err
	}
	if len(roles) == 0 {
		return "", nil, "", errBadRequestEmpty
	}
	return organization.MemberID(memberID), roles, orgID, nil
}

// parseHasPermission is {organizationId?} and exactly one of permissions
// or its deprecated name permission, each a record of action lists.
func parseHasPermission(b requestBody) (organization.ID, map[organization.Resource]organization.Request, error) {
	v := newValidator(b, objectSchema{})
	orgID := idOf(v.optionalString("organizationId"))
	field := "permissions"
	switch p, pp := v.present("permission"), v.present("permissions"); {
	case p && pp:
		v.add("permissions", "Invalid input: expected exactly one of permission or permissions")
	case p:
		field = "permission"
	}
	want := map[organization.Resource]organization.Request{}
	if raw, ok := v.object(field, "record"); ok {
		for res, actions := range raw.fields {
			var list []string
			if actions.kind != kindArray || json.Unmarshal(actions.raw, &list) != nil {
				v.add(field+"."+res, "Invalid input: expected array of strings")
				continue
			}
			req := organization.Request{}
			for _, a := range list {
				req.Actions = append(req.Actions, organization.Action(a))
			}
			want[organization.Resource(res)] = req
		}
	} else if v.ok && !v.present(field) {
		v.typeIssue(field, "record", kindUndefined)
	}
	return orgID, want, v.err()
}

// refQuery reads organizationId and organizationSlug.
func refQuery(v *queryValidator) tenancy.Ref {
	id, _ := v.optionalString("organizationId")
	slug, _ := v.optionalString("organizationSlug")
	return tenancy.Ref{ID: organization.ID(id), Slug: slug}
}

// intQuery is z.string().or(z.number()) read as a whole number; junk is an
// issue.
func intQuery(v *queryValidator, name string) int {
	s, ok := v.optionalString(name)
	if !ok || s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		v.issues = append(v.issues, "[query."+name+"] Invalid input: expected a non-negative integer")
		return 0
	}
	return n
}

func parseListMembers(q url.Values) (tenancy.ListMembersInput, error) {
	v := newQueryValidator(q)
	in := tenancy.ListMembersInput{Ref: refQuery(v), Limit: intQuery(v, "limit"), Offset: intQuery(v, "offset")}
	if by, ok := v.optionalString("sortBy"); ok {
		in.SortBy = tenancy.MemberField(by)
	}
	if dir, ok := v.optionalString("sortDirection"); ok {
		switch dir {
		case "asc":
		case "desc":
			in.Desc = true
		default:
			v.issues = append(v.issues, `[query.sortDirection] Invalid option: expected one of "asc"|"desc"`)
		}
	}
	if field, ok := v.optionalString("filterField"); ok && field != "" {
		op, _ := v.optionalString("filterOperator")
		in.Filter = &tenancy.MemberFilter{Field: tenancy.MemberField(field), Operator: tenancy.FilterOperator(op), Values: q["filterValue"]}
	}
	return in, v.err()
}
