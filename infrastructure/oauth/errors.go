package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
	"golang.org/x/oauth2"
)

// rejected is the provider refusing op.
func rejected(op string, cause error) error {
	return authn.ErrProviderRejected.WithCause(fmt.Errorf("%s: %w", op, cause))
}

// unavailable is op failing for want of a usable answer.
func unavailable(op string, cause error) error {
	return failure.Wrap(failure.Unavailable, fmt.Errorf("%s: %w", op, cause), "identity provider unavailable")
}

// invalidIDToken is an id token that does not verify.
func invalidIDToken(cause error) error {
	return authn.ErrInvalidIDToken.WithCause(cause)
}

// unreachable reports whether err is a failure to get an answer at all:
// the network, a timeout, a cancelled context, or a 5xx (see guard).
func unreachable(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// tokenError classifies what x/oauth2 returned for a token request. Its
// RetrieveError is rebuilt from status and OAuth error fields only: its
// own message quotes the response body.
func tokenError(op string, err error) error {
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re):
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return rejected(op, fmt.Errorf("status %d%s", status, errorDetail(re.ErrorCode, re.ErrorDescription)))
	case unreachable(err):
		return unavailable(op, err)
	default:
		// A 2xx without an access token, or one that does not parse.
		return unavailable(op, errors.New("unusable token response"))
	}
}
