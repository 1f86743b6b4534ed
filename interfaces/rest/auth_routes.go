package rest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
)

// Authenticator is what the auth endpoints need from the use cases;
// *authn.Service satisfies it.
type Authenticator interface {
	SignUp(ctx context.Context, in authn.SignUpInput) (authn.Authenticated, error)
	SignIn(ctx context.Context, in authn.SignInInput) (authn.Authenticated, error)
	GetSession(ctx context.Context, q authn.SessionQuery) (authn.CurrentSession, error)
	SignOut(ctx context.Context, token string) error
}

var (
	_ Authenticator = (*authn.Service)(nil)
	_ Routes        = (*AuthRoutes)(nil)
)

// failedToGetSession is the code of get-session's internal failures.
const failedToGetSession = "FAILED_TO_GET_SESSION"

// AuthRoutes serves email and password sign-up and sign-in, the session
// lookup, sign-out and the health check.
type AuthRoutes struct {
	auth    Authenticator
	cookies cookieSettings
	origins originPolicy
}

// NewAuthRoutes returns the auth endpoints over auth.
func NewAuthRoutes(cfg Config, auth Authenticator) *AuthRoutes {
	s := cfg.resolve()
	return &AuthRoutes{auth: auth, cookies: s.cookies, origins: s.origins}
}

// Register adds the endpoints to g, the /api/auth group.
func (a *AuthRoutes) Register(g *echo.Group) {
	g.POST("/sign-up/email", a.signUp)
	g.POST("/sign-in/email", a.signIn)
	g.GET("/get-session", a.getSession)
	g.POST("/get-session", a.postSession)
	g.POST("/sign-out", a.signOut)
	g.GET("/ok", ok)
}

// signUp creates a user with a password, signs them in and sets the
// session cookie. Body: {name, email, password, image?, callbackURL?,
// rememberMe?}, JSON or form. Answers {token, user}.
func (a *AuthRoutes) signUp(c echo.Context) error {
	r := c.Request()
	body, err := readBody(r, mediaFormOrJSON)
	if err != nil {
		return err
	}
	if err := a.origins.checkCallbackURL(body, c.QueryParams()); err != nil {
		return err
	}
	req, err := parseSignUp(body)
	if err != nil {
		return err
	}
	if err := a.origins.checkFormCSRF(r); err != nil {
		return err
	}
	got, err := a.auth.SignUp(r.Context(), authn.SignUpInput{
		Name:       req.name,
		Email:      req.email,
		Password:   req.password,
		Image:      req.image,
		RememberMe: req.rememberMe,
		Client:     clientOf(r),
	})
	if err != nil {
		return err
	}
	a.cookies.setSession(c.Response().Header(), got.Session.Token, !req.rememberMe, a.cookies.dontRememberOf(r))
	return writeJSON(c, http.StatusOK, signUpResponse{Token: got.Session.Token, User: newUserJSON(got.User)})
}

// signIn checks an email and password and sets the session cookie. Body:
// {email, password, callbackURL?, rememberMe?}, JSON or form. Answers
// {redirect, token, url?, user}; with a callbackURL also a Location header,
// the status staying 200.
func (a *AuthRoutes) signIn(c echo.Context) error {
	r := c.Request()
	body, err := readBody(r, mediaFormOrJSON)
	if err != nil {
		return err
	}
	if err := a.origins.checkCallbackURL(body, c.QueryParams()); err != nil {
		return err
	}
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
		Email:      req.email,
		Password:   req.password,
		RememberMe: req.rememberMe,
		Client:     clientOf(r),
	})
	if err != nil {
		return err
	}
	a.cookies.setSession(c.Response().Header(), got.Session.Token, !req.rememberMe, a.cookies.dontRememberOf(r))
	res := signInResponse{Token: got.Session.Token, URL: req.callbackURL, User: newUserJSON(got.User)}
	if req.callbackURL != nil && *req.callbackURL != "" {
		res.Redirect = true
		c.Response().Header().Set("Location", *req.callbackURL)
	}
	return writeJSON(c, http.StatusOK, res)
}

// getSession answers the session behind the cookie as {session, user}, or
// null when there is none. A validly signed cookie whose session is gone or
// expired is cleared; a session due for refresh gets its cookie re-issued.
// Query: disableRefresh, disableCookieCache (coerced as JavaScript's
// Boolean does: any non-empty value is true, "false" included).
func (a *AuthRoutes) getSession(c echo.Context) error {
	noStore(c)
	r := c.Request()
	token, ok := a.cookies.sessionTokenOf(r)
	if !ok {
		return writeNull(c)
	}
	cur, err := a.auth.GetSession(r.Context(), authn.SessionQuery{
		Token:          token,
		DisableRefresh: queryBool(c, "disableRefresh"),
		DontRemember:   a.cookies.dontRememberOf(r),
	})
	switch {
	case err == nil:
	case errors.Is(err, failure.ErrNotFound): // unknown, expired or orphaned session
		a.cookies.deleteSession(c.Response().Header())
		return writeNull(c)
	case errors.Is(err, authn.ErrSessionGone):
		a.cookies.deleteSession(c.Response().Header())
		return err
	case failure.KindOf(err) != 0:
		return err
	default:
		return &apiError{status: http.StatusInternalServerError, code: failedToGetSession, message: "Failed to get session", cause: err}
	}
	if cur.Refreshed {
		a.cookies.refreshSession(c.Response().Header(), token)
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

// signOut ends the session behind the cookie, if any, and always expires
// the session cookies. Body (optional): {callbackURL?, disableRedirect?,
// state?}. Answers {success: true}.
func (a *AuthRoutes) signOut(c echo.Context) error {
	r := c.Request()
	body, err := readBody(r, mediaJSON)
	if err != nil {
		return err
	}
	if err := a.origins.checkCallbackURL(body, c.QueryParams()); err != nil {
		return err
	}
	if err := parseSignOut(body); err != nil {
		return err
	}
	var signOutErr error
	if token, ok := a.cookies.sessionTokenOf(r); ok {
		signOutErr = a.auth.SignOut(r.Context(), token)
	}
	a.cookies.deleteSession(c.Response().Header())
	if signOutErr != nil {
		return signOutErr
	}
	return writeJSON(c, http.StatusOK, successResponse{Success: true})
}

// ok is the health check.
func ok(c echo.Context) error {
	return writeJSON(c, http.StatusOK, okResponse{OK: true})
}

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

// clientOf describes the caller for the session row: the socket's peer
// address (proxy headers are honoured only once trusted proxies are
// configurable, with rate limiting) and the User-Agent, "" when absent.
func clientOf(r *http.Request) authn.Client {
	ip := r.RemoteAddr
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	return authn.Client{IPAddress: ip, UserAgent: r.UserAgent()}
}
