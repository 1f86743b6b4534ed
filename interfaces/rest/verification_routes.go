package rest

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
)

// sendVerificationEmail mails a (new) verification link. Body: {email,
// callbackURL?}; callbackURL is where the link leads once used. Signed in,
// the address must be the caller's (EMAIL_MISMATCH) and unverified
// (EMAIL_ALREADY_VERIFIED). Signed out, the answer is always {status: true},
// no sooner than the enumeration floor, whether or not a mail went out. The
// session is read from storage: a cached copy could hold an address or
// verification state that changed since.
func (a *AuthRoutes) sendVerificationEmail(c echo.Context, body requestBody) error {
	req, err := parseSendVerification(body)
	if err != nil {
		return err
	}
	caller, err := a.optionalSession(c, sessionLookup{disableCookieCache: true})
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	in := authn.SendVerificationInput{Email: req.email.String(), CallbackURL: req.callbackURL}
	if caller != nil {
		in.Caller = &caller.User
		if err := a.auth.SendVerificationEmail(ctx, in); err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, statusResponse{Status: true})
	}
	// As better-auth, a failure is also padded: how long it took to fail
	// would tell as much as how long it took to succeed.
	err = a.auth.SendVerificationEmail(ctx, in)
	padToFloor(ctx, a.enumerationFloor)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, statusResponse{Status: true})
}

// verifyEmail redeems the link of a verification or email-change mail.
// Query: {token, callbackURL?}; callbackURL must pass the origin check. A
// token that is expired, invalid, or names a user who is gone or someone
// else sends the browser to callbackURL with ?error=<code>, or without one
// answers 401 {message, code}. Success goes to callbackURL, or answers
// {status: true, user: null}, with the user when an email change completed.
// No session is opened (Beep has no autoSignInAfterVerification).
func (a *AuthRoutes) verifyEmail(c echo.Context) error {
	tokenInURL(c)
	q, err := parseLinkQuery(c.QueryParams())
	if err != nil {
		return err
	}
	if err := a.origins.checkCallbackURL(q.callbackURL); err != nil {
		return err
	}
	var got authn.Verified
	if len(q.token) > maxEmailTokenLength {
		err = authn.ErrInvalidToken
	} else {
		got, err = a.verifyEmailAs(c, q.token, q.callbackURL)
	}
	if code, ok := linkFailure(err); ok && q.callbackURL != "" {
		return redirect(c, withErrorParam(q.callbackURL, code))
	}
	if err != nil {
		return err
	}
	if got.EmailChanged || a.cookies.cacheMaxAge > 0 {
		a.refreshCookies(c, got.User)
	}
	if q.callbackURL != "" {
		return redirect(c, q.callbackURL)
	}
	switch {
	case got.ChangeConfirmed: // better-auth answers the confirmation step with {status} alone
		return writeJSON(c, http.StatusOK, statusResponse{Status: true})
	case got.EmailChanged:
		u := newUserJSON(got.User)
		return writeJSON(c, http.StatusOK, emailVerifiedResponse{Status: true, User: &u})
	}
	return writeJSON(c, http.StatusOK, emailVerifiedResponse{Status: true})
}

// linkFailures are verify-email's failures that better-auth reports to the
// callbackURL (redirectOnError) rather than as an error response.
var linkFailures = []*failure.Error{authn.ErrTokenExpired, authn.ErrInvalidToken, authn.ErrVerifyUserNotFound, authn.ErrVerifyInvalidUser}

// linkFailure returns the code of a link failure.
func linkFailure(err error) (string, bool) {
	for _, f := range linkFailures {
		if errors.Is(err, f) {
			return f.Code, true
		}
	}
	return "", false
}

// refreshCookies re-issues the cookies of the caller's session when it
// belongs to user, so that neither the session cookie's cache entry nor the
// client keeps the address or verification state the link just changed.
// better-auth does so after an email change; with the cookie cache on Beep
// also does after a verification, which would otherwise show as unverified
// until the entry expires. Any session trouble leaves the cookies alone:
// the verification itself has succeeded.
func (a *AuthRoutes) refreshCookies(c echo.Context, user identity.User) {
	cur, err := a.optionalSession(c, sessionLookup{disableCookieCache: true, disableRefresh: true})
	if err != nil || cur == nil || cur.User.ID != user.ID {
		return
	}
	r := c.Request()
	a.cookies.setSession(c.Response().Header(), r, *cur, a.cookies.dontRememberOf(r))
}

// verifyEmailAs redeems the token on behalf of the caller's session, if
// any: an email change may not complete in another user's session.
func (a *AuthRoutes) verifyEmailAs(c echo.Context, token, callbackURL string) (authn.Verified, error) {
	in := authn.VerifyEmailInput{Token: token, CallbackURL: callbackURL}
	cur, err := a.optionalSession(c, sessionLookup{disableCookieCache: true, disableRefresh: true})
	if err != nil {
		return authn.Verified{}, err
	}
	if cur != nil {
		in.Caller = &cur.User.ID
	}
	return a.auth.VerifyEmail(c.Request().Context(), in)
}
