package rest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/domain/failure"
)

// apiError is a failure the edge itself detects (media type, body size,
// method), whose status the wire fixes. With neither code nor message the
// body is empty; with a message only, it is {"message"}. A cause is logged,
// never sent.
type apiError struct {
	status  int
	code    string
	message string
	cause   error
}

func (e *apiError) Error() string {
	msg := fmt.Sprintf("%d %s: %s", e.status, e.code, e.message)
	if e.cause != nil {
		msg += ": " + e.cause.Error()
	}
	return msg
}

func (e *apiError) Unwrap() error { return e.cause }

// Errors of the wire protocol that no use case produces.
var (
	errInvalidJSON = &apiError{status: http.StatusBadRequest, code: "BAD_REQUEST", message: "Invalid JSON in request body"}
	errTooLarge    = &apiError{status: http.StatusRequestEntityTooLarge, code: "PAYLOAD_TOO_LARGE", message: "Request body too large"}
	errPostSession = &apiError{
		status:  http.StatusMethodNotAllowed,
		code:    "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED",
		message: "POST method requires deferSessionRefresh to be enabled in session config",
	}
)

// validationError is better-call's answer to a body that fails its schema.
func validationError(message string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "VALIDATION_ERROR", message: message}
}

// errorBody is the JSON of an error response, {"message","code"} in that
// order; code is left out for better-auth's message-only errors.
type errorBody struct {
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
}

// kindStatus is the default status of each failure kind.
var kindStatus = map[failure.Kind]int{
	failure.Invalid:         http.StatusBadRequest,
	failure.NotFound:        http.StatusNotFound,
	failure.Conflict:        http.StatusConflict,
	failure.Forbidden:       http.StatusForbidden,
	failure.Unauthenticated: http.StatusUnauthorized,
	failure.RateLimited:     http.StatusTooManyRequests,
	failure.Precondition:    http.StatusForbidden,
	failure.Unavailable:     http.StatusServiceUnavailable,
}

// codeStatus overrides kindStatus where better-auth answers a code with a
// status of its own.
var codeStatus = map[string]int{
	// A conflict better-auth answers 422.
	"USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL": http.StatusUnprocessableEntity,
	// A Beep rule better-auth lacks (deleting the only owner of a shared
	// organization): a 400 like delete-user's other refusals.
	"USER_IS_SOLE_OWNER_OF_AN_ORGANIZATION": http.StatusBadRequest,
	// The organization plugin answers these "not found"s and conflicts 400.
	"ORGANIZATION_NOT_FOUND":                        http.StatusBadRequest,
	"MEMBER_NOT_FOUND":                              http.StatusBadRequest,
	"INVITATION_NOT_FOUND":                          http.StatusBadRequest,
	"ORGANIZATION_ALREADY_EXISTS":                   http.StatusBadRequest,
	"ORGANIZATION_SLUG_ALREADY_TAKEN":               http.StatusBadRequest,
	"USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION": http.StatusBadRequest,
	"USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION":  http.StatusBadRequest,
	// An account id that is not one of the caller's (unlink, tokens).
	"ACCOUNT_NOT_FOUND": http.StatusBadRequest,
}

// codeUnavailable is the code of a 503: a dependency (the database) is
// down, unreachable or too slow, and the request may succeed later.
const codeUnavailable = "SERVICE_UNAVAILABLE"

// retryAfterUnavailable is the Retry-After, in seconds, of every 503.
const retryAfterUnavailable = "1"

// statusClientClosedRequest is nginx's 499, for requests abandoned by
// their client.
const statusClientClosedRequest = 499

// response is how one error goes on the wire.
type response struct {
	status int
	body   *errorBody // nil: empty body
	log    bool       // an internal error: log it, whatever the status
}

// classify maps any error to its wire response. Unclassified errors are
// internal: 500 with an empty body, so nothing about them leaks.
func classify(err error) response {
	var (
		api   *apiError
		fail  *failure.Error
		echoe *echo.HTTPError
		large *http.MaxBytesError
		pe    *panicError
	)
	switch {
	case errors.Is(err, context.Canceled):
		// The client hung up: nobody reads the answer, and it is no bug.
		return response{status: statusClientClosedRequest}
	case errors.Is(err, context.DeadlineExceeded):
		return response{status: http.StatusServiceUnavailable, body: bodyOf(codeUnavailable, "Service temporarily unavailable")}
	case errors.As(err, &pe):
		return response{status: http.StatusInternalServerError, log: true}
	case errors.As(err, &api):
		return response{status: api.status, body: bodyOf(api.code, api.message), log: api.status >= 500}
	case errors.As(err, &fail):
		status, ok := codeStatus[fail.Code]
		if !ok {
			status, ok = kindStatus[fail.Kind]
		}
		if !ok {
			return response{status: http.StatusInternalServerError, log: true}
		}
		// A classified failure (an overloaded hash pool, an unreachable
		// database) is expected under load: answered, not logged as a bug.
		return response{status: status, body: bodyOf(fail.Code, fail.Message)}
	case errors.As(err, &large):
		return response{status: errTooLarge.status, body: bodyOf(errTooLarge.code, errTooLarge.message)}
	case errors.As(err, &echoe):
		// The router's 404 and 405 are both better-call's empty 404.
		if echoe.Code == http.StatusNotFound || echoe.Code == http.StatusMethodNotAllowed {
			return response{status: http.StatusNotFound}
		}
		return response{status: echoe.Code, log: echoe.Code >= 500}
	default:
		return response{status: http.StatusInternalServerError, log: true}
	}
}

// bodylessCodes are failures better-auth answers with an empty body
// (APIError.fromStatus without one): the code identifies them inside Beep
// and never reaches the wire.
var bodylessCodes = map[string]bool{
	"DELETE_USER_DISABLED": true,
}

func bodyOf(code, message string) *errorBody {
	if (code == "" && message == "") || bodylessCodes[code] {
		return nil
	}
	return &errorBody{Message: message, Code: code}
}

// errorHandler is the echo HTTPErrorHandler: the one place errors become
// responses.
type errorHandler struct{ logger *slog.Logger }

func (h errorHandler) handle(err error, c echo.Context) {
	// Middleware that reports an error itself (otelecho calls c.Error and
	// then returns the error) brings it here twice; the first call answered.
	if c.Response().Committed {
		return
	}
	res := classify(err)
	if res.log {
		h.logInternal(c, err, res.status)
	}
	if res.status == http.StatusServiceUnavailable && c.Response().Header().Get("Retry-After") == "" {
		// A dependency is down or overloaded (failure.Unavailable, a
		// deadline): ask clients to come back shortly rather than hammer.
		c.Response().Header().Set("Retry-After", retryAfterUnavailable)
	}
	if res.status == http.StatusTooManyRequests {
		setRetryAfterOf(c.Response().Header(), err) // a throttled account's wait
	}
	if res.status == http.StatusRequestEntityTooLarge {
		// The rest of the body is not worth draining.
		c.Response().Header().Set("Connection", "close")
	}
	var werr error
	if res.body == nil {
		werr = c.NoContent(res.status)
	} else {
		werr = writeJSON(c, res.status, res.body)
	}
	if werr != nil {
		h.logger.WarnContext(c.Request().Context(), "writing error response failed",
			slog.String("request_id", RequestID(c.Request().Context())), slog.Any("error", werr))
	}
}

func (h errorHandler) logInternal(c echo.Context, err error, status int) {
	r := c.Request()
	attrs := []any{
		slog.String("request_id", RequestID(r.Context())),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Any("error", err),
	}
	var pe *panicError
	if errors.As(err, &pe) {
		attrs = append(attrs, slog.String("stack", string(pe.stack)))
		h.logger.ErrorContext(r.Context(), "panic serving request", attrs...)
		return
	}
	h.logger.ErrorContext(r.Context(), "internal error serving request", attrs...)
}
