package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/beep/iam/domain/failure"
)

// span runs fn in a span named name. Expected outcomes (a wrong password,
// no session, a refused role change) are recorded as the span's failure
// kind; only unclassified errors mark the span as an error.
func span[T any](ctx context.Context, tracer trace.Tracer, name string, fn func(context.Context) (T, error)) (T, error) {
	ctx, sp := tracer.Start(ctx, name)
	defer sp.End()
	out, err := fn(ctx)
	record(sp, err)
	return out, err
}

func spanErr(ctx context.Context, tracer trace.Tracer, name string, fn func(context.Context) error) error {
	_, err := span(ctx, tracer, name, func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) })
	return err
}

func record(sp trace.Span, err error) {
	if err == nil {
		return
	}
	if kind := failure.KindOf(err); kind != 0 {
		sp.SetAttributes(outcomeKey.String(kind.String()))
		return
	}
	sp.RecordError(err)
	sp.SetStatus(codes.Error, "internal error")
}
