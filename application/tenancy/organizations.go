package tenancy

import (
	"context"
	"errors"
	"fmt"

	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
)

// CreateInput is a new team organization. Metadata is the JSON text of an
// object (the edge checked its shape).
type CreateInput struct {
	Name     string
	Slug     string
	Logo     *string
	Metadata *string
	// KeepActive leaves the session's active organization as it is;
	// otherwise the new organization becomes active.
	KeepActive bool
}

// Created is a new organization with its owner.
type Created struct {
	Organization organization.Organization
	Owner        organization.Member
}

// Create makes a team organization owned by the caller, in one
// transaction with its owner membership (and the session's new active
// organization).
func (s *Service) Create(ctx context.Context, c Caller, in CreateInput) (Created, error) {
	if !s.policy.AllowCreate {
		return Created{}, organization.ErrCreateNotAllowed
	}
	if err := checkFields(&in.Name, &in.Slug, in.Logo, in.Metadata); err != nil {
		return Created{}, err
	}
	now := s.deps.Clock.Now()
	org := organization.NewTeam(organization.NewID(s.deps.IDs.NewUUID()), in.Name, in.Slug, in.Logo, in.Metadata, c.User.ID, now)
	owner := organization.NewOwner(organization.NewMemberID(s.deps.IDs.NewUUID()), org.ID, c.User.ID, now)
	err := s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkOrganizationLimit(ctx, c.User.ID); err != nil {
			return err
		}
		if taken, err := s.deps.Organizations.SlugTaken(ctx, in.Slug); err != nil {
			return err
		} else if taken {
			return organization.ErrOrganizationExists
		}
		if err := s.deps.Organizations.Create(ctx, org); errors.Is(err, organization.ErrSlugTaken) {
			return organization.ErrOrganizationExists.WithCause(err) // lost a race for the slug
		} else if err != nil {
			return err
		}
		if err := s.deps.Organizations.AddMember(ctx, owner); err != nil {
			return err
		}
		if in.KeepActive {
			return nil
		}
		return s.deps.Sessions.SetActiveOrganization(ctx, c.Session.Token, &org.ID, now)
	})
	if err != nil {
		return Created{}, err
	}
	return Created{Organization: org, Owner: owner}, s.changed(ctx, c.User.ID)
}

func (s *Service) checkOrganizationLimit(ctx context.Context, userID identity.UserID) error {
	if s.policy.OrganizationLimit <= 0 {
		return nil
	}
	memberships, err := s.deps.Organizations.MembershipsOf(ctx, userID)
	if err != nil {
		return err
	}
	n := 0
	for _, m := range memberships {
		if !m.Organization.IsPersonal {
			n++
		}
	}
	if n >= s.policy.OrganizationLimit {
		return organization.ErrOrganizationLimit
	}
	return nil
}

// checkFields validates what a client may write into an organization;
// nil pointers are fields left out.
func checkFields(name, slug, logo, metadata *string) error {
	if name != nil {
		if err := organization.CheckName(*name); err != nil {
			return err
		}
	}
	if slug != nil {
		if err := organization.CheckSlug(*slug); err != nil {
			return err
		}
	}
	if logo != nil {
		if err := organization.CheckLogo(*logo); err != nil {
			return err
		}
	}
	if metadata != nil {
		return organization.CheckMetadata(*metadata)
	}
	return nil
}

// CheckSlug succeeds when slug is valid and free.
func (s *Service) CheckSlug(ctx context.Context, slug string) error {
	if err := organization.CheckSlug(slug); err != nil {
		return err
	}
	taken, err := s.deps.Organizations.SlugTaken(ctx, slug)
	if err != nil {
		return err
	}
	if taken {
		return organization.ErrSlugTaken
	}
	return nil
}

// UpdateInput changes some fields of an organization; nil leaves a field
// as it is. ClearLogo removes the logo.
type UpdateInput struct {
	Name      *string
	Slug      *string
	Logo      *string
	ClearLogo bool
	Metadata  *string
}

// Update changes an organization the caller may update (organization:
// update). orgID "" means the active organization.
func (s *Service) Update(ctx context.Context, c Caller, orgID organization.ID, in UpdateInput) (organization.Organization, error) {
	orgID, ok := target(c, orgID)
	if !ok {
		return organization.Organization{}, organization.ErrOrganizationNotFound
	}
	if err := checkFields(in.Name, in.Slug, in.Logo, in.Metadata); err != nil {
		return organization.Organization{}, err
	}
	var org organization.Organization
	err := s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		st, err := s.lockForChange(ctx, orgID, c.User.ID, organization.ErrNotAMember)
		if err != nil {
			return err
		}
		if !s.policy.Access.Can(st.actor.Roles, organization.ResourceOrganization, "update") {
			return organization.ErrUpdateNotAllowed
		}
		org = st.org
		if in.Slug != nil && *in.Slug != org.Slug {
			if taken, err := s.deps.Organizations.SlugTaken(ctx, *in.Slug); err != nil {
				return err
			} else if taken {
				return organization.ErrSlugTaken
			}
		}
		apply(&org, in)
		org.UpdatedAt = s.deps.Clock.Now()
		return s.deps.Organizations.Update(ctx, org)
	})
	if err != nil {
		return organization.Organization{}, err
	}
	// Every member's session context names the organization.
	users, err := s.memberUsers(ctx, orgID)
	if err != nil {
		return organization.Organization{}, fmt.Errorf("list members to refresh: %w", err)
	}
	return org, s.changed(ctx, users...)
}

func apply(org *organization.Organization, in UpdateInput) {
	if in.Name != nil {
		org.Name = *in.Name
	}
	if in.Slug != nil {
		org.Slug = *in.Slug
	}
	if in.ClearLogo {
		org.Logo = nil
	} else if in.Logo != nil {
		org.Logo = in.Logo
	}
	if in.Metadata != nil {
		org.Metadata = in.Metadata
	}
}

// Delete removes an organization the caller may delete (organization:
// delete; never a personal one). Every session that had it active returns
// to its user's personal organization.
func (s *Service) Delete(ctx context.Context, c Caller, orgID organization.ID) (organization.Organization, error) {
	var (
		org   organization.Organization
		users []identity.UserID
	)
	err := s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		st, err := s.lockForChange(ctx, orgID, c.User.ID, organization.ErrNotAMember)
		if err != nil {
			return err
		}
		if !s.policy.Access.Can(st.actor.Roles, organization.ResourceOrganization, "delete") {
			return organization.ErrDeleteNotAllowed
		}
		org = st.org
		if org.IsPersonal {
			return organization.ErrPersonalNotDeletable
		}
		if users, err = s.memberUsers(ctx, orgID); err != nil {
			return err
		}
		if err := s.deps.Sessions.ReturnToPersonal(ctx, orgID, "", s.deps.Clock.Now()); err != nil {
			return err
		}
		return s.deps.Organizations.Delete(ctx, orgID)
	})
	if err != nil {
		return organization.Organization{}, err
	}
	return org, s.changed(ctx, users...)
}

// Get returns the organization ref names, which the caller must belong
// to; nil when ref is zero and no organization is active.
func (s *Service) Get(ctx context.Context, c Caller, ref Ref) (*organization.Organization, error) {
	org, found, err := s.resolve(ctx, c, ref)
	if err != nil {
		return nil, translate(err, organization.ErrOrganizationNotFound)
	}
	if !found {
		return nil, nil
	}
	if _, err := s.deps.Organizations.Member(ctx, org.ID, c.User.ID); err != nil {
		return nil, translate(err, organization.ErrNotAMember)
	}
	return &org, nil
}

// FullOrganization is an organization with its members and, for those who
// may invite, its invitations.
type FullOrganization struct {
	Organization organization.Organization
	Members      []MemberWithUser
	Invitations  []organization.Invitation
}

// GetFull returns the organization ref names with its members (at most
// membersLimit, or the membership limit when 0) and its invitations; nil
// when ref is zero and no organization is active.
func (s *Service) GetFull(ctx context.Context, c Caller, ref Ref, membersLimit int) (*FullOrganization, error) {
	org, found, err := s.resolve(ctx, c, ref)
	if err != nil {
		return nil, translate(err, organization.ErrOrganizationNotFound)
	}
	if !found {
		return nil, nil
	}
	me, err := s.deps.Organizations.Member(ctx, org.ID, c.User.ID)
	if err != nil {
		return nil, translate(err, organization.ErrNotAMember)
	}
	members, _, err := s.deps.Organizations.Members(ctx, org.ID, MemberQuery{Limit: s.pageSize(membersLimit)})
	if err != nil {
		return nil, err
	}
	invitations, err := s.visibleInvitations(ctx, me, org.ID)
	if err != nil {
		return nil, err
	}
	return &FullOrganization{Organization: org, Members: members, Invitations: invitations}, nil
}

// List returns the organizations the caller belongs to, oldest membership
// first.
func (s *Service) List(ctx context.Context, c Caller) ([]organization.Organization, error) {
	memberships, err := s.deps.Organizations.MembershipsOf(ctx, c.User.ID)
	if err != nil {
		return nil, err
	}
	out := make([]organization.Organization, 0, len(memberships))
	for _, m := range memberships {
		out = append(out, m.Organization)
	}
	return out, nil
}
