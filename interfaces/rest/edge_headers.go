package rest

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// hstsValue asks browsers to use https only for two years, subdomains
// included; sent only by https deployments.
const hstsValue = "max-age=63072000; includeSubDomains"

// edgeHeaders sets the security headers every response carries and
// answers CORS for the trusted origins: a trusted origin may call the API
// with credentials (cookies), any other gets no CORS headers and the
// browser keeps the answer from it. A CORS preflight is answered here,
// before routing: it changes nothing.
func edgeHeaders(origins originPolicy, https bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r, h := c.Request(), c.Response().Header()
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Content-Security-Policy", "frame-ancestors 'none'")
			if https {
				h.Set("Strict-Transport-Security", hstsValue)
			}
			origin := r.Header.Get("Origin")
			trusted := origin != "" && origins.trustedOrigin(origin)
			if origin != "" {
				h.Add("Vary", "Origin")
			}
			if trusted {
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Allow-Credentials", "true")
			}
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				if trusted {
					h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
					h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization, X-Request-Id")
					h.Set("Access-Control-Max-Age", "600")
				}
				return c.NoContent(http.StatusNoContent)
			}
			return next(c)
		}
	}
}
