package rest

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/application/authn"
)

// changeEmail starts moving the caller's account to a new address. Body:
// {newEmail, callbackURL?}; callbackURL is where the mailed link leads. It
// needs a session read from storage (better-auth's sensitiveSessionMiddleware,
// not a fresh one) and answers {status: true}, also when the address
// belongs to someone else and nothing is sent. That answer is padded to the
// enumeration floor like the other answers that must not reveal accounts.
// The same address is 400 {"message":"Email is the same"}; changes turned
// off, 400 CHANGE_EMAIL_DISABLED.
func (a *AuthRoutes) changeEmail(c echo.Context, body requestBody) error {
	req, err := parseChangeEmail(body)
	if err != nil {
		return err
	}
	cur, err := a.requireSession(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	err = a.auth.ChangeEmail(ctx, authn.ChangeEmailInput{User: cur.User, NewEmail: req.email, CallbackURL: req.callbackURL})
	padToFloor(ctx, a.enumerationFloor)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, statusResponse{Status: true})
}
