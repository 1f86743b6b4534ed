// Package rest is the HTTP edge of Beep IAM: an echo v4 server that speaks
// the better-auth 1.7.25 REST protocol under /api/auth, so the unmodified
// better-auth client SDK works against it.
//
// Its contract is the wire (shared/design/WIRE.md, with the recordings in
// e2e/oracle/RECORDED.md taking precedence): paths, methods, JSON shapes and
// key order, dates with exactly three fractional digits, error bodies
// {"message","code"} or empty, signed and URL-encoded cookies, the
// origin/CSRF checks and callback URL validation. Handlers decode and
// validate a request, call a use case through a consumer-side interface, and
// return errors unrendered; one error handler maps every error to the wire.
//
// NewEcho assembles the server: request id and security headers, panic
// recovery, caller-supplied middleware (tracing), a route gate that answers
// 404 before any work for requests no route matches, the body size limit,
// and the cookie origin check. Feature packages contribute endpoints as
// Routes.
package rest
