package bunstore

import (
	"time"

	"github.com/beep/iam/domain/identity"
	"github.com/uptrace/bun"
)

// accountRow is a row of accounts. The OAuth token columns are not mapped
// until an adapter needs them; they stay NULL.
type accountRow struct {
	bun.BaseModel `bun:"table:accounts,alias:a"`

	ID         string `bun:"id,pk"`
	UserID     string `bun:"user_id,notnull"`
	ProviderID string `bun:"provider_id,notnull"`
	// AccountID is the provider's id of the account (the user id for the
	// credential provider), as better-auth names the column.
	AccountID string `bun:"account_id,notnull"`
	// Password and Scope are NULL when empty: OAuth accounts have no
	// password, credential accounts no scope.
	Password  string    `bun:"password,nullzero"`
	Scope     string    `bun:"scope,nullzero"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}

func accountFromDomain(a identity.Account) *accountRow {
	return &accountRow{
		ID: string(a.ID), UserID: string(a.UserID), ProviderID: a.ProviderID, AccountID: a.ProviderAccountID,
		Password: a.PasswordHash, Scope: a.Scope, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
}

func (r *accountRow) toDomain() identity.Account {
	return identity.Account{
		ID: identity.AccountID(r.ID), UserID: identity.UserID(r.UserID), ProviderID: r.ProviderID,
		ProviderAccountID: r.AccountID, PasswordHash: r.Password, Scope: r.Scope,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}
