package rest

import (
	"errors"

	"github.com/beep/iam/domain/failure"
)

// better-auth answers some failures differently by endpoint: the same
// "not a member" is 403 on reads, 400 on update and delete, 401 on
// has-permission, and a few endpoints word theirs without a code. The use
// cases return one failure per rule; these two helpers let a handler give
// it its endpoint's answer.

// withStatus answers a failure with code at status, keeping its body.
func withStatus(err error, code string, status int) error {
	var f *failure.Error
	if errors.As(err, &f) && f.Code == code {
		return &apiError{status: status, code: f.Code, message: f.Message, cause: err}
	}
	return err
}

// reworded answers a failure with code as instead.
func reworded(err error, code string, as *apiError) error {
	var f *failure.Error
	if errors.As(err, &f) && f.Code == code {
		c := *as
		c.cause = err
		return &c
	}
	return err
}
