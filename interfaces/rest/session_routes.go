package rest

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// listSessions answers the caller's live sessions, tokens included, each
// as get-session's session object. It needs a fresh session
// (SESSION_NOT_FRESH, decided by the use case) because the answer lets its
// holder act as any of them; no-store keeps the tokens out of caches.
func (a *AuthRoutes) listSessions(c echo.Context) error {
	cur, err := a.requireSession(c)
	if err != nil {
		return err
	}
	list, err := a.auth.ListSessions(c.Request().Context(), cur.Session)
	if err != nil {
		return err
	}
	out := make([]sessionJSON, 0, len(list))
	for _, s := range list {
		out = append(out, newSessionJSON(s, cur.Context))
	}
	noStore(c)
	return writeJSON(c, http.StatusOK, out)
}

// revokeSession ends one of the caller's sessions. Body: {token}. It
// always answers {status: true}, whether or not the token was the
// caller's, so it reveals nothing about other users' tokens. Revoking the
// current session also expires its cookies.
func (a *AuthRoutes) revokeSession(c echo.Context, body requestBody) error {
	token, err := parseRevokeSession(body)
	if err != nil {
		return err
	}
	cur, err := a.requireSession(c)
	if err != nil {
		return err
	}
	if err := a.auth.RevokeSession(c.Request().Context(), cur.Session.UserID, token); err != nil {
		return err
	}
	if token == cur.Session.Token {
		a.cookies.deleteSession(c.Response().Header(), c.Request())
	}
	return writeJSON(c, http.StatusOK, statusResponse{Status: true})
}

// revokeSessions ends every session of the caller, the current one
// included, and expires its cookies. Any JSON body is accepted and
// ignored. Answers {status: true}.
func (a *AuthRoutes) revokeSessions(c echo.Context, _ requestBody) error {
	cur, err := a.requireSession(c)
	if err != nil {
		return err
	}
	if err := a.auth.RevokeSessions(c.Request().Context(), cur.Session.UserID); err != nil {
		return err
	}
	a.cookies.deleteSession(c.Response().Header(), c.Request())
	return writeJSON(c, http.StatusOK, statusResponse{Status: true})
}

// revokeOtherSessions ends every session of the caller but the current
// one. Any JSON body is accepted and ignored. Answers {status: true}.
func (a *AuthRoutes) revokeOtherSessions(c echo.Context, _ requestBody) error {
	cur, err := a.requireSession(c)
	if err != nil {
		return err
	}
	if err := a.auth.RevokeOtherSessions(c.Request().Context(), cur.Session.UserID, cur.Session.Token); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, statusResponse{Status: true})
}

// updateSession is better-auth's endpoint for client-settable session
// fields, of which Beep has none: after the schema (any object) and the
// session check it refuses activeOrganizationId and otherwise answers
// "No fields to update".
func (a *AuthRoutes) updateSession(c echo.Context, body requestBody) error {
	if err := parseRecord(body); err != nil {
		return err
	}
	if _, err := a.requireSession(c); err != nil {
		return err
	}
	return checkSessionChanges(body)
}
