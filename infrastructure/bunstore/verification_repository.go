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

// VerificationRepository stores single-use secrets in the verifications
// table, looked up by their unique identifier.
type VerificationRepository struct {
	db *bun.DB
}

var _ authn.VerificationRepository = (*VerificationRepository)(nil)

// NewVerificationRepository returns a VerificationRepository over db.
func NewVerificationRepository(db *bun.DB) *VerificationRepository {
	return &VerificationRepository{db: db}
}

// Create implements authn.VerificationRepository. An identifier already in
// use is a failure.Conflict: the unique index keeps one secret per name, so
// Consume can never hand out a different row than the one issued.
func (r *VerificationRepository) Create(ctx context.Context, v identity.Verification) error {
	_, err := idb(ctx, r.db).NewInsert().Model(verificationFromDomain(v)).Exec(ctx)
	switch violated(err) {
	case uniqueKey:
		return failure.Wrap(failure.Conflict, err, "verification identifier already in use")
	case primaryKey:
		return failure.Wrap(failure.Conflict, err, "duplicate verification id")
	}
	return storageError(ctx, "create verification", err)
}

// Find implements authn.VerificationRepository. The comparison is exact
// (case-sensitive) on both dialects.
func (r *VerificationRepository) Find(ctx context.Context, identifier string) (identity.Verification, error) {
	var row verificationRow
	err := idb(ctx, r.db).NewSelect().Model(&row).Where("identifier = ?", identifier).Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return identity.Verification{}, authn.ErrVerificationNotFound
	}
	if err != nil {
		return identity.Verification{}, storageError(ctx, "find verification", err)
	}
	return row.toDomain(), nil
}

// DeleteFor implements authn.VerificationRepository. The purpose is a
// fixed word of the use cases; it is still bound as a parameter.
func (r *VerificationRepository) DeleteFor(ctx context.Context, purpose, value string) error {
	_, err := idb(ctx, r.db).NewDelete().Model((*verificationRow)(nil)).
		Where("substr(identifier, 1, ?) = ?", len(purpose)+1, purpose+":").
		Where("value = ?", value).
		Exec(ctx)
	return storageError(ctx, "delete verifications", err)
}

// Consume implements authn.VerificationRepository in one statement, DELETE
// ... RETURNING (PostgreSQL, SQLite 3.35+): the row returned is the row
// removed, so of concurrent callers only the one whose DELETE removed it
// gets it. On PostgreSQL the losers wait on the winner's row lock and then
// find nothing to delete; on SQLite writers are serialised. A read followed
// by a delete would let two callers both read the secret first.
func (r *VerificationRepository) Consume(ctx context.Context, identifier string) (identity.Verification, error) {
	var rows []verificationRow
	_, err := idb(ctx, r.db).NewDelete().Model(&rows).
		Where("identifier = ?", identifier).
		Returning("*").
		Exec(ctx)
	if err != nil {
		return identity.Verification{}, storageError(ctx, "consume verification", err)
	}
	if len(rows) == 0 {
		return identity.Verification{}, authn.ErrVerificationNotFound
	}
	// The unique identifier allows at most one row.
	return rows[0].toDomain(), nil
}
