package authn

import (
	"context"
	"errors"
	"fmt"

	"github.com/beep/iam/domain/identity"
)

// SignInInput is a sign-in request. Email is raw: sign-in answers a
// malformed address with identity.ErrInvalidEmail, as better-auth does.
type SignInInput struct {
	Email      string
	Password   string
	RememberMe bool
	// CallbackURL is where a re-sent verification link leads.
	CallbackURL string
	Client      Client
}

// SignIn checks an email and password and opens a session. With
// verification required, an unverified user gets ErrEmailNotVerified and a
// new link. Unknown email,
// missing credential and wrong password are one answer,
// ErrInvalidCredentials, and cost one hash each, so neither the body nor the
// timing tells them apart. An over-long password is refused before hashing.
// Every attempt counts against the address's failure streak (throttle.go)
// until the right password clears it; a throttled address, known or not,
// gets a *ThrottledError without any lookup.
func (s *Service) SignIn(ctx context.Context, in SignInInput) (Authenticated, error) {
	email, err := identity.ParseEmail(in.Email)
	if err != nil {
		return Authenticated{}, err
	}
	if s.policy.Passwords.TooLong(in.Password) {
		return Authenticated{}, identity.ErrPasswordTooLong
	}
	if err := s.beginSignIn(ctx, email); err != nil {
		return Authenticated{}, err
	}
	user, err := s.deps.Users.ByEmail(ctx, email)
	if errors.Is(err, identity.ErrUserNotFound) {
		return Authenticated{}, s.burn(ctx, in.Password)
	} else if err != nil {
		return Authenticated{}, fmt.Errorf("look up user: %w", err)
	}
	account, err := s.deps.Accounts.Credential(ctx, user.ID)
	if errors.Is(err, identity.ErrAccountNotFound) {
		return Authenticated{}, s.burn(ctx, in.Password)
	} else if err != nil {
		return Authenticated{}, fmt.Errorf("look up credential: %w", err)
	}
	ok, err := s.deps.Hasher.Verify(ctx, in.Password, account.PasswordHash)
	if err != nil {
		return Authenticated{}, fmt.Errorf("verify password: %w", err)
	}
	if !ok {
		return Authenticated{}, ErrInvalidCredentials
	}
	s.clearSignIn(ctx, email) // the right password ends the failure streak
	account.PasswordHash = s.upgradeHash(ctx, account, in.Password)
	if s.policy.Email.RequireVerification && !user.EmailVerified {
		// Only after the right password: the answer must not tell an
		// attacker which addresses are unverified accounts.
		if err := s.sendVerification(ctx, user, in.CallbackURL); err != nil {
			return Authenticated{}, err
		}
		return Authenticated{}, ErrEmailNotVerified
	}
	var out Authenticated
	err = s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		// The password may have changed while it was being checked (a
		// reset racing this sign-in). Re-read it under a lock: either the
		// change waits for this session and then ends it, or this sign-in
		// sees the new hash and fails.
		locked, err := s.deps.Accounts.CredentialForUpdate(ctx, user.ID)
		if err != nil {
			return fmt.Errorf("re-read credential: %w", err)
		}
		if locked.PasswordHash != account.PasswordHash {
			return ErrInvalidCredentials
		}
		loaded := s.deps.Clock.Now()
		memberships, err := s.deps.Organizations.MembershipsOf(ctx, user.ID)
		if err != nil {
			return fmt.Errorf("load memberships: %w", err)
		}
		sess, orgCtx, err := s.openSession(ctx, user.ID, memberships, in.RememberMe, in.Client)
		out = Authenticated{User: user, Session: sess, Context: orgCtx, LoadedAt: loaded}
		return err
	})
	if err != nil {
		return Authenticated{}, err
	}
	return out, nil
}

// upgradeHash re-hashes a password stored in an older format or with weaker
// parameters, now that the plain password is at hand, and returns the hash
// stored afterwards. A failure is not the user's problem: the old hash
// keeps working and the next sign-in retries.
func (s *Service) upgradeHash(ctx context.Context, account identity.Account, password string) string {
	if !s.deps.Hasher.NeedsRehash(account.PasswordHash) {
		return account.PasswordHash
	}
	hash, err := s.deps.Hasher.Hash(ctx, password)
	if err != nil {
		return account.PasswordHash
	}
	if err := s.deps.Accounts.UpdatePassword(ctx, account.ID, hash, s.deps.Clock.Now()); err != nil {
		return account.PasswordHash
	}
	return hash
}

// burn spends the hash a real check would and answers as a failed one: the
// same error for an unknown email as for a wrong password, and the same
// overload error when the hashing pool is full.
func (s *Service) burn(ctx context.Context, password string) error {
	if err := s.deps.Hasher.Burn(ctx, password); err != nil {
		return fmt.Errorf("verify password: %w", err)
	}
	return ErrInvalidCredentials
}
