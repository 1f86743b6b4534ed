package authn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/mail"
)

// resetTokenLength is better-auth's: generateId(24), about 143 bits.
const resetTokenLength = 24

// ErrInvalidResetToken is every unusable reset token: unknown, used or
// expired alike.
var ErrInvalidResetToken = failure.New(failure.Invalid, "INVALID_TOKEN", "Invalid token")

// hashedIdentifier is how single-use tokens are stored: "<purpose>:" and the
// token's SHA-256, so the verifications table never holds a usable token
// and a token minted for one purpose never matches another.
func hashedIdentifier(purpose, token string) string {
	sum := sha256.Sum256([]byte(token))
	return purpose + ":" + hex.EncodeToString(sum[:])
}

// resetPurpose names password-reset tokens in the verifications table.
const resetPurpose = "reset-password"

func resetIdentifier(token string) string { return hashedIdentifier(resetPurpose, token) }

// RequestPasswordReset mails a reset link to the account with that email,
// if there is one. The answer is the same either way; the mail goes out
// through the outbox, so the response does not wait for it.
func (s *Service) RequestPasswordReset(ctx context.Context, email identity.Email, redirectTo string) error {
	// Minted before the lookup so both paths do the same work.
	token, err := s.deps.Tokens.RandomToken(resetTokenLength)
	if err != nil {
		return fmt.Errorf("mint reset token: %w", err)
	}
	user, err := s.deps.Users.ByEmail(ctx, email)
	if errors.Is(err, identity.ErrUserNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("look up user: %w", err)
	}
	if err := s.allowMail(ctx, mail.KindPasswordReset, user.Email); errors.Is(err, errMailSuppressed) {
		return nil // the answer must not differ from an unknown address's
	} else if err != nil {
		return err
	}
	now := s.deps.Clock.Now()
	v := identity.Verification{ID: identity.NewVerificationID(s.deps.IDs.NewUUID()), Identifier: resetIdentifier(token),
		Value: string(user.ID), ExpiresAt: now.Add(s.policy.Email.ResetTTL), CreatedAt: now, UpdatedAt: now}
	err = s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.deps.Verifications.Create(ctx, v); err != nil {
			return fmt.Errorf("store reset token: %w", err)
		}
		return s.queue(ctx, mail.Message{Kind: mail.KindPasswordReset, To: user.Email, Username: user.Name,
			URL: s.policy.Links.ResetPassword(token, redirectTo)})
	})
	if err != nil {
		return err
	}
	s.deps.Outbox.Wake()
	return nil
}

// ResetTokenValid reports whether token can still reset a password, without
// using it (the link's landing step).
func (s *Service) ResetTokenValid(ctx context.Context, token string) (bool, error) {
	v, err := s.deps.Verifications.Find(ctx, resetIdentifier(token))
	if errors.Is(err, failure.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("look up reset token: %w", err)
	}
	return !v.Expired(s.deps.Clock.Now()), nil
}

// ResetPassword sets a new password with a reset token. The token is used
// up in the same transaction as the change, so of concurrent redeems
// exactly one succeeds. The user's sessions end (RevokeSessionsOnReset)
// and the account's address is told. No session is opened: the user signs
// in with the new password.
func (s *Service) ResetPassword(ctx context.Context, token, newPassword string) error {
	if token == "" {
		return ErrInvalidResetToken
	}
	if err := s.policy.Passwords.Check(newPassword); err != nil {
		return err
	}
	// A cheap look first: a forged token must not cost a password hash.
	if ok, err := s.ResetTokenValid(ctx, token); err != nil {
		return err
	} else if !ok {
		return ErrInvalidResetToken
	}
	hash, err := s.deps.Hasher.Hash(ctx, newPassword)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	var (
		revoked []string
		email   identity.Email
	)
	err = s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		v, err := s.deps.Verifications.Consume(ctx, resetIdentifier(token))
		if errors.Is(err, failure.ErrNotFound) || (err == nil && v.Expired(s.deps.Clock.Now())) {
			return ErrInvalidResetToken
		} else if err != nil {
			return fmt.Errorf("use reset token: %w", err)
		}
		user, err := s.deps.Users.ByID(ctx, identity.UserID(v.Value))
		if errors.Is(err, identity.ErrUserNotFound) {
			return ErrInvalidResetToken
		} else if err != nil {
			return err
		}
		if err := s.setPassword(ctx, user.ID, hash); err != nil {
			return err
		}
		email = user.Email
		// Every other reset link of the user dies with this one.
		if err := s.deps.Verifications.DeleteFor(ctx, resetPurpose, string(user.ID)); err != nil {
			return fmt.Errorf("drop other reset tokens: %w", err)
		}
		if s.policy.Email.RevokeSessionsOnReset {
			if revoked, err = s.deps.Sessions.DeleteByUser(ctx, user.ID, ""); err != nil {
				return fmt.Errorf("end sessions: %w", err)
			}
		}
		return s.queue(ctx, mail.Message{Kind: mail.KindPasswordChanged, To: user.Email, Username: user.Name})
	})
	if err != nil {
		return err
	}
	s.deps.Outbox.Wake()
	s.clearSignIn(ctx, email) // a reset ends any sign-in throttling
	return s.revoke(ctx, revoked...)
}

// setPassword stores hash on the user's credential account, creating the
// account for users who signed up through a provider.
func (s *Service) setPassword(ctx context.Context, userID identity.UserID, hash string) error {
	now := s.deps.Clock.Now()
	account, err := s.deps.Accounts.Credential(ctx, userID)
	if errors.Is(err, identity.ErrAccountNotFound) {
		if err := s.deps.Accounts.Create(ctx, identity.NewCredentialAccount(identity.NewAccountID(s.deps.IDs.NewUUID()), userID, hash, now)); err != nil {
			return fmt.Errorf("create credential: %w", err)
		}
		return nil
	} else if err != nil {
		return fmt.Errorf("look up credential: %w", err)
	}
	if err := s.deps.Accounts.UpdatePassword(ctx, account.ID, hash, now); err != nil {
		return fmt.Errorf("store password: %w", err)
	}
	return nil
}
