package rest

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// updateUser changes the caller's name and image. Body: {name?, image?:
// string|null}. It re-issues the session cookies, with a cookie cache
// entry holding the new profile, and answers {status: true}.
func (a *AuthRoutes) updateUser(c echo.Context, body requestBody) error {
	if err := parseRecord(body); err != nil {
		return err
	}
	cur, err := a.requireSession(c)
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
