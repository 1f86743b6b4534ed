package bunstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/beep/iam/domain/failure"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// constraint is the kind of integrity rule a statement broke, as the driver
// reports it.
type constraint int

const (
	noConstraint constraint = iota
	// uniqueKey is a UNIQUE constraint or index other than the primary key
	// (an email, a slug, a token, a membership).
	uniqueKey
	primaryKey
	foreignKey
	checkRule
	notNull
)

// violated tells which constraint err reports, if any. PostgreSQL names it
// by SQLSTATE, and a primary key by its default name "<table>_pkey" (the
// migrations keep the default names); SQLite by its extended result code.
func violated(err error) constraint {
	if err == nil {
		return noConstraint
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			if strings.HasSuffix(pgErr.ConstraintName, "_pkey") {
				return primaryKey
			}
			return uniqueKey
		case "23503":
			return foreignKey
		case "23514":
			return checkRule
		case "23502":
			return notNull
		}
		return noConstraint
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return uniqueKey
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return primaryKey
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return foreignKey
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return checkRule
		case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return notNull
		}
	}
	return noConstraint
}

// storageError translates the error of a statement run for op (a short
// phrase: "create user") once the repository has handled the outcomes its
// port names. Broken constraints become failures; the caller's ended
// context stays visible to errors.Is; an unreachable, overloaded or
// timed-out database is ErrUnavailable (failure.Unavailable, code
// SERVICE_UNAVAILABLE); anything else is an internal error. nil stays nil.
func storageError(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	// Messages are public (the edge may send them); the operation and the
	// driver's words stay in the cause, for logs.
	cause := fmt.Errorf("bunstore: %s: %w", op, err)
	switch violated(err) {
	case uniqueKey, primaryKey:
		return failure.Wrap(failure.Conflict, cause, "Already exists")
	case foreignKey:
		return failure.Wrap(failure.NotFound, cause, "Not found")
	case checkRule, notNull:
		return failure.Wrap(failure.Invalid, cause, "Invalid value")
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		// The caller's context ended. Drivers report an interrupted
		// statement in their own words ("interrupted", "conn closed");
		// the context says why.
		if errors.Is(err, ctxErr) {
			return cause
		}
		return fmt.Errorf("bunstore: %s: %w (%v)", op, ctxErr, err)
	}
	if retryable(err) {
		return failure.Wrap(failure.Conflict, cause, "Concurrent update, try again")
	}
	// The caller's context is live, so a deadline here is the statement's
	// own (WithQueryTimeout, a connect timeout): the database is too slow
	// or unreachable.
	if errors.Is(err, context.DeadlineExceeded) || unavailable(err) {
		return ErrUnavailable.WithCause(cause)
	}
	return cause
}

// ErrUnavailable is how every adapter here reports a database that cannot
// serve now (down, unreachable, out of connections, too slow): the edge
// answers it 503 with Retry-After, and the same request may succeed later.
var ErrUnavailable = failure.New(failure.Unavailable, "SERVICE_UNAVAILABLE", "Service temporarily unavailable")

// retryable reports a PostgreSQL serialization failure or deadlock: the
// transaction lost a race and may succeed when run again.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// unavailable reports errors that say the database cannot serve now rather
// than that the statement is wrong: lost or refused connections, PostgreSQL
// classes 08 (connection), 53 (insufficient resources) and 57 (operator
// intervention, e.g. shutdown), and SQLite still locked after busy_timeout.
func unavailable(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		class := pgErr.Code[:min(2, len(pgErr.Code))]
		return class == "08" || class == "53" || class == "57"
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		primary := liteErr.Code() & 0xff
		return primary == sqlite3.SQLITE_BUSY || primary == sqlite3.SQLITE_LOCKED
	}
	return false
}
