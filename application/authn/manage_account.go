package authn

import (
	"context"
	"errors"
	"fmt"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/mail"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
)

// UserChanges are the fields update-user may change; nil leaves a field as
// it is. ClearImage sets the image to null.
type UserChanges struct {
	Name       *string
	Image      *string
	ClearImage bool
}

// UpdateUser changes the caller's profile. The email is not changed here:
// it has its own verified flow.
func (s *Service) UpdateUser(ctx context.Context, userID identity.UserID, ch UserChanges) (identity.User, error) {
	u, err := s.deps.Users.ByID(ctx, userID)
	if err != nil {
		return identity.User{}, err
	}
	if ch.Name != nil {
		if err := identity.CheckName(*ch.Name); err != nil {
			return identity.User{}, err
		}
		u.Name = *ch.Name
	}
	switch {
	case ch.ClearImage:
		u.Image = nil
	case ch.Image != nil:
		u.Image = ch.Image
	}
	u.UpdatedAt = s.deps.Clock.Now()
	if err := s.deps.Users.Update(ctx, u); err != nil {
		return identity.User{}, fmt.Errorf("update user: %w", err)
	}
	s.profileChanged(ctx, u.ID)
	return u, nil
}

// VerifyPassword checks the caller's password: nil, or ErrInvalidPassword
// (also for a user without a password, as better-auth answers), or
// identity.ErrPasswordTooLong before any hashing.
func (s *Service) VerifyPassword(ctx context.Context, userID identity.UserID, password string) error {
	_, err := s.checkPassword(ctx, userID, password)
	if errors.Is(err, ErrCredentialAccountNotFound) {
		return ErrInvalidPassword
	}
	return err
}

// checkPassword verifies password against the user's credential account and
// returns the account. Each check counts as a sign-in attempt of the
// user's address (the per-account throttle), so a stolen session cannot
// guess the password through verify-password, change-password or
// delete-user faster than sign-in allows.
func (s *Service) checkPassword(ctx context.Context, userID identity.UserID, password string) (identity.Account, error) {
	if s.policy.Passwords.TooLong(password) {
		return identity.Account{}, identity.ErrPasswordTooLong // refused before any hashing
	}
	user, err := s.deps.Users.ByID(ctx, userID)
	if errors.Is(err, identity.ErrUserNotFound) {
		return identity.Account{}, ErrCredentialAccountNotFound
	} else if err != nil {
		return identity.Account{}, fmt.Errorf("look up user: %w", err)
	}
	if err := s.beginSignIn(ctx, user.Email); err != nil {
		return identity.Account{}, err
	}
	account, err := s.deps.Accounts.Credential(ctx, userID)
	if errors.Is(err, identity.ErrAccountNotFound) {
		return identity.Account{}, ErrCredentialAccountNotFound
	} else if err != nil {
		return identity.Account{}, fmt.Errorf("look up credential: %w", err)
	}
	ok, err := s.deps.Hasher.Verify(ctx, password, account.PasswordHash)
	if err != nil {
		return identity.Account{}, fmt.Errorf("verify password: %w", err)
	}
	if !ok {
		return identity.Account{}, ErrInvalidPassword
	}
	s.clearSignIn(ctx, user.Email)
	return account, nil
}

// ChangePasswordInput is a change-password request of the current session.
type ChangePasswordInput struct {
	Session             session.Session
	CurrentPassword     string
	NewPassword         string
	RevokeOtherSessions bool
	Client              Client
}

// PasswordChanged is the outcome of a password change. Rotated is the new
// session that replaces every old one when other sessions were revoked.
type PasswordChanged struct {
	User    identity.User
	Rotated *Authenticated
}

// ChangePassword replaces the caller's password after checking the current
// one. Other sessions survive unless RevokeOtherSessions, which ends every
// session, the current one included, and opens a new one: whoever held a
// copy of any old token is out.
func (s *Service) ChangePassword(ctx context.Context, in ChangePasswordInput) (PasswordChanged, error) {
	if err := s.policy.Passwords.Check(in.NewPassword); err != nil {
		return PasswordChanged{}, err
	}
	account, err := s.checkPassword(ctx, in.Session.UserID, in.CurrentPassword)
	if err != nil {
		return PasswordChanged{}, err
	}
	user, err := s.deps.Users.ByID(ctx, in.Session.UserID)
	if err != nil {
		return PasswordChanged{}, err
	}
	hash, err := s.deps.Hasher.Hash(ctx, in.NewPassword)
	if err != nil {
		return PasswordChanged{}, fmt.Errorf("hash password: %w", err)
	}
	out := PasswordChanged{User: user}
	var revoked []string
	err = s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.deps.Accounts.UpdatePassword(ctx, account.ID, hash, s.deps.Clock.Now()); err != nil {
			return fmt.Errorf("store password: %w", err)
		}
		if err := s.queue(ctx, mail.Message{Kind: mail.KindPasswordChanged, To: user.Email, Username: user.Name}); err != nil {
			return err
		}
		// Reset links mailed before the change must not undo it.
		if err := s.deps.Verifications.DeleteFor(ctx, resetPurpose, string(user.ID)); err != nil {
			return fmt.Errorf("drop reset tokens: %w", err)
		}
		if !in.RevokeOtherSessions {
			return nil
		}
		if revoked, err = s.deps.Sessions.DeleteByUser(ctx, user.ID, ""); err != nil {
			return fmt.Errorf("delete sessions: %w", err)
		}
		loaded := s.deps.Clock.Now()
		memberships, err := s.deps.Organizations.MembershipsOf(ctx, user.ID)
		if err != nil {
			return fmt.Errorf("load memberships: %w", err)
		}
		sess, orgCtx, err := s.openSession(ctx, user.ID, memberships, !in.Session.DontRemember, in.Client)
		if err != nil {
			return err
		}
		out.Rotated = &Authenticated{User: user, Session: sess, Context: orgCtx, LoadedAt: loaded}
		return nil
	})
	if err != nil {
		return PasswordChanged{}, err
	}
	s.deps.Outbox.Wake()
	return out, s.revoke(ctx, revoked...)
}

// DeleteUserInput is a delete-user request of the current session. Token
// confirms a deletion requested by email; CallbackURL is where the mailed
// link leads afterwards.
type DeleteUserInput struct {
	Session     session.Session
	Password    *string
	Token       *string
	CallbackURL string
}

// DeleteOutcome says what DeleteUser did: deleted the account (Deleted),
// or mailed a confirmation link that completes it (ConfirmationSent).
type DeleteOutcome struct {
	Deleted          bool
	ConfirmationSent bool
}

func deleteIdentifier(token string) string { return hashedIdentifier("delete-account", token) }

// deleteTokenLength is better-auth's: 32 characters.
const deleteTokenLength = 32

// DeleteUser removes the caller's account: their sessions, accounts,
// memberships and personal organization, in one transaction. A password,
// when given, must be right. With a token it completes an emailed
// confirmation; with ConfirmDeletionByEmail it mails that confirmation
// instead of deleting; otherwise it needs the password or a fresh session.
// It refuses while the user is the only owner of an organization other
// than their personal one: ownership must be handed over, or the
// organization deleted, first.
func (s *Service) DeleteUser(ctx context.Context, in DeleteUserInput) (DeleteOutcome, error) {
	if !s.policy.DeleteUserEnabled {
		return DeleteOutcome{}, ErrDeleteUserDisabled
	}
	userID := in.Session.UserID
	if in.Password != nil {
		if _, err := s.checkPassword(ctx, userID, *in.Password); err != nil {
			return DeleteOutcome{}, err
		}
	}
	switch {
	case in.Token != nil:
		return s.confirmDeletion(ctx, userID, *in.Token)
	case s.policy.Email.ConfirmDeletionByEmail:
		return s.mailDeletionLink(ctx, userID, in.CallbackURL)
	case in.Password == nil && !s.fresh(in.Session):
		return DeleteOutcome{}, ErrReauthenticate
	}
	return DeleteOutcome{Deleted: true}, s.deleteUser(ctx, userID)
}

// ConfirmDeletion completes a deletion from its emailed link, for the
// signed-in user the token was issued to.
func (s *Service) ConfirmDeletion(ctx context.Context, userID identity.UserID, token string) error {
	if !s.policy.DeleteUserEnabled {
		return ErrDeleteUserDisabled
	}
	_, err := s.confirmDeletion(ctx, userID, token)
	return err
}

func (s *Service) confirmDeletion(ctx context.Context, userID identity.UserID, token string) (DeleteOutcome, error) {
	v, err := s.deps.Verifications.Find(ctx, deleteIdentifier(token))
	if errors.Is(err, failure.ErrNotFound) || (err == nil && (v.Value != string(userID) || v.Expired(s.deps.Clock.Now()))) {
		return DeleteOutcome{}, ErrInvalidDeleteToken
	} else if err != nil {
		return DeleteOutcome{}, fmt.Errorf("look up delete token: %w", err)
	}
	// The user row's deletion takes the token with it only if it is
	// consumed: do both in deleteUser's transaction.
	return DeleteOutcome{Deleted: true}, s.deleteUser(ctx, userID, deleteIdentifier(token))
}

func (s *Service) mailDeletionLink(ctx context.Context, userID identity.UserID, callbackURL string) (DeleteOutcome, error) {
	user, err := s.deps.Users.ByID(ctx, userID)
	if err != nil {
		return DeleteOutcome{}, err
	}
	token, err := s.deps.Tokens.RandomToken(deleteTokenLength)
	if err != nil {
		return DeleteOutcome{}, fmt.Errorf("mint delete token: %w", err)
	}
	now := s.deps.Clock.Now()
	v := identity.Verification{ID: identity.NewVerificationID(s.deps.IDs.NewUUID()), Identifier: deleteIdentifier(token),
		Value: string(userID), ExpiresAt: now.Add(s.policy.Email.DeleteTokenTTL), CreatedAt: now, UpdatedAt: now}
	err = s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.deps.Verifications.Create(ctx, v); err != nil {
			return fmt.Errorf("store delete token: %w", err)
		}
		return s.queue(ctx, mail.Message{Kind: mail.KindDeleteAccount, To: user.Email, Username: user.Name,
			URL: s.policy.Links.DeleteAccount(token, callbackURL)})
	})
	if err != nil {
		return DeleteOutcome{}, err
	}
	s.deps.Outbox.Wake()
	return DeleteOutcome{ConfirmationSent: true}, nil
}

// deleteUser deletes the user and, in the same transaction, uses up the
// given verification identifiers.
func (s *Service) deleteUser(ctx context.Context, userID identity.UserID, consume ...string) error {
	var revoked []string
	err := s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		for _, identifier := range consume {
			if _, err := s.deps.Verifications.Consume(ctx, identifier); err != nil {
				if errors.Is(err, failure.ErrNotFound) {
					return ErrInvalidDeleteToken // used by a concurrent request
				}
				return fmt.Errorf("use delete token: %w", err)
			}
		}
		memberships, err := s.deps.Organizations.MembershipsOf(ctx, userID)
		if err != nil {
			return fmt.Errorf("load memberships: %w", err)
		}
		for _, m := range memberships {
			if m.Organization.IsPersonal && m.Organization.OwnerUserID == userID {
				if err := s.deps.Organizations.Delete(ctx, m.Organization.ID); err != nil {
					return fmt.Errorf("delete personal organization: %w", err)
				}
				continue
			}
			if err := s.ensureAnotherOwner(ctx, m); err != nil {
				return err
			}
		}
		sessions, err := s.deps.Sessions.ListByUser(ctx, userID)
		if err != nil {
			return fmt.Errorf("list sessions: %w", err)
		}
		for _, sess := range sessions {
			revoked = append(revoked, sess.Token)
		}
		if err := s.deps.Users.Delete(ctx, userID); err != nil {
			return fmt.Errorf("delete user: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.revoke(ctx, revoked...)
}

// ensureAnotherOwner refuses when the user is the organization's only owner.
func (s *Service) ensureAnotherOwner(ctx context.Context, m organization.Membership) error {
	if !m.Member.Roles.Has(organization.RoleOwner) {
		return nil
	}
	n, err := s.deps.Organizations.OwnerCount(ctx, m.Organization.ID)
	if err != nil {
		return fmt.Errorf("count owners: %w", err)
	}
	if n <= 1 {
		return ErrSoleOwner
	}
	return nil
}

// ListAccounts returns the caller's accounts, oldest first.
func (s *Service) ListAccounts(ctx context.Context, userID identity.UserID) ([]identity.Account, error) {
	accounts, err := s.deps.Accounts.ListByUser(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return accounts, nil
}
