package bunstore

import (
	"time"

	"github.com/beep/iam/domain/identity"
	"github.com/uptrace/bun"
)

// accountRow is a row of accounts.
//
// Absent values are NULL, as better-auth writes them, so a database moves
// between the two servers: the password of a social account, the scope of
// a credential account, a token the provider did not give ("") and an
// expiry it did not give (the zero time). Reading NULL gives back "" and the
// zero time. Times keep the microseconds of the column types, so the
// application's millisecond instants come back exactly.
type accountRow struct {
	bun.BaseModel `bun:"table:accounts,alias:a"`

	ID         string `bun:"id,pk"`
	UserID     string `bun:"user_id,notnull"`
	ProviderID string `bun:"provider_id,notnull"`
	// AccountID is the provider's id of the account (the user id for the
	// credential provider), as better-auth names the column.
	AccountID             string    `bun:"account_id,notnull"`
	Password              string    `bun:"password,nullzero"`
	Scope                 string    `bun:"scope,nullzero"`
	AccessToken           string    `bun:"access_token,nullzero"`
	RefreshToken          string    `bun:"refresh_token,nullzero"`
	IDToken               string    `bun:"id_token,nullzero"`
	AccessTokenExpiresAt  time.Time `bun:"access_token_expires_at,nullzero"`
	RefreshTokenExpiresAt time.Time `bun:"refresh_token_expires_at,nullzero"`
	CreatedAt             time.Time `bun:"created_at,notnull"`
	UpdatedAt             time.Time `bun:"updated_at,notnull"`
}

// tokenColumns are the columns AccountRepository.UpdateTokens writes.
var tokenColumns = []string{
	"access_token", "refresh_token", "id_token", "access_token_expires_at", "refresh_token_expires_at", "scope", "updated_at",
}

func accountFromDomain(a identity.Account) *accountRow {
	return &accountRow{
		ID: string(a.ID), UserID: string(a.UserID), ProviderID: a.ProviderID, AccountID: a.ProviderAccountID,
		Password: a.PasswordHash, Scope: a.Scope,
		AccessToken: a.AccessToken, RefreshToken: a.RefreshToken, IDToken: a.IDToken,
		AccessTokenExpiresAt: a.AccessTokenExpiresAt, RefreshTokenExpiresAt: a.RefreshTokenExpiresAt,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
}

func (r *accountRow) toDomain() identity.Account {
	return identity.Account{
		ID: identity.AccountID(r.ID), UserID: identity.UserID(r.UserID), ProviderID: r.ProviderID,
		ProviderAccountID: r.AccountID, PasswordHash: r.Password, Scope: r.Scope,
		AccessToken: r.AccessToken, RefreshToken: r.RefreshToken, IDToken: r.IDToken,
		AccessTokenExpiresAt: utcOrZero(r.AccessTokenExpiresAt), RefreshTokenExpiresAt: utcOrZero(r.RefreshTokenExpiresAt),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// utcOrZero returns t in UTC, keeping the zero time (a NULL column) zero:
// the zero time in UTC is still IsZero, but a driver may scan NULL into a
// zero time with a location, which callers comparing with == would trip on.
func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}
