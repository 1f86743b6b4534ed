// Package telemetry sets up OpenTelemetry tracing from the standard OTEL_*
// environment variables and wraps use cases in spans, so business code stays
// free of instrumentation.
package telemetry

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
)

// ServiceName is the service.name resource attribute.
const ServiceName = "beep-iam"

// NewTracerProvider builds the tracer provider for exporter (the value of
// OTEL_TRACES_EXPORTER): "none" or "" (spans are created, so trace ids
// reach the logs, but not exported), "otlp" (OTLP over HTTP, configured by
// the standard OTEL_EXPORTER_OTLP_* variables) or "console" (stdout, for
// debugging). It also installs it and the W3C propagators globally.
func NewTracerProvider(ctx context.Context, exporter string) (*sdktrace.TracerProvider, error) {
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName(ServiceName)))}
	switch exp := strings.ToLower(strings.TrimSpace(exporter)); exp {
	case "", "none":
	case "otlp":
		e, err := otlptracehttp.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("otlp trace exporter: %w", err)
		}
		opts = append(opts, sdktrace.WithBatcher(e))
	case "console":
		e, err := stdouttrace.New()
		if err != nil {
			return nil, fmt.Errorf("console trace exporter: %w", err)
		}
		opts = append(opts, sdktrace.WithBatcher(e))
	default:
		return nil, fmt.Errorf("OTEL_TRACES_EXPORTER must be none, otlp or console, got %q", exp)
	}
	tp := sdktrace.NewTracerProvider(opts...)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return tp, nil
}
