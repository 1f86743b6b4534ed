// Package rest is the HTTP edge of Beep IAM: an echo v4 server that speaks
// the better-auth 1.7.25 REST protocol under /api/auth, so the unmodified
// better-auth client SDK works against it.
//
// Its contract is the wire (shared/design/WIRE.md, with the recordings in
// e2e/oracle/RECORDED.md and the installed better-auth code taking
// precedence): paths, methods, JSON shapes and key order, dates with
// exactly three fractional digits, error bodies {"message","code"} or
// empty, signed and URL-encoded cookies, the origin/CSRF checks and
// redirect URL validation. Handlers decode and validate a request, call a
// use case through a consumer-side interface, and return errors
// unrendered; one error handler maps every error to the wire.
//
// Sessions are found in one place (resolveSession, better-auth's
// get-session lookup) for get-session and every protected endpoint. The
// token comes from the signed session cookie or an Authorization: Bearer
// header (better-auth's bearer plugin; responses that issue a session
// cookie also carry set-auth-token). The signed session_data cookie cache
// answers without a storage read, except for sensitive endpoints and for
// sessions revoked since the entry was issued, which better-auth would
// still accept until the entry expires. Signing keys rotate: the first
// signs, all verify.
//
// The email flows (verification, password reset, email change, deletion
// by mailed link) follow the same rules. Links that carry a token answer
// with Referrer-Policy: no-referrer, and their callback URLs pass the same
// origin check as POST bodies'. Answers that could tell whether an address
// has an account are the same bytes either way and take at least
// Config.EnumerationFloor.
//
// NewEcho assembles the server: request id and security headers, the
// set-auth-token header, panic recovery, caller-supplied middleware
// (tracing), a route gate that answers 404 before any work for requests no
// route matches, the body size limit, and the cookie origin check. Feature
// packages contribute endpoints as Routes.
package rest
