package authn

import (
	"context"
	"errors"
	"fmt"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/mail"
)

// Failures of the verification flows, with better-auth's codes.
var (
	ErrEmailNotVerified     = failure.New(failure.Forbidden, "EMAIL_NOT_VERIFIED", "Email not verified")
	ErrEmailMismatch        = failure.New(failure.Invalid, "EMAIL_MISMATCH", "Email mismatch")
	ErrEmailAlreadyVerified = failure.New(failure.Invalid, "EMAIL_ALREADY_VERIFIED", "Email is already verified")
	// ErrVerifyUserNotFound and ErrVerifyInvalidUser are verify-email's
	// answers for a token whose user is gone or is someone else now.
	ErrVerifyUserNotFound = failure.New(failure.Unauthenticated, "USER_NOT_FOUND", "User not found")
	ErrVerifyInvalidUser  = failure.New(failure.Unauthenticated, "INVALID_USER", "Invalid user")
)

// queue validates msg and adds it to the outbox in the transaction of ctx.
func (s *Service) queue(ctx context.Context, msg mail.Message) error {
	if err := msg.Validate(); err != nil {
		return fmt.Errorf("queue %s email: %w", msg.Kind, err)
	}
	if err := s.deps.Outbox.Enqueue(ctx, msg); err != nil {
		return fmt.Errorf("queue %s email: %w", msg.Kind, err)
	}
	return nil
}

// verificationMail builds the verification email for user, with a fresh
// token that names the user (better-auth 1.7.25 checks userId on use).
func (s *Service) verificationMail(user identity.User, callbackURL string) (mail.Message, error) {
	token, err := s.deps.EmailTokens.Issue(EmailClaims{Email: user.Email, UserID: user.ID}, s.policy.Email.VerificationTTL)
	if err != nil {
		return mail.Message{}, fmt.Errorf("issue verification token: %w", err)
	}
	return mail.Message{Kind: mail.KindVerification, To: user.Email, Username: user.Name,
		URL: s.policy.Links.VerifyEmail(token, callbackURL)}, nil
}

// sendVerification queues a verification email for user and wakes the
// dispatcher. Outside a transaction the row commits at once.
func (s *Service) sendVerification(ctx context.Context, user identity.User, callbackURL string) error {
	msg, err := s.verificationMail(user, callbackURL)
	if err != nil {
		return err
	}
	if err := s.queue(ctx, msg); err != nil {
		return err
	}
	s.deps.Outbox.Wake()
	return nil
}

// SendVerificationInput asks for a (new) verification email. Caller is the
// signed-in user, if any.
type SendVerificationInput struct {
	Email       string
	CallbackURL string
	Caller      *identity.User
}

// SendVerificationEmail mails a verification link. Signed in, the address
// must be the caller's (ErrEmailMismatch) and not yet verified
// (ErrEmailAlreadyVerified). Signed out, the answer is always success and a
// link goes out only to an existing unverified user, so the endpoint says
// nothing about who has an account.
func (s *Service) SendVerificationEmail(ctx context.Context, in SendVerificationInput) error {
	email, err := identity.ParseEmail(in.Email)
	if err != nil {
		return err
	}
	if in.Caller != nil {
		switch {
		case in.Caller.Email != email:
			return ErrEmailMismatch
		case in.Caller.EmailVerified:
			return ErrEmailAlreadyVerified
		}
		if err := s.allowMail(ctx, mail.KindVerification, in.Caller.Email); err != nil {
			return err // the caller's own address: they may know it is limited
		}
		return s.sendVerification(ctx, *in.Caller, in.CallbackURL)
	}
	user, err := s.deps.Users.ByEmail(ctx, email)
	if errors.Is(err, identity.ErrUserNotFound) || (err == nil && user.EmailVerified) {
		return nil
	} else if err != nil {
		return fmt.Errorf("look up user: %w", err)
	}
	if err := s.allowMail(ctx, mail.KindVerification, user.Email); errors.Is(err, errMailSuppressed) {
		return nil // signed out: the same answer as for anyone else
	} else if err != nil {
		return err
	}
	return s.sendVerification(ctx, user, in.CallbackURL)
}

// Verified is the outcome of VerifyEmail: the user as it now stands.
type Verified struct {
	User identity.User
	// ChangeConfirmed is set when the token was the old address's approval
	// of an email change: nothing changed yet, the new address was mailed.
	ChangeConfirmed bool
	// EmailChanged is set when the token completed an email change.
	EmailChanged bool
}

// VerifyEmailInput is an opened verification link: its token, where it
// leads afterwards, and who opened it, when signed in.
type VerifyEmailInput struct {
	Token       string
	CallbackURL string
	Caller      *identity.UserID
}

// VerifyEmail redeems an email-verification token. Tokens are stateless
// JWTs, so a link may be opened twice: verifying a verified address is not
// an error. A token whose user is gone is ErrVerifyUserNotFound; one whose
// user and address no longer belong together is refused. Email-change
// tokens move through their steps: the old address's confirmation mails a
// link to the new address (leading to callbackURL), whose verification
// switches the account over and tells the old address.
func (s *Service) VerifyEmail(ctx context.Context, in VerifyEmailInput) (Verified, error) {
	claims, err := s.deps.EmailTokens.Parse(in.Token)
	if err != nil {
		return Verified{}, err
	}
	if claims.UpdateTo != "" {
		return s.verifyEmailChange(ctx, claims, in)
	}
	user, err := s.deps.Users.ByEmail(ctx, claims.Email)
	if errors.Is(err, identity.ErrUserNotFound) {
		return Verified{}, ErrVerifyUserNotFound
	} else if err != nil {
		return Verified{}, fmt.Errorf("look up user: %w", err)
	}
	if user.ID != claims.UserID {
		return Verified{}, ErrInvalidToken // the address belongs to another account now
	}
	if user.EmailVerified {
		return Verified{User: user}, nil
	}
	user.EmailVerified = true
	user.UpdatedAt = s.deps.Clock.Now()
	if err := s.deps.Users.Update(ctx, user); err != nil {
		return Verified{}, fmt.Errorf("mark email verified: %w", err)
	}
	s.profileChanged(ctx, user.ID)
	return Verified{User: user}, nil
}

// verifyEmailChange handles the two steps of an email change. The token
// names the user by id and the address it was issued for: once the account
// has moved on, an old link is refused, and so is one opened in another
// user's session (a change must not complete in a stranger's browser).
func (s *Service) verifyEmailChange(ctx context.Context, claims EmailClaims, in VerifyEmailInput) (Verified, error) {
	user, err := s.deps.Users.ByID(ctx, claims.UserID)
	if errors.Is(err, identity.ErrUserNotFound) {
		return Verified{}, ErrVerifyUserNotFound
	} else if err != nil {
		return Verified{}, fmt.Errorf("look up user: %w", err)
	}
	if user.Email != claims.Email || (in.Caller != nil && *in.Caller != user.ID) {
		return Verified{}, ErrVerifyInvalidUser
	}
	if claims.RequestType == ChangeEmailConfirmation {
		return Verified{User: user, ChangeConfirmed: true}, s.mailNewAddress(ctx, user, claims.UpdateTo, in.CallbackURL)
	}
	return s.switchEmail(ctx, user, claims.UpdateTo)
}
