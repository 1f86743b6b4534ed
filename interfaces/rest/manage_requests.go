package rest

import (
	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
)

// Failures of the session and user management endpoints that no use case
// produces, with better-auth's codes and messages.
var (
	errEmailCannotBeUpdated = failure.New(failure.Invalid, "EMAIL_CAN_NOT_BE_UPDATED", "Email can not be updated")
	// errNoFieldsToUpdate is better-auth's message-only 400
	// (APIError.fromStatus).
	errNoFieldsToUpdate = &failure.Error{Kind: failure.Invalid, Message: "No fields to update"}
	// errActiveOrganizationNotAllowed is parseSessionInput's answer to a
	// truthy activeOrganizationId, which the organization plugin declares
	// input:false; it is changed through organization/set-active.
	errActiveOrganizationNotAllowed = failure.New(failure.Invalid, "FIELD_NOT_ALLOWED",
		"activeOrganizationId is not allowed to be set")
)

// parseRevokeSession applies z.object({token: z.string()}).
func parseRevokeSession(b requestBody) (string, error) {
	v := newValidator(b, objectSchema{})
	token, _ := v.requiredString("token")
	return token, v.err()
}

// parseRecord applies z.record(z.string(), z.any()), the whole schema of
// update-user and update-session: any object.
func parseRecord(b requestBody) error {
	return newValidator(b, objectSchema{recordOnly: true}).err()
}

// checkSessionChanges is update-session after its schema and session
// check. Beep's sessions have no field a client may set: the organization
// plugin's activeOrganizationId is input:false (a truthy value is refused,
// a falsy one ignored) and every other key is unknown and ignored, so any
// body ends in "No fields to update", as with better-auth and the plugin.
func checkSessionChanges(b requestBody) error {
	if newValidator(b, objectSchema{}).truthy("activeOrganizationId") {
		return errActiveOrganizationNotAllowed
	}
	return errNoFieldsToUpdate
}

// parseUserChanges is update-user after its schema and session check: a
// truthy email is refused (it has its own verified flow), name and image
// are the only fields (server-owned fields such as emailVerified, id,
// createdAt or role are not user input and are ignored, as better-auth
// ignores fields its schema does not declare), and with neither present
// there is nothing to update. better-auth stores whatever type it is given
// (or fails in the database); Beep requires a string name and a string or
// null image.
func parseUserChanges(b requestBody) (authn.UserChanges, error) {
	v := newValidator(b, objectSchema{})
	if v.truthy("email") {
		return authn.UserChanges{}, errEmailCannotBeUpdated
	}
	if !v.present("name") && !v.present("image") {
		return authn.UserChanges{}, errNoFieldsToUpdate
	}
	var ch authn.UserChanges
	if v.present("name") {
		ch.Name = v.optionalString("name")
	}
	ch.Image, ch.ClearImage = v.nullableString("image")
	return ch, v.err()
}

// changePasswordRequest is the body of POST /change-password.
type changePasswordRequest struct {
	newPassword         string
	currentPassword     string
	revokeOtherSessions bool
}

// parseChangePassword applies z.object({newPassword: z.string(),
// currentPassword: z.string(), revokeOtherSessions: z.boolean().optional()}).
func parseChangePassword(b requestBody) (changePasswordRequest, error) {
	v := newValidator(b, objectSchema{})
	var req changePasswordRequest
	req.newPassword, _ = v.requiredString("newPassword")
	req.currentPassword, _ = v.requiredString("currentPassword")
	if revoke := v.optionalBool("revokeOtherSessions"); revoke != nil {
		req.revokeOtherSessions = *revoke
	}
	return req, v.err()
}

// parseVerifyPassword applies z.object({password: z.string()}).
func parseVerifyPassword(b requestBody) (string, error) {
	v := newValidator(b, objectSchema{})
	password, _ := v.requiredString("password")
	return password, v.err()
}

// deleteUserRequest is the body of POST /delete-user. Empty strings count
// as absent, as better-auth tests them for truthiness.
type deleteUserRequest struct {
	callbackURL string
	password    *string
	token       *string
}

// parseDeleteUser applies z.object({callbackURL, password, token}), all
// optional strings; the body itself is required.
func parseDeleteUser(b requestBody) (deleteUserRequest, error) {
	v := newValidator(b, objectSchema{})
	req := deleteUserRequest{
		callbackURL: deref(v.optionalString("callbackURL")),
		password:    v.optionalString("password"),
		token:       v.optionalString("token"),
	}
	if req.password != nil && *req.password == "" {
		req.password = nil
	}
	if req.token != nil && *req.token == "" {
		req.token = nil
	}
	return req, v.err()
}
