package module

import (
	"go.uber.org/fx"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/session"
	"github.com/beep/iam/infrastructure/emailtoken"
	"github.com/beep/iam/infrastructure/password"
	"github.com/beep/iam/infrastructure/randomness"
	"github.com/beep/iam/infrastructure/systemclock"
	"github.com/beep/iam/infrastructure/telemetry"
	"github.com/beep/iam/infrastructure/textfold"
	"github.com/beep/iam/interfaces/rest"
	"github.com/beep/iam/runtime/config"
)

// Auth builds the authentication use cases from the ports, with the policy
// from configuration, and exposes them traced to the edge.
var Auth = fx.Module("auth",
	fx.Provide(
		fx.Annotate(func() systemclock.Clock { return systemclock.Clock{} }, fx.As(new(authn.Clock))),
		fx.Annotate(func() randomness.IDs { return randomness.IDs{} }, fx.As(new(authn.IDs))),
		fx.Annotate(func() randomness.Tokens { return randomness.Tokens{} }, fx.As(new(authn.Tokens))),
		fx.Annotate(newHasher, fx.As(new(authn.PasswordHasher))),
		newRedisClient, // redis.go: nil without REDIS_URL
		fx.Annotate(redisReadiness, fx.ResultTags(`group:"readiness,flatten"`)),
		newRevokedSessions,
		newContextChanges,
		newSessionCache,
		fx.Annotate(newOAuthProviders, fx.As(new(authn.OAuthProviders))),
		fx.Annotate(newTokenCipher, fx.As(new(authn.TokenCipher))),
		authPolicy,
		newEmailTokens,
		newAuthService,
		fx.Annotate(telemetry.TraceAuthn, fx.As(new(rest.Authenticator)), fx.As(new(rest.Social))),
	),
	fx.Invoke(warmProviders),
)

func newHasher(c config.Config) (*password.Hasher, error) {
	return password.New(password.Config{Algorithm: password.Algorithm(c.PasswordHash), Concurrency: c.HashConcurrency, MaxWait: c.HashQueueWait})
}

func newEmailTokens(c config.Config, clock authn.Clock) authn.EmailTokens {
	return emailtoken.New(c.SecretKeys(), clock.Now)
}

func authPolicy(c config.Config) authn.Policy {
	return authn.Policy{
		Passwords:         identity.DefaultPasswordPolicy,
		FreshAge:          c.SessionFreshAge,
		DeleteUserEnabled: c.UserDeleteEnabled,
		Links:             emailLinks(c),
		Social:            socialPolicy(c),
		SessionCacheTTL:   c.SessionCacheTTL,
		Email: authn.EmailPolicy{
			SendVerificationOnSignUp: c.Email.SendVerificationOnSignUp,
			RequireVerification:      c.Email.VerificationRequired,
			VerificationTTL:          authn.DefaultEmailPolicy.VerificationTTL,
			ResetTTL:                 authn.DefaultEmailPolicy.ResetTTL,
			RevokeSessionsOnReset:    c.Email.RevokeSessionsOnReset,
			ChangeEmailEnabled:       c.Email.ChangeEmailEnabled,
			ConfirmDeletionByEmail:   c.Email.ConfirmDeletionByEmail,
			DeleteTokenTTL:           authn.DefaultEmailPolicy.DeleteTokenTTL,
		},
		Sessions: session.Policy{
			ExpiresIn:       c.SessionExpiresIn,
			UpdateAge:       c.SessionUpdateAge,
			DontRememberFor: session.DefaultPolicy.DontRememberFor,
			MaxLifetime:     c.SessionMaxLifetime,
		},
	}
}

type authDeps struct {
	fx.In
	Clock         authn.Clock
	IDs           authn.IDs
	Tokens        authn.Tokens
	Hasher        authn.PasswordHasher
	Tx            authn.TxRunner
	Users         authn.UserRepository
	Accounts      authn.AccountRepository
	Sessions      authn.SessionRepository
	Organizations authn.OrganizationRepository
	Revoked       authn.RevokedSessions
	Changes       authn.ContextChanges
	SessionCache  authn.SessionCache // nil: none (SESSION_CACHE_TTL=0)
	Verifications authn.VerificationRepository
	Outbox        authn.Outbox
	EmailTokens   authn.EmailTokens
	Providers     authn.OAuthProviders
	Cipher        authn.TokenCipher
	Attempts      authn.AttemptCounter // RateLimits; nil when limits are off
	Sends         authn.SendLimiter
}

func newAuthService(d authDeps, p authn.Policy) *authn.Service {
	return authn.NewService(authn.Deps{
		Clock: d.Clock, IDs: d.IDs, Tokens: d.Tokens, Hasher: d.Hasher, Tx: d.Tx,
		Users: d.Users, Accounts: d.Accounts, Sessions: d.Sessions, Organizations: d.Organizations,
		Revoked: d.Revoked, Changes: d.Changes, SessionCache: d.SessionCache, Verifications: d.Verifications, Outbox: d.Outbox, EmailTokens: d.EmailTokens,
		Providers: d.Providers, Cipher: d.Cipher, Attempts: d.Attempts, Sends: d.Sends,
		FoldAccents: textfold.FoldAccents,
	}, p)
}
