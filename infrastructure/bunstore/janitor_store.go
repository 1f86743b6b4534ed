package bunstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/beep/iam/application/janitor"
)

// JanitorStore deletes lapsed rows for the janitor. Each delete removes at
// most limit rows chosen by a subquery (DELETE … WHERE id IN (SELECT id …
// LIMIT n), which both dialects accept), so a sweep after a long outage
// proceeds in short statements instead of one long lock. Nodes sweeping
// together at worst delete nothing: a row is gone once, whoever got it.
type JanitorStore struct {
	db *bun.DB
}

var _ janitor.Store = (*JanitorStore)(nil)

// NewJanitorStore returns a JanitorStore over db.
func NewJanitorStore(db *bun.DB) *JanitorStore {
	return &JanitorStore{db: db}
}

// DeleteExpiredSessions implements janitor.Store.
func (s *JanitorStore) DeleteExpiredSessions(ctx context.Context, now time.Time, limit int) (int, error) {
	return s.deleteWhere(ctx, "delete expired sessions", "sessions", limit, "expires_at < ?", now.UTC())
}

// DeleteExpiredVerifications implements janitor.Store.
func (s *JanitorStore) DeleteExpiredVerifications(ctx context.Context, now time.Time, limit int) (int, error) {
	return s.deleteWhere(ctx, "delete expired verifications", "verifications", limit, "expires_at < ?", now.UTC())
}

// DeleteSentEmails implements janitor.Store.
func (s *JanitorStore) DeleteSentEmails(ctx context.Context, before time.Time, limit int) (int, error) {
	return s.deleteWhere(ctx, "delete sent emails", "outbox", limit, "status = 'sent' AND sent_at < ?", before.UTC())
}

// DeleteExpiredInvitations implements janitor.Store.
func (s *JanitorStore) DeleteExpiredInvitations(ctx context.Context, now time.Time, limit int) (int, error) {
	return s.deleteWhere(ctx, "delete expired invitations", "invitations", limit, "status = 'pending' AND expires_at < ?", now.UTC())
}

func (s *JanitorStore) deleteWhere(ctx context.Context, op, table string, limit int, where string, arg any) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	due := s.db.NewSelect().TableExpr(table).Column("id").Where(where, arg).Limit(limit)
	res, err := idb(ctx, s.db).NewDelete().TableExpr(table).Where("id IN (?)", due).Exec(ctx)
	if err != nil {
		return 0, storageError(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, storageError(ctx, op, err)
	}
	return int(n), nil
}
