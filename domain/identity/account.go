package identity

import (
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
	Scope             string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// ErrAccountNotFound is returned by lookups of an account that does not exist.
var ErrAccountNotFound = failure.New(failure.NotFound, "ACCOUNT_NOT_FOUND", "Account not found")

// NewCredentialAccount builds the password account of a user.
func NewCredentialAccount(accountID AccountID, userID UserID, passwordHash string, now time.Time) Account {
	return Account{
		ID: accountID, UserID: userID, ProviderID: CredentialProvider, ProviderAccountID: string(userID),
		PasswordHash: passwordHash, CreatedAt: now, UpdatedAt: now,
	}
}
