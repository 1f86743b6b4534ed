package organization

import (
	"strings"
	"time"

	"github.com/beep/iam/domain/identity"
)

// Folder strips diacritics from text (NFKD, then drop combining marks). It is
// a parameter because Unicode tables are not in the standard library; the
// application passes one built on golang.org/x/text.
type Folder func(string) string

// maxSlugBase bounds the name part of a slug so slugs stay readable in URLs.
const maxSlugBase = 48

// Slug turns a display name into a URL-safe slug: fold accents, lower-case,
// collapse every run of characters outside [a-z0-9] into one "-", trim "-"
// and bound the length. An empty result becomes "user".
func Slug(name string, fold Folder) string {
	folded := strings.ToLower(fold(name))
	var b strings.Builder
	dash := false
	for _, r := range folded {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			if b.Len() >= maxSlugBase {
				break
			}
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return "user"
	}
	return b.String()
}

// PersonalSlug is the slug of a user's personal organization: the slug of the
// name and the last suffixLen characters of the user id. On a collision the
// caller retries with a longer suffix.
func PersonalSlug(name string, userID identity.UserID, suffixLen int, fold Folder) string {
	uid := strings.ReplaceAll(string(userID), "-", "")
	if suffixLen > len(uid) {
		suffixLen = len(uid)
	}
	return Slug(name, fold) + "-" + strings.ToLower(uid[len(uid)-suffixLen:])
}

// PersonalName is the display name of a user's personal organization.
func PersonalName(userName string) string {
	if strings.TrimSpace(userName) == "" {
		userName = "User"
	}
	return userName + "'s Organization"
}

// NewPersonal builds the personal organization of user and its owner member.
// Both are written in the same transaction as the user: there is never a
// user without a personal organization.
func NewPersonal(orgID ID, memberID MemberID, user identity.User, slug string, now time.Time) (Organization, Member) {
	org := Organization{
		ID:                 orgID,
		Name:               PersonalName(user.Name),
		Slug:               slug,
		Type:               TypeIndividual,
		IsPersonal:         true,
		OwnerUserID:        user.ID,
		SubscriptionTier:   TierFree,
		SubscriptionStatus: SubscriptionActive,
		CreatedAt:          now,
		UpdatedAt:          now,
	}
	owner := Member{
		ID:             memberID,
		OrganizationID: orgID,
		UserID:         user.ID,
		Roles:          Roles{RoleOwner},
		Status:         MemberActive,
		CreatedAt:      now,
	}
	return org, owner
}
