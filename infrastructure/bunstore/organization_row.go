package bunstore

import (
	"time"

	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/uptrace/bun"
)

// organizationRow is a row of organizations. owner_user_id is NULL once the
// user who created the organization is deleted (a team organization outlives
// its creator); it maps to an empty OwnerUserID, and an empty one is stored as
// NULL.
type organizationRow struct {
	bun.BaseModel `bun:"table:organizations,alias:o"`

	ID                 string    `bun:"id,pk"`
	Name               string    `bun:"name,notnull"`
	Slug               string    `bun:"slug,notnull"`
	Logo               *string   `bun:"logo"`
	Metadata           *string   `bun:"metadata"`
	Type               string    `bun:"type,notnull"`
	IsPersonal         bool      `bun:"is_personal,notnull"`
	OwnerUserID        string    `bun:"owner_user_id,nullzero"`
	SubscriptionTier   string    `bun:"subscription_tier,notnull"`
	SubscriptionStatus string    `bun:"subscription_status,notnull"`
	CreatedAt          time.Time `bun:"created_at,notnull"`
	UpdatedAt          time.Time `bun:"updated_at,notnull"`
}

func organizationFromDomain(o organization.Organization) *organizationRow {
	return &organizationRow{
		ID: string(o.ID), Name: o.Name, Slug: o.Slug, Logo: o.Logo, Metadata: o.Metadata, Type: string(o.Type),
		IsPersonal: o.IsPersonal, OwnerUserID: string(o.OwnerUserID), SubscriptionTier: string(o.SubscriptionTier),
		SubscriptionStatus: string(o.SubscriptionStatus), CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
	}
}

func (r *organizationRow) toDomain() organization.Organization {
	return organization.Organization{
		ID: organization.ID(r.ID), Name: r.Name, Slug: r.Slug, Logo: r.Logo, Metadata: r.Metadata,
		Type: organization.Type(r.Type), IsPersonal: r.IsPersonal, OwnerUserID: identity.UserID(r.OwnerUserID),
		SubscriptionTier:   organization.Tier(r.SubscriptionTier),
		SubscriptionStatus: organization.SubscriptionStatus(r.SubscriptionStatus),
		CreatedAt:          r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// memberRow is a row of members. Organization and User are filled only by
// queries that join them (MembershipsOf, Members); inserts ignore them.
type memberRow struct {
	bun.BaseModel `bun:"table:members,alias:m"`

	ID             string `bun:"id,pk"`
	OrganizationID string `bun:"organization_id,notnull"`
	UserID         string `bun:"user_id,notnull"`
	// Role holds the member's roles comma-joined, as better-auth stores them.
	Role      string    `bun:"role,notnull"`
	Status    string    `bun:"status,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`

	Organization *organizationRow `bun:"rel:belongs-to,join:organization_id=id"`
	User         *userRow         `bun:"rel:belongs-to,join:user_id=id"`
}

func memberFromDomain(m organization.Member) *memberRow {
	return &memberRow{
		ID: string(m.ID), OrganizationID: string(m.OrganizationID), UserID: string(m.UserID),
		Role: m.Roles.String(), Status: string(m.Status), CreatedAt: m.CreatedAt,
	}
}

func (r *memberRow) toDomain() organization.Member {
	return organization.Member{
		ID: organization.MemberID(r.ID), OrganizationID: organization.ID(r.OrganizationID),
		UserID: identity.UserID(r.UserID), Roles: organization.ParseRoles(r.Role),
		Status: organization.MemberStatus(r.Status), CreatedAt: r.CreatedAt.UTC(),
	}
}

// invitationRow is a row of invitations. Organization is filled only by
// queries that join it (PendingInvitationsFor).
type invitationRow struct {
	bun.BaseModel `bun:"table:invitations,alias:i"`

	ID             string `bun:"id,pk"`
	OrganizationID string `bun:"organization_id,notnull"`
	Email          string `bun:"email,notnull"`
	// Role holds the invited roles comma-joined, as on members.
	Role      string    `bun:"role,notnull"`
	InviterID string    `bun:"inviter_id,notnull"`
	Status    string    `bun:"status,notnull"`
	ExpiresAt time.Time `bun:"expires_at,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`

	Organization *organizationRow `bun:"rel:belongs-to,join:organization_id=id"`
}

func invitationFromDomain(inv organization.Invitation) *invitationRow {
	return &invitationRow{
		ID: string(inv.ID), OrganizationID: string(inv.OrganizationID), Email: string(inv.Email),
		Role: inv.Roles.String(), InviterID: string(inv.InviterID), Status: string(inv.Status),
		ExpiresAt: inv.ExpiresAt, CreatedAt: inv.CreatedAt,
	}
}

// toDomain rebuilds the invitation; the email was canonical when stored.
func (r *invitationRow) toDomain() organization.Invitation {
	return organization.Invitation{
		ID: organization.InvitationID(r.ID), OrganizationID: organization.ID(r.OrganizationID),
		Email: identity.Email(r.Email), Roles: organization.ParseRoles(r.Role), InviterID: identity.UserID(r.InviterID),
		Status: organization.InvitationStatus(r.Status), ExpiresAt: r.ExpiresAt.UTC(), CreatedAt: r.CreatedAt.UTC(),
	}
}
