package authn

import (
	"context"
	"errors"
	"fmt"

	"github.com/beep/iam/domain/identity"
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
	return u, nil
}

// VerifyPassword checks the caller's password: nil, or ErrInvalidPassword.
func (s *Service) VerifyPassword(ctx context.Context, userID identity.UserID, password string) error {
	_, err := s.checkPassword(ctx, userID, password)
	return err
}

// checkPassword verifies password against the user's credential account and
// returns the account.
func (s *Service) checkPassword(ctx context.Context, userID identity.UserID, password string) (identity.Account, error) {
	if s.policy.Passwords.TooLong(password) {
		return identity.Account{}, identity.ErrPasswordTooLong // refused before any hashing
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
		if !in.RevokeOtherSessions {
			return nil
		}
		if revoked, err = s.deps.Sessions.DeleteByUser(ctx, user.ID, ""); err != nil {
			return fmt.Errorf("delete sessions: %w", err)
		}
		memberships, err := s.deps.Organizations.MembershipsOf(ctx, user.ID)
		if err != nil {
			return fmt.Errorf("load memberships: %w", err)
		}
		sess, orgCtx, err := s.openSession(ctx, user.ID, memberships, !in.Session.DontRemember, in.Client)
		if err != nil {
			return err
		}
		out.Rotated = &Authenticated{User: user, Session: sess, Context: orgCtx}
		return nil
	})
	if err != nil {
		return PasswordChanged{}, err
	}
	return out, s.revoke(ctx, revoked...)
}

// DeleteUserInput is a delete-user request of the current session. Token
// confirms a deletion requested by email.
type DeleteUserInput struct {
	Session  session.Session
	Password *string
	Token    *string
}

// DeleteUser removes the caller's account: their sessions, accounts,
// memberships and personal organization, in one transaction. It needs the
// password or a fresh session. It refuses while the user is the only owner
// of an organization that has other members, which would be left ownerless.
func (s *Service) DeleteUser(ctx context.Context, in DeleteUserInput) error {
	if !s.policy.DeleteUserEnabled {
		return ErrDeleteUserDisabled
	}
	userID := in.Session.UserID
	if in.Password != nil {
		if _, err := s.checkPassword(ctx, userID, *in.Password); err != nil {
			return err
		}
	}
	if in.Token != nil {
		// Deletion by emailed confirmation is not offered yet, so no
		// token can be valid.
		return ErrInvalidDeleteToken
	}
	if in.Password == nil && !s.fresh(in.Session) {
		return ErrReauthenticate
	}
	var revoked []string
	err := s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
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
