package module

import (
	"log/slog"
	"os"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.uber.org/fx"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/infrastructure/bunstore"
	"github.com/beep/iam/infrastructure/mailer"
	"github.com/beep/iam/infrastructure/outbox"
	"github.com/beep/iam/runtime/config"
)

// Email queues mail in the database (the transactional outbox) and runs the
// dispatcher that delivers it through the configured transport: Resend,
// the log (dev) or memory (tests). The dispatcher starts after the
// database and stops before it, so an in-flight send is recorded.
var Email = fx.Module("email",
	fx.Provide(
		bunstore.NewOutboxStore,
		newTransport,
		newDispatcher,
		fx.Annotate(outbox.NewQueue, fx.As(new(authn.Outbox)), fx.From(new(*bunstore.OutboxStore))),
	),
	fx.Invoke(runDispatcher),
)

func newTransport(c config.Config, logger *slog.Logger) (mailer.Transport, error) {
	switch c.Email.Transport {
	case config.TransportResend:
		return mailer.NewResend(mailer.ResendConfig{APIKey: c.Email.ResendAPIKey.Reveal(), From: c.Email.From, BaseURL: c.Email.ResendAPIURL})
	case config.TransportMemory:
		return mailer.NewMemory(), nil
	default:
		where := "stderr"
		if c.Email.LogFile != "" {
			where = c.Email.LogFile
		}
		logger.Info("emails are not sent: they are printed (EMAIL_TRANSPORT=log)", "to", where)
		return mailer.NewLog(os.Stderr, c.Email.LogFile), nil
	}
}

func newDispatcher(store *bunstore.OutboxStore, transport mailer.Transport, c config.Config, logger *slog.Logger,
	tp *sdktrace.TracerProvider, mp *sdkmetric.MeterProvider) *outbox.Dispatcher {
	return outbox.New(store, mailer.Render, transport, outbox.Config{
		From: c.Email.From, MaxAttempts: c.Email.MaxAttempts, Logger: logger, TracerProvider: tp, MeterProvider: mp,
	})
}

func runDispatcher(lc fx.Lifecycle, d *outbox.Dispatcher) {
	lc.Append(fx.Hook{OnStart: d.Start, OnStop: d.Stop})
}

// emailLinks tells the use cases where mailed links point.
func emailLinks(c config.Config) authn.Links {
	auth := *c.AuthURL
	auth.Path += "/api/auth"
	links := authn.Links{
		AuthBase:          &auth,
		VerifyEmailPath:   c.Email.ClientVerifyEmailPath,
		ResetPasswordPath: c.Email.ClientResetPasswordPath,
	}
	if c.ClientURL != nil {
		client := *c.ClientURL
		links.ClientBase = &client
	}
	return links
}
