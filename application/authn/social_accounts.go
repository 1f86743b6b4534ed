package authn

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/session"
)

// refreshAhead is how close to its expiry an access token is refreshed
// before it is handed out (better-auth: 5 s).
const refreshAhead = 5 * time.Second

// UnlinkAccount removes one of the caller's accounts; never the last one,
// which would lock the user out. It needs a fresh session.
func (s *Service) UnlinkAccount(ctx context.Context, current session.Session, accountID identity.AccountID) error {
	if !s.fresh(current) {
		return ErrSessionNotFresh
	}
	return s.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		// Under the lock two concurrent unlinks cannot each remove one of
		// the last two accounts.
		accounts, err := s.deps.Accounts.ListByUserForUpdate(ctx, current.UserID)
		if err != nil {
			return fmt.Errorf("list accounts: %w", err)
		}
		if len(accounts) <= 1 {
			return ErrLastAccount
		}
		for _, a := range accounts {
			if a.ID == accountID {
				return s.deps.Accounts.Delete(ctx, a.ID)
			}
		}
		return identity.ErrAccountNotFound
	})
}

// ownSocialAccount is one of the user's accounts and its configured
// provider.
func (s *Service) ownSocialAccount(ctx context.Context, userID identity.UserID, accountID identity.AccountID) (identity.Account, OAuthProvider, error) {
	a, err := s.deps.Accounts.ByID(ctx, accountID)
	if errors.Is(err, identity.ErrAccountNotFound) || (err == nil && a.UserID != userID) {
		return identity.Account{}, nil, identity.ErrAccountNotFound // another user's id finds nothing
	} else if err != nil {
		return identity.Account{}, nil, fmt.Errorf("load account: %w", err)
	}
	provider, ok := s.deps.Providers.Provider(a.ProviderID)
	if !ok {
		return identity.Account{}, nil, errProviderNotSupported(a.ProviderID)
	}
	return a, provider, nil
}

// AccessToken is a provider access token as get-access-token answers it.
type AccessToken struct {
	AccessToken string
	ExpiresAt   time.Time
	Scopes      []string
	IDToken     string
}

// GetAccessToken returns a usable access token of one of the user's
// accounts, refreshing it first when it is about to expire.
func (s *Service) GetAccessToken(ctx context.Context, userID identity.UserID, accountID identity.AccountID) (AccessToken, error) {
	a, provider, err := s.ownSocialAccount(ctx, userID, accountID)
	if err != nil {
		return AccessToken{}, err
	}
	tokens, err := s.validTokens(ctx, a, provider)
	if err != nil {
		return AccessToken{}, ErrFailedToGetAccessToken.WithCause(err)
	}
	return AccessToken{AccessToken: tokens.AccessToken, ExpiresAt: tokens.AccessTokenExpiresAt, Scopes: a.Scopes(), IDToken: tokens.IDToken}, nil
}

// validTokens opens an account's tokens, refreshing them when the access
// token is about to expire and a refresh token is there.
func (s *Service) validTokens(ctx context.Context, a identity.Account, provider OAuthProvider) (OAuthTokens, error) {
	tokens, err := s.open(a)
	if err != nil {
		return OAuthTokens{}, err
	}
	due := !a.AccessTokenExpiresAt.IsZero() && a.AccessTokenExpiresAt.Sub(s.deps.Clock.Now()) < refreshAhead
	if !due || tokens.RefreshToken == "" {
		return tokens, nil
	}
	return s.refresh(ctx, a, provider, tokens)
}

// refresh trades the refresh token for new tokens and stores them; a
// provider that sends no new refresh or id token keeps the old ones.
func (s *Service) refresh(ctx context.Context, a identity.Account, provider OAuthProvider, old OAuthTokens) (OAuthTokens, error) {
	fresh, err := provider.Refresh(ctx, old.RefreshToken)
	if err != nil {
		return OAuthTokens{}, err
	}
	if fresh.RefreshToken == "" {
		fresh.RefreshToken = old.RefreshToken
	}
	if fresh.RefreshTokenExpiresAt.IsZero() {
		fresh.RefreshTokenExpiresAt = old.RefreshTokenExpiresAt
	}
	if fresh.IDToken == "" {
		fresh.IDToken = old.IDToken
	}
	sealed, err := s.seal(fresh)
	if err != nil {
		return OAuthTokens{}, err
	}
	scope := a.Scope
	withTokens(&a, sealed, s.deps.Clock.Now())
	a.Scope = scope // a refresh does not change what was granted
	if err := s.deps.Accounts.UpdateTokens(ctx, a); err != nil {
		return OAuthTokens{}, fmt.Errorf("store refreshed tokens: %w", err)
	}
	return fresh, nil
}

// open decrypts an account's stored tokens.
func (s *Service) open(a identity.Account) (OAuthTokens, error) {
	t := OAuthTokens{AccessTokenExpiresAt: a.AccessTokenExpiresAt, RefreshTokenExpiresAt: a.RefreshTokenExpiresAt, Scopes: a.Scopes()}
	for _, f := range []struct {
		sealed string
		into   *string
	}{{a.AccessToken, &t.AccessToken}, {a.RefreshToken, &t.RefreshToken}, {a.IDToken, &t.IDToken}} {
		plain, err := s.deps.Cipher.Open(f.sealed)
		if err != nil {
			return OAuthTokens{}, fmt.Errorf("open provider token: %w", err)
		}
		*f.into = plain
	}
	return t, nil
}

// RefreshedTokens is refresh-token's answer.
type RefreshedTokens struct {
	Tokens     OAuthTokens
	Scope      string
	ProviderID string
	AccountID  identity.AccountID
}

// RefreshToken refreshes one of the user's accounts' tokens now.
func (s *Service) RefreshToken(ctx context.Context, userID identity.UserID, accountID identity.AccountID) (RefreshedTokens, error) {
	a, provider, err := s.ownSocialAccount(ctx, userID, accountID)
	if err != nil {
		return RefreshedTokens{}, err
	}
	old, err := s.open(a)
	if err != nil {
		return RefreshedTokens{}, ErrFailedToRefreshToken.WithCause(err)
	}
	if old.RefreshToken == "" {
		return RefreshedTokens{}, ErrRefreshTokenNotFound
	}
	fresh, err := s.refresh(ctx, a, provider, old)
	if err != nil {
		return RefreshedTokens{}, ErrFailedToRefreshToken.WithCause(err)
	}
	return RefreshedTokens{Tokens: fresh, Scope: a.Scope, ProviderID: a.ProviderID, AccountID: a.ID}, nil
}

// AccountInfo asks the provider who one of the user's accounts is, with
// its (refreshed if due) access token.
func (s *Service) AccountInfo(ctx context.Context, userID identity.UserID, accountID identity.AccountID) (ProviderUser, identity.Account, error) {
	a, provider, err := s.ownSocialAccount(ctx, userID, accountID)
	if errors.Is(err, identity.ErrAccountNotFound) {
		return ProviderUser{}, identity.Account{}, err
	} else if err != nil {
		return ProviderUser{}, identity.Account{}, ErrProviderNotConfigured.WithCause(err)
	}
	tokens, err := s.validTokens(ctx, a, provider)
	if err != nil {
		return ProviderUser{}, identity.Account{}, ErrFailedToGetAccessToken.WithCause(err)
	}
	if tokens.AccessToken == "" {
		return ProviderUser{}, identity.Account{}, ErrAccessTokenNotFound
	}
	who, err := provider.UserInfo(ctx, OAuthTokens{AccessToken: tokens.AccessToken}, "")
	if err != nil {
		return ProviderUser{}, identity.Account{}, ErrFailedToGetUserInfo.WithCause(err)
	}
	return who, a, nil
}
