package authn

import (
	"context"
	"errors"
	"fmt"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/mail"
)

// Failures of change-email, as better-auth answers them.
var (
	ErrChangeEmailDisabled = failure.New(failure.Invalid, "CHANGE_EMAIL_DISABLED", "Change email is disabled")
	// ErrEmailIsTheSame is better-auth's message-only answer.
	ErrEmailIsTheSame = &failure.Error{Kind: failure.Invalid, Message: "Email is the same"}
)

// ChangeEmailInput asks to move the caller's account to NewEmail.
type ChangeEmailInput struct {
	User        identity.User
	NewEmail    identity.Email
	CallbackURL string
}

// ChangeEmail starts an email change; the account keeps its address until
// the new one is proven. A verified user first approves the change from
// the current address (a confirmation link), then verifies the new one; an
// unverified user verifies the new address directly. An address that
// belongs to someone else is answered like success with nothing sent, so
// the endpoint does not reveal accounts.
func (s *Service) ChangeEmail(ctx context.Context, in ChangeEmailInput) error {
	if !s.policy.Email.ChangeEmailEnabled {
		return ErrChangeEmailDisabled
	}
	if in.NewEmail == in.User.Email {
		return ErrEmailIsTheSame
	}
	if identity.Undeliverable(in.NewEmail) {
		return identity.ErrInvalidEmail
	}
	if _, err := s.deps.Users.ByEmail(ctx, in.NewEmail); err == nil {
		return nil
	} else if !errors.Is(err, identity.ErrUserNotFound) {
		return fmt.Errorf("look up new email: %w", err)
	}
	claims := EmailClaims{Email: in.User.Email, UserID: in.User.ID, UpdateTo: in.NewEmail, RequestType: ChangeEmailVerification}
	msg := mail.Message{Kind: mail.KindVerification, To: in.NewEmail, Username: in.User.Name}
	if in.User.EmailVerified {
		claims.RequestType = ChangeEmailConfirmation
		msg = mail.Message{Kind: mail.KindChangeEmailConfirmation, To: in.User.Email, Username: in.User.Name, NewEmail: in.NewEmail}
	}
	token, err := s.deps.EmailTokens.Issue(claims, s.policy.Email.VerificationTTL)
	if err != nil {
		return fmt.Errorf("issue change-email token: %w", err)
	}
	msg.URL = s.policy.Links.VerifyEmail(token, in.CallbackURL)
	if err := s.queue(ctx, msg); err != nil {
		return err
	}
	s.deps.Outbox.Wake()
	return nil
}

// mailNewAddress is the confirmation step: the old address approved, so the
// new one gets its verification link.
func (s *Service) mailNewAddress(ctx context.Context, user identity.User, newEmail identity.Email, callbackURL string) error {
	token, err := s.deps.EmailTokens.Issue(EmailClaims{Email: user.Email, UserID: user.ID, UpdateTo: newEmail, RequestType: ChangeEmailVerification},
		s.policy.Email.VerificationTTL)
	if err != nil {
		return fmt.Errorf("issue change-email token: %w", err)
	}
	msg := mail.Message{Kind: mail.KindVerification, To: newEmail, Username: user.Name, URL: s.policy.Links.VerifyEmail(token, callbackURL)}
	if err := s.queue(ctx, msg); err != nil {
		return err
	}
	s.deps.Outbox.Wake()
	return nil
}

// switchEmail is the last step: the new address is proven, so the account
// moves to it, verified, and the old address is told. An address taken in
// the meantime is refused by storage (identity.ErrUserAlreadyExists).
func (s *Service) switchEmail(ctx context.Context, user identity.User, newEmail identity.Email) (Verified, error) {
	old := user.Email
	user.Email, user.EmailVerified, user.UpdatedAt = newEmail, true, s.deps.Clock.Now()
	err := s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.deps.Users.Update(ctx, user); err != nil {
			return fmt.Errorf("change email: %w", err)
		}
		// Reset links went to the old address; they must not outlive it.
		if err := s.deps.Verifications.DeleteFor(ctx, resetPurpose, string(user.ID)); err != nil {
			return fmt.Errorf("drop reset tokens: %w", err)
		}
		return s.queue(ctx, mail.Message{Kind: mail.KindEmailChanged, To: old, Username: user.Name, NewEmail: newEmail})
	})
	if err != nil {
		return Verified{}, err
	}
	s.profileChanged(ctx, user.ID)
	s.deps.Outbox.Wake()
	return Verified{User: user, EmailChanged: true}, nil
}
