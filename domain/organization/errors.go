package organization

import "github.com/beep/iam/domain/failure"

// Failures of the organization rules, with better-auth's codes and
// messages (plugins/organization/error-codes.ts). The kinds say what went
// wrong; the HTTP edge knows where better-auth answers a code with another
// status (e.g. 400 for most "not found"s).
var (
	ErrOrganizationNotFound = failure.New(failure.NotFound, "ORGANIZATION_NOT_FOUND", "Organization not found")
	ErrSlugTaken            = failure.New(failure.Conflict, "ORGANIZATION_SLUG_ALREADY_TAKEN", "Organization slug already taken")
	ErrOrganizationExists   = failure.New(failure.Conflict, "ORGANIZATION_ALREADY_EXISTS", "Organization already exists")
	ErrNoActiveOrganization = failure.New(failure.Invalid, "NO_ACTIVE_ORGANIZATION", "No active organization")
	ErrCreateNotAllowed     = failure.New(failure.Forbidden, "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION", "You are not allowed to create a new organization")
	ErrOrganizationLimit    = failure.New(failure.Forbidden, "YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS", "You have reached the maximum number of organizations")
	ErrUpdateNotAllowed     = failure.New(failure.Forbidden, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION", "You are not allowed to update this organization")
	ErrDeleteNotAllowed     = failure.New(failure.Forbidden, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION", "You are not allowed to delete this organization")

	// ErrNotAMember answers a caller acting on an organization they do not
	// belong to (400 on update and delete, 403 on reads, as better-auth).
	ErrNotAMember = failure.New(failure.Forbidden, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION", "User is not a member of the organization")
	// ErrNotAMemberOfThis is the same refusal in the wording better-auth
	// uses on list-members and get-active-member-role.
	ErrNotAMemberOfThis = failure.New(failure.Forbidden, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION", "You are not a member of this organization")

	ErrMemberNotFound         = failure.New(failure.NotFound, "MEMBER_NOT_FOUND", "Member not found")
	ErrAlreadyMember          = failure.New(failure.Conflict, "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION", "User is already a member of this organization")
	ErrMembershipLimit        = failure.New(failure.Forbidden, "ORGANIZATION_MEMBERSHIP_LIMIT_REACHED", "Organization membership limit reached")
	ErrRemoveNotAllowed       = failure.New(failure.Forbidden, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER", "You are not allowed to delete this member")
	ErrUpdateMemberNotAllowed = failure.New(failure.Forbidden, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER", "You are not allowed to update this member")
	ErrOnlyOwnerCannotLeave   = failure.New(failure.Invalid, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER", "You cannot leave the organization as the only owner")
	ErrWouldHaveNoOwner       = failure.New(failure.Invalid, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER", "You cannot leave the organization without an owner")
	ErrRoleNotFound           = failure.New(failure.Invalid, "ROLE_NOT_FOUND", "Role not found")

	ErrInviteNotAllowed         = failure.New(failure.Forbidden, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION", "You are not allowed to invite users to this organization")
	ErrInviteRoleNotAllowed     = failure.New(failure.Forbidden, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE", "You are not allowed to invite a user with this role")
	ErrAlreadyInvited           = failure.New(failure.Conflict, "USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION", "User is already invited to this organization")
	ErrInvitationLimit          = failure.New(failure.Forbidden, "INVITATION_LIMIT_REACHED", "Invitation limit reached")
	ErrInvitationNotFound       = failure.New(failure.NotFound, "INVITATION_NOT_FOUND", "Invitation not found")
	ErrNotRecipient             = failure.New(failure.Forbidden, "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION", "You are not the recipient of the invitation")
	ErrVerifyBeforeAccepting    = failure.New(failure.Precondition, "EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION", "Email verification required before accepting or rejecting invitation")
	ErrVerifyBeforeListing      = failure.New(failure.Precondition, "EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION", "Email verification required to view or list invitations for the session email")
	ErrCancelNotAllowed         = failure.New(failure.Forbidden, "YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION", "You are not allowed to cancel this invitation")
	ErrListInvitationsForbidden = failure.New(failure.Forbidden, "YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS", "You are not allowed to list invitations for this organization")
	ErrInviterGone              = failure.New(failure.Invalid, "INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION", "Inviter is no longer a member of the organization")

	// Beep's personal-organization rules, which better-auth lacks.
	ErrPersonalNotDeletable = failure.New(failure.Invalid, "PERSONAL_ORGANIZATION_CANNOT_BE_DELETED", "A personal organization cannot be deleted")
	ErrPersonalNotLeavable  = failure.New(failure.Invalid, "PERSONAL_ORGANIZATION_CANNOT_BE_LEFT", "You cannot leave your personal organization")
	ErrPersonalNotShared    = failure.New(failure.Invalid, "PERSONAL_ORGANIZATION_CANNOT_HAVE_MEMBERS", "A personal organization has no members but its owner")

	// Input rules.
	ErrInvalidSlug     = failure.New(failure.Invalid, "INVALID_SLUG", "Slug must be 1 to 100 lower-case letters, digits and single hyphens")
	ErrInvalidOrgName  = failure.New(failure.Invalid, "INVALID_ORGANIZATION_NAME", "Organization name must be 1 to 256 characters without control characters")
	ErrInvalidLogo     = failure.New(failure.Invalid, "INVALID_LOGO", "Logo must be at most 2048 characters without control characters")
	ErrInvalidMetadata = failure.New(failure.Invalid, "INVALID_METADATA", "Metadata must be a JSON object of at most 8192 bytes")
)
