package rest

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/session"
)

// Social is what the social sign-in endpoints need of the application:
// authn.Service.
type Social interface {
	StartSocial(ctx context.Context, in authn.StartSocialInput) (authn.StartedSocial, error)
	LinkSocial(ctx context.Context, current authn.CurrentSession, in authn.StartSocialInput) (authn.StartedSocial, error)
	FinishSocial(ctx context.Context, in authn.FinishSocialInput) (authn.SocialOutcome, error)
	SignInWithIDToken(ctx context.Context, in authn.SignInWithIDTokenInput) (authn.Authenticated, error)
	LinkIDToken(ctx context.Context, user identity.User, in authn.LinkIDTokenInput) error
	UnlinkAccount(ctx context.Context, current session.Session, accountID identity.AccountID) error
	GetAccessToken(ctx context.Context, userID identity.UserID, accountID identity.AccountID) (authn.AccessToken, error)
	RefreshToken(ctx context.Context, userID identity.UserID, accountID identity.AccountID) (authn.RefreshedTokens, error)
	AccountInfo(ctx context.Context, userID identity.UserID, accountID identity.AccountID) (authn.ProviderUser, identity.Account, error)
}

var (
	_ Social = (*authn.Service)(nil)
	_ Routes = (*SocialRoutes)(nil)
)

// SocialRoutes serves social sign-in (WIRE.md §2.1, §2.4, §5.4, §5.6):
// the redirect and id-token flows, the provider callback, account linking
// and the provider-token endpoints. Sessions and cookies are the core
// endpoints', through the AuthRoutes they share.
type SocialRoutes struct {
	social  Social
	session *AuthRoutes
}

// NewSocialRoutes returns the social endpoints over social.
func NewSocialRoutes(auth *AuthRoutes, social Social) *SocialRoutes {
	return &SocialRoutes{social: social, session: auth}
}

// Register adds the endpoints to g, the /api/auth group.
func (s *SocialRoutes) Register(g *echo.Group) {
	json := func(h bodyHandler) echo.HandlerFunc { return s.session.withBody(mediaJSON, h) }
	g.POST("/sign-in/social", json(s.signIn))
	g.GET("/callback/:id", s.callback)
	g.POST("/callback/:id", s.session.withBody(mediaFormOrJSON, s.formPostCallback))
	g.GET("/error", s.errorPage)
	g.POST("/link-social", json(s.link))
	g.POST("/unlink-account", json(s.unlink))
	g.POST("/get-access-token", json(s.accessToken))
	g.POST("/refresh-token", json(s.refreshToken))
	g.GET("/account-info", s.accountInfo)
}

// signIn starts a redirect flow ({url, redirect} and Location, 200 as
// better-auth answers) or, with idToken, signs in at once.
func (s *SocialRoutes) signIn(c echo.Context, body requestBody) error {
	req, err := parseSocial(body)
	if err != nil {
		return err
	}
	r, h := c.Request(), c.Response().Header()
	if req.idToken != nil {
		req.idToken.Client = clientOf(r)
		got, err := s.social.SignInWithIDToken(r.Context(), *req.idToken)
		if err != nil {
			return err
		}
		s.session.cookies.setSession(h, r, current(got), false)
		return writeJSON(c, http.StatusOK, signInResponse{Token: got.Session.Token, User: newUserJSON(got.User)})
	}
	if req.start.CallbackURL == "" {
		req.start.CallbackURL = s.origin() // better-auth's default: the base URL's origin
	}
	started, err := s.social.StartSocial(r.Context(), req.start)
	if err != nil {
		return err
	}
	return s.redirectTo(c, started, req.disableRedirect)
}

// redirectTo binds the flow to this browser and answers where it goes.
func (s *SocialRoutes) redirectTo(c echo.Context, started authn.StartedSocial, disableRedirect bool) error {
	h := c.Response().Header()
	s.session.cookies.setState(h, started.State)
	if !disableRedirect {
		h.Set("Location", started.URL)
	}
	noStore(c)
	return writeJSON(c, http.StatusOK, redirectJSON{URL: started.URL, Redirect: !disableRedirect})
}

// callback completes a flow and redirects: to the callback URL signed in
// (or with the account linked), or to the error URL with ?error=.
func (s *SocialRoutes) callback(c echo.Context) error {
	r, h := c.Request(), c.Response().Header()
	q := r.URL.Query()
	out, err := s.social.FinishSocial(r.Context(), authn.FinishSocialInput{
		ProviderID: c.Param("id"), State: q.Get("state"), StateCookie: s.session.cookies.stateOf(r),
		Code: q.Get("code"), ProviderError: q.Get("error"), ProviderDescription: q.Get("error_description"),
		Client: clientOf(r),
	})
	tokenInURL(c) // the code is single-use, but no page should learn it
	var serr *authn.SocialError
	if errors.As(err, &serr) {
		if serr.Code != "state_mismatch" && serr.Code != "state_not_found" {
			s.session.cookies.expire(h, s.session.cookies.oauthState)
		}
		return redirect(c, s.errorURL(serr))
	}
	if err != nil {
		return err
	}
	s.session.cookies.expire(h, s.session.cookies.oauthState)
	if out.Authenticated != nil {
		s.session.cookies.setSession(h, r, current(*out.Authenticated), false)
	}
	return redirect(c, out.Redirect)
}

// formPostCallback is the response_mode=form_post callback: its fields,
// merged with the query (which wins), move to the GET callback.
func (s *SocialRoutes) formPostCallback(c echo.Context, body requestBody) error {
	params := url.Values{}
	for _, key := range []string{"code", "error", "error_description", "state", "iss"} {
		if f, ok := body.fields[key]; ok && f.kind == kindString {
			params.Set(key, f.str)
		}
		if v := c.QueryParam(key); v != "" {
			params.Set(key, v)
		}
	}
	return redirect(c, s.session.authURL("/callback/"+url.PathEscape(c.Param("id")))+"?"+params.Encode())
}

// errorURL is where a failed callback sends the browser.
func (s *SocialRoutes) errorURL(e *authn.SocialError) string {
	base := e.RedirectTo
	if base == "" {
		base = s.session.authURL("/error")
	}
	u := withErrorParam(base, e.Code)
	if e.Description != "" {
		u = setParamOn(u, "error_description", e.Description)
	}
	return u
}

// setParamOn sets a query parameter on a URL, before any fragment.
func setParamOn(raw, key, value string) string {
	base, fragment, hasFragment := strings.Cut(raw, "#")
	path, query, _ := strings.Cut(base, "?")
	out := path + "?" + setParam(query, key, value)
	if hasFragment {
		out += "#" + fragment
	}
	return out
}

// origin is the base URL's origin, better-auth's default callback URL.
func (s *SocialRoutes) origin() string {
	if u := s.session.baseURL; u != nil {
		return u.Scheme + "://" + u.Host
	}
	return "/"
}

var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title></head>
<body><h1>Sign-in failed</h1><p>Error: <code>{{.}}</code></p><p>Go back and try again.</p></body></html>
`))

// errorPage is the default landing page of a failed flow (no
// errorCallbackURL): the error code, escaped.
func (s *SocialRoutes) errorPage(c echo.Context) error {
	code := c.QueryParam("error")
	if code == "" {
		code = "unknown"
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	noStore(c)
	var b strings.Builder
	if err := errorPage.Execute(&b, boundedText(code, 100)); err != nil {
		return err
	}
	return c.HTML(http.StatusOK, b.String())
}

func boundedText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// link starts linking a provider to the caller ({url, redirect}), or with
// idToken links at once ({url:"", status:true, redirect:false}).
func (s *SocialRoutes) link(c echo.Context, body requestBody) error {
	req, err := parseSocial(body)
	if err != nil {
		return err
	}
	cur, err := s.session.requireSession(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if t := req.idToken; t != nil {
		in := authn.LinkIDTokenInput{ProviderID: t.ProviderID, IDToken: t.IDToken, Nonce: t.Nonce, AccessToken: t.AccessToken}
		if err := s.social.LinkIDToken(ctx, cur.User, in); err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, linkedJSON{URL: "", Status: true, Redirect: false})
	}
	if req.start.CallbackURL == "" {
		req.start.CallbackURL = s.origin()
	}
	started, err := s.social.LinkSocial(ctx, cur, req.start)
	if err != nil {
		return err
	}
	return s.redirectTo(c, started, req.disableRedirect)
}

func (s *SocialRoutes) unlink(c echo.Context, body requestBody) error {
	id, err := parseAccountID(body)
	if err != nil {
		return err
	}
	cur, err := s.session.requireSession(c)
	if err != nil {
		return err
	}
	if err := s.social.UnlinkAccount(c.Request().Context(), cur.Session, id); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, statusResponse{Status: true})
}

// caller is the signed-in user of the token endpoints, which better-auth
// answers with an empty 401 when there is none.
func (s *SocialRoutes) caller(c echo.Context) (identity.UserID, error) {
	cur, err := s.session.requireSession(c)
	if errors.Is(err, errUnauthorized) {
		return "", errNoSessionEmpty
	}
	return cur.User.ID, err
}

func (s *SocialRoutes) accessToken(c echo.Context, body requestBody) error {
	id, err := parseAccountID(body)
	if err != nil {
		return err
	}
	userID, err := s.caller(c)
	if err != nil {
		return err
	}
	t, err := s.social.GetAccessToken(c.Request().Context(), userID, id)
	if err != nil {
		return err
	}
	noStore(c)
	return writeJSON(c, http.StatusOK, newAccessTokenJSON(t))
}

func (s *SocialRoutes) refreshToken(c echo.Context, body requestBody) error {
	id, err := parseAccountID(body)
	if err != nil {
		return err
	}
	userID, err := s.caller(c)
	if err != nil {
		return err
	}
	t, err := s.social.RefreshToken(c.Request().Context(), userID, id)
	if err != nil {
		return err
	}
	noStore(c)
	return writeJSON(c, http.StatusOK, newRefreshedJSON(t))
}

func (s *SocialRoutes) accountInfo(c echo.Context) error {
	v := newQueryValidator(c.QueryParams())
	id := v.requiredString("accountId")
	if err := v.err(); err != nil {
		return err
	}
	userID, err := s.caller(c)
	if err != nil {
		return err
	}
	who, acc, err := s.social.AccountInfo(c.Request().Context(), userID, identity.AccountID(id))
	if err != nil {
		return err
	}
	noStore(c)
	return writeJSON(c, http.StatusOK, newAccountInfoJSON(who, acc))
}
