package rest

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
)

// errUnauthorized is better-auth's answer of every session-protected
// endpoint called without a live session (api/routes/session.mjs
// sessionMiddleware).
var errUnauthorized = failure.New(failure.Unauthenticated, "UNAUTHORIZED", "Unauthorized")

// failedToGetSession is the code of get-session's internal failures.
const failedToGetSession = "FAILED_TO_GET_SESSION"

// sessionLookup says how to find the caller's session.
type sessionLookup struct {
	// disableCookieCache reads storage even when a cache cookie is valid.
	disableCookieCache bool
	// disableRefresh skips the once-per-updateAge extension.
	disableRefresh bool
}

// requireSession is better-auth's sessionMiddleware: the caller's live
// session, or 401 UNAUTHORIZED. Unlike get-session it always reads
// storage, never the cookie cache, so a cached copy of a revoked session
// can never act (better-auth only does so for its "sensitive" endpoints).
// As in better-auth the lookup is get-session's: disableRefresh applies, a
// due session is refreshed, and a dead session's cookies are cleared even
// though the answer is a 401.
func (a *AuthRoutes) requireSession(c echo.Context) (authn.CurrentSession, error) {
	cur, err := a.optionalSession(c, sessionLookup{disableCookieCache: true, disableRefresh: queryBool(c, "disableRefresh")})
	if err != nil {
		return authn.CurrentSession{}, err
	}
	if cur == nil {
		return authn.CurrentSession{}, errUnauthorized
	}
	return *cur, nil
}

// optionalSession is better-auth's getSessionFromCtx on endpoints that
// serve callers with and without a session: the caller's live session, or
// nil. A session found gone mid-lookup is no session, as in requireSession.
func (a *AuthRoutes) optionalSession(c echo.Context, q sessionLookup) (*authn.CurrentSession, error) {
	cur, ok, err := a.resolveSession(c, q)
	switch {
	case errors.Is(err, authn.ErrSessionGone):
		return nil, nil
	case err != nil:
		return nil, err
	case !ok:
		return nil, nil
	}
	return &cur, nil
}

// resolveSession is better-auth's get-session lookup (api/routes/
// session.mjs getSession), the one place a request's session is found. The
// token comes from a valid bearer header or the signed session cookie. A
// valid cookie cache entry for that token answers without reading storage,
// unless the session was revoked since (Beep closes better-auth's
// revocation gap there); a bad, foreign or stale entry is expired. Storage
// is read otherwise: a missing or expired session clears the cookies, a
// refreshed one gets its cookies re-issued, and any other a new cache
// entry. ok is false when there is no live session.
func (a *AuthRoutes) resolveSession(c echo.Context, q sessionLookup) (cur authn.CurrentSession, ok bool, err error) {
	r, h, cs := c.Request(), c.Response().Header(), a.cookies
	cacheOn := cs.cacheMaxAge > 0
	token, hasToken := cs.sessionTokenOf(r)
	if !hasToken && cacheOn {
		return authn.CurrentSession{}, false, nil
	}
	data := cs.readCache(r)
	if data != "" && !cacheOn {
		cs.cleanCache(h, r) // left over from when the cache was on
	}
	if !hasToken {
		return authn.CurrentSession{}, false, nil
	}
	dontRemember := cs.dontRememberOf(r)
	if cacheOn && !q.disableCookieCache && data != "" {
		if cur, hit := a.fromCache(c, data, token, dontRemember); hit {
			return cur, true, nil
		}
	}
	cur, err = a.auth.GetSession(r.Context(), authn.SessionQuery{
		Token:          token,
		DisableRefresh: q.disableRefresh,
		DontRemember:   dontRemember,
	})
	switch {
	case err == nil:
	case errors.Is(err, failure.ErrNotFound): // unknown, expired or orphaned session
		cs.deleteSession(h, r)
		return authn.CurrentSession{}, false, nil
	case errors.Is(err, authn.ErrSessionGone):
		cs.deleteSession(h, r)
		return authn.CurrentSession{}, false, err
	case failure.KindOf(err) != 0:
		return authn.CurrentSession{}, false, err
	default:
		return authn.CurrentSession{}, false, &apiError{
			status: http.StatusInternalServerError, code: failedToGetSession, message: "Failed to get session", cause: err,
		}
	}
	switch {
	case cur.Refreshed:
		cs.setSession(h, r, cur, false)
	case !dontRemember && !q.disableRefresh:
		// better-auth returns before caching on these two paths.
		cs.setCache(h, r, cur, false)
	}
	return cur, true, nil
}

// fromCache answers from the cookie cache when its entry verifies, belongs
// to token, is current and unexpired, and the session has not been revoked.
// An entry failing its own checks is expired; a revoked session's entry is
// left to the storage read, which clears the cookies of a dead session.
func (a *AuthRoutes) fromCache(c echo.Context, data, token string, dontRemember bool) (authn.CurrentSession, bool) {
	cs := a.cookies
	entry, ok := cs.decodeCache(data)
	if ok && entry.usableFor(token, cs.now(), cs.cacheNotBefore) {
		var cur authn.CurrentSession
		if cur, ok = entry.payload.current(dontRemember); ok {
			if a.auth.CacheStale(c.Request().Context(), token, cur.User.ID, time.UnixMilli(entry.payload.UpdatedAt)) {
				return authn.CurrentSession{}, false
			}
			return cur, true
		}
	}
	cs.expire(c.Response().Header(), cs.sessionData)
	return authn.CurrentSession{}, false
}
