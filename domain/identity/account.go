package identity

import (
	"strings"
	"time"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/id"
)

// AccountID identifies an account row: "account__<uuid>".
type AccountID string

// AccountIDPrefix is the table prefix of account ids.
const AccountIDPrefix = "account"

// NewAccountID formats a fresh account id.
func NewAccountID(u id.UUID) AccountID { return AccountID(id.Format(AccountIDPrefix, u)) }

// CredentialProvider is the provider id of email + password accounts.
const CredentialProvider = "credential"

// Account is one way a user proves who they are. For the credential provider
// ProviderAccountID equals the user id and PasswordHash holds the encoded
// hash; OAuth accounts carry the provider's subject instead.
type Account struct {
	ID                AccountID
	UserID            UserID
	ProviderID        string
	ProviderAccountID string
	PasswordHash      string
	// Scope is the granted scopes, comma-joined as better-auth stores them.
	Scope string
	// The provider's tokens of a social account, sealed (encrypted) by the
	// application before they are stored; "" when the provider gave none.
	// A zero expiry means none was given.
	AccessToken           string
	RefreshToken          string
	IDToken               string
	AccessTokenExpiresAt  time.Time
	RefreshTokenExpiresAt time.Time
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

// Scopes splits Scope into its entries, trimmed, empties dropped.
func (a Account) Scopes() []string {
	out := []string{}
	for part := range strings.SplitSeq(a.Scope, ",") {
		if s := strings.TrimSpace(part); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Social reports whether the account is a provider's rather than the
// password credential.
func (a Account) Social() bool { return a.ProviderID != CredentialProvider }

// ErrAccountNotFound is returned by lookups of an account that does not exist.
var ErrAccountNotFound = failure.New(failure.NotFound, "ACCOUNT_NOT_FOUND", "Account not found")

// NewCredentialAccount builds the password account of a user.
func NewCredentialAccount(accountID AccountID, userID UserID, passwordHash string, now time.Time) Account {
	return Account{
		ID: accountID, UserID: userID, ProviderID: CredentialProvider, ProviderAccountID: string(userID),
		PasswordHash: passwordHash, CreatedAt: now, UpdatedAt: now,
	}
}
