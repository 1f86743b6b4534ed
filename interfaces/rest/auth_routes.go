package rest

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/session"
)

// Authenticator is what the auth endpoints need from the use cases;
// *authn.Service satisfies it.
type Authenticator interface {
	SignUp(ctx context.Context, in authn.SignUpInput) (authn.Authenticated, error)
	SignIn(ctx context.Context, in authn.SignInInput) (authn.Authenticated, error)
	GetSession(ctx context.Context, q authn.SessionQuery) (authn.CurrentSession, error)
	SignOut(ctx context.Context, token string) error
	// CacheStale reports whether a cookie-cache entry for token, issued to
	// userID at issuedAt, must not be trusted (revoked session, changed
	// organization context); true when in doubt.
	CacheStale(ctx context.Context, token string, userID identity.UserID, issuedAt time.Time) bool
	ListSessions(ctx context.Context, current session.Session) ([]session.Session, error)
	RevokeSession(ctx context.Context, userID identity.UserID, token string) error
	RevokeSessions(ctx context.Context, userID identity.UserID) error
	RevokeOtherSessions(ctx context.Context, userID identity.UserID, keep string) error
	UpdateUser(ctx context.Context, userID identity.UserID, ch authn.UserChanges) (identity.User, error)
	ChangePassword(ctx context.Context, in authn.ChangePasswordInput) (authn.PasswordChanged, error)
	VerifyPassword(ctx context.Context, userID identity.UserID, password string) error
	DeleteUser(ctx context.Context, in authn.DeleteUserInput) (authn.DeleteOutcome, error)
	ConfirmDeletion(ctx context.Context, userID identity.UserID, token string) error
	ListAccounts(ctx context.Context, userID identity.UserID) ([]identity.Account, error)
	SendVerificationEmail(ctx context.Context, in authn.SendVerificationInput) error
	VerifyEmail(ctx context.Context, in authn.VerifyEmailInput) (authn.Verified, error)
	RequestPasswordReset(ctx context.Context, email identity.Email, redirectTo string) error
	ResetTokenValid(ctx context.Context, token string) (bool, error)
	ResetPassword(ctx context.Context, token, newPassword string) error
	ChangeEmail(ctx context.Context, in authn.ChangeEmailInput) error
}

var (
	_ Authenticator = (*authn.Service)(nil)
	_ Routes        = (*AuthRoutes)(nil)
)

// AuthRoutes serves better-auth's core API: email and password sign-up
// and sign-in, the session (look-up, listing, revocation, sign-out), the
// user's profile, password, address and deletion, email verification,
// password reset, the account list and the health check.
type AuthRoutes struct {
	auth    Authenticator
	cookies cookieSettings
	origins originPolicy
	// baseURL is where relative callback URLs are resolved (nil: they stay
	// relative); enumerationFloor pads answers that must not tell whether
	// an address has an account.
	baseURL          *url.URL
	enumerationFloor time.Duration
}

// NewAuthRoutes returns the auth endpoints over auth.
func NewAuthRoutes(cfg Config, auth Authenticator) *AuthRoutes {
	s := cfg.resolve()
	return &AuthRoutes{
		auth: auth, cookies: s.cookies, origins: s.origins,
		baseURL: cfg.BaseURL, enumerationFloor: s.enumerationFloor,
	}
}

// Register adds the endpoints to g, the /api/auth group. Only sign-up and
// sign-in take form bodies (progressive-enhancement HTML forms); every other
// POST takes JSON.
func (a *AuthRoutes) Register(g *echo.Group) {
	g.POST("/sign-up/email", a.withBody(mediaFormOrJSON, a.signUp))
	g.POST("/sign-in/email", a.withBody(mediaFormOrJSON, a.signIn))
	g.GET("/get-session", a.getSession)
	g.POST("/get-session", a.postSession)
	g.POST("/sign-out", a.withBody(mediaJSON, a.signOut))
	g.GET("/list-sessions", a.listSessions)
	g.POST("/revoke-session", a.withBody(mediaJSON, a.revokeSession))
	g.POST("/revoke-sessions", a.withBody(mediaJSON, a.revokeSessions))
	g.POST("/revoke-other-sessions", a.withBody(mediaJSON, a.revokeOtherSessions))
	g.POST("/update-session", a.withBody(mediaJSON, a.updateSession))
	g.POST("/update-user", a.withBody(mediaJSON, a.updateUser))
	g.POST("/change-password", a.withBody(mediaJSON, a.changePassword))
	g.POST("/verify-password", a.withBody(mediaJSON, a.verifyPassword))
	g.POST("/delete-user", a.withBody(mediaJSON, a.deleteUser))
	g.GET("/delete-user/callback", a.deleteUserCallback)
	g.POST("/change-email", a.withBody(mediaJSON, a.changeEmail))
	g.POST("/send-verification-email", a.withBody(mediaJSON, a.sendVerificationEmail))
	g.GET("/verify-email", a.verifyEmail)
	g.POST("/request-password-reset", a.withBody(mediaJSON, a.requestPasswordReset))
	g.GET("/reset-password/:token", a.resetPasswordCallback)
	g.POST("/reset-password", a.withBody(mediaJSON, a.resetPassword))
	g.GET("/list-accounts", a.listAccounts)
	g.GET("/ok", ok)
}

// bodyHandler is a POST handler given its decoded body.
type bodyHandler func(c echo.Context, body requestBody) error

// withBody decodes a POST body of the allowed media types and validates
// its redirect fields before the handler runs, in better-call's order: the
// router's 415 and JSON errors, then the global origin middleware's URL
// checks, then the endpoint's own schema and session.
func (a *AuthRoutes) withBody(allowed []string, h bodyHandler) echo.HandlerFunc {
	return func(c echo.Context) error {
		body, err := readBody(c.Request(), allowed)
		if err != nil {
			return err
		}
		if err := a.origins.checkRedirects(body, c.QueryParams()); err != nil {
			return err
		}
		return h(c, body)
	}
}

// signUp creates a user with a password, signs them in and sets the
// session cookie. Body: {name, email, password, image?, callbackURL?,
// rememberMe?}, JSON or form; callbackURL is where the verification link
// leads. Answers {token, user}. When verification is required no session
// is opened: the token is null and no cookie is set (sign-up.mjs
// shouldSkipAutoSignIn).
func (a *AuthRoutes) signUp(c echo.Context, body requestBody) error {
	r := c.Request()
	req, err := parseSignUp(body)
	if err != nil {
		return err
	}
	if err := a.origins.checkFormCSRF(r); err != nil {
		return err
	}
	got, err := a.auth.SignUp(r.Context(), authn.SignUpInput{
		Name:        req.name,
		Email:       req.email,
		Password:    req.password,
		Image:       req.image,
		RememberMe:  req.rememberMe,
		CallbackURL: deref(req.callbackURL),
		Client:      clientOf(r),
	})
	if err != nil {
		return err
	}
	if got.Session.Token == "" {
		return writeJSON(c, http.StatusOK, signUpResponse{User: newUserJSON(got.User)})
	}
	a.cookies.setSession(c.Response().Header(), r, current(got), !req.rememberMe)
	return writeJSON(c, http.StatusOK, signUpResponse{Token: &got.Session.Token, User: newUserJSON(got.User)})
}

// signIn checks an email and password and sets the session cookie. Body:
// {email, password, callbackURL?, rememberMe?}, JSON or form. Answers
// {redirect, token, url?, user}; with a callbackURL also a Location header,
// the status staying 200. An unverified user, when verification is
// required, gets 403 EMAIL_NOT_VERIFIED and a new link that leads to
// callbackURL.
func (a *AuthRoutes) signIn(c echo.Context, body requestBody) error {
	r := c.Request()
	req, err := parseSignIn(body)
	if err != nil {
		return err
	}
	if err := a.origins.checkFormCSRF(r); err != nil {
		return err
	}
	if req.email != strings.TrimSpace(req.email) {
		return identity.ErrInvalidEmail // zod's email check does not trim
	}
	got, err := a.auth.SignIn(r.Context(), authn.SignInInput{
		Email:       req.email,
		Password:    req.password,
		RememberMe:  req.rememberMe,
		CallbackURL: deref(req.callbackURL),
		Client:      clientOf(r),
	})
	if err != nil {
		return err
	}
	a.cookies.setSession(c.Response().Header(), r, current(got), !req.rememberMe)
	res := signInResponse{Token: got.Session.Token, URL: req.callbackURL, User: newUserJSON(got.User)}
	if req.callbackURL != nil && *req.callbackURL != "" {
		res.Redirect = true
		c.Response().Header().Set("Location", *req.callbackURL)
	}
	return writeJSON(c, http.StatusOK, res)
}

// getSession answers the caller's session as {session, user}, or null
// when there is none (see resolveSession for the cookie effects). Query:
// disableRefresh, disableCookieCache (coerced as JavaScript's Boolean does:
// any non-empty value is true, "false" included).
func (a *AuthRoutes) getSession(c echo.Context) error {
	noStore(c)
	cur, ok, err := a.resolveSession(c, sessionLookup{
		disableCookieCache: queryBool(c, "disableCookieCache"),
		disableRefresh:     queryBool(c, "disableRefresh"),
	})
	if err != nil {
		return err
	}
	if !ok {
		return writeNull(c)
	}
	return writeJSON(c, http.StatusOK, sessionResponse{
		Session: newSessionJSON(cur.Session, cur.Context),
		User:    newUserJSON(cur.User),
	})
}

// postSession is POST /get-session, which better-auth serves only with
// deferSessionRefresh, a mode Beep does not offer.
func (a *AuthRoutes) postSession(c echo.Context) error {
	noStore(c)
	return errPostSession
}

// signOut ends the session behind the cookie or bearer token, if any,
// and always expires the session cookies. Body (optional): {callbackURL?,
// disableRedirect?, state?}. Answers {success: true}.
func (a *AuthRoutes) signOut(c echo.Context, body requestBody) error {
	r := c.Request()
	if err := parseSignOut(body); err != nil {
		return err
	}
	var signOutErr error
	if token, ok := a.cookies.sessionTokenOf(r); ok {
		signOutErr = a.auth.SignOut(r.Context(), token)
	}
	a.cookies.deleteSession(c.Response().Header(), r)
	if signOutErr != nil {
		return signOutErr
	}
	return writeJSON(c, http.StatusOK, successResponse{Success: true})
}

// ok is the health check.
func ok(c echo.Context) error {
	return writeJSON(c, http.StatusOK, okResponse{OK: true})
}

// deref is a string field that may be absent, "" when it is.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// current is a fresh sign-in or sign-up seen as the caller's session.
func current(a authn.Authenticated) authn.CurrentSession {
	return authn.CurrentSession{User: a.User, Session: a.Session, Context: a.Context, LoadedAt: a.LoadedAt}
}

// noStore marks a response that must not be cached (it carries a session).
func noStore(c echo.Context) {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
}

// queryBool is z.coerce.boolean() on a query parameter: JavaScript's
// Boolean(value), so "" is false, any other string true, and a repeated
// key (an array) true.
func queryBool(c echo.Context, name string) bool {
	vals, ok := c.QueryParams()[name]
	return ok && (len(vals) > 1 || vals[0] != "")
}

// clientOf describes the caller for the session row: the client address
// (client_ip.go: X-Forwarded-For only through trusted proxies) and the
// User-Agent, "" when absent.
func clientOf(r *http.Request) authn.Client {
	return authn.Client{IPAddress: clientIPString(r), UserAgent: r.UserAgent()}
}
