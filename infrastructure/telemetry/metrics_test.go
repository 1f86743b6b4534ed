package telemetry_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel"

	"github.com/beep/iam/infrastructure/telemetry"
)

func TestNewMeterProvider(t *testing.T) {
	for _, exp := range []string{"", "none", "console", "otlp"} {
		mp, err := telemetry.NewMeterProvider(context.Background(), exp)
		if err != nil {
			t.Fatalf("NewMeterProvider(%q): %v", exp, err)
		}
		if otel.GetMeterProvider() != mp {
			t.Fatalf("NewMeterProvider(%q) did not install itself", exp)
		}
		_ = mp.Shutdown(context.Background())
	}
	if _, err := telemetry.NewMeterProvider(context.Background(), "prometheus"); err == nil {
		t.Fatal("an unknown exporter was accepted")
	}
}
