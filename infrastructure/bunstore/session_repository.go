package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
	"github.com/uptrace/bun"
)

// SessionRepository stores sessions in the sessions table, addressed by
// their unique token.
type SessionRepository struct {
	db *bun.DB
}

var (
	_ authn.SessionRepository     = (*SessionRepository)(nil)
	_ tenancy.ActiveOrganizations = (*SessionRepository)(nil)
)

// NewSessionRepository returns a SessionRepository over db.
func NewSessionRepository(db *bun.DB) *SessionRepository {
	return &SessionRepository{db: db}
}

// Create implements authn.SessionRepository. An unknown user or active
// organization is a failure.NotFound; an expiry not after the creation
// time a failure.Invalid.
func (r *SessionRepository) Create(ctx context.Context, s session.Session) error {
	_, err := idb(ctx, r.db).NewInsert().Model(sessionFromDomain(s)).Exec(ctx)
	if violated(err) == uniqueKey {
		return failure.Wrap(failure.Conflict, err, "duplicate session token")
	}
	return storageError(ctx, "create session", err)
}

// ByToken implements authn.SessionRepository. The comparison is exact
// (case-sensitive) on both dialects.
func (r *SessionRepository) ByToken(ctx context.Context, token string) (session.Session, error) {
	var row sessionRow
	err := idb(ctx, r.db).NewSelect().Model(&row).Where("token = ?", token).Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return session.Session{}, session.ErrSessionNotFound
	}
	if err != nil {
		return session.Session{}, storageError(ctx, "find session", err)
	}
	return row.toDomain(), nil
}

// Extend implements authn.SessionRepository.
func (r *SessionRepository) Extend(ctx context.Context, token string, expiresAt, updatedAt time.Time) error {
	res, err := idb(ctx, r.db).NewUpdate().Model((*sessionRow)(nil)).
		Set("expires_at = ?", expiresAt).
		Set("updated_at = ?", updatedAt).
		Where("token = ?", token).
		Exec(ctx)
	if err != nil {
		return storageError(ctx, "extend session", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return storageError(ctx, "extend session", err)
	}
	if n == 0 {
		return session.ErrSessionNotFound
	}
	return nil
}

// Delete implements authn.SessionRepository.
func (r *SessionRepository) Delete(ctx context.Context, token string) error {
	_, err := idb(ctx, r.db).NewDelete().Model((*sessionRow)(nil)).Where("token = ?", token).Exec(ctx)
	return storageError(ctx, "delete session", err)
}

// ListByUser implements authn.SessionRepository. Sessions created in the
// same instant come in reverse id order (UUIDv7: newest first).
func (r *SessionRepository) ListByUser(ctx context.Context, userID identity.UserID) ([]session.Session, error) {
	var rows []sessionRow
	err := idb(ctx, r.db).NewSelect().Model(&rows).
		Where("user_id = ?", string(userID)).
		Order("created_at DESC", "id DESC").
		Scan(ctx)
	if err != nil {
		return nil, storageError(ctx, "list sessions", err)
	}
	out := make([]session.Session, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// DeleteByUser implements authn.SessionRepository in one statement, DELETE
// ... RETURNING token (PostgreSQL, SQLite 3.35+), so the tokens returned
// are exactly the rows removed even when sessions are created meanwhile.
func (r *SessionRepository) DeleteByUser(ctx context.Context, userID identity.UserID, keep string) ([]string, error) {
	q := idb(ctx, r.db).NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", string(userID))
	if keep != "" {
		q = q.Where("token <> ?", keep)
	}
	var tokens []string
	if _, err := q.Returning("token").Exec(ctx, &tokens); err != nil {
		return nil, storageError(ctx, "delete sessions of user", err)
	}
	return tokens, nil
}

// SetActiveOrganization implements tenancy.ActiveOrganizations. An unknown
// organization (the foreign key) is organization.ErrOrganizationNotFound.
func (r *SessionRepository) SetActiveOrganization(ctx context.Context, token string, orgID *organization.ID, updatedAt time.Time) error {
	var active *string
	if orgID != nil {
		id := string(*orgID)
		active = &id
	}
	res, err := idb(ctx, r.db).NewUpdate().Model((*sessionRow)(nil)).
		Set("active_organization_id = ?", active).
		Set("updated_at = ?", updatedAt).
		Where("token = ?", token).
		Exec(ctx)
	if violated(err) == foreignKey {
		return organization.ErrOrganizationNotFound.WithCause(err)
	}
	if err != nil {
		return storageError(ctx, "set active organization", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return storageError(ctx, "set active organization", err)
	}
	if n == 0 {
		return session.ErrSessionNotFound
	}
	return nil
}

// returnToPersonalSQL points sessions at the personal organization of their
// own user (the oldest, should there be several), or at none, in one
// statement: a correlated subquery per session, so sessions of many users
// each get their own.
const returnToPersonalSQL = `UPDATE sessions SET updated_at = ?, active_organization_id = (
	SELECT o.id FROM organizations AS o
	WHERE o.owner_user_id = sessions.user_id AND o.is_personal = ?
	ORDER BY o.created_at ASC, ? ASC LIMIT 1)
WHERE active_organization_id = ?`

// ReturnToPersonal implements tenancy.ActiveOrganizations.
func (r *SessionRepository) ReturnToPersonal(ctx context.Context, orgID organization.ID, userID identity.UserID, updatedAt time.Time) error {
	orderID := bun.Safe("o.id")
	if Dialect(r.db) == DialectPostgres {
		orderID = bun.Safe(`o.id COLLATE "C"`)
	}
	query, args := returnToPersonalSQL, []any{updatedAt, true, orderID, string(orgID)}
	if userID != "" {
		query, args = query+" AND user_id = ?", append(args, string(userID))
	}
	_, err := idb(ctx, r.db).NewRaw(query, args...).Exec(ctx)
	return storageError(ctx, "return sessions to personal organizations", err)
}
