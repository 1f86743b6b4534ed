package tenancy

import (
	"context"

	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
)

// SetActiveInput names the organization to make active: by ID, else by
// Slug; Clear unsets it. With none of them the current one is confirmed.
type SetActiveInput struct {
	ID    organization.ID
	Slug  string
	Clear bool
}

// SetActive changes the active organization of the caller's session and
// returns it (nil when none is active afterwards). The caller must belong
// to it.
func (s *Service) SetActive(ctx context.Context, c Caller, in SetActiveInput) (*organization.Organization, error) {
	now := s.deps.Clock.Now()
	if in.Clear {
		if _, ok := c.active(); !ok {
			return nil, nil
		}
		if err := s.deps.Sessions.SetActiveOrganization(ctx, c.Session.Token, nil, now); err != nil {
			return nil, err
		}
		// Cached copies of the session (the server-side session cache)
		// hold the active organization.
		return nil, s.changed(ctx, c.User.ID)
	}
	ref := Ref{ID: in.ID}
	if in.ID == "" {
		ref.Slug = in.Slug
	}
	var active *organization.Organization
	err := s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		org, found, err := s.resolve(ctx, c, ref)
		if err != nil {
			return translate(err, organization.ErrOrganizationNotFound)
		}
		if !found {
			return nil
		}
		// Under the lock, so a removal cannot commit between the
		// membership check and the write.
		if _, err := s.lockForChange(ctx, org.ID, c.User.ID, organization.ErrNotAMember); err != nil {
			return err
		}
		active = &org
		return s.deps.Sessions.SetActiveOrganization(ctx, c.Session.Token, &org.ID, now)
	})
	if err != nil {
		return nil, err
	}
	if active == nil {
		return nil, nil
	}
	return active, s.changed(ctx, c.User.ID)
}

// ActiveMember returns the caller's membership of their active
// organization.
func (s *Service) ActiveMember(ctx context.Context, c Caller) (MemberWithUser, error) {
	orgID, ok := c.active()
	if !ok {
		return MemberWithUser{}, organization.ErrNoActiveOrganization
	}
	m, err := s.deps.Organizations.Member(ctx, orgID, c.User.ID)
	if err != nil {
		return MemberWithUser{}, translate(err, organization.ErrMemberNotFound)
	}
	return MemberWithUser{Member: m, User: c.User}, nil
}

// ActiveMemberRole returns the roles of the caller, or of another member
// (userID), in an organization the caller belongs to.
func (s *Service) ActiveMemberRole(ctx context.Context, c Caller, ref Ref, userID identity.UserID) (organization.Roles, error) {
	orgID, err := s.orgOf(ctx, c, ref)
	if err != nil {
		return nil, err
	}
	me, err := s.deps.Organizations.Member(ctx, orgID, c.User.ID)
	if err != nil {
		return nil, translate(err, organization.ErrNotAMemberOfThis)
	}
	if userID == "" || userID == c.User.ID {
		return me.Roles, nil
	}
	other, err := s.deps.Organizations.Member(ctx, orgID, userID)
	if err != nil {
		return nil, translate(err, organization.ErrNotAMemberOfThis)
	}
	return other.Roles, nil
}

// HasPermission reports whether the caller's roles in an organization
// (orgID "", the active one) grant every requested resource.
func (s *Service) HasPermission(ctx context.Context, c Caller, orgID organization.ID, want map[organization.Resource]organization.Request) (bool, error) {
	orgID, ok := target(c, orgID)
	if !ok {
		return false, organization.ErrNoActiveOrganization
	}
	m, err := s.deps.Organizations.Member(ctx, orgID, c.User.ID)
	if err != nil {
		return false, translate(err, organization.ErrNotAMember)
	}
	return s.policy.Access.Allows(m.Roles, want), nil
}
