package telemetry_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/infrastructure/telemetry"
)

func TestTracedAuthnRecordsOneSpanPerUseCase(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	store := authntest.NewStore()
	policy := authn.DefaultPolicy
	policy.Links.AuthBase = &url.URL{Scheme: "http", Host: "127.0.0.1", Path: "/api/auth"}
	svc := authn.NewService(authn.Deps{
		Clock: authntest.NewClock(time.Now()), IDs: &authntest.IDs{}, Tokens: &authntest.Tokens{}, Hasher: &authntest.Hasher{},
		Tx: store, Users: store.Users(), Accounts: store.Accounts(), Sessions: store.Sessions(), Organizations: store.Organizations(),
		Revoked: &authntest.Revoked{}, Verifications: store.Verifications(), Outbox: store.Outbox(), EmailTokens: &authntest.EmailTokens{},
		FoldAccents: authntest.NoFold,
	}, policy)
	traced := telemetry.TraceAuthn(svc)
	ctx := context.Background()
	if _, err := traced.SignUp(ctx, authn.SignUpInput{Name: "A", Email: "a@example.com", Password: "long enough", RememberMe: true}); err != nil {
		t.Fatal(err)
	}
	_, _ = traced.SignIn(ctx, authn.SignInInput{Email: "a@example.com", Password: "wrong password"})
	_, _ = traced.GetSession(ctx, authn.SessionQuery{Token: "missing"})
	_ = traced.SignOut(ctx, "missing")

	spans := rec.Ended()
	var names []string
	for _, s := range spans {
		names = append(names, s.Name())
	}
	want := []string{"authn.SignUp", "authn.SignIn", "authn.GetSession", "authn.SignOut"}
	if len(names) != len(want) {
		t.Fatalf("spans = %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("spans = %v, want %v", names, want)
		}
	}
	var outcome string
	for _, a := range spans[1].Attributes() {
		if a.Key == "beep.outcome" {
			outcome = a.Value.AsString()
		}
	}
	if outcome != "unauthenticated" {
		t.Fatalf("failed sign-in span outcome = %q", outcome)
	}
}
