package bunstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"slices"
	"testing"

	"github.com/beep/iam/domain/failure"
	"github.com/jackc/pgx/v5/pgconn"
)

// Outcomes the integration tests cannot provoke cheaply (lost connections,
// serialization failures, shutdowns) are classified from synthetic errors.
func TestStorageErrorKinds(t *testing.T) {
	t.Parallel()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want error
	}{
		{"unique violation", context.Background(), &pgconn.PgError{Code: "23505", ConstraintName: "users_email_key"}, failure.ErrConflict},
		{"primary key violation", context.Background(), &pgconn.PgError{Code: "23505", ConstraintName: "users_pkey"}, failure.ErrConflict},
		{"foreign key violation", context.Background(), &pgconn.PgError{Code: "23503"}, failure.ErrNotFound},
		{"check violation", context.Background(), &pgconn.PgError{Code: "23514"}, failure.ErrInvalid},
		{"not null violation", context.Background(), &pgconn.PgError{Code: "23502"}, failure.ErrInvalid},
		{"serialization failure", context.Background(), &pgconn.PgError{Code: "40001"}, failure.ErrConflict},
		{"deadlock", context.Background(), &pgconn.PgError{Code: "40P01"}, failure.ErrConflict},
		{"connection failure", context.Background(), &pgconn.PgError{Code: "08006"}, failure.ErrUnavailable},
		{"too many connections", context.Background(), &pgconn.PgError{Code: "53300"}, failure.ErrUnavailable},
		{"admin shutdown", context.Background(), &pgconn.PgError{Code: "57P01"}, failure.ErrUnavailable},
		{"bad connection", context.Background(), driver.ErrBadConn, failure.ErrUnavailable},
		{"driver error after cancel", canceled, errors.New("conn closed"), context.Canceled},
		{"statement timeout with the caller's context live", context.Background(), fmt.Errorf("timeout: %w", context.DeadlineExceeded), ErrUnavailable},
		{"connection refused", context.Background(), &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := storageError(tt.ctx, "op", tt.err); !errors.Is(got, tt.want) {
				t.Fatalf("storageError(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
	if got := storageError(context.Background(), "op", &pgconn.PgError{Code: "42601"}); failure.KindOf(got) != 0 {
		t.Fatalf("syntax error classified as %v, want an unclassified internal error", failure.KindOf(got))
	}
	var fail *failure.Error
	if got := storageError(context.Background(), "op", driver.ErrBadConn); !errors.As(got, &fail) || fail.Code != "SERVICE_UNAVAILABLE" {
		t.Fatalf("storageError(ErrBadConn) = %v, want code SERVICE_UNAVAILABLE", got)
	}
	if storageError(context.Background(), "op", nil) != nil {
		t.Fatal("storageError(nil) != nil")
	}
}

func TestPasswordsIn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url  string
		want []string
	}{
		{"postgres://u:pw@h/db", []string{"pw"}},
		{"postgres://u:p%40w@h:bad/db", []string{"p%40w", "p@w"}},
		{"postgres://h/db?user=u&password=q1&sslpassword=q2", []string{"q1", "q2"}},
		{"postgres://u@h/db", nil},
	}
	for _, tt := range tests {
		if got := passwordsIn(tt.url); !slices.Equal(got, tt.want) {
			t.Errorf("passwordsIn(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}
