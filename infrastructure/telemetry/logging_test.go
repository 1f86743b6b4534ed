package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/beep/iam/infrastructure/telemetry"
)

func TestLoggerAddsTraceIDs(t *testing.T) {
	var buf bytes.Buffer
	logger := telemetry.NewLogger(&buf, slog.LevelInfo)
	ctx, span := sdktrace.NewTracerProvider().Tracer("t").Start(context.Background(), "op")
	logger.InfoContext(ctx, "hello", "email", "a@x.io\n{\"level\":\"error\"}")
	span.End()
	var rec map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &rec); err != nil {
		t.Fatalf("log line is not one JSON object: %v: %s", err, buf.String())
	}
	if rec["trace_id"] != span.SpanContext().TraceID().String() {
		t.Fatalf("trace_id = %v, want %v", rec["trace_id"], span.SpanContext().TraceID())
	}
	if rec["email"] != "a@x.io\n{\"level\":\"error\"}" {
		t.Fatalf("injected newline escaped the field: %v", rec)
	}
}
