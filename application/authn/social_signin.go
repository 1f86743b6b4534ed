package authn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/beep/iam/domain/identity"
)

// placeholderEmailProviders may sign a user in without an email: X/Twitter
// often has none. The user gets an unverifiable placeholder address, as
// better-auth gives them (<id>@twitter.placeholder.invalid; .invalid is
// reserved, so no mail ever goes there).
var placeholderEmailProviders = map[string]bool{"twitter": true}

// signInSocial signs in the owner of the provider account, linking it to
// the user with the same email when the linking rules allow, or signing
// up a new user (with a personal organization) when there is none; all in
// one transaction. created tells a sign-up.
func (s *Service) signInSocial(ctx context.Context, providerID string, tokens OAuthTokens, who ProviderUser, client Client, callbackURL string) (Authenticated, bool, error) {
	email, err := s.providerEmail(providerID, who)
	if err != nil {
		return Authenticated{}, false, err
	}
	sealed, err := s.seal(tokens)
	if err != nil {
		return Authenticated{}, false, err
	}
	var (
		out     Authenticated
		created bool
	)
	err = s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		user, err := s.socialUser(ctx, providerID, who, email, sealed, callbackURL, &created)
		if err != nil {
			return err
		}
		loaded := s.deps.Clock.Now()
		memberships, err := s.deps.Organizations.MembershipsOf(ctx, user.ID)
		if err != nil {
			return fmt.Errorf("load memberships: %w", err)
		}
		sess, orgCtx, err := s.openSession(ctx, user.ID, memberships, true, client)
		out = Authenticated{User: user, Session: sess, Context: orgCtx, LoadedAt: loaded}
		return err
	})
	if err == nil && created {
		s.deps.Outbox.Wake()
	}
	if err == nil && !created {
		// The sign-in may have marked the address verified.
		s.profileChanged(ctx, out.User.ID)
	}
	return out, created, err
}

// socialUser finds or makes the user behind a provider account (see
// signInSocial) and stores the account's new tokens.
func (s *Service) socialUser(ctx context.Context, providerID string, who ProviderUser, email identity.Email, sealed identity.Account, callbackURL string, created *bool) (identity.User, error) {
	now := s.deps.Clock.Now()
	account, err := s.deps.Accounts.ByProvider(ctx, providerID, who.AccountID)
	switch {
	case err == nil:
		user, err := s.deps.Users.ByID(ctx, account.UserID)
		if err != nil {
			return identity.User{}, fmt.Errorf("load account owner: %w", err)
		}
		withTokens(&account, sealed, now)
		if err := s.deps.Accounts.UpdateTokens(ctx, account); err != nil {
			return identity.User{}, fmt.Errorf("store tokens: %w", err)
		}
		if who.EmailVerified && !user.EmailVerified && user.Email == email {
			user.EmailVerified, user.UpdatedAt = true, now
			if err := s.deps.Users.Update(ctx, user); err != nil {
				return identity.User{}, fmt.Errorf("mark email verified: %w", err)
			}
		}
		return user, nil
	case !errors.Is(err, identity.ErrAccountNotFound):
		return identity.User{}, fmt.Errorf("look up account: %w", err)
	}
	user, err := s.deps.Users.ByEmail(ctx, email)
	switch {
	case err == nil:
		// Account pre-hijacking stops here: see identity.LinkPolicy.
		if !s.policy.Social.Linking.MayLinkImplicitly(providerID, providerEmailOf(who), user) {
			return identity.User{}, refusedNotLinked
		}
	case errors.Is(err, identity.ErrUserNotFound):
		if !s.policy.Social.SignUpEnabled {
			return identity.User{}, refusedSignUpDisabled
		}
		// An address the provider does not vouch for could be someone
		// else's: signing up with it would squat it (pre-hijacking the
		// real owner's later sign-in). A placeholder address is nobody's.
		if !s.policy.Social.Linking.ProviderVouches(providerID, providerEmailOf(who)) && !identity.Undeliverable(email) {
			return identity.User{}, refusedEmailNotVerified
		}
		if user, err = s.socialSignUp(ctx, who, email, callbackURL); err != nil {
			return identity.User{}, err
		}
		*created = true
	default:
		return identity.User{}, fmt.Errorf("look up user: %w", err)
	}
	account = identity.Account{
		ID: identity.NewAccountID(s.deps.IDs.NewUUID()), UserID: user.ID, ProviderID: providerID,
		ProviderAccountID: who.AccountID, CreatedAt: now,
	}
	withTokens(&account, sealed, now)
	if err := s.deps.Accounts.Create(ctx, account); err != nil {
		return identity.User{}, fmt.Errorf("create account: %w", err)
	}
	return user, nil
}

// socialSignUp creates the user of a first social sign-in with their
// personal organization and, when the provider did not verify the address
// and policy says so, queues a verification email (never to a placeholder
// .invalid address, which cannot receive one).
func (s *Service) socialSignUp(ctx context.Context, who ProviderUser, email identity.Email, callbackURL string) (identity.User, error) {
	now := s.deps.Clock.Now()
	user := identity.NewUser(identity.NewUserID(s.deps.IDs.NewUUID()), displayName(who.Name), email, imageURL(who.Image), now)
	user.EmailVerified = who.EmailVerified
	if err := s.deps.Users.Create(ctx, user); err != nil {
		return identity.User{}, fmt.Errorf("create user: %w", err)
	}
	if _, err := s.createPersonalOrganization(ctx, user); err != nil {
		return identity.User{}, err
	}
	if user.EmailVerified || !s.policy.Email.SendVerificationOnSignUp || identity.Undeliverable(email) {
		return user, nil
	}
	msg, err := s.verificationMail(user, callbackURL)
	if err != nil {
		return identity.User{}, err
	}
	return user, s.queue(ctx, msg)
}

// providerEmail is the canonical email of a provider's user.
func (s *Service) providerEmail(providerID string, who ProviderUser) (identity.Email, error) {
	raw := who.Email
	if raw == "" && placeholderEmailProviders[providerID] && who.AccountID != "" {
		raw = who.AccountID + "@" + providerID + ".placeholder.invalid"
	}
	if raw == "" {
		return "", refusedNoEmail
	}
	email, err := identity.ParseEmail(raw)
	if err != nil {
		return "", refusedNoEmail
	}
	return email, nil
}

// link attaches a provider account to user: the provider must vouch for
// the address, which must be the user's own unless different emails are
// allowed, and the account must not belong to someone else.
func (s *Service) link(ctx context.Context, providerID string, tokens OAuthTokens, who ProviderUser, user identity.User) error {
	policy := s.policy.Social.Linking
	if !policy.ProviderVouches(providerID, providerEmailOf(who)) {
		return refusedLink
	}
	email, _ := identity.ParseEmail(who.Email)
	if !policy.AllowDifferentEmails && email != user.Email {
		return refusedEmailMismatch
	}
	sealed, err := s.seal(tokens)
	if err != nil {
		return err
	}
	return s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		now := s.deps.Clock.Now()
		account, err := s.deps.Accounts.ByProvider(ctx, providerID, who.AccountID)
		switch {
		case err == nil && account.UserID != user.ID:
			return refusedLinkedElsewhere
		case err == nil:
			withTokens(&account, sealed, now)
			return s.deps.Accounts.UpdateTokens(ctx, account)
		case !errors.Is(err, identity.ErrAccountNotFound):
			return fmt.Errorf("look up account: %w", err)
		}
		account = identity.Account{
			ID: identity.NewAccountID(s.deps.IDs.NewUUID()), UserID: user.ID, ProviderID: providerID,
			ProviderAccountID: who.AccountID, CreatedAt: now,
		}
		withTokens(&account, sealed, now)
		return s.deps.Accounts.Create(ctx, account)
	})
}

// linkingUser is the user of a link flow, whose session must still be
// live: a link started before a sign-out or a revocation does not
// complete.
func (s *Service) linkingUser(ctx context.Context, l flowLink) (identity.User, error) {
	token, err := s.deps.Cipher.Open(l.SealedToken)
	if err != nil {
		return identity.User{}, refusedLink
	}
	sess, err := s.deps.Sessions.ByToken(ctx, token)
	if err != nil || sess.UserID != l.UserID || sess.Expired(s.deps.Clock.Now()) {
		return identity.User{}, refusedLink
	}
	user, err := s.deps.Users.ByID(ctx, l.UserID)
	if err != nil {
		return identity.User{}, refusedLink
	}
	return user, nil
}

// providerEmailOf is what the provider said about the address.
func providerEmailOf(who ProviderUser) identity.ProviderEmail {
	return identity.ProviderEmail{Verified: who.EmailVerified, Unstated: who.EmailVerificationUnstated}
}

// seal encrypts tokens for storage, as an account carrying them.
func (s *Service) seal(t OAuthTokens) (identity.Account, error) {
	var a identity.Account
	for _, f := range []struct {
		plain string
		into  *string
	}{{t.AccessToken, &a.AccessToken}, {t.RefreshToken, &a.RefreshToken}, {t.IDToken, &a.IDToken}} {
		sealed, err := s.deps.Cipher.Seal(f.plain)
		if err != nil {
			return identity.Account{}, fmt.Errorf("seal provider token: %w", err)
		}
		*f.into = sealed
	}
	a.AccessTokenExpiresAt, a.RefreshTokenExpiresAt = t.AccessTokenExpiresAt, t.RefreshTokenExpiresAt
	a.Scope = strings.Join(t.Scopes, ",")
	return a, nil
}

// withTokens copies sealed tokens into a, keeping a refresh token the
// provider did not send again (providers send one only at first consent).
func withTokens(a *identity.Account, sealed identity.Account, now time.Time) {
	a.AccessToken, a.IDToken = sealed.AccessToken, sealed.IDToken
	a.AccessTokenExpiresAt = sealed.AccessTokenExpiresAt
	if sealed.RefreshToken != "" {
		a.RefreshToken, a.RefreshTokenExpiresAt = sealed.RefreshToken, sealed.RefreshTokenExpiresAt
	}
	if sealed.Scope != "" {
		a.Scope = sealed.Scope
	}
	a.UpdatedAt = now
}

// displayName makes a provider's name acceptable as a user name: control
// characters dropped, bounded (identity.CheckName's rules).
func displayName(name string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > identity.MaxNameLength {
		name = string(r[:identity.MaxNameLength])
	}
	return strings.TrimSpace(name)
}

// imageURL keeps a provider's picture when it is a plausible http(s) URL.
func imageURL(raw string) *string {
	if len(raw) > 2048 || !(strings.HasPrefix(raw, "https://") || strings.HasPrefix(raw, "http://")) || strings.ContainsAny(raw, "\r\n\x00") {
		return nil
	}
	return &raw
}

// SignInWithIDTokenInput is an id token the client got from the provider
// itself (e.g. Google One Tap).
type SignInWithIDTokenInput struct {
	ProviderID  string
	IDToken     string
	Nonce       string
	AccessToken string
	Client      Client
}

// SignInWithIDToken signs in, links or signs up the user an id token names,
// under the same rules as the redirect flow.
func (s *Service) SignInWithIDToken(ctx context.Context, in SignInWithIDTokenInput) (Authenticated, error) {
	provider, ok := s.deps.Providers.Provider(in.ProviderID)
	if !ok {
		return Authenticated{}, ErrProviderNotFound
	}
	who, err := provider.VerifyIDToken(ctx, in.IDToken, in.Nonce)
	switch {
	case errors.Is(err, ErrIDTokenNotSupported):
		return Authenticated{}, ErrIDTokenNotSupported
	case err != nil:
		return Authenticated{}, ErrInvalidIDToken.WithCause(err)
	}
	auth, _, err := s.signInSocial(ctx, provider.ID(), OAuthTokens{IDToken: in.IDToken, AccessToken: in.AccessToken}, who, in.Client, "")
	var r refusal
	if errors.As(err, &r) {
		switch r {
		case refusedNoEmail:
			return Authenticated{}, ErrUserEmailNotFound
		case refusedSignUpDisabled:
			return Authenticated{}, ErrSignUpDisabled
		case refusedEmailNotVerified:
			return Authenticated{}, ErrEmailNotVerified
		default:
			return Authenticated{}, ErrOAuthLinkError
		}
	}
	return auth, err
}

// LinkIDTokenInput links the account an id token names to the caller.
type LinkIDTokenInput struct {
	ProviderID  string
	IDToken     string
	Nonce       string
	AccessToken string
}

// LinkIDToken links the provider account an id token names to the
// signed-in user, under the explicit linking rules.
func (s *Service) LinkIDToken(ctx context.Context, user identity.User, in LinkIDTokenInput) error {
	provider, ok := s.deps.Providers.Provider(in.ProviderID)
	if !ok {
		return ErrProviderNotFound
	}
	who, err := provider.VerifyIDToken(ctx, in.IDToken, in.Nonce)
	switch {
	case errors.Is(err, ErrIDTokenNotSupported):
		return ErrIDTokenNotSupported
	case err != nil:
		return ErrInvalidIDToken.WithCause(err)
	}
	err = s.link(ctx, provider.ID(), OAuthTokens{IDToken: in.IDToken, AccessToken: in.AccessToken}, who, user)
	switch {
	case errors.Is(err, refusedLinkedElsewhere):
		return ErrSocialAccountLinked
	case errors.Is(err, refusedEmailMismatch):
		return ErrLinkingDifferentEmails
	case errors.Is(err, refusedLink):
		return ErrLinkingNotAllowed
	}
	return err
}
