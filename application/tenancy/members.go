package tenancy

import (
	"context"
	"strings"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
)

// ListMembersInput selects a page of members of the organization ref
// names. Limit 0 means the membership limit.
type ListMembersInput struct {
	Ref    Ref
	Limit  int
	Offset int
	SortBy MemberField
	Desc   bool
	Filter *MemberFilter
}

// ListMembers returns a page of the members of an organization the caller
// belongs to, with the number of members matching the filter.
func (s *Service) ListMembers(ctx context.Context, c Caller, in ListMembersInput) ([]MemberWithUser, int, error) {
	q := MemberQuery{Limit: s.pageSize(in.Limit), Offset: in.Offset, SortBy: in.SortBy, Desc: in.Desc}
	if f := in.Filter; f != nil {
		filter := *f
		if filter.Operator == "" {
			filter.Operator = OpEq // better-auth's default
		}
		if len(filter.Values) == 0 {
			return nil, 0, ErrInvalidMemberQuery // the wire has no empty list
		}
		q.Filter = &filter
	}
	if err := q.Validate(); err != nil {
		return nil, 0, err
	}
	orgID, err := s.orgOf(ctx, c, in.Ref)
	if err != nil {
		return nil, 0, err
	}
	if _, err := s.deps.Organizations.Member(ctx, orgID, c.User.ID); err != nil {
		return nil, 0, translate(err, organization.ErrNotAMemberOfThis)
	}
	return s.deps.Organizations.Members(ctx, orgID, q)
}

// pageSize is a member page's size: what was asked for, else the
// membership limit, never more than maxPage.
func (s *Service) pageSize(asked int) int {
	if asked <= 0 {
		asked = max(s.policy.MembershipLimit, 1)
	}
	return min(asked, maxPage)
}

// orgOf is the id of the organization ref names without checking
// membership: a slug must exist (ORGANIZATION_NOT_FOUND), and with neither
// id nor slug the active organization is used (NO_ACTIVE_ORGANIZATION).
func (s *Service) orgOf(ctx context.Context, c Caller, ref Ref) (organization.ID, error) {
	if ref.Slug != "" {
		org, err := s.deps.Organizations.BySlug(ctx, ref.Slug)
		if err != nil {
			return "", translate(err, organization.ErrOrganizationNotFound)
		}
		return org.ID, nil
	}
	orgID, ok := target(c, ref.ID)
	if !ok {
		return "", organization.ErrNoActiveOrganization
	}
	return orgID, nil
}

// memberChange is the locked state a membership change decides on.
type memberChange struct {
	org    organization.Organization
	actor  organization.Member
	owners int
}

// lockForChange locks the organization, then loads the caller's
// membership and the owner count, which cannot change until commit: a
// check made on them holds when the change is written. An unknown
// organization is notMember, as the caller cannot be in it.
func (s *Service) lockForChange(ctx context.Context, orgID organization.ID, userID identity.UserID, notMember *failure.Error) (memberChange, error) {
	org, err := s.deps.Organizations.Lock(ctx, orgID)
	if err != nil {
		return memberChange{}, translate(err, notMember)
	}
	actor, err := s.deps.Organizations.Member(ctx, orgID, userID)
	if err != nil {
		return memberChange{}, translate(err, notMember)
	}
	owners, err := s.deps.Organizations.OwnerCount(ctx, orgID)
	if err != nil {
		return memberChange{}, err
	}
	return memberChange{org: org, actor: actor, owners: owners}, nil
}

// RemoveMember removes a member, named by member id or by their user's
// email, from an organization (orgID "", the active one). The removed
// user's sessions that had it active return to their personal organization.
func (s *Service) RemoveMember(ctx context.Context, c Caller, orgID organization.ID, memberIDOrEmail string) (organization.Member, error) {
	orgID, ok := target(c, orgID)
	if !ok {
		return organization.Member{}, organization.ErrNoActiveOrganization
	}
	var gone organization.Member
	err := s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		st, err := s.lockForChange(ctx, orgID, c.User.ID, organization.ErrMemberNotFound)
		if err != nil {
			return err
		}
		if gone, err = s.findMember(ctx, orgID, memberIDOrEmail); err != nil {
			return err
		}
		if err := s.policy.Access.CheckRemoval(st.actor, gone, st.owners); err != nil {
			return err
		}
		if st.org.IsPersonal && gone.UserID == st.org.OwnerUserID {
			return organization.ErrPersonalNotLeavable
		}
		return s.removeMember(ctx, gone)
	})
	if err != nil {
		return organization.Member{}, err
	}
	return gone, s.changed(ctx, gone.UserID)
}

func (s *Service) findMember(ctx context.Context, orgID organization.ID, memberIDOrEmail string) (organization.Member, error) {
	var (
		m   organization.Member
		err error
	)
	if strings.Contains(memberIDOrEmail, "@") {
		email, perr := identity.ParseEmail(memberIDOrEmail)
		if perr != nil {
			return organization.Member{}, organization.ErrMemberNotFound
		}
		m, err = s.deps.Organizations.MemberByEmail(ctx, orgID, email)
	} else {
		m, err = s.deps.Organizations.MemberByID(ctx, orgID, organization.MemberID(memberIDOrEmail))
	}
	return m, translate(err, organization.ErrMemberNotFound)
}

// removeMember returns m's sessions that had the organization active to
// their personal organization, then deletes the membership.
func (s *Service) removeMember(ctx context.Context, m organization.Member) error {
	if err := s.deps.Sessions.ReturnToPersonal(ctx, m.OrganizationID, m.UserID, s.deps.Clock.Now()); err != nil {
		return err
	}
	return s.deps.Organizations.RemoveMember(ctx, m.ID)
}

// UpdateMemberRole gives a member new roles (orgID "", the active
// organization). The change shows in the member's sessions at once.
func (s *Service) UpdateMemberRole(ctx context.Context, c Caller, orgID organization.ID, memberID organization.MemberID, roles organization.Roles) (organization.Member, error) {
	if len(roles) == 0 {
		return organization.Member{}, organization.ErrRoleNotFound
	}
	orgID, ok := target(c, orgID)
	if !ok {
		return organization.Member{}, organization.ErrNoActiveOrganization
	}
	var m organization.Member
	err := s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		st, err := s.lockForChange(ctx, orgID, c.User.ID, organization.ErrMemberNotFound)
		if err != nil {
			return err
		}
		m = st.actor
		if memberID != st.actor.ID {
			if m, err = s.deps.Organizations.MemberByID(ctx, orgID, memberID); err != nil {
				return translate(err, organization.ErrMemberNotFound)
			}
		}
		if err := s.policy.Access.CheckRoleChange(st.actor, m, roles, st.owners); err != nil {
			return err
		}
		m.Roles = roles
		return s.deps.Organizations.SetMemberRoles(ctx, m.ID, roles)
	})
	if err != nil {
		return organization.Member{}, err
	}
	return m, s.changed(ctx, m.UserID)
}

// Leave ends the caller's membership of an organization; their sessions
// that had it active return to their personal organization.
func (s *Service) Leave(ctx context.Context, c Caller, orgID organization.ID) (organization.Member, error) {
	var me organization.Member
	err := s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		st, err := s.lockForChange(ctx, orgID, c.User.ID, organization.ErrMemberNotFound)
		if err != nil {
			return err
		}
		if err := organization.CheckLeave(st.org, st.actor, st.owners); err != nil {
			return err
		}
		me = st.actor
		return s.removeMember(ctx, me)
	})
	if err != nil {
		return organization.Member{}, err
	}
	return me, s.changed(ctx, c.User.ID)
}
