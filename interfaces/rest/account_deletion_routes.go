package rest

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
)

// Failures of delete-user/callback that no use case words this way
// (api/routes/update-user.mjs deleteUserCallback).
var (
	// errNoSessionForDeletion: the link deletes the signed-in user only.
	errNoSessionForDeletion = failure.New(failure.NotFound, "FAILED_TO_GET_USER_INFO", "Failed to get user info")
	// errDeletionNotFound is the callback's answer when deletion is off;
	// POST /delete-user's is an empty 404 (authn.ErrDeleteUserDisabled).
	errDeletionNotFound = failure.New(failure.NotFound, "NOT_FOUND", "Not found")
)

// deleteUser deletes the caller's account once deletion is enabled. Body:
// {callbackURL?, password?, token?}. A password, when given, must be right;
// a token completes a confirmation mailed earlier; without either the
// session must be fresh. When deletion is confirmed by email the answer is
// {success: true, message: "Verification email sent"} and the mailed link
// leads to callbackURL; otherwise the session cookies are expired and the
// answer is {success: true, message: "User deleted"}.
func (a *AuthRoutes) deleteUser(c echo.Context, body requestBody) error {
	req, err := parseDeleteUser(body)
	if err != nil {
		return err
	}
	cur, err := a.requireSession(c)
	if err != nil {
		return err
	}
	r := c.Request()
	out, err := a.auth.DeleteUser(r.Context(), authn.DeleteUserInput{
		Session: cur.Session, Password: req.password, Token: req.token, CallbackURL: req.callbackURL,
	})
	switch {
	case err != nil:
		return err
	case out.ConfirmationSent:
		return writeJSON(c, http.StatusOK, deleteUserResponse{Success: true, Message: "Verification email sent"})
	case out.Deleted:
		a.cookies.deleteSession(c.Response().Header(), r)
		return writeJSON(c, http.StatusOK, deleteUserResponse{Success: true, Message: "User deleted"})
	}
	return errors.New("delete-user: the use case reported neither a deletion nor a confirmation")
}

// deleteUserCallback is the mailed deletion link, GET
// /delete-user/callback?token&callbackURL. It deletes the signed-in user
// the token was issued to (404 FAILED_TO_GET_USER_INFO without a session,
// 404 INVALID_TOKEN for a token that is unknown, used, expired or someone
// else's), expires the session cookies, and then sends the browser to
// callbackURL (origin-checked) or answers {success: true, message: "User
// deleted"}. A cross-site page cannot use it: the token is known only to
// the mailbox.
func (a *AuthRoutes) deleteUserCallback(c echo.Context) error {
	tokenInURL(c)
	q, err := parseLinkQuery(c.QueryParams())
	if err != nil {
		return err
	}
	if err := a.origins.checkCallbackURL(q.callbackURL); err != nil {
		return err
	}
	cur, err := a.optionalSession(c, sessionLookup{disableCookieCache: true})
	if err != nil {
		return err
	}
	if cur == nil {
		return errNoSessionForDeletion
	}
	r := c.Request()
	if len(q.token) > maxOpaqueTokenLength {
		err = authn.ErrInvalidDeleteToken
	} else {
		err = a.auth.ConfirmDeletion(r.Context(), cur.User.ID, q.token)
	}
	if errors.Is(err, authn.ErrDeleteUserDisabled) {
		return errDeletionNotFound
	}
	if err != nil {
		return err
	}
	a.cookies.deleteSession(c.Response().Header(), r)
	if q.callbackURL != "" {
		return redirect(c, q.callbackURL)
	}
	return writeJSON(c, http.StatusOK, deleteUserResponse{Success: true, Message: "User deleted"})
}
