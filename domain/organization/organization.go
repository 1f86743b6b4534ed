package organization

import (
	"time"

	"github.com/beep/iam/domain/id"
	"github.com/beep/iam/domain/identity"
)

// ID identifies an organization: "organization__<uuid>".
type ID string

// IDPrefix is the table prefix of organization ids.
const IDPrefix = "organization"

// NewID formats a fresh organization id.
func NewID(u id.UUID) ID { return ID(id.Format(IDPrefix, u)) }

// Type distinguishes personal organizations from shared ones.
type Type string

// Organization types.
const (
	TypeIndividual Type = "individual"
	TypeTeam       Type = "team"
	TypeEnterprise Type = "enterprise"
)

// Tier is the subscription tier.
type Tier string

// Subscription tiers.
const (
	TierFree       Tier = "free"
	TierPlus       Tier = "plus"
	TierPro        Tier = "pro"
	TierEnterprise Tier = "enterprise"
)

// SubscriptionStatus is the state of the subscription.
type SubscriptionStatus string

// Subscription statuses.
const (
	SubscriptionActive   SubscriptionStatus = "active"
	SubscriptionCanceled SubscriptionStatus = "canceled"
)

// Organization is a tenant. Metadata is kept as the JSON text the client
// sent, as better-auth stores it.
type Organization struct {
	ID                 ID
	Name               string
	Slug               string
	Logo               *string
	Metadata           *string
	Type               Type
	IsPersonal         bool
	OwnerUserID        identity.UserID
	SubscriptionTier   Tier
	SubscriptionStatus SubscriptionStatus
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// NewTeam builds an organization a user creates: type team, not personal,
// free and active, created by creator.
func NewTeam(orgID ID, name, slug string, logo, metadata *string, creator identity.UserID, now time.Time) Organization {
	return Organization{
		ID: orgID, Name: name, Slug: slug, Logo: logo, Metadata: metadata,
		Type: TypeTeam, OwnerUserID: creator,
		SubscriptionTier: TierFree, SubscriptionStatus: SubscriptionActive,
		CreatedAt: now, UpdatedAt: now,
	}
}

// NewOwner builds the owner membership of the user who created an
// organization.
func NewOwner(memberID MemberID, orgID ID, userID identity.UserID, now time.Time) Member {
	return NewMember(memberID, orgID, userID, Roles{RoleOwner}, now)
}

// NewMember builds an active membership with roles.
func NewMember(memberID MemberID, orgID ID, userID identity.UserID, roles Roles, now time.Time) Member {
	return Member{ID: memberID, OrganizationID: orgID, UserID: userID, Roles: roles, Status: MemberActive, CreatedAt: now}
}
