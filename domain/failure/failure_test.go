package failure_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/beep/iam/domain/failure"
)

func TestIs(t *testing.T) {
	exists := failure.New(failure.Conflict, "USER_ALREADY_EXISTS", "User already exists.")
	other := failure.New(failure.Conflict, "ORGANIZATION_ALREADY_EXISTS", "Organization already exists")
	wrapped := fmt.Errorf("sign up: %w", exists)

	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"kind sentinel matches", wrapped, failure.ErrConflict, true},
		{"other kind does not", wrapped, failure.ErrNotFound, false},
		{"same code matches", wrapped, exists, true},
		{"other code does not", wrapped, other, false},
		{"plain error is unclassified", errors.New("boom"), failure.ErrConflict, false},
		{"message-only failures match by message", failure.Wrap(failure.Invalid, nil, "Email is the same"), &failure.Error{Kind: failure.Invalid, Message: "Email is the same"}, true},
		{"another message-only failure does not", failure.Wrap(failure.Invalid, nil, "No fields to update"), &failure.Error{Kind: failure.Invalid, Message: "Email is the same"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errors.Is(tt.err, tt.target); got != tt.want {
				t.Fatalf("errors.Is(%v, %v) = %v, want %v", tt.err, tt.target, got, tt.want)
			}
		})
	}
	if got := failure.KindOf(wrapped); got != failure.Conflict {
		t.Errorf("KindOf = %v, want conflict", got)
	}
	if got := failure.KindOf(errors.New("x")); got != 0 {
		t.Errorf("KindOf(plain) = %v, want 0", got)
	}
}

func TestWithCause(t *testing.T) {
	sentinel := failure.New(failure.NotFound, "USER_NOT_FOUND", "User not found")
	cause := errors.New("sql: no rows")
	err := sentinel.WithCause(cause)
	if !errors.Is(err, sentinel) || !errors.Is(err, cause) || !errors.Is(err, failure.ErrNotFound) {
		t.Fatalf("WithCause lost an identity: %v", err)
	}
	if sentinel.Err != nil {
		t.Fatal("WithCause changed the sentinel")
	}
}
