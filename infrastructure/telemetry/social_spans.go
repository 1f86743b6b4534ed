package telemetry

import (
	"context"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/session"
)

// The social sign-in use cases, one span each, on TracedAuthn.

// StartSocial traces authn.Service.StartSocial.
func (t *TracedAuthn) StartSocial(ctx context.Context, in authn.StartSocialInput) (authn.StartedSocial, error) {
	return span(ctx, t.tracer, "authn.StartSocial", func(ctx context.Context) (authn.StartedSocial, error) { return t.next.StartSocial(ctx, in) })
}

// LinkSocial traces authn.Service.LinkSocial.
func (t *TracedAuthn) LinkSocial(ctx context.Context, cur authn.CurrentSession, in authn.StartSocialInput) (authn.StartedSocial, error) {
	return span(ctx, t.tracer, "authn.LinkSocial", func(ctx context.Context) (authn.StartedSocial, error) { return t.next.LinkSocial(ctx, cur, in) })
}

// FinishSocial traces authn.Service.FinishSocial.
func (t *TracedAuthn) FinishSocial(ctx context.Context, in authn.FinishSocialInput) (authn.SocialOutcome, error) {
	return span(ctx, t.tracer, "authn.FinishSocial", func(ctx context.Context) (authn.SocialOutcome, error) { return t.next.FinishSocial(ctx, in) })
}

// SignInWithIDToken traces authn.Service.SignInWithIDToken.
func (t *TracedAuthn) SignInWithIDToken(ctx context.Context, in authn.SignInWithIDTokenInput) (authn.Authenticated, error) {
	return span(ctx, t.tracer, "authn.SignInWithIDToken", func(ctx context.Context) (authn.Authenticated, error) { return t.next.SignInWithIDToken(ctx, in) })
}

// LinkIDToken traces authn.Service.LinkIDToken.
func (t *TracedAuthn) LinkIDToken(ctx context.Context, user identity.User, in authn.LinkIDTokenInput) error {
	return spanErr(ctx, t.tracer, "authn.LinkIDToken", func(ctx context.Context) error { return t.next.LinkIDToken(ctx, user, in) })
}

// UnlinkAccount traces authn.Service.UnlinkAccount.
func (t *TracedAuthn) UnlinkAccount(ctx context.Context, cur session.Session, id identity.AccountID) error {
	return spanErr(ctx, t.tracer, "authn.UnlinkAccount", func(ctx context.Context) error { return t.next.UnlinkAccount(ctx, cur, id) })
}

// GetAccessToken traces authn.Service.GetAccessToken.
func (t *TracedAuthn) GetAccessToken(ctx context.Context, userID identity.UserID, id identity.AccountID) (authn.AccessToken, error) {
	return span(ctx, t.tracer, "authn.GetAccessToken", func(ctx context.Context) (authn.AccessToken, error) { return t.next.GetAccessToken(ctx, userID, id) })
}

// RefreshToken traces authn.Service.RefreshToken.
func (t *TracedAuthn) RefreshToken(ctx context.Context, userID identity.UserID, id identity.AccountID) (authn.RefreshedTokens, error) {
	return span(ctx, t.tracer, "authn.RefreshToken", func(ctx context.Context) (authn.RefreshedTokens, error) { return t.next.RefreshToken(ctx, userID, id) })
}

// AccountInfo traces authn.Service.AccountInfo.
func (t *TracedAuthn) AccountInfo(ctx context.Context, userID identity.UserID, id identity.AccountID) (authn.ProviderUser, identity.Account, error) {
	type info struct {
		who authn.ProviderUser
		acc identity.Account
	}
	got, err := span(ctx, t.tracer, "authn.AccountInfo", func(ctx context.Context) (info, error) {
		who, acc, err := t.next.AccountInfo(ctx, userID, id)
		return info{who, acc}, err
	})
	return got.who, got.acc, err
}
