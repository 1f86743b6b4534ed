// Package tenancy is the organization capability: organizations, their
// members and roles, invitations by email, and the active organization of
// each session. Every decision about who may do what is the domain's
// (organization.Policy and its rules); this package loads what they need,
// under a lock on the organization where an owner count must not change
// underneath, and writes the outcome in one transaction.
package tenancy

import (
	"context"
	"time"

	"github.com/beep/iam/domain/id"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/mail"
	"github.com/beep/iam/domain/organization"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// IDs mints UUIDs for new rows.
type IDs interface {
	NewUUID() id.UUID
}

// TxRunner runs fn in one transaction; see authn.TxRunner.
type TxRunner interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Outbox queues emails in the transaction of ctx; see authn.Outbox.
type Outbox interface {
	Enqueue(ctx context.Context, msg mail.Message) error
	Wake()
}

// UserDirectory looks users up.
type UserDirectory interface {
	// ByID returns the user, or identity.ErrUserNotFound.
	ByID(ctx context.Context, userID identity.UserID) (identity.User, error)
}

// ActiveOrganizations moves sessions between organizations.
type ActiveOrganizations interface {
	// SetActiveOrganization makes orgID (nil: none) the active organization
	// of the session with that token; session.ErrSessionNotFound when it
	// no longer exists, organization.ErrOrganizationNotFound when orgID
	// does not.
	SetActiveOrganization(ctx context.Context, token string, orgID *organization.ID, updatedAt time.Time) error
	// ReturnToPersonal points every session whose active organization is
	// orgID back at its user's personal organization, only the sessions of
	// userID when it is not "". Used when a user leaves or loses an
	// organization, before the membership or organization is deleted.
	ReturnToPersonal(ctx context.Context, orgID organization.ID, userID identity.UserID, updatedAt time.Time) error
}

// ContextChanges records that users' organization context (memberships,
// roles, active organization) changed, so cached copies of their sessions
// (the cookie cache) are read again from storage.
type ContextChanges interface {
	Record(ctx context.Context, users ...identity.UserID) error
}

// MemberWithUser is a member with the public profile of their user, as
// member listings show them.
type MemberWithUser struct {
	Member organization.Member
	User   identity.User
}

// InvitationWithOrganization is a pending invitation as its recipient sees
// it in their list.
type InvitationWithOrganization struct {
	Invitation       organization.Invitation
	OrganizationName string
}

// OrganizationRepository stores organizations, members and invitations.
// Methods that read members or invitations of an organization never see
// another organization's rows: that is how cross-organization ids fail.
type OrganizationRepository interface {
	// Create inserts o; organization.ErrSlugTaken when the slug is in use.
	Create(ctx context.Context, o organization.Organization) error
	// SlugTaken reports whether an organization uses slug.
	SlugTaken(ctx context.Context, slug string) (bool, error)
	// ByID returns the organization, or organization.ErrOrganizationNotFound.
	ByID(ctx context.Context, orgID organization.ID) (organization.Organization, error)
	// BySlug returns the organization, or organization.ErrOrganizationNotFound.
	BySlug(ctx context.Context, slug string) (organization.Organization, error)
	// Lock is ByID inside a transaction, holding the organization row until
	// it ends: membership changes of one organization queue behind each
	// other, so an owner count read after Lock stays true until commit.
	Lock(ctx context.Context, orgID organization.ID) (organization.Organization, error)
	// Update stores o's name, slug, logo, metadata and updatedAt;
	// organization.ErrSlugTaken when the new slug is in use,
	// organization.ErrOrganizationNotFound when o does not exist.
	Update(ctx context.Context, o organization.Organization) error
	// Delete removes the organization with its members and invitations.
	// Idempotent.
	Delete(ctx context.Context, orgID organization.ID) error
	// MembershipsOf returns every membership of the user with its
	// organization, oldest first.
	MembershipsOf(ctx context.Context, userID identity.UserID) ([]organization.Membership, error)

	// AddMember inserts m; organization.ErrAlreadyMember when the user
	// already belongs to the organization, a failure.NotFound when the
	// organization or the user does not exist.
	AddMember(ctx context.Context, m organization.Member) error
	// Member returns the membership of userID in orgID, or
	// organization.ErrMemberNotFound.
	Member(ctx context.Context, orgID organization.ID, userID identity.UserID) (organization.Member, error)
	// MemberByID returns the member with that id in orgID, or
	// organization.ErrMemberNotFound (also when it belongs to another
	// organization).
	MemberByID(ctx context.Context, orgID organization.ID, memberID organization.MemberID) (organization.Member, error)
	// MemberByEmail returns the member of orgID whose user has that email,
	// or organization.ErrMemberNotFound.
	MemberByEmail(ctx context.Context, orgID organization.ID, email identity.Email) (organization.Member, error)
	// Members returns one page of the organization's members with their
	// users, and how many members match the filter in all (two reads:
	// outside a transaction they may see two moments). q must pass
	// MemberQuery.Validate (else ErrInvalidMemberQuery). Ties in the sort
	// order are broken by member id in the same direction; in with no
	// values matches nothing, not_in with none everything.
	Members(ctx context.Context, orgID organization.ID, q MemberQuery) ([]MemberWithUser, int, error)
	// CountMembers returns how many members the organization has.
	CountMembers(ctx context.Context, orgID organization.ID) (int, error)
	// OwnerCount returns how many active members hold the owner role.
	OwnerCount(ctx context.Context, orgID organization.ID) (int, error)
	// SetMemberRoles replaces a member's roles; organization.
	// ErrMemberNotFound when it no longer exists.
	SetMemberRoles(ctx context.Context, memberID organization.MemberID, roles organization.Roles) error
	// RemoveMember deletes a member; organization.ErrMemberNotFound when it
	// no longer exists.
	RemoveMember(ctx context.Context, memberID organization.MemberID) error

	// CreateInvitation inserts inv; organization.ErrAlreadyInvited when a
	// pending invitation for that address and organization exists, a
	// failure.NotFound when the organization or the inviter does not.
	CreateInvitation(ctx context.Context, inv organization.Invitation) error
	// Invitation returns the invitation, or organization.ErrInvitationNotFound.
	Invitation(ctx context.Context, invID organization.InvitationID) (organization.Invitation, error)
	// PendingInvitation returns the pending invitation of email to orgID
	// (expired or not), or organization.ErrInvitationNotFound.
	PendingInvitation(ctx context.Context, orgID organization.ID, email identity.Email) (organization.Invitation, error)
	// Invitations returns every invitation of the organization, oldest first.
	Invitations(ctx context.Context, orgID organization.ID) ([]organization.Invitation, error)
	// PendingInvitationsFor returns the pending invitations sent to email
	// that have not expired at now, oldest first, with their organization's name.
	PendingInvitationsFor(ctx context.Context, email identity.Email, now time.Time) ([]InvitationWithOrganization, error)
	// CountPendingInvitations returns how many pending invitations of the
	// organization have not expired at now.
	CountPendingInvitations(ctx context.Context, orgID organization.ID, now time.Time) (int, error)
	// TransitionInvitation moves the invitation from status from to status
	// to, only if it is still in from; false when it was not (answered or
	// gone meanwhile): of two concurrent answers exactly one wins. Moving
	// one back to pending while another is pending is
	// organization.ErrAlreadyInvited.
	TransitionInvitation(ctx context.Context, invID organization.InvitationID, from, to organization.InvitationStatus) (bool, error)
	// ExtendInvitation moves the expiry of an invitation;
	// organization.ErrInvitationNotFound when it does not exist.
	ExtendInvitation(ctx context.Context, invID organization.InvitationID, expiresAt time.Time) error
}
