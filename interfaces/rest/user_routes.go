package rest

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/application/authn"
)

// updateUser changes the caller's name and image. Body: {name?, image?:
// string|null}. It re-issues the session cookies, with a cookie cache
// entry holding the new profile, and answers {status: true}.
func (a *AuthRoutes) updateUser(c echo.Context, body requestBody) error {
	if err := parseRecord(body); err != nil {
		return err
	}
	cur, err := a.requireSession(c, false)
	if err != nil {
		return err
	}
	changes, err := parseUserChanges(body)
	if err != nil {
		return err
	}
	r := c.Request()
	cur.User, err = a.auth.UpdateUser(r.Context(), cur.User.ID, changes)
	if err != nil {
		return err
	}
	a.cookies.setSession(c.Response().Header(), r, cur, a.cookies.dontRememberOf(r))
	return writeJSON(c, http.StatusOK, statusResponse{Status: true})
}

// deleteUser deletes the caller's account once deletion is enabled. Body:
// {callbackURL?, password?, token?}. A password, when given, must be right;
// without one the session must be fresh. On success the session cookies
// are expired and the answer is {success: true, message: "User deleted"}.
func (a *AuthRoutes) deleteUser(c echo.Context, body requestBody) error {
	req, err := parseDeleteUser(body)
	if err != nil {
		return err
	}
	cur, err := a.requireSession(c, true)
	if err != nil {
		return err
	}
	r := c.Request()
	if err := a.auth.DeleteUser(r.Context(), authn.DeleteUserInput{Session: cur.Session, Password: req.password, Token: req.token}); err != nil {
		return err
	}
	a.cookies.deleteSession(c.Response().Header(), r)
	return writeJSON(c, http.StatusOK, deleteUserResponse{Success: true, Message: "User deleted"})
}
