package bunstore

import (
	"time"

	"github.com/beep/iam/domain/identity"
	"github.com/uptrace/bun"
)

// verificationRow is a row of verifications.
type verificationRow struct {
	bun.BaseModel `bun:"table:verifications,alias:v"`

	ID         string    `bun:"id,pk"`
	Identifier string    `bun:"identifier,notnull"`
	Value      string    `bun:"value,notnull"`
	ExpiresAt  time.Time `bun:"expires_at,notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
	UpdatedAt  time.Time `bun:"updated_at,notnull"`
}

func verificationFromDomain(v identity.Verification) *verificationRow {
	return &verificationRow{
		ID: string(v.ID), Identifier: v.Identifier, Value: v.Value,
		ExpiresAt: v.ExpiresAt, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
	}
}

func (r *verificationRow) toDomain() identity.Verification {
	return identity.Verification{
		ID: identity.VerificationID(r.ID), Identifier: r.Identifier, Value: r.Value,
		ExpiresAt: r.ExpiresAt.UTC(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}
