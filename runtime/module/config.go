package module

import (
	"go.uber.org/fx"

	"github.com/beep/iam/runtime/config"
)

// Config supplies an already loaded configuration to the graph.
func Config(c config.Config) fx.Option {
	return fx.Supply(c)
}
