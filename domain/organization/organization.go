package organization

import (
	"time"

	"github.com/beep/iam/domain/failure"
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

// Failures of organizations and memberships, with better-auth's codes.
var (
	ErrOrganizationNotFound = failure.New(failure.NotFound, "ORGANIZATION_NOT_FOUND", "Organization not found")
	ErrAlreadyMember        = failure.New(failure.Conflict, "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION", "User is already a member of this organization")
)

// ErrSlugTaken is returned when an organization slug is already in use.
var ErrSlugTaken = failure.New(failure.Conflict, "ORGANIZATION_SLUG_ALREADY_TAKEN", "Organization slug already taken")
