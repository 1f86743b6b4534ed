package authn

import (
	"context"
	"errors"
	"fmt"

	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
)

// SignUpInput is a validated sign-up request. Email must already be
// canonical (identity.ParseEmail).
type SignUpInput struct {
	Name       string
	Email      identity.Email
	Password   string
	Image      *string
	RememberMe bool
	// CallbackURL is where the verification link leads after verifying.
	CallbackURL string
	Client      Client
}

// personalSlugSuffixes are the id-suffix lengths tried for a personal
// organization slug; the last is the whole UUID, which cannot collide.
var personalSlugSuffixes = []int{6, 8, 12, 32}

// SignUp creates a user with a credential account, a personal organization
// with the user as owner, a first session and the verification email, all
// in one transaction: either every row exists afterwards or none does. A
// taken email is identity.ErrUserAlreadyExists, also when two sign-ups
// race. When verification is required no session is opened (the token is
// empty), and a taken email is answered like a fresh sign-up with a user
// that does not exist, so the endpoint does not reveal accounts.
func (s *Service) SignUp(ctx context.Context, in SignUpInput) (Authenticated, error) {
	if identity.Undeliverable(in.Email) {
		return Authenticated{}, identity.ErrInvalidEmail
	}
	if err := identity.CheckName(in.Name); err != nil {
		return Authenticated{}, err
	}
	if err := s.policy.Passwords.Check(in.Password); err != nil {
		return Authenticated{}, err
	}
	if _, err := s.deps.Users.ByEmail(ctx, in.Email); err == nil {
		return s.signUpTaken(ctx, in)
	} else if !errors.Is(err, identity.ErrUserNotFound) {
		return Authenticated{}, fmt.Errorf("look up email: %w", err)
	}
	hash, err := s.deps.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return Authenticated{}, fmt.Errorf("hash password: %w", err)
	}
	emailPolicy := s.policy.Email

	var out Authenticated
	err = s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		now := s.deps.Clock.Now()
		user := identity.NewUser(identity.NewUserID(s.deps.IDs.NewUUID()), in.Name, in.Email, in.Image, now)
		if err := s.deps.Users.Create(ctx, user); err != nil {
			return err
		}
		account := identity.NewCredentialAccount(identity.NewAccountID(s.deps.IDs.NewUUID()), user.ID, hash, now)
		if err := s.deps.Accounts.Create(ctx, account); err != nil {
			return fmt.Errorf("create credential account: %w", err)
		}
		membership, err := s.createPersonalOrganization(ctx, user)
		if err != nil {
			return err
		}
		out = Authenticated{User: user, LoadedAt: now}
		if emailPolicy.SendVerificationOnSignUp || emailPolicy.RequireVerification {
			msg, err := s.verificationMail(user, in.CallbackURL)
			if err != nil {
				return err
			}
			if err := s.queue(ctx, msg); err != nil {
				return err
			}
		}
		if emailPolicy.RequireVerification {
			return nil
		}
		out.Session, out.Context, err = s.openSession(ctx, user.ID, []organization.Membership{membership}, in.RememberMe, in.Client)
		return err
	})
	if errors.Is(err, identity.ErrUserAlreadyExists) {
		return s.signUpTaken(ctx, in)
	}
	if err != nil {
		return Authenticated{}, err
	}
	s.deps.Outbox.Wake()
	return out, nil
}

// signUpTaken answers a sign-up for an email that has an account. With
// verification required it spends a hash and returns a stand-in user, as a
// real sign-up would look; otherwise it says the email is taken.
func (s *Service) signUpTaken(ctx context.Context, in SignUpInput) (Authenticated, error) {
	if !s.policy.Email.RequireVerification {
		return Authenticated{}, identity.ErrUserAlreadyExists
	}
	if err := s.deps.Hasher.Burn(ctx, in.Password); err != nil {
		return Authenticated{}, fmt.Errorf("hash password: %w", err)
	}
	standIn := identity.NewUser(identity.NewUserID(s.deps.IDs.NewUUID()), in.Name, in.Email, nil, s.deps.Clock.Now())
	return Authenticated{User: standIn}, nil
}

func (s *Service) createPersonalOrganization(ctx context.Context, user identity.User) (organization.Membership, error) {
	var slug string
	for _, n := range personalSlugSuffixes {
		slug = organization.PersonalSlug(user.Name, user.ID, n, s.deps.FoldAccents)
		taken, err := s.deps.Organizations.SlugTaken(ctx, slug)
		if err != nil {
			return organization.Membership{}, fmt.Errorf("check personal slug: %w", err)
		}
		if !taken {
			break
		}
	}
	now := s.deps.Clock.Now()
	org, owner := organization.NewPersonal(organization.NewID(s.deps.IDs.NewUUID()), organization.NewMemberID(s.deps.IDs.NewUUID()), user, slug, now)
	if err := s.deps.Organizations.Create(ctx, org); err != nil {
		return organization.Membership{}, fmt.Errorf("create personal organization: %w", err)
	}
	if err := s.deps.Organizations.AddMember(ctx, owner); err != nil {
		return organization.Membership{}, fmt.Errorf("add personal organization owner: %w", err)
	}
	return organization.Membership{Organization: org, Member: owner}, nil
}

// openSession creates a session for userID whose active organization and
// context follow session.ContextFor.
func (s *Service) openSession(ctx context.Context, userID identity.UserID, memberships []organization.Membership, rememberMe bool, client Client) (session.Session, session.OrganizationContext, error) {
	token, err := s.deps.Tokens.SessionToken()
	if err != nil {
		return session.Session{}, nil, fmt.Errorf("mint session token: %w", err)
	}
	orgCtx, active := session.ContextFor(memberships)
	now := s.deps.Clock.Now()
	sess := session.Session{
		ID:                   session.NewID(s.deps.IDs.NewUUID()),
		Token:                token,
		UserID:               userID,
		ExpiresAt:            s.policy.Sessions.InitialExpiry(now, !rememberMe),
		IPAddress:            client.IPAddress,
		UserAgent:            client.UserAgent,
		ActiveOrganizationID: active,
		DontRemember:         !rememberMe,
		CreatedAt:            now,
		UpdatedAt:            now,
	}
	if err := s.deps.Sessions.Create(ctx, sess); err != nil {
		return session.Session{}, nil, fmt.Errorf("create session: %w", err)
	}
	return sess, orgCtx, nil
}
