package rest

import (
	"log/slog"

	"github.com/labstack/echo/v4"
)

// Routes registers a group of endpoints under the base path /api/auth.
// Each feature contributes one; the runtime collects them.
type Routes interface {
	Register(g *echo.Group)
}

// NewEcho builds the HTTP server. Middleware runs in this order: request id,
// the client address (client_ip.go), security headers and CORS (preflights end there), the set-auth-token header of responses that issue
// a session cookie, panic recovery, the extra middleware given (e.g.
// tracing), the route gate (404 for anything no route serves), the per-IP
// rate limit (rate_limit.go), the body limit, the cookie origin check; then the handler. Every error is rendered
// by one handler; internal ones are logged to logger with the request id.
// All routes must be registered here: the gate knows only these.
func NewEcho(cfg Config, logger *slog.Logger, routes []Routes, middleware ...echo.MiddlewareFunc) *echo.Echo {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := cfg.resolve()
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler{logger: logger}.handle

	g := e.Group(basePath)
	for _, r := range routes {
		r.Register(g)
	}
	known := map[string]bool{}
	for _, r := range e.Routes() {
		known[r.Method+" "+r.Path] = true
	}

	e.Use(withRequestID, clientIPResolver{trusted: cfg.TrustedProxies}.middleware, edgeHeaders(s.origins, s.cookies.secure), s.cookies.exposeSessionToken, recoverPanics)
	e.Use(middleware...)
	e.Use(routeGate(known), newRateLimiter(cfg.RateLimit).middleware, limitBody(s.bodyLimit), s.origins.middleware)
	return e
}
