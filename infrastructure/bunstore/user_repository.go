package bunstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/uptrace/bun"
)

// UserRepository stores users in the users table.
type UserRepository struct {
	db *bun.DB
}

var _ authn.UserRepository = (*UserRepository)(nil)

// NewUserRepository returns a UserRepository over db.
func NewUserRepository(db *bun.DB) *UserRepository {
	return &UserRepository{db: db}
}

// Create implements authn.UserRepository. The unique email index decides a
// race between two sign-ups with one address.
func (r *UserRepository) Create(ctx context.Context, u identity.User) error {
	_, err := idb(ctx, r.db).NewInsert().Model(userFromDomain(u)).Exec(ctx)
	switch violated(err) {
	case uniqueKey:
		return identity.ErrUserAlreadyExists.WithCause(err)
	case primaryKey:
		return failure.Wrap(failure.Conflict, err, "duplicate user id")
	}
	return storageError(ctx, "create user", err)
}

// ByEmail implements authn.UserRepository.
func (r *UserRepository) ByEmail(ctx context.Context, email identity.Email) (identity.User, error) {
	return r.one(ctx, "find user by email", "email = ?", string(email))
}

// ByID implements authn.UserRepository.
func (r *UserRepository) ByID(ctx context.Context, userID identity.UserID) (identity.User, error) {
	return r.one(ctx, "find user by id", "id = ?", string(userID))
}

// Update implements authn.UserRepository. The id and creation time are
// never rewritten; the unique email index decides a race for an address.
func (r *UserRepository) Update(ctx context.Context, u identity.User) error {
	res, err := idb(ctx, r.db).NewUpdate().Model(userFromDomain(u)).
		Column("name", "image", "email", "email_verified", "updated_at").
		WherePK().
		Exec(ctx)
	if violated(err) == uniqueKey {
		return identity.ErrUserAlreadyExists.WithCause(err)
	}
	if err != nil {
		return storageError(ctx, "update user", err)
	}
	// Both dialects count the rows the WHERE matched, changed or not.
	n, err := res.RowsAffected()
	if err != nil {
		return storageError(ctx, "update user", err)
	}
	if n == 0 {
		return identity.ErrUserNotFound
	}
	return nil
}

// Delete implements authn.UserRepository. The schema's foreign keys do the
// rest: the user's accounts, sessions, memberships and sent invitations go
// with them (ON DELETE CASCADE), and organizations they created lose their
// owner_user_id (ON DELETE SET NULL) but stay.
func (r *UserRepository) Delete(ctx context.Context, userID identity.UserID) error {
	_, err := idb(ctx, r.db).NewDelete().Model((*userRow)(nil)).Where("id = ?", string(userID)).Exec(ctx)
	return storageError(ctx, "delete user", err)
}

func (r *UserRepository) one(ctx context.Context, op, where string, arg any) (identity.User, error) {
	var row userRow
	err := idb(ctx, r.db).NewSelect().Model(&row).Where(where, arg).Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return identity.User{}, identity.ErrUserNotFound
	}
	if err != nil {
		return identity.User{}, storageError(ctx, op, err)
	}
	return row.toDomain(), nil
}
