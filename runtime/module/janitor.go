package module

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"go.uber.org/fx"

	"github.com/beep/iam/application/janitor"
	"github.com/beep/iam/infrastructure/bunstore"
	"github.com/beep/iam/runtime/config"
)

// Janitor sweeps lapsed rows (see package janitor) every JANITOR_INTERVAL,
// in a goroutine started and stopped with the app. Every wait, the first
// included, is jittered by ±20 % so that nodes started together do not
// sweep together; sweeping together would be harmless anyway (idempotent
// deletes). JANITOR_INTERVAL=0 turns it off on this node.
var Janitor = fx.Module("janitor",
	fx.Provide(
		fx.Annotate(bunstore.NewJanitorStore, fx.As(new(janitor.Store))),
		newJanitor,
	),
	fx.Invoke(runJanitor),
)

func newJanitor(store janitor.Store, c config.Config) *janitor.Janitor {
	return janitor.New(store, janitor.Policy{OutboxRetention: c.Ops.OutboxRetention}, time.Now)
}

// sweepTimeout bounds one sweep; a sweep that finds the database gone
// gives up and waits for the next tick.
const sweepTimeout = 5 * time.Minute

func runJanitor(lc fx.Lifecycle, j *janitor.Janitor, c config.Config, logger *slog.Logger) {
	interval := c.Ops.JanitorInterval
	if interval <= 0 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			go func() {
				defer close(done)
				sweepEvery(ctx, j, interval, logger)
			}()
			return nil
		},
		OnStop: func(stop context.Context) error {
			cancel()
			select {
			case <-done:
				return nil
			case <-stop.Done():
				return stop.Err()
			}
		},
	})
}

func sweepEvery(ctx context.Context, j *janitor.Janitor, interval time.Duration, logger *slog.Logger) {
	timer := time.NewTimer(jitter(interval))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		sctx, cancel := context.WithTimeout(ctx, sweepTimeout)
		start := time.Now()
		r, err := j.Sweep(sctx)
		cancel()
		attrs := []any{
			slog.Int("sessions", r.Sessions), slog.Int("verifications", r.Verifications),
			slog.Int("sent_emails", r.SentEmails), slog.Int("invitations", r.Invitations),
			slog.Duration("took", time.Since(start)),
		}
		switch {
		case err != nil && ctx.Err() == nil:
			logger.WarnContext(ctx, "janitor sweep failed", append(attrs, slog.Any("error", err))...)
		case err == nil && r.Total() > 0:
			logger.InfoContext(ctx, "janitor swept lapsed rows", attrs...)
		}
		timer.Reset(jitter(interval))
	}
}

// jitter returns d ± 20 %.
func jitter(d time.Duration) time.Duration {
	return d*4/5 + rand.N(d*2/5+1)
}
