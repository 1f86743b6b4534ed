package organization

import (
	"time"

	"github.com/beep/iam/domain/id"
	"github.com/beep/iam/domain/identity"
)

// InvitationID identifies an invitation: "invitation__<uuid>".
type InvitationID string

// InvitationIDPrefix is the table prefix of invitation ids.
const InvitationIDPrefix = "invitation"

// NewInvitationID formats a fresh invitation id.
func NewInvitationID(u id.UUID) InvitationID {
	return InvitationID(id.Format(InvitationIDPrefix, u))
}

// InvitationStatus is where an invitation is in its life.
type InvitationStatus string

// Invitation statuses.
const (
	InvitationPending  InvitationStatus = "pending"
	InvitationAccepted InvitationStatus = "accepted"
	InvitationRejected InvitationStatus = "rejected"
	InvitationCanceled InvitationStatus = "canceled"
)

// Invitation asks the owner of Email to join an organization with Roles.
type Invitation struct {
	ID             InvitationID
	OrganizationID ID
	Email          identity.Email
	Roles          Roles
	InviterID      identity.UserID
	Status         InvitationStatus
	ExpiresAt      time.Time
	CreatedAt      time.Time
}

// Open reports whether the invitation can still be accepted at now.
func (i Invitation) Open(now time.Time) bool {
	return i.Status == InvitationPending && now.Before(i.ExpiresAt)
}

// NewInvitation builds a pending invitation that expires after ttl.
func NewInvitation(invID InvitationID, orgID ID, email identity.Email, roles Roles, inviter identity.UserID, now time.Time, ttl time.Duration) Invitation {
	return Invitation{
		ID: invID, OrganizationID: orgID, Email: email, Roles: roles, InviterID: inviter,
		Status: InvitationPending, ExpiresAt: now.Add(ttl), CreatedAt: now,
	}
}
