package telemetry

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
)

// TracedAuthn decorates the authn use cases with one span each. Expected
// outcomes (wrong password, no session) are recorded as the span's failure
// kind; only unclassified errors mark the span as an error.
type TracedAuthn struct {
	next   *authn.Service
	tracer trace.Tracer
}

// TraceAuthn wraps svc.
func TraceAuthn(svc *authn.Service) *TracedAuthn {
	return &TracedAuthn{next: svc, tracer: otel.Tracer("github.com/beep/iam/application/authn")}
}

// SignUp traces authn.Service.SignUp.
func (t *TracedAuthn) SignUp(ctx context.Context, in authn.SignUpInput) (authn.Authenticated, error) {
	ctx, span := t.tracer.Start(ctx, "authn.SignUp")
	out, err := t.next.SignUp(ctx, in)
	end(span, err)
	return out, err
}

// SignIn traces authn.Service.SignIn.
func (t *TracedAuthn) SignIn(ctx context.Context, in authn.SignInInput) (authn.Authenticated, error) {
	ctx, span := t.tracer.Start(ctx, "authn.SignIn")
	out, err := t.next.SignIn(ctx, in)
	end(span, err)
	return out, err
}

// GetSession traces authn.Service.GetSession.
func (t *TracedAuthn) GetSession(ctx context.Context, q authn.SessionQuery) (authn.CurrentSession, error) {
	ctx, span := t.tracer.Start(ctx, "authn.GetSession")
	out, err := t.next.GetSession(ctx, q)
	end(span, err)
	return out, err
}

// SignOut traces authn.Service.SignOut.
func (t *TracedAuthn) SignOut(ctx context.Context, token string) error {
	ctx, span := t.tracer.Start(ctx, "authn.SignOut")
	err := t.next.SignOut(ctx, token)
	end(span, err)
	return err
}

func end(span trace.Span, err error) {
	defer span.End()
	if err == nil {
		return
	}
	if kind := failure.KindOf(err); kind != 0 {
		span.SetAttributes(outcomeKey.String(kind.String()))
		return
	}
	span.RecordError(err)
	span.SetStatus(codes.Error, "internal error")
}
