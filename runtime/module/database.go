package module

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/uptrace/bun"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.uber.org/fx"

	"github.com/beep/iam/infrastructure/bunstore"
	"github.com/beep/iam/runtime/config"
)

// Database opens the database named by DATABASE_URL, closes it on stop, and
// before anything serves either migrates it (DATABASE_AUTO_MIGRATE, under
// the migration lock, so nodes starting together do not race) or refuses to
// start while migrations are pending.
var Database = fx.Module("database",
	fx.Provide(openDatabase, bunstore.NewMigrator),
	fx.Invoke(prepareSchema),
)

// openDatabase depends on the telemetry providers so the query hook finds
// them installed.
func openDatabase(lc fx.Lifecycle, c config.Config, _ *sdktrace.TracerProvider, _ *sdkmetric.MeterProvider) (*bun.DB, error) {
	db, err := bunstore.Open(context.Background(), c.DatabaseURL, bunstore.WithTracing(),
		bunstore.WithConnectTimeout(c.Ops.DatabaseConnectTimeout), bunstore.WithQueryTimeout(c.Ops.DatabaseQueryTimeout))
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StopHook(db.Close))
	return db, nil
}

func prepareSchema(lc fx.Lifecycle, c config.Config, m *bunstore.Migrator, logger *slog.Logger) {
	lc.Append(fx.StartHook(func(ctx context.Context) error {
		if c.AutoMigrate {
			if err := m.Up(ctx); err != nil {
				return fmt.Errorf("auto-migrate: %w", err)
			}
			logger.InfoContext(ctx, "database schema is up to date")
			return nil
		}
		n, err := m.Pending(ctx)
		if err != nil {
			return fmt.Errorf("check migrations: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("the database has %d pending migration(s) and DATABASE_AUTO_MIGRATE is off: run `iamd migrate up` first", n)
		}
		return nil
	}))
}
