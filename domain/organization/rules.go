package organization

import (
	"strings"

	"github.com/beep/iam/domain/failure"
)

// The membership rules every organization use case applies, in the order
// better-auth applies them, so the same request gets the same refusal. They
// are pure: the caller loads the members (under a lock on the organization,
// so that the owner count cannot change underneath) and writes the result.

// ErrRemoveNotPermitted is ErrRemoveNotAllowed as better-auth answers a
// member without the member:delete permission: with 401, not 403.
var ErrRemoveNotPermitted = &failure.Error{
	Kind: failure.Unauthenticated, Code: ErrRemoveNotAllowed.Code, Message: ErrRemoveNotAllowed.Message,
}

// need is a request for one action on one resource.
func need(res Resource, action Action) map[Resource]Request {
	return map[Resource]Request{res: {Actions: []Action{action}}}
}

// Can reports whether roles may take action on res.
func (p Policy) Can(roles Roles, res Resource, action Action) bool {
	return p.Allows(roles, need(res, action))
}

// CheckRoles refuses an empty role list or one naming a role the policy
// does not define, with better-auth's "ROLE_NOT_FOUND: a, b" message.
func (p Policy) CheckRoles(roles Roles) error {
	if len(roles) == 0 {
		return ErrRoleNotFound
	}
	var unknown []string
	for _, r := range roles {
		if _, ok := p[r]; !ok {
			unknown = append(unknown, string(r))
		}
	}
	if len(unknown) > 0 {
		return &failure.Error{Kind: failure.Invalid, Code: ErrRoleNotFound.Code,
			Message: ErrRoleNotFound.Code + ": " + strings.Join(unknown, ", ")}
	}
	return nil
}

// CheckInvite decides whether inviter may invite someone with roles: the
// invitation:create permission, known roles, and ownership handed out by
// owners only.
func (p Policy) CheckInvite(inviter Member, roles Roles) error {
	if !p.Can(inviter.Roles, ResourceInvitation, "create") {
		return ErrInviteNotAllowed
	}
	if err := p.CheckRoles(roles); err != nil {
		return err
	}
	if roles.Has(RoleOwner) && !inviter.Roles.Has(RoleOwner) {
		return ErrInviteRoleNotAllowed
	}
	return nil
}

// CheckRoleChange decides whether actor may give target the roles to.
// owners is the organization's current owner count. Only owners touch
// owners or grant ownership; the last owner cannot step down; otherwise
// the member:update permission decides (owners always hold it).
func (p Policy) CheckRoleChange(actor, target Member, to Roles, owners int) error {
	if len(to) == 0 {
		return ErrRoleNotFound
	}
	actorOwns := actor.Roles.Has(RoleOwner)
	if (target.Roles.Has(RoleOwner) || to.Has(RoleOwner)) && !actorOwns {
		return ErrUpdateMemberNotAllowed
	}
	if actorOwns && actor.ID == target.ID && owners <= 1 && !to.Has(RoleOwner) {
		return ErrWouldHaveNoOwner
	}
	if !actorOwns && !p.Can(actor.Roles, ResourceMember, "update") {
		return ErrUpdateMemberNotAllowed
	}
	return p.CheckRoles(to)
}

// CheckRemoval decides whether actor may remove target from the
// organization. owners is the current owner count. The member:delete
// permission comes first (401, as better-auth); then only an owner removes
// an owner (403), and never the last one.
func (p Policy) CheckRemoval(actor, target Member, owners int) error {
	if !p.Can(actor.Roles, ResourceMember, "delete") {
		return ErrRemoveNotPermitted
	}
	if target.Roles.Has(RoleOwner) {
		if !actor.Roles.Has(RoleOwner) {
			return ErrRemoveNotAllowed
		}
		if owners <= 1 {
			return ErrOnlyOwnerCannotLeave
		}
	}
	return nil
}

// CheckLeave decides whether m may leave org: never their own personal
// organization, and never as its last owner.
func CheckLeave(org Organization, m Member, owners int) error {
	if org.IsPersonal && org.OwnerUserID == m.UserID {
		return ErrPersonalNotLeavable
	}
	if m.Roles.Has(RoleOwner) && owners <= 1 {
		return ErrOnlyOwnerCannotLeave
	}
	return nil
}
