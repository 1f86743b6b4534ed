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
	var row accountRow
	q := idb(ctx, r.db).NewSelect().Model(&row).
		Where("user_id = ?", string(userID)).
		Where("provider_id = ?", identity.CredentialProvider).
		Limit(1)
	if lock {
		q = q.For("UPDATE")
	}
	err := q.Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return identity.Account{}, identity.ErrAccountNotFound
	}
	if err != nil {
		return identity.Account{}, storageError(ctx, "find credential account", err)
	}
	return row.toDomain(), nil
}

// ListByUser implements authn.AccountRepository. Accounts created in the
// same instant come in id order (UUIDv7: creation order).
func (r *AccountRepository) ListByUser(ctx context.Context, userID identity.UserID) ([]identity.Account, error) {
	var rows []accountRow
	err := idb(ctx, r.db).NewSelect().Model(&rows).
		Where("user_id = ?", string(userID)).
		Order("created_at ASC", "id ASC").
		Scan(ctx)
	if err != nil {
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
	res, err := idb(ctx, r.db).NewUpdate().Model(row).Column("password", "updated_at").WherePK().Exec(ctx)
	if err != nil {
		return storageError(ctx, "update password", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return storageError(ctx, "update password", err)
	}
	if n == 0 {
		return identity.ErrAccountNotFound
	}
	return nil
}
