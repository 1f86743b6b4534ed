package module

import (
	"context"
	"log/slog"

	"github.com/uptrace/bun"
	"go.uber.org/fx"

	"github.com/beep/iam/interfaces/rest"
)

// Health serves /healthz and /readyz at the server root, in front of the
// API (see rest.Health). /readyz runs every rest.ReadinessCheck in the
// "readiness" value group; a module adds one with
//
//	fx.Provide(fx.Annotate(newCheck, fx.ResultTags(`group:"readiness"`)))
//
// (or `group:"readiness,flatten"` for a []rest.ReadinessCheck that may be
// empty, e.g. Redis only when REDIS_URL is set). The database is always
// checked.
var Health = fx.Module("health",
	fx.Provide(
		fx.Annotate(databaseCheck, fx.ResultTags(`group:"readiness"`)),
		fx.Annotate(newHealth, fx.ParamTags(`group:"readiness"`)),
	),
)

// databaseCheck pings the database. A ping takes a pooled connection and
// round-trips to PostgreSQL (or touches the SQLite file), so it fails fast
// when the server is down and times out when it hangs.
func databaseCheck(db *bun.DB) rest.ReadinessCheck {
	return rest.ReadinessCheck{Name: "database", Check: func(ctx context.Context) error {
		return db.PingContext(ctx)
	}}
}

func newHealth(checks []rest.ReadinessCheck, logger *slog.Logger) *rest.Health {
	return rest.NewHealth(checks, rest.DefaultReadinessTimeout, logger)
}
