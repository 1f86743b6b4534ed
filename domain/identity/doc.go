// Package identity holds who a user is and how they prove it: User, Account
// (a credential with a password hash, or an OAuth provider account) and
// Verification (short-lived, single-use tokens). Its rules: an email is
// trimmed, lower-cased and unique; a password is 8..128 UTF-16 code units,
// counted as better-auth counts them.
package identity
