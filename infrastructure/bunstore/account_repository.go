package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/uptrace/bun"
)

// AccountRepository stores accounts in the accounts table.
type AccountRepository struct {
	db *bun.DB
}

var _ authn.AccountRepository = (*AccountRepository)(nil)

// NewAccountRepository returns an AccountRepository over db.
func NewAccountRepository(db *bun.DB) *AccountRepository {
	return &AccountRepository{db: db}
}

// Create implements authn.AccountRepository. An unknown user is
// identity.ErrUserNotFound.
func (r *AccountRepository) Create(ctx context.Context, a identity.Account) error {
	_, err := idb(ctx, r.db).NewInsert().Model(accountFromDomain(a)).Exec(ctx)
	switch violated(err) {
	case uniqueKey:
		return failure.Wrap(failure.Conflict, err, "account already linked")
	case foreignKey:
		return identity.ErrUserNotFound.WithCause(err)
	}
	return storageError(ctx, "create account", err)
}

// Credential implements authn.AccountRepository.
func (r *AccountRepository) Credential(ctx context.Context, userID identity.UserID) (identity.Account, error) {
	return r.credential(ctx, userID, false)
}

// CredentialForUpdate implements authn.AccountRepository. On PostgreSQL the
// row is locked (FOR UPDATE) until the transaction ends; SQLite's write
// transactions are serial already (BEGIN IMMEDIATE), so they need no lock.
func (r *AccountRepository) CredentialForUpdate(ctx context.Context, userID identity.UserID) (identity.Account, error) {
	return r.credential(ctx, userID, Dialect(r.db) == DialectPostgres)
}

func (r *AccountRepository) credential(ctx context.Context, userID identity.UserID, lock bool) (identity.Account, error) {
	return r.one(ctx, "find credential account", func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("user_id = ?", string(userID)).Where("provider_id = ?", identity.CredentialProvider)
		if lock {
			q = q.For("UPDATE")
		}
		return q
	})
}

// ByID implements authn.AccountRepository.
func (r *AccountRepository) ByID(ctx context.Context, accountID identity.AccountID) (identity.Account, error) {
	return r.one(ctx, "find account by id", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("id = ?", string(accountID))
	})
}

// ByProvider implements authn.AccountRepository. The unique (provider_id,
// account_id) key makes the answer one row; both values compare exactly
// (case-sensitive), as provider ids are opaque.
func (r *AccountRepository) ByProvider(ctx context.Context, providerID, providerAccountID string) (identity.Account, error) {
	return r.one(ctx, "find account by provider", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("provider_id = ?", providerID).Where("account_id = ?", providerAccountID)
	})
}

// one returns the account the query selects, or identity.ErrAccountNotFound.
func (r *AccountRepository) one(ctx context.Context, op string, where func(*bun.SelectQuery) *bun.SelectQuery) (identity.Account, error) {
	var row accountRow
	err := where(idb(ctx, r.db).NewSelect().Model(&row)).Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return identity.Account{}, identity.ErrAccountNotFound
	}
	if err != nil {
		return identity.Account{}, storageError(ctx, op, err)
	}
	return row.toDomain(), nil
}

// ListByUser implements authn.AccountRepository. Accounts created in the
// same instant come in id order (UUIDv7: creation order).
func (r *AccountRepository) ListByUser(ctx context.Context, userID identity.UserID) ([]identity.Account, error) {
	return r.list(ctx, userID, false)
}

// ListByUserForUpdate implements authn.AccountRepository. On PostgreSQL
// the user's rows are locked (FOR UPDATE, in list order, so two such
// callers take the locks in one order) until the transaction ends: a
// concurrent delete of one of them waits, and a concurrent
// ListByUserForUpdate returns after commit without the rows the first
// deleted. An account linked meanwhile is not held back, but it only makes
// a count larger. SQLite's write transactions are serial already (BEGIN
// IMMEDIATE).
func (r *AccountRepository) ListByUserForUpdate(ctx context.Context, userID identity.UserID) ([]identity.Account, error) {
	return r.list(ctx, userID, Dialect(r.db) == DialectPostgres)
}

func (r *AccountRepository) list(ctx context.Context, userID identity.UserID, lock bool) ([]identity.Account, error) {
	var rows []accountRow
	q := idb(ctx, r.db).NewSelect().Model(&rows).
		Where("user_id = ?", string(userID)).
		Order("created_at ASC", "id ASC")
	if lock {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, storageError(ctx, "list accounts", err)
	}
	out := make([]identity.Account, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// UpdatePassword implements authn.AccountRepository.
func (r *AccountRepository) UpdatePassword(ctx context.Context, accountID identity.AccountID, hash string, updatedAt time.Time) error {
	// Through the row, so an empty hash is stored as NULL as Create does.
	row := &accountRow{ID: string(accountID), Password: hash, UpdatedAt: updatedAt}
	return r.update(ctx, "update password", row, "password", "updated_at")
}

// UpdateTokens implements authn.AccountRepository. Every token column is
// written, so a token that a leaves "" (or an expiry it leaves zero)
// becomes NULL: the caller passes the whole new state, not a patch.
func (r *AccountRepository) UpdateTokens(ctx context.Context, a identity.Account) error {
	return r.update(ctx, "update account tokens", accountFromDomain(a), tokenColumns...)
}

// update writes columns of row to the account with row's id, or returns
// identity.ErrAccountNotFound.
func (r *AccountRepository) update(ctx context.Context, op string, row *accountRow, columns ...string) error {
	res, err := idb(ctx, r.db).NewUpdate().Model(row).Column(columns...).WherePK().Exec(ctx)
	return r.affected(ctx, op, res, err)
}

// Delete implements authn.AccountRepository. It is not idempotent: a
// missing account is identity.ErrAccountNotFound, so an unlink that lost a
// race says so.
func (r *AccountRepository) Delete(ctx context.Context, accountID identity.AccountID) error {
	res, err := idb(ctx, r.db).NewDelete().Model((*accountRow)(nil)).Where("id = ?", string(accountID)).Exec(ctx)
	return r.affected(ctx, "delete account", res, err)
}

// affected turns the outcome of a statement addressing one account by id
// into the port's answer. Both dialects count the rows the WHERE matched,
// changed or not.
func (r *AccountRepository) affected(ctx context.Context, op string, res sql.Result, err error) error {
	if err != nil {
		return storageError(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return storageError(ctx, op, err)
	}
	if n == 0 {
		return identity.ErrAccountNotFound
	}
	return nil
}
