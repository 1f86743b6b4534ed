package rest

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// Limits on tokens carried in links, far above what the server issues (a
// verification JWT is a few hundred bytes, reset and delete tokens 24 and 32
// characters). Anything longer is refused as an invalid token before it is
// parsed, hashed or looked up.
const (
	maxEmailTokenLength  = 4096
	maxOpaqueTokenLength = 256
)

// checkCallbackURL is better-auth's originCheck(getter) on GET endpoints
// whose query names where the browser goes next (verify-email,
// reset-password/:token, delete-user/callback): an empty value is none,
// anything else must be a safe relative path or a trusted origin.
func (p originPolicy) checkCallbackURL(raw string) error {
	if raw != "" && !p.trustedRedirect(raw) {
		return redirectFields[0].invalid
	}
	return nil
}

// tokenInURL marks the answer of a link that carries a secret in its URL:
// the page the browser lands on must not learn it from the Referer, and no
// cache may keep the answer.
func tokenInURL(c echo.Context) {
	h := c.Response().Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// redirect answers 302 to location with an empty body, as better-call's
// ctx.redirect does.
func redirect(c echo.Context, location string) error {
	c.Response().Header().Set("Location", location)
	return c.NoContent(http.StatusFound)
}

// withErrorParam is better-auth's appendQueryParams(callbackURL,
// {error: code}) (core/utils/url.mjs): the parameter joins an existing
// query with "&" (none when it already ends in "&") or starts one, before
// any fragment. A relative URL stays relative; an absolute one without a
// path gets "/", as the URL serialiser writes it. callbackURL has passed
// the origin check, so it parses.
func withErrorParam(callbackURL, code string) string {
	base, fragment, hasFragment := strings.Cut(callbackURL, "#")
	param := "error=" + url.QueryEscape(code)
	if u, err := url.Parse(base); err == nil && u.Host != "" && u.Path == "" {
		if i := strings.Index(base, "?"); i >= 0 {
			base = base[:i] + "/" + base[i:]
		} else {
			base += "/"
		}
	}
	switch path, query, hasQuery := strings.Cut(base, "?"); {
	case !hasQuery || query == "":
		base = path + "?" + param
	case strings.HasSuffix(query, "&"):
		base += param
	default:
		base += "&" + param
	}
	if hasFragment {
		base += "#" + fragment
	}
	return base
}

// resolveWithParam is better-auth's redirectCallback/redirectError of the
// reset-password link (api/routes/password.mjs): callbackURL resolved
// against the auth base URL, with the parameter set (replacing any of that
// name, keeping the others in order). Without a configured base URL the
// result stays relative and the browser resolves it.
func (a *AuthRoutes) resolveWithParam(callbackURL, key, value string) string {
	u, err := url.Parse(callbackURL)
	if err != nil {
		u = &url.URL{Path: "/"} // unreachable: the origin check parsed it
	}
	if a.baseURL != nil {
		base := *a.baseURL
		base.Path = strings.TrimSuffix(base.Path, "/") + basePath
		u = base.ResolveReference(u)
	}
	u.RawQuery = setParam(u.RawQuery, key, value)
	return u.String()
}

// authURL is an endpoint of this server, absolute when the base URL is
// configured.
func (a *AuthRoutes) authURL(path string) string {
	if a.baseURL == nil {
		return basePath + path
	}
	return strings.TrimSuffix(a.baseURL.String(), "/") + basePath + path
}

// setParam is URLSearchParams.set on a raw query: the first pair named key
// takes value, later ones go, and without one it is appended. Other pairs
// keep their order and spelling.
func setParam(rawQuery, key, value string) string {
	pair := url.QueryEscape(key) + "=" + url.QueryEscape(value)
	var out []string
	set := false
	for p := range strings.SplitSeq(rawQuery, "&") {
		if p == "" {
			continue
		}
		name, _, _ := strings.Cut(p, "=")
		if n, err := url.QueryUnescape(name); err == nil && n == key {
			if !set {
				out, set = append(out, pair), true
			}
			continue
		}
		out = append(out, p)
	}
	if !set {
		out = append(out, pair)
	}
	return strings.Join(out, "&")
}
