package session

import (
	"sort"

	"github.com/beep/iam/domain/organization"
)

// OrganizationSummary is what a session knows of one organization of its
// user: the organizationContext entry of the wire.
type OrganizationSummary struct {
	Name             string
	Type             organization.Type
	Role             string
	IsPersonal       bool
	SubscriptionTier organization.Tier
}

// OrganizationContext maps each organization the user is an active member
// of to its summary.
type OrganizationContext map[organization.ID]OrganizationSummary

// ContextFor computes the organization context of a user from their
// memberships, and the organization a new session starts in: the first
// active membership, personal organization first, then oldest membership
// first. Inactive memberships count for neither. The result is recomputed
// from storage whenever it is served, so a role change shows at once.
func ContextFor(memberships []organization.Membership) (OrganizationContext, *organization.ID) {
	active := make([]organization.Membership, 0, len(memberships))
	for _, m := range memberships {
		if m.Member.Status == organization.MemberActive {
			active = append(active, m)
		}
	}
	sort.SliceStable(active, func(i, j int) bool {
		a, b := active[i], active[j]
		if a.Organization.IsPersonal != b.Organization.IsPersonal {
			return a.Organization.IsPersonal
		}
		return a.Member.CreatedAt.Before(b.Member.CreatedAt)
	})
	ctx := make(OrganizationContext, len(active))
	for _, m := range active {
		ctx[m.Organization.ID] = OrganizationSummary{
			Name:             m.Organization.Name,
			Type:             m.Organization.Type,
			Role:             m.Member.Roles.String(),
			IsPersonal:       m.Organization.IsPersonal,
			SubscriptionTier: m.Organization.SubscriptionTier,
		}
	}
	if len(active) == 0 {
		return ctx, nil
	}
	first := active[0].Organization.ID
	return ctx, &first
}
