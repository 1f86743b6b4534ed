package module

import (
	"go.uber.org/fx"

	"github.com/beep/iam/runtime/config"
)

// Server is the graph of `iamd serve`, in layer order. It is one list so
// the graph the tests validate and start is the graph that ships.
func Server(c config.Config) fx.Option {
	return fx.Options(
		Config(c),
		Telemetry,
		FxEvents,
		Database,
		Repositories,
		Email,
		RateLimits,
		Auth,
		Organizations,
		Health,
		Janitor,
		App,
		fx.StopTimeout(c.ShutdownTimeout),
	)
}
