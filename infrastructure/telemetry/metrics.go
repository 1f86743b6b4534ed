package telemetry

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
)

// NewMeterProvider builds the meter provider for exporter (the value of
// OTEL_METRICS_EXPORTER): "none" or "" (instruments record, nothing is
// exported), "otlp" (OTLP over HTTP, configured by the standard
// OTEL_EXPORTER_OTLP_* variables) or "console" (stdout, every minute). It
// installs it globally, where the outbox dispatcher, the HTTP and the
// database instrumentation find it.
func NewMeterProvider(ctx context.Context, exporter string) (*sdkmetric.MeterProvider, error) {
	opts := []sdkmetric.Option{sdkmetric.WithResource(resource.NewSchemaless(semconv.ServiceName(ServiceName)))}
	switch exp := strings.ToLower(strings.TrimSpace(exporter)); exp {
	case "", "none":
	case "otlp":
		e, err := otlpmetrichttp.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("otlp metric exporter: %w", err)
		}
		opts = append(opts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(e)))
	case "console":
		e, err := stdoutmetric.New()
		if err != nil {
			return nil, fmt.Errorf("console metric exporter: %w", err)
		}
		opts = append(opts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(e, sdkmetric.WithInterval(time.Minute))))
	default:
		return nil, fmt.Errorf("OTEL_METRICS_EXPORTER must be none, otlp or console, got %q", exp)
	}
	mp := sdkmetric.NewMeterProvider(opts...)
	otel.SetMeterProvider(mp)
	return mp, nil
}
