package bunstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/beep/iam/infrastructure/outbox"
	"github.com/uptrace/bun"
)

// OutboxStore keeps the email outbox in the outbox table: the storage of
// both outbox.Queue (Enqueue, in the caller's transaction) and
// outbox.Dispatcher (claims and their outcomes). Any number of
// dispatchers, on any number of nodes, may share it.
type OutboxStore struct {
	db *bun.DB
}

var (
	_ outbox.Enqueuer = (*OutboxStore)(nil)
	_ outbox.Store    = (*OutboxStore)(nil)
)

// NewOutboxStore returns an OutboxStore over db.
func NewOutboxStore(db *bun.DB) *OutboxStore {
	return &OutboxStore{db: db}
}

// Enqueue implements outbox.Enqueuer; it joins the transaction of
// TxRunner.InTx when ctx carries one.
func (s *OutboxStore) Enqueue(ctx context.Context, q outbox.Queued) error {
	_, err := idb(ctx, s.db).NewInsert().Model(outboxFromQueued(q)).Exec(ctx)
	return storageError(ctx, "enqueue email", err)
}

// The claim is one statement on both dialects, so the choice of rows and
// their lease are atomic.
//
// On PostgreSQL, FOR UPDATE SKIP LOCKED lets concurrent claims pass over
// each other's rows instead of queueing behind them, and a row another
// claim leased and committed meanwhile is re-checked against the WHERE
// (READ COMMITTED re-evaluates locked rows) and dropped. MATERIALIZED
// (PostgreSQL 12+) makes the CTE run exactly once: a LIMIT subquery
// re-scanned inside a join could pick more rows than asked.
//
// On SQLite, the statement runs under the database's single write lock,
// which serialises claims from every connection and process; there is
// nothing to skip.
const (
	claimPostgres = `WITH due AS MATERIALIZED (
    SELECT id FROM outbox
    WHERE status = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
    ORDER BY next_attempt_at
    LIMIT ?
    FOR UPDATE SKIP LOCKED
)
UPDATE outbox SET locked_until = ?, attempts = outbox.attempts + 1
FROM due WHERE outbox.id = due.id
RETURNING outbox.id, outbox.payload, outbox.attempts`

	claimSQLite = `UPDATE outbox SET locked_until = ?, attempts = attempts + 1
WHERE id IN (
    SELECT id FROM outbox
    WHERE status = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
    ORDER BY next_attempt_at
    LIMIT ?
)
RETURNING id, payload, attempts`
)

// Claim implements outbox.Store. Times are kept to the microsecond, what
// both dialects store, so the lease returned is the lease stored.
func (s *OutboxStore) Claim(ctx context.Context, now time.Time, n int, lease time.Duration) ([]outbox.Envelope, error) {
	if n <= 0 {
		return nil, nil
	}
	now = now.UTC().Truncate(time.Microsecond)
	until := now.Add(lease).Truncate(time.Microsecond)
	var q *bun.RawQuery
	if Dialect(s.db) == DialectPostgres {
		q = idb(ctx, s.db).NewRaw(claimPostgres, now, now, n, until)
	} else {
		q = idb(ctx, s.db).NewRaw(claimSQLite, until, now, now, n)
	}
	var rows []claimedRow
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, storageError(ctx, "claim emails", err)
	}
	// RETURNING follows no order; ids are UUIDv7, so this is queue order
	// within the batch.
	slices.SortFunc(rows, func(a, b claimedRow) int { return strings.Compare(a.ID, b.ID) })
	out := make([]outbox.Envelope, len(rows))
	for i, r := range rows {
		out[i] = outbox.Envelope{ID: r.ID, Payload: r.Payload, Attempt: r.Attempts, LeaseUntil: until}
	}
	return out, nil
}

// MarkSent implements outbox.Store.
//
// The payload is erased: it holds the email's link, and a link with a live
// reset or verification token must not outlive its delivery in the
// database (tokens are stored hashed everywhere else).
func (s *OutboxStore) MarkSent(ctx context.Context, e outbox.Envelope, providerID string, now time.Time) error {
	q := idb(ctx, s.db).NewUpdate().Model((*outboxRow)(nil)).
		Set("status = ?", outboxSent).
		Set("payload = ''").
		Set("provider_message_id = ?", providerID).
		Set("sent_at = ?", now.UTC()).
		Set("locked_until = NULL").
		Where("id = ?", e.ID).
		Where("status = ?", outboxPending)
	return s.settle(ctx, "mark email sent", q)
}

// Retry implements outbox.Store.
func (s *OutboxStore) Retry(ctx context.Context, e outbox.Envelope, next time.Time, errMsg string) error {
	q := s.held(ctx, e).
		Set("next_attempt_at = ?", next.UTC()).
		Set("last_error = ?", errMsg).
		Set("locked_until = NULL")
	return s.settle(ctx, "schedule email retry", q)
}

// Dead implements outbox.Store.
func (s *OutboxStore) Dead(ctx context.Context, e outbox.Envelope, errMsg string) error {
	q := s.held(ctx, e).
		Set("status = ?", outboxDead).
		Set("last_error = ?", errMsg).
		Set("locked_until = NULL")
	return s.settle(ctx, "dead-letter email", q)
}

// Release implements outbox.Store.
func (s *OutboxStore) Release(ctx context.Context, e outbox.Envelope) error {
	q := s.held(ctx, e).
		Set("attempts = attempts - 1").
		Set("locked_until = NULL")
	return s.settle(ctx, "release email", q)
}

// held starts an update of e's row that applies only while e's claim is
// the current one: still pending, and not claimed since (attempts is the
// fencing token).
func (s *OutboxStore) held(ctx context.Context, e outbox.Envelope) *bun.UpdateQuery {
	return idb(ctx, s.db).NewUpdate().Model((*outboxRow)(nil)).
		Where("id = ?", e.ID).
		Where("status = ?", outboxPending).
		Where("attempts = ?", e.Attempt)
}

// settle runs an update of one claim; no row updated means the claim was
// no longer held.
func (s *OutboxStore) settle(ctx context.Context, op string, q *bun.UpdateQuery) error {
	res, err := q.Exec(ctx)
	if err != nil {
		return storageError(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return storageError(ctx, op, err)
	}
	if n == 0 {
		return outbox.ErrLeaseLost
	}
	return nil
}

// Depth implements outbox.Store.
func (s *OutboxStore) Depth(ctx context.Context) (int, error) {
	return s.count(ctx, outboxPending)
}

// DeadCount implements outbox.Store.
func (s *OutboxStore) DeadCount(ctx context.Context) (int, error) {
	return s.count(ctx, outboxDead)
}

func (s *OutboxStore) count(ctx context.Context, status string) (int, error) {
	n, err := idb(ctx, s.db).NewSelect().Model((*outboxRow)(nil)).Where("status = ?", status).Count(ctx)
	if err != nil {
		return 0, storageError(ctx, "count "+status+" emails", err)
	}
	return n, nil
}
