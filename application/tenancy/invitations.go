package tenancy

import (
	"context"
	"errors"
	"fmt"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/mail"
	"github.com/beep/iam/domain/organization"
)

// InviteInput invites an address to an organization (OrganizationID "",
// the active one) with roles. Resend renews a pending invitation instead
// of refusing it as a duplicate.
type InviteInput struct {
	OrganizationID organization.ID
	Email          string
	Roles          organization.Roles
	Resend         bool
}

// Invite creates an invitation and queues its email in the same
// transaction, so the invitation exists exactly when its email will be
// sent.
func (s *Service) Invite(ctx context.Context, c Caller, in InviteInput) (organization.Invitation, error) {
	orgID, ok := target(c, in.OrganizationID)
	if !ok {
		return organization.Invitation{}, organization.ErrOrganizationNotFound
	}
	email, err := identity.ParseEmail(in.Email)
	if err != nil {
		return organization.Invitation{}, err
	}
	var inv organization.Invitation
	err = s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		st, err := s.lockForChange(ctx, orgID, c.User.ID, organization.ErrMemberNotFound)
		if err != nil {
			return err
		}
		if err := s.policy.Access.CheckInvite(st.actor, in.Roles); err != nil {
			return err
		}
		if st.org.IsPersonal {
			return organization.ErrPersonalNotShared
		}
		if _, err := s.deps.Organizations.MemberByEmail(ctx, orgID, email); err == nil {
			return organization.ErrAlreadyMember
		} else if !errors.Is(err, organization.ErrMemberNotFound) {
			return err
		}
		var send bool
		if inv, send, err = s.invitation(ctx, c, st, email, in); err != nil || !send {
			return err
		}
		msg := mail.Message{
			Kind: mail.KindInvitation, To: email, URL: s.acceptURL(inv.ID),
			Inviter: inviterName(c.User), Organization: st.org.Name,
		}
		if err := msg.Validate(); err != nil {
			return fmt.Errorf("invitation email: %w", err)
		}
		return s.deps.Outbox.Enqueue(ctx, msg)
	})
	if err != nil {
		return organization.Invitation{}, err
	}
	s.deps.Outbox.Wake()
	return inv, nil
}

// invitation renews the pending invitation of email when asked to resend
// it (and says whether to mail it again), or creates a new one: a lapsed
// pending invitation is canceled first so that at most one invitation per
// address is pending.
func (s *Service) invitation(ctx context.Context, c Caller, st memberChange, email identity.Email, in InviteInput) (organization.Invitation, bool, error) {
	now := s.deps.Clock.Now()
	pending, err := s.deps.Organizations.PendingInvitation(ctx, st.org.ID, email)
	switch {
	case errors.Is(err, organization.ErrInvitationNotFound):
	case err != nil:
		return organization.Invitation{}, false, err
	case in.Resend:
		if pending.Roles.Has(organization.RoleOwner) && !st.actor.Roles.Has(organization.RoleOwner) {
			return organization.Invitation{}, false, organization.ErrInviteRoleNotAllowed
		}
		if lastSent := pending.ExpiresAt.Add(-s.policy.InvitationTTL); now.Before(lastSent.Add(s.policy.ResendInterval)) {
			return pending, false, nil // mailed moments ago: resending cannot flood an inbox
		}
		pending.ExpiresAt = now.Add(s.policy.InvitationTTL)
		return pending, true, s.deps.Organizations.ExtendInvitation(ctx, pending.ID, pending.ExpiresAt)
	case pending.Open(now):
		return organization.Invitation{}, false, organization.ErrAlreadyInvited
	default:
		if _, err := s.deps.Organizations.TransitionInvitation(ctx, pending.ID, organization.InvitationPending, organization.InvitationCanceled); err != nil {
			return organization.Invitation{}, false, err
		}
	}
	if s.policy.InvitationLimit > 0 {
		n, err := s.deps.Organizations.CountPendingInvitations(ctx, st.org.ID, now)
		if err != nil {
			return organization.Invitation{}, false, err
		}
		if n >= s.policy.InvitationLimit {
			return organization.Invitation{}, false, organization.ErrInvitationLimit
		}
	}
	inv := organization.NewInvitation(organization.NewInvitationID(s.deps.IDs.NewUUID()), st.org.ID, email, in.Roles, c.User.ID, now, s.policy.InvitationTTL)
	if err := s.deps.Organizations.CreateInvitation(ctx, inv); err != nil {
		return organization.Invitation{}, false, err
	}
	return inv, true, nil
}

// inviterName is how the email names who invites.
func inviterName(u identity.User) string {
	if u.Name != "" {
		return u.Name
	}
	return string(u.Email)
}

// forRecipient loads an invitation addressed to the caller: it must exist
// and pass open (else notFound), be addressed to the caller's email, and,
// by policy, the caller's email must be verified.
func (s *Service) forRecipient(ctx context.Context, c Caller, invID organization.InvitationID, open func(organization.Invitation) bool, notFound *failure.Error) (organization.Invitation, error) {
	inv, err := s.deps.Organizations.Invitation(ctx, invID)
	if err != nil {
		return organization.Invitation{}, translate(err, notFound)
	}
	if !open(inv) {
		return organization.Invitation{}, notFound
	}
	if inv.Email != c.User.Email {
		return organization.Invitation{}, organization.ErrNotRecipient
	}
	if s.policy.RequireVerifiedInvitee && !c.User.EmailVerified {
		return organization.Invitation{}, organization.ErrVerifyBeforeAccepting
	}
	return inv, nil
}

// Accepted is an accepted invitation with the membership it created.
type Accepted struct {
	Invitation organization.Invitation
	Member     organization.Member
}

// Accept turns an open invitation addressed to the caller into a
// membership, in one transaction, and makes the organization active in
// the caller's session.
func (s *Service) Accept(ctx context.Context, c Caller, invID organization.InvitationID) (Accepted, error) {
	var out Accepted
	err := s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		now := s.deps.Clock.Now()
		open := func(inv organization.Invitation) bool { return inv.Open(now) }
		notFound := organization.ErrInvitationNotFound
		inv, err := s.forRecipient(ctx, c, invID, open, notFound)
		if err != nil {
			return err
		}
		if _, err := s.deps.Organizations.Lock(ctx, inv.OrganizationID); err != nil {
			return translate(err, organization.ErrOrganizationNotFound)
		}
		if err := s.inviterStillGrants(ctx, inv); err != nil {
			return err
		}
		if s.policy.MembershipLimit > 0 {
			n, err := s.deps.Organizations.CountMembers(ctx, inv.OrganizationID)
			if err != nil {
				return err
			}
			if n >= s.policy.MembershipLimit {
				return organization.ErrMembershipLimit
			}
		}
		if err := s.answer(ctx, &inv, organization.InvitationAccepted, notFound); err != nil {
			return err
		}
		m := organization.NewMember(organization.NewMemberID(s.deps.IDs.NewUUID()), inv.OrganizationID, c.User.ID, inv.Roles, now)
		if err := s.deps.Organizations.AddMember(ctx, m); err != nil {
			return err
		}
		out = Accepted{Invitation: inv, Member: m}
		return s.deps.Sessions.SetActiveOrganization(ctx, c.Session.Token, &inv.OrganizationID, now)
	})
	if err != nil {
		return Accepted{}, err
	}
	return out, s.changed(ctx, c.User.ID)
}

// inviterStillGrants refuses an invitation whose inviter has since left
// the organization or lost the right to hand out its roles: an invitation
// carries its inviter's authority, and that authority can be withdrawn.
// The organization is locked, so this holds until commit.
func (s *Service) inviterStillGrants(ctx context.Context, inv organization.Invitation) error {
	inviter, err := s.deps.Organizations.Member(ctx, inv.OrganizationID, inv.InviterID)
	if err != nil {
		return translate(err, organization.ErrInviterGone)
	}
	if s.policy.Access.CheckInvite(inviter, inv.Roles) != nil {
		return organization.ErrInvitationNotFound
	}
	return nil
}

// Reject declines a pending invitation addressed to the caller.
func (s *Service) Reject(ctx context.Context, c Caller, invID organization.InvitationID) (organization.Invitation, error) {
	var inv organization.Invitation
	err := s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		pending := func(inv organization.Invitation) bool { return inv.Status == organization.InvitationPending }
		var err error
		if inv, err = s.forRecipient(ctx, c, invID, pending, organization.ErrInvitationNotFound); err != nil {
			return err
		}
		return s.answer(ctx, &inv, organization.InvitationRejected, organization.ErrInvitationNotFound)
	})
	return inv, err
}

// answer moves a pending invitation to status, or fails with notFound when
// it was answered meanwhile.
func (s *Service) answer(ctx context.Context, inv *organization.Invitation, status organization.InvitationStatus, notFound *failure.Error) error {
	ok, err := s.deps.Organizations.TransitionInvitation(ctx, inv.ID, organization.InvitationPending, status)
	if err != nil {
		return err
	}
	if !ok {
		return notFound
	}
	inv.Status = status
	return nil
}

// Cancel withdraws a pending invitation of an organization the caller may
// cancel invitations of (invitation:cancel).
func (s *Service) Cancel(ctx context.Context, c Caller, invID organization.InvitationID) (organization.Invitation, error) {
	notFound := organization.ErrInvitationNotFound
	var inv organization.Invitation
	err := s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if inv, err = s.deps.Organizations.Invitation(ctx, invID); err != nil {
			return translate(err, notFound)
		}
		st, err := s.lockForChange(ctx, inv.OrganizationID, c.User.ID, organization.ErrMemberNotFound)
		if err != nil {
			return err
		}
		if !s.policy.Access.Can(st.actor.Roles, organization.ResourceInvitation, "cancel") {
			return organization.ErrCancelNotAllowed
		}
		return s.answer(ctx, &inv, organization.InvitationCanceled, notFound)
	})
	return inv, err
}

// InvitationDetails is an open invitation as its recipient sees it.
type InvitationDetails struct {
	Invitation       organization.Invitation
	OrganizationName string
	OrganizationSlug string
	InviterEmail     identity.Email
}

// GetInvitation shows an open invitation to its recipient.
func (s *Service) GetInvitation(ctx context.Context, c Caller, invID organization.InvitationID) (InvitationDetails, error) {
	now := s.deps.Clock.Now()
	open := func(inv organization.Invitation) bool { return inv.Open(now) }
	inv, err := s.forRecipient(ctx, c, invID, open, organization.ErrInvitationNotFound)
	if err != nil {
		return InvitationDetails{}, err
	}
	org, err := s.deps.Organizations.ByID(ctx, inv.OrganizationID)
	if err != nil {
		return InvitationDetails{}, translate(err, organization.ErrOrganizationNotFound)
	}
	if _, err := s.deps.Organizations.Member(ctx, org.ID, inv.InviterID); err != nil {
		return InvitationDetails{}, translate(err, organization.ErrInviterGone)
	}
	inviter, err := s.deps.Users.ByID(ctx, inv.InviterID)
	if err != nil {
		return InvitationDetails{}, translate(err, organization.ErrInviterGone)
	}
	return InvitationDetails{Invitation: inv, OrganizationName: org.Name, OrganizationSlug: org.Slug, InviterEmail: inviter.Email}, nil
}

// ListInvitations returns the invitations of an organization (orgID "",
// the active one) to a member who may invite; those granting ownership
// only to owners.
func (s *Service) ListInvitations(ctx context.Context, c Caller, orgID organization.ID) ([]organization.Invitation, error) {
	orgID, ok := target(c, orgID)
	if !ok {
		return nil, organization.ErrNoActiveOrganization
	}
	m, err := s.deps.Organizations.Member(ctx, orgID, c.User.ID)
	if err != nil {
		return nil, translate(err, organization.ErrNotAMemberOfThis)
	}
	if !s.policy.Access.Can(m.Roles, organization.ResourceInvitation, "create") {
		return nil, organization.ErrListInvitationsForbidden
	}
	return s.visibleInvitations(ctx, m, orgID)
}

// visibleInvitations is what member may see of the organization's
// invitations: none without the right to invite (an invitation id works as
// an invitation link), and none granting ownership unless member owns it.
func (s *Service) visibleInvitations(ctx context.Context, m organization.Member, orgID organization.ID) ([]organization.Invitation, error) {
	if !s.policy.Access.Can(m.Roles, organization.ResourceInvitation, "create") {
		return []organization.Invitation{}, nil
	}
	all, err := s.deps.Organizations.Invitations(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if m.Roles.Has(organization.RoleOwner) {
		return all, nil
	}
	out := make([]organization.Invitation, 0, len(all))
	for _, inv := range all {
		if !inv.Roles.Has(organization.RoleOwner) {
			out = append(out, inv)
		}
	}
	return out, nil
}

// ListUserInvitations returns the open invitations addressed to the
// caller, whose email must be verified.
func (s *Service) ListUserInvitations(ctx context.Context, c Caller) ([]InvitationWithOrganization, error) {
	if !c.User.EmailVerified {
		return nil, organization.ErrVerifyBeforeListing
	}
	return s.deps.Organizations.PendingInvitationsFor(ctx, c.User.Email, s.deps.Clock.Now())
}
