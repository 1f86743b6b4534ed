package bunstore

import (
	"context"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// queryTimeoutHook gives every statement of bun's query builders a
// deadline: the wait for a pooled connection, the connection attempt and
// the round trip all fall under it. It is what turns "PostgreSQL is gone"
// into a prompt failure.Unavailable (see storageError) rather than a
// request waiting on the pool.
//
// Three kinds of statement are left alone:
//   - BEGIN: its context is the transaction's for its whole life, and
//     database/sql rolls back when it ends (InTx bounds the wait for the
//     connection instead);
//   - raw db.QueryContext/QueryRowContext calls (no IQuery): bun reports
//     them done before the caller reads the rows, so the deadline could
//     not be released at the right time;
//   - anything run under WithoutQueryTimeout (migrations, which may
//     legitimately wait for another node's lock or build an index).
type queryTimeoutHook struct {
	timeout time.Duration
}

var _ bun.QueryHook = queryTimeoutHook{}

type noQueryTimeoutKey struct{}

// WithoutQueryTimeout returns ctx with the statement deadline of
// WithQueryTimeout lifted, for long operations (migrations, maintenance)
// that bound themselves.
func WithoutQueryTimeout(ctx context.Context) context.Context {
	return context.WithValue(ctx, noQueryTimeoutKey{}, true)
}

// cancelKey keeps the deadline's cancel function in the event, so that
// AfterQuery releases its timer at once.
type cancelKey struct{}

func (h queryTimeoutHook) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	if e.IQuery == nil || ctx.Value(noQueryTimeoutKey{}) != nil {
		return ctx
	}
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	if e.Stash == nil {
		e.Stash = make(map[any]any, 1)
	}
	e.Stash[cancelKey{}] = cancel
	return ctx
}

func (queryTimeoutHook) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if cancel, ok := e.Stash[cancelKey{}].(context.CancelFunc); ok {
		cancel()
	}
}

// queryTimeouts remembers the WithQueryTimeout of each database Open
// gave one, for InTx (bun keeps its hooks private).
var queryTimeouts sync.Map // *bun.DB → time.Duration

// queryTimeoutOf returns db's statement timeout, or 0.
func queryTimeoutOf(db *bun.DB) time.Duration {
	d, _ := queryTimeouts.Load(db)
	t, _ := d.(time.Duration)
	return t
}

// boundedConn takes a connection from db's pool for a transaction, waiting
// no longer than db's query timeout when it has one: database/sql's pool
// has no acquire timeout of its own, and the context of BEGIN must stay
// the caller's (it ends the transaction).
func boundedConn(ctx context.Context, db *bun.DB) (bun.Conn, error) {
	timeout := queryTimeoutOf(db)
	if timeout <= 0 || ctx.Value(noQueryTimeoutKey{}) != nil {
		return db.Conn(ctx)
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return db.Conn(actx)
}
