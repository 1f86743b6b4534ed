package rest

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/application/authn"
)

// changePassword replaces the caller's password. Body: {newPassword,
// currentPassword, revokeOtherSessions?}. With revokeOtherSessions every
// session ends and a new one replaces the current one: its cookies are set
// and its token answered; otherwise the token is null. Answers {token,
// user}.
func (a *AuthRoutes) changePassword(c echo.Context, body requestBody) error {
	req, err := parseChangePassword(body)
	if err != nil {
		return err
	}
	cur, err := a.requireSession(c)
	if err != nil {
		return err
	}
	r := c.Request()
	out, err := a.auth.ChangePassword(r.Context(), authn.ChangePasswordInput{
		Session:             cur.Session,
		CurrentPassword:     req.currentPassword,
		NewPassword:         req.newPassword,
		RevokeOtherSessions: req.revokeOtherSessions,
		Client:              clientOf(r),
	})
	if err != nil {
		return err
	}
	var token *string
	if out.Rotated != nil {
		// As better-auth's setSessionCookie, the dont_remember cookie
		// decides whether the new cookie outlives the browser session.
		a.cookies.setSession(c.Response().Header(), r, current(*out.Rotated), a.cookies.dontRememberOf(r))
		token = &out.Rotated.Session.Token
	}
	return writeJSON(c, http.StatusOK, changePasswordResponse{Token: token, User: newUserJSON(out.User)})
}

// verifyPassword checks the caller's password. Body: {password}. Answers
// {status: true}, or INVALID_PASSWORD, also for a user without a password
// (better-auth's validatePassword reports that as a mismatch).
func (a *AuthRoutes) verifyPassword(c echo.Context, body requestBody) error {
	password, err := parseVerifyPassword(body)
	if err != nil {
		return err
	}
	cur, err := a.requireSession(c)
	if err != nil {
		return err
	}
	if err := a.auth.VerifyPassword(c.Request().Context(), cur.User.ID, password); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, statusResponse{Status: true})
}
