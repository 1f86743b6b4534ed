package rest

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/application/authn"
)

// resetRequestedMessage is request-password-reset's one answer.
const resetRequestedMessage = "If this email exists in our system, check your email for the reset link"

// requestPasswordReset mails a reset link to the account with that address,
// if there is one. Body: {email, redirectTo?}; redirectTo (checked by
// withBody: 403 INVALID_REDIRECT_URL) is where the link leads. The answer is
// the same bytes either way and, beyond better-auth, no sooner than the
// enumeration floor: only a real account costs a stored token and a queued
// mail, which would otherwise show in the timing.
func (a *AuthRoutes) requestPasswordReset(c echo.Context, body requestBody) error {
	req, err := parseRequestPasswordReset(body)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	err = a.auth.RequestPasswordReset(ctx, req.email, req.callbackURL)
	padToFloor(ctx, a.enumerationFloor)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, passwordResetRequested{Status: true, Message: resetRequestedMessage})
}

// resetPasswordCallback is the mailed link's landing step, GET
// /reset-password/:token?callbackURL. callbackURL is required and must pass
// the origin check; resolved against the base URL, it receives ?token=<token>
// when the token can still be used, else ?error=INVALID_TOKEN. The token is
// looked at, not used up. An empty callbackURL goes to the auth server's
// /error page, as in better-auth (api/routes/password.mjs redirectError).
func (a *AuthRoutes) resetPasswordCallback(c echo.Context) error {
	token := c.Param("token")
	if strings.Contains(token, "/") {
		// echo lets the last parameter run over "/"; better-call's router
		// matches one segment only.
		return echo.ErrNotFound
	}
	tokenInURL(c)
	qv := newQueryValidator(c.QueryParams())
	callbackURL := qv.requiredString("callbackURL")
	if err := qv.err(); err != nil {
		return err
	}
	if err := a.origins.checkCallbackURL(callbackURL); err != nil {
		return err
	}
	if callbackURL == "" {
		return redirect(c, a.authURL("/error?error=INVALID_TOKEN"))
	}
	valid := false
	if token != "" && len(token) <= maxOpaqueTokenLength {
		var err error
		if valid, err = a.auth.ResetTokenValid(c.Request().Context(), token); err != nil {
			return err
		}
	}
	if !valid {
		return redirect(c, a.resolveWithParam(callbackURL, "error", "INVALID_TOKEN"))
	}
	return redirect(c, a.resolveWithParam(callbackURL, "token", token))
}

// resetPassword sets a new password with a reset token. Body: {newPassword,
// token?}; the token may come from the query instead. No token, or one that
// is unknown, used or expired, is 400 INVALID_TOKEN; a password of the
// wrong length PASSWORD_TOO_SHORT/LONG. Answers {status: true}; no session
// is opened and no cookie set.
func (a *AuthRoutes) resetPassword(c echo.Context, body requestBody) error {
	req, err := parseResetPassword(body, c.QueryParams())
	if err != nil {
		return err
	}
	if req.token == "" || len(req.token) > maxOpaqueTokenLength {
		return authn.ErrInvalidResetToken
	}
	if err := a.auth.ResetPassword(c.Request().Context(), req.token, req.newPassword); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, statusResponse{Status: true})
}
