package module

import (
	"context"
	"log/slog"
	"os"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/beep/iam/infrastructure/telemetry"
	"github.com/beep/iam/runtime/config"
)

// Telemetry provides the JSON logger and the OpenTelemetry tracer provider,
// flushed on stop.
var Telemetry = fx.Module("telemetry",
	fx.Provide(
		func(c config.Config) *slog.Logger { return telemetry.NewLogger(os.Stderr, c.LogLevel) },
		func(lc fx.Lifecycle, c config.Config) (*sdktrace.TracerProvider, error) {
			tp, err := telemetry.NewTracerProvider(context.Background(), c.TracesExporter)
			if err != nil {
				return nil, err
			}
			lc.Append(fx.StopHook(tp.Shutdown))
			return tp, nil
		},
		func(lc fx.Lifecycle, c config.Config) (*sdkmetric.MeterProvider, error) {
			mp, err := telemetry.NewMeterProvider(context.Background(), c.MetricsExporter)
			if err != nil {
				return nil, err
			}
			lc.Append(fx.StopHook(mp.Shutdown))
			return mp, nil
		},
	),
)

// FxEvents routes fx's own event log to the logger at debug level only: at
// other levels it is start-up noise. fx reads it at the root of the graph,
// so it sits beside the modules rather than inside one.
var FxEvents = fx.WithLogger(func(c config.Config, l *slog.Logger) fxevent.Logger {
	if c.LogLevel > slog.LevelDebug {
		return fxevent.NopLogger
	}
	return &fxevent.SlogLogger{Logger: l}
})
