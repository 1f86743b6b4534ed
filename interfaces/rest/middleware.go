package rest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/labstack/echo/v4"
)

// headerRequestID carries the request id in both directions.
const headerRequestID = "X-Request-Id"

// maxRequestIDLength bounds a client-supplied request id.
const maxRequestIDLength = 128

type requestIDKey struct{}

// RequestID returns the id of the request ctx belongs to, or "" outside a
// request; the error handler logs it with every failure, and clients see
// it in X-Request-Id.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// withRequestID keeps a sane X-Request-Id from the client or mints one,
// stores it and the arrival time (see padToFloor) in the request context,
// echoes it, and sets the headers every response carries.
func withRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		ctx := context.WithValue(r.Context(), arrivalKey{}, time.Now())
		id := r.Header.Get(headerRequestID)
		if !validRequestID(id) {
			id = newRequestID()
		}
		c.SetRequest(r.WithContext(context.WithValue(ctx, requestIDKey{}, id)))
		h := c.Response().Header()
		h.Set(headerRequestID, id)
		h.Set("X-Content-Type-Options", "nosniff")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// Every auth action's answer is private (tokens, users,
			// cookies): no cache may keep it. GETs that are set it
			// themselves; /ok stays cacheable as in better-auth.
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// validRequestID accepts short ids of [A-Za-z0-9._:-], so a client cannot
// inject anything into logs through them.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '.' || c == '_' || c == ':' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// panicError is a recovered panic, with the stack where it happened.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

// recoverPanics turns a panic in later middleware or the handler into a
// panicError, which the error handler logs and answers with an empty 500.
// http.ErrAbortHandler keeps its meaning (abort the response silently).
func recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err = &panicError{value: v, stack: debug.Stack()}
			}
		}()
		return next(c)
	}
}

// routeGate answers 404 for any request no route serves (unknown path,
// wrong method, HEAD, OPTIONS) before later middleware looks at it, as
// better-call's router does before any endpoint logic runs.
func routeGate(known map[string]bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !known[c.Request().Method+" "+c.Path()] {
				return echo.ErrNotFound
			}
			return next(c)
		}
	}
}

// limitBody refuses a declared Content-Length over limit at once, without
// reading the body, and caps what any handler can read of an undeclared
// (chunked) one; reading past the cap fails with *http.MaxBytesError.
func limitBody(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > limit {
				return errTooLarge
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(c.Response().Writer, r.Body, limit)
			}
			return next(c)
		}
	}
}
