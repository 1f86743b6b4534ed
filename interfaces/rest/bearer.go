package rest

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Bearer tokens follow better-auth's bearer plugin (plugins/bearer): a
// client without a cookie jar (mobile, server-to-server) sends
// "Authorization: Bearer <token>" and gets the session token back in a
// set-auth-token header whenever a session cookie is issued.
const (
	bearerScheme       = "bearer "
	headerSetAuthToken = "Set-Auth-Token"
	headerExposeHeader = "Access-Control-Expose-Headers"
)

// bearerToken returns the session token of a usable Authorization header.
// A signed value ("token.signature", optionally URL-encoded) must carry a
// valid signature by any key; a raw token (no dot) is taken as is, as the
// plugin signs it itself before checking. Anything else is no bearer
// token, so the request falls back to its cookie.
func (cs cookieSettings) bearerToken(r *http.Request) (string, bool) {
	auth := header(r, "Authorization")
	if len(auth) < len(bearerScheme) || !strings.EqualFold(auth[:len(bearerScheme)], bearerScheme) {
		return "", false
	}
	token := strings.TrimSpace(auth[len(bearerScheme):])
	if token == "" {
		return "", false
	}
	if !strings.Contains(token, ".") {
		return token, true
	}
	if strings.Contains(token, "%") {
		token = tryDecode(token)
	}
	return cs.verify(token)
}

// exposeSessionToken adds set-auth-token to any response that issues a
// session cookie, just before the headers go out, so every endpoint (and
// the error handler) is covered in one place. The value is the signed
// token, URL-decoded, as the plugin's after hook reads it from Set-Cookie.
func (cs cookieSettings) exposeSessionToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		res := c.Response()
		res.Before(func() { cs.addSetAuthToken(res.Header()) })
		return next(c)
	}
}

func (cs cookieSettings) addSetAuthToken(h http.Header) {
	token, live := "", false
	// The last Set-Cookie of the session cookie is the one that counts.
	for _, line := range h.Values("Set-Cookie") {
		name, rest, _ := strings.Cut(line, "=")
		if name != cs.sessionToken {
			continue
		}
		value, attrs, _ := strings.Cut(rest, ";")
		token = tryDecode(strings.TrimSpace(value))
		live = token != "" && !hasZeroMaxAge(attrs)
	}
	if !live {
		return
	}
	h.Set(headerSetAuthToken, token)
	h.Set(headerExposeHeader, addToList(h.Get(headerExposeHeader), "set-auth-token"))
}

func hasZeroMaxAge(attrs string) bool {
	for a := range strings.SplitSeq(attrs, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(a), "=")
		if strings.EqualFold(name, "Max-Age") && strings.TrimSpace(value) == "0" {
			return true
		}
	}
	return false
}

// addToList adds name to a comma-separated header list unless present.
func addToList(list, name string) string {
	var items []string
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if strings.EqualFold(item, name) {
			return list
		}
		items = append(items, item)
	}
	return strings.Join(append(items, name), ", ")
}
