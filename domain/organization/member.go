package organization

import (
	"strings"
	"time"

	"github.com/beep/iam/domain/id"
	"github.com/beep/iam/domain/identity"
)

// MemberID identifies a membership: "member__<uuid>".
type MemberID string

// MemberIDPrefix is the table prefix of member ids.
const MemberIDPrefix = "member"

// NewMemberID formats a fresh member id.
func NewMemberID(u id.UUID) MemberID { return MemberID(id.Format(MemberIDPrefix, u)) }

// Role is one role name. A member holds one or more, stored comma-joined as
// better-auth does ("admin,member").
type Role string

// The built-in roles.
const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
)

// Roles is a member's set of roles.
type Roles []Role

// ParseRoles splits a comma-joined role string, trimming blanks and dropping
// empty and repeated entries (better-auth keeps repeats; a member holds a
// role or does not, and "member,member,…" must not bloat every session of
// its holder).
func ParseRoles(s string) Roles {
	var out Roles
	for part := range strings.SplitSeq(s, ",") {
		if r := Role(strings.TrimSpace(part)); r != "" && !out.Has(r) {
			out = append(out, r)
		}
	}
	return out
}

// String joins the roles with commas, the storage and wire form.
func (rs Roles) String() string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = string(r)
	}
	return strings.Join(parts, ",")
}

// Has reports whether r is among the roles.
func (rs Roles) Has(r Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// MemberStatus is the state of a membership; only active memberships count.
type MemberStatus string

// Member statuses.
const (
	MemberActive    MemberStatus = "active"
	MemberSuspended MemberStatus = "suspended"
)

// Member ties a user to an organization with roles.
type Member struct {
	ID             MemberID
	OrganizationID ID
	UserID         identity.UserID
	Roles          Roles
	Status         MemberStatus
	CreatedAt      time.Time
}

// Membership is a member row seen together with its organization: what a
// session needs to know about each organization the user belongs to.
type Membership struct {
	Organization Organization
	Member       Member
}
