package rest

import (
	"encoding/json"

	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/organization"
)

// The JSON bodies of the organization endpoints, keys in better-auth's
// order (its adapter writes the schema's fields, then id), with Beep's
// organization fields after better-auth's own.

type orgJSON struct {
	Name               string          `json:"name"`
	Slug               string          `json:"slug"`
	Logo               *string         `json:"logo"`
	CreatedAt          jsonTime        `json:"createdAt"`
	Metadata           json.RawMessage `json:"metadata,omitempty"`
	Type               string          `json:"type"`
	IsPersonal         bool            `json:"isPersonal"`
	OwnerUserID        *string         `json:"ownerUserId"`
	SubscriptionTier   string          `json:"subscriptionTier"`
	SubscriptionStatus string          `json:"subscriptionStatus"`
	UpdatedAt          jsonTime        `json:"updatedAt"`
	ID                 string          `json:"id"`
}

// metadataAs says how metadata goes on the wire: better-auth stores the
// JSON text and returns it parsed, or left out when there is none, from
// create and update, and as that text (or null) everywhere else.
type metadataAs bool

const (
	metadataParsed metadataAs = true
	metadataText   metadataAs = false
)

func newOrgJSON(o organization.Organization, as metadataAs) orgJSON {
	var meta json.RawMessage
	if as == metadataText {
		meta = json.RawMessage("null")
	}
	if o.Metadata != nil {
		if as == metadataParsed {
			meta = json.RawMessage(*o.Metadata)
		} else if text, err := json.Marshal(*o.Metadata); err == nil {
			meta = text
		}
	}
	var owner *string
	if o.OwnerUserID != "" {
		id := string(o.OwnerUserID)
		owner = &id
	}
	return orgJSON{
		Name: o.Name, Slug: o.Slug, Logo: o.Logo, CreatedAt: jsonTime(o.CreatedAt), Metadata: meta,
		Type: string(o.Type), IsPersonal: o.IsPersonal, OwnerUserID: owner,
		SubscriptionTier: string(o.SubscriptionTier), SubscriptionStatus: string(o.SubscriptionStatus),
		UpdatedAt: jsonTime(o.UpdatedAt), ID: string(o.ID),
	}
}

func newOrgsJSON(list []organization.Organization) []orgJSON {
	out := make([]orgJSON, 0, len(list))
	for _, o := range list {
		out = append(out, newOrgJSON(o, metadataText))
	}
	return out
}

type memberJSON struct {
	OrganizationID string   `json:"organizationId"`
	UserID         string   `json:"userId"`
	Role           string   `json:"role"`
	CreatedAt      jsonTime `json:"createdAt"`
	Status         string   `json:"status"`
	ID             string   `json:"id"`
}

func newMemberJSON(m organization.Member) memberJSON {
	return memberJSON{
		OrganizationID: string(m.OrganizationID), UserID: string(m.UserID), Role: m.Roles.String(),
		CreatedAt: jsonTime(m.CreatedAt), Status: string(m.Status), ID: string(m.ID),
	}
}

// memberUserJSON is the public profile of a member's user.
type memberUserJSON struct {
	ID    string  `json:"id"`
	Name  string  `json:"name"`
	Email string  `json:"email"`
	Image *string `json:"image"`
}

type memberWithUserJSON struct {
	memberJSON
	User memberUserJSON `json:"user"`
}

func newMemberWithUserJSON(m tenancy.MemberWithUser) memberWithUserJSON {
	u := m.User
	return memberWithUserJSON{
		memberJSON: newMemberJSON(m.Member),
		User:       memberUserJSON{ID: string(u.ID), Name: u.Name, Email: u.Email.String(), Image: u.Image},
	}
}

func newMembersWithUserJSON(list []tenancy.MemberWithUser) []memberWithUserJSON {
	out := make([]memberWithUserJSON, 0, len(list))
	for _, m := range list {
		out = append(out, newMemberWithUserJSON(m))
	}
	return out
}

type invitationJSON struct {
	OrganizationID string   `json:"organizationId"`
	Email          string   `json:"email"`
	Role           string   `json:"role"`
	Status         string   `json:"status"`
	ExpiresAt      jsonTime `json:"expiresAt"`
	CreatedAt      jsonTime `json:"createdAt"`
	InviterID      string   `json:"inviterId"`
	ID             string   `json:"id"`
}

func newInvitationJSON(inv organization.Invitation) invitationJSON {
	return invitationJSON{
		OrganizationID: string(inv.OrganizationID), Email: inv.Email.String(), Role: inv.Roles.String(),
		Status: string(inv.Status), ExpiresAt: jsonTime(inv.ExpiresAt), CreatedAt: jsonTime(inv.CreatedAt),
		InviterID: string(inv.InviterID), ID: string(inv.ID),
	}
}

func newInvitationsJSON(list []organization.Invitation) []invitationJSON {
	out := make([]invitationJSON, 0, len(list))
	for _, inv := range list {
		out = append(out, newInvitationJSON(inv))
	}
	return out
}

// createdOrgJSON is create's answer: the organization with its metadata
// parsed and its one member.
type createdOrgJSON struct {
	orgJSON
	Members []memberJSON `json:"members"`
}

// fullOrgJSON is get-full-organization's answer.
type fullOrgJSON struct {
	orgJSON
	Invitations []invitationJSON     `json:"invitations"`
	Members     []memberWithUserJSON `json:"members"`
}

type invitationDetailsJSON struct {
	invitationJSON
	OrganizationName string `json:"organizationName"`
	OrganizationSlug string `json:"organizationSlug"`
	InviterEmail     string `json:"inviterEmail"`
}

type userInvitationJSON struct {
	invitationJSON
	OrganizationName string `json:"organizationName"`
}

type acceptedJSON struct {
	Invitation invitationJSON `json:"invitation"`
	Member     memberJSON     `json:"member"`
}

type rejectedJSON struct {
	Invitation invitationJSON `json:"invitation"`
	Member     *memberJSON    `json:"member"`
}

type removedMemberJSON struct {
	Member memberJSON `json:"member"`
}

type membersPageJSON struct {
	Members []memberWithUserJSON `json:"members"`
	Total   int                  `json:"total"`
}

type roleJSON struct {
	Role string `json:"role"`
}

type permissionJSON struct {
	Error   *string `json:"error"`
	Success bool    `json:"success"`
}
