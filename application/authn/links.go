package authn

import (
	"net/url"
	"strings"
)

// Links builds the URLs mailed to users. With a frontend (ClientBase) the
// links open its pages, which then call the API; without one they point at
// the auth server's own endpoints, as better-auth's do. Every link is built
// from configured bases only, never from request headers, so a forged Host
// cannot redirect a reset link.
type Links struct {
	// AuthBase is the API's base, e.g. https://auth.example.com/api/auth.
	AuthBase *url.URL
	// ClientBase is the frontend, e.g. https://app.example.com; nil when
	// there is none.
	ClientBase *url.URL
	// Frontend paths of the pages that complete each flow.
	VerifyEmailPath   string
	ResetPasswordPath string
}

// VerifyEmail is the link of a verification email.
func (l Links) VerifyEmail(token, callbackURL string) string {
	if callbackURL == "" {
		callbackURL = "/"
	}
	if l.ClientBase != nil {
		return l.client(l.VerifyEmailPath, url.Values{"token": {token}, "callbackURL": {callbackURL}})
	}
	return l.api("/verify-email", url.Values{"token": {token}, "callbackURL": {callbackURL}})
}

// ResetPassword is the link of a password-reset email.
func (l Links) ResetPassword(token, redirectTo string) string {
	if l.ClientBase != nil {
		return l.client(l.ResetPasswordPath, url.Values{"token": {token}})
	}
	if redirectTo == "" {
		redirectTo = "/" // the endpoint requires a callbackURL
	}
	return l.api("/reset-password/"+url.PathEscape(token), url.Values{"callbackURL": {redirectTo}})
}

// DeleteAccount is the link of a delete-account confirmation email.
func (l Links) DeleteAccount(token, callbackURL string) string {
	q := url.Values{"token": {token}}
	if callbackURL != "" {
		q.Set("callbackURL", callbackURL)
	}
	return l.api("/delete-user/callback", q)
}

func (l Links) api(path string, q url.Values) string {
	if l.AuthBase == nil {
		// Unconfigured: a relative link, which mail.Message.Validate
		// refuses, so the misconfiguration surfaces as an error.
		return path + "?" + q.Encode()
	}
	u := *l.AuthBase
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = q.Encode()
	return u.String()
}

func (l Links) client(path string, q url.Values) string {
	u := *l.ClientBase
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + strings.TrimPrefix(path, "/")
	u.RawQuery = q.Encode()
	return u.String()
}

// OAuthCallback is the redirect URI registered with a provider: the API's
// /callback/<provider id>.
func (l Links) OAuthCallback(providerID string) string {
	path := "/callback/" + url.PathEscape(providerID)
	if l.AuthBase == nil {
		return path
	}
	return strings.TrimRight(l.AuthBase.String(), "/") + path
}
