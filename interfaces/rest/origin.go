package rest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/domain/failure"
)

// Origin and callback failures, with better-auth's codes and messages.
var (
	errMissingOrigin       = failure.New(failure.Forbidden, "MISSING_OR_NULL_ORIGIN", "Missing or null Origin")
	errInvalidOrigin       = failure.New(failure.Forbidden, "INVALID_ORIGIN", "Invalid origin")
	errCrossSiteNavigation = failure.New(failure.Forbidden, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
		"Cross-site navigation login blocked. This request appears to be a CSRF attack.")
)

// redirectField is a body field naming where a client will be sent, which
// better-auth's originCheckMiddleware validates on every POST.
type redirectField struct {
	field   string         // the body key
	label   string         // its name in messages
	invalid *failure.Error // the 403 for an untrusted URL
}

// redirectFields are checked in better-auth's order; callbackURL may also
// come from the query.
var redirectFields = []redirectField{
	{"callbackURL", "callbackURL", failure.New(failure.Forbidden, "INVALID_CALLBACK_URL", "Invalid callbackURL")},
	{"redirectTo", "redirectURL", failure.New(failure.Forbidden, "INVALID_REDIRECT_URL", "Invalid redirectURL")},
	{"errorCallbackURL", "errorCallbackURL", failure.New(failure.Forbidden, "INVALID_ERROR_CALLBACK_URL", "Invalid errorCallbackURL")},
	{"newUserCallbackURL", "newUserCallbackURL", failure.New(failure.Forbidden, "INVALID_NEW_USER_CALLBACK_URL", "Invalid newUserCallbackURL")},
}

// notAString is better-auth's message-only 400 for a redirect field that is
// not a string.
func (f redirectField) notAString() *failure.Error {
	return &failure.Error{Kind: failure.Invalid, Message: "Invalid " + f.label + ": expected a string"}
}

// originPolicy decides which origins may act with a user's cookies and
// where clients may be sent back to. Origins match exactly, after
// normalisation (lower-case scheme and host, default port dropped), or by
// a pattern (see trustedPattern).
type originPolicy struct {
	trusted  map[string]bool
	patterns []trustedPattern
}

func newOriginPolicy(origins []string) originPolicy {
	p := originPolicy{trusted: map[string]bool{}}
	for _, o := range origins {
		o = strings.TrimSpace(o)
		if pat, ok := parsePattern(o); ok {
			p.patterns = append(p.patterns, pat)
		} else if n := originOf(o); n != "" {
			p.trusted[n] = true
		}
	}
	return p
}

// middleware is better-auth's global origin check: a state-changing request
// that carries cookies must come from a trusted origin. Requests without
// cookies are left to the endpoints (see checkFormCSRF).
func (p originPolicy) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if _, ok := r.Header["Cookie"]; ok {
			if err := p.checkRequestOrigin(r); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// checkRequestOrigin requires Origin (or, failing that, Referer) to be
// present, not "null", and trusted. An opaque "null" origin of a same-origin
// fetch stands for the request's own origin, as in better-auth.
func (p originPolicy) checkRequestOrigin(r *http.Request) error {
	origin := header(r, "Origin")
	candidate := origin
	if candidate == "" {
		candidate = header(r, "Referer")
	}
	if origin == "null" && header(r, "Sec-Fetch-Site") == "same-origin" {
		candidate = requestOrigin(r)
	}
	if candidate == "" || candidate == "null" {
		return errMissingOrigin
	}
	if !p.trustedOrigin(candidate) {
		return errInvalidOrigin
	}
	return nil
}

// checkFormCSRF is better-auth's formCsrfMiddleware, applied to sign-in and
// sign-up: it also protects requests without cookies, which a cross-site
// form could otherwise use to log a victim into the attacker's account.
// Browsers announce themselves with Sec-Fetch-* headers; then a cross-site
// navigation is refused and an Origin is required. Without them (curl,
// server-to-server) an Origin or Referer, if any, must still be trusted.
func (p originPolicy) checkFormCSRF(r *http.Request) error {
	if _, ok := r.Header["Cookie"]; ok {
		return p.checkRequestOrigin(r)
	}
	site, mode, dest := header(r, "Sec-Fetch-Site"), header(r, "Sec-Fetch-Mode"), header(r, "Sec-Fetch-Dest")
	if strings.TrimSpace(site) != "" || strings.TrimSpace(mode) != "" || strings.TrimSpace(dest) != "" {
		if site == "cross-site" && mode == "navigate" {
			return errCrossSiteNavigation
		}
		return p.checkRequestOrigin(r)
	}
	if header(r, "Origin") != "" || header(r, "Referer") != "" {
		return p.checkRequestOrigin(r)
	}
	return nil
}

// checkRedirects validates the redirect fields of a POST body as
// better-auth's originCheckMiddleware does: body.callbackURL (or
// query.callbackURL when the body has none), body.redirectTo,
// body.errorCallbackURL and body.newUserCallbackURL, with JavaScript
// truthiness (empty, false, 0 and null are "none"). A value that is not a
// string is a 400; a string must be a safe relative path or an absolute URL
// of a trusted origin, else a 403 naming the field.
func (p originPolicy) checkRedirects(b requestBody, query url.Values) error {
	for i, f := range redirectFields {
		v := b.fields[f.field]
		if i == 0 && !v.truthy {
			switch q := query[f.field]; {
			case len(q) > 1:
				return f.notAString() // a repeated key is an array
			case len(q) == 1:
				v = value{kind: kindString, str: q[0], truthy: q[0] != ""}
			}
		}
		if !v.truthy {
			continue
		}
		if v.kind != kindString {
			return f.notAString()
		}
		if !p.trustedRedirect(v.str) {
			return f.invalid
		}
	}
	return nil
}

func (p originPolicy) trustedOrigin(raw string) bool {
	if o := originOf(raw); o != "" {
		if p.trusted[o] {
			return true
		}
		for _, pat := range p.patterns {
			if pat.matchesOrigin(o) {
				return true
			}
		}
		return false
	}
	return p.trustedApp(raw)
}

// trustedApp accepts a URL of a configured custom scheme (a mobile or
// desktop app's deep link, or its webview's Origin).
func (p originPolicy) trustedApp(raw string) bool {
	if hasControl(raw) || strings.ContainsAny(raw, "\\ ") {
		return false
	}
	for _, pat := range p.patterns {
		if pat.matchesApp(raw) {
			return true
		}
	}
	return false
}

// trustedRedirect accepts a safe relative path or a URL of a trusted origin.
func (p originPolicy) trustedRedirect(raw string) bool {
	if strings.HasPrefix(raw, "/") {
		return safeRelativeURL(raw)
	}
	return p.trustedOrigin(raw)
}

// safeRelativeURL is better-auth 1.7.25's isSafeRelativeURL: a root-relative
// reference that no browser or router can read as another host. It starts
// with one "/", has no backslash and no control character, and its path has
// no encoded "/" or "\".
func safeRelativeURL(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.Contains(s, `\`) || hasControl(s) {
		return false
	}
	path := s
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		path = s[:i]
	}
	path = strings.ToLower(path)
	if strings.Contains(path, "%2f") || strings.Contains(path, "%5c") {
		return false
	}
	// "/.//evil.example" stays on this host as a path, but a frontend or
	// browser that removes dot-segments (RFC 3986 §5.2.4) turns it into
	// the network-path reference "//evil.example".
	// No legitimate callback needs dot-segments, so refuse them all.
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// originOf returns the serialised origin of an absolute http(s) URL, or ""
// for anything else. URLs a browser could read differently from Go (with
// backslashes, controls or spaces) are refused rather than guessed at.
func originOf(raw string) string {
	if raw == "" || hasControl(raw) || strings.ContainsAny(raw, "\\ ") {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	origin := u.Scheme + "://" + host
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n > 65535 {
			return ""
		}
		if !(u.Scheme == "http" && n == 80) && !(u.Scheme == "https" && n == 443) {
			origin += ":" + strconv.Itoa(n)
		}
	}
	return origin
}

// requestOrigin is the origin the request was addressed to.
func requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// hasControl reports C0 and C1 control characters and DEL.
func hasControl(s string) bool {
	for _, r := range s {
		if r <= 0x1f || (r >= 0x7f && r <= 0x9f) {
			return true
		}
	}
	return false
}

// header reads a request header as the Fetch API does: several values are
// joined with ", " (so two Origin headers never pass as one trusted origin).
func header(r *http.Request, name string) string {
	return strings.Join(r.Header.Values(name), ", ")
}
