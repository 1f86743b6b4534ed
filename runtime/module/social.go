package module

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/infrastructure/oauth"
	"github.com/beep/iam/infrastructure/tokencipher"
	"github.com/beep/iam/runtime/config"
)

// newOAuthProviders builds the configured social sign-in providers. It
// makes no request; generic OpenID Connect issuers are discovered in the
// background (warmProviders) and again on first use if they were down.
func newOAuthProviders(c config.Config) (oauth.Registry, error) {
	specs := make([]oauth.Spec, 0, len(c.OAuth.Providers))
	for _, p := range c.OAuth.Providers {
		specs = append(specs, oauth.Spec{ID: p.ID, Config: oauth.Config{
			ClientID: p.ClientID, ClientSecret: p.ClientSecret.Reveal(), Scopes: p.Scopes, Tenant: p.TenantID, Issuer: p.Issuer,
		}})
	}
	r, err := oauth.Build(specs)
	if err != nil {
		return nil, fmt.Errorf("social sign-in providers: %w", err)
	}
	return r, nil
}

// warmProviders logs which providers are on and fetches the OpenID Connect
// discovery documents at start-up
// so a misconfigured or unreachable issuer shows in the log at once; it
// never stops the server (the provider retries on use).
func warmProviders(providers authn.OAuthProviders, c config.Config, logger *slog.Logger) {
	enabled := make([]string, len(c.OAuth.Providers))
	for i, p := range c.OAuth.Providers {
		enabled[i] = p.ID
	}
	logger.Info("social sign-in providers", "enabled", enabled, "trusted", c.OAuth.Trusted)
	r, ok := providers.(interface{ Discover(context.Context) error })
	if !ok {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := r.Discover(ctx); err != nil {
			logger.Warn("OpenID Connect discovery failed; the provider retries on use", "error", err)
		}
	}()
}

// newTokenCipher seals provider tokens with the server secrets, in
// better-auth's format (versioned when BETTER_AUTH_SECRETS is used).
func newTokenCipher(c config.Config) (*tokencipher.Cipher, error) {
	keys := c.SecretKeys()
	if len(c.SecretVersions) == 0 {
		return tokencipher.New(nil, keys[0])
	}
	versioned := make([]tokencipher.Key, len(keys))
	for i, k := range keys {
		versioned[i] = tokencipher.Key{Version: c.SecretVersions[i], Secret: k}
	}
	return tokencipher.New(versioned, nil)
}

func socialPolicy(c config.Config) authn.SocialPolicy {
	trusted := map[string]bool{}
	for _, id := range c.OAuth.Trusted {
		trusted[id] = true
	}
	return authn.SocialPolicy{
		Linking:       identity.LinkPolicy{Trusted: trusted, AllowDifferentEmails: c.OAuth.AllowDifferentEmails},
		StateTTL:      authn.DefaultSocialPolicy.StateTTL,
		SignUpEnabled: c.OAuth.SignUpEnabled,
	}
}
