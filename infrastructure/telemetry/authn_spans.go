package telemetry

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/session"
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
	return span(ctx, t.tracer, "authn.SignUp", func(ctx context.Context) (authn.Authenticated, error) { return t.next.SignUp(ctx, in) })
}

// SignIn traces authn.Service.SignIn.
func (t *TracedAuthn) SignIn(ctx context.Context, in authn.SignInInput) (authn.Authenticated, error) {
	return span(ctx, t.tracer, "authn.SignIn", func(ctx context.Context) (authn.Authenticated, error) { return t.next.SignIn(ctx, in) })
}

// GetSession traces authn.Service.GetSession.
func (t *TracedAuthn) GetSession(ctx context.Context, q authn.SessionQuery) (authn.CurrentSession, error) {
	return span(ctx, t.tracer, "authn.GetSession", func(ctx context.Context) (authn.CurrentSession, error) { return t.next.GetSession(ctx, q) })
}

// SignOut traces authn.Service.SignOut.
func (t *TracedAuthn) SignOut(ctx context.Context, token string) error {
	return spanErr(ctx, t.tracer, "authn.SignOut", func(ctx context.Context) error { return t.next.SignOut(ctx, token) })
}

// ListSessions traces authn.Service.ListSessions.
func (t *TracedAuthn) ListSessions(ctx context.Context, current session.Session) ([]session.Session, error) {
	return span(ctx, t.tracer, "authn.ListSessions", func(ctx context.Context) ([]session.Session, error) { return t.next.ListSessions(ctx, current) })
}

// RevokeSession traces authn.Service.RevokeSession.
func (t *TracedAuthn) RevokeSession(ctx context.Context, userID identity.UserID, token string) error {
	return spanErr(ctx, t.tracer, "authn.RevokeSession", func(ctx context.Context) error { return t.next.RevokeSession(ctx, userID, token) })
}

// RevokeSessions traces authn.Service.RevokeSessions.
func (t *TracedAuthn) RevokeSessions(ctx context.Context, userID identity.UserID) error {
	return spanErr(ctx, t.tracer, "authn.RevokeSessions", func(ctx context.Context) error { return t.next.RevokeSessions(ctx, userID) })
}

// RevokeOtherSessions traces authn.Service.RevokeOtherSessions.
func (t *TracedAuthn) RevokeOtherSessions(ctx context.Context, userID identity.UserID, keep string) error {
	return spanErr(ctx, t.tracer, "authn.RevokeOtherSessions", func(ctx context.Context) error { return t.next.RevokeOtherSessions(ctx, userID, keep) })
}

// CacheStale traces authn.Service.CacheStale. It sits on the cookie-cache
// path, so its span is what a cache hit leaves in a trace.
func (t *TracedAuthn) CacheStale(ctx context.Context, token string, userID identity.UserID, issuedAt time.Time) bool {
	ctx, sp := t.tracer.Start(ctx, "authn.CacheStale")
	defer sp.End()
	return t.next.CacheStale(ctx, token, userID, issuedAt)
}

// UpdateUser traces authn.Service.UpdateUser.
func (t *TracedAuthn) UpdateUser(ctx context.Context, userID identity.UserID, ch authn.UserChanges) (identity.User, error) {
	return span(ctx, t.tracer, "authn.UpdateUser", func(ctx context.Context) (identity.User, error) { return t.next.UpdateUser(ctx, userID, ch) })
}

// ChangePassword traces authn.Service.ChangePassword.
func (t *TracedAuthn) ChangePassword(ctx context.Context, in authn.ChangePasswordInput) (authn.PasswordChanged, error) {
	return span(ctx, t.tracer, "authn.ChangePassword", func(ctx context.Context) (authn.PasswordChanged, error) { return t.next.ChangePassword(ctx, in) })
}

// VerifyPassword traces authn.Service.VerifyPassword.
func (t *TracedAuthn) VerifyPassword(ctx context.Context, userID identity.UserID, password string) error {
	return spanErr(ctx, t.tracer, "authn.VerifyPassword", func(ctx context.Context) error { return t.next.VerifyPassword(ctx, userID, password) })
}

// DeleteUser traces authn.Service.DeleteUser.
func (t *TracedAuthn) DeleteUser(ctx context.Context, in authn.DeleteUserInput) (authn.DeleteOutcome, error) {
	return span(ctx, t.tracer, "authn.DeleteUser", func(ctx context.Context) (authn.DeleteOutcome, error) { return t.next.DeleteUser(ctx, in) })
}

// ConfirmDeletion traces authn.Service.ConfirmDeletion.
func (t *TracedAuthn) ConfirmDeletion(ctx context.Context, userID identity.UserID, token string) error {
	return spanErr(ctx, t.tracer, "authn.ConfirmDeletion", func(ctx context.Context) error { return t.next.ConfirmDeletion(ctx, userID, token) })
}

// SendVerificationEmail traces authn.Service.SendVerificationEmail.
func (t *TracedAuthn) SendVerificationEmail(ctx context.Context, in authn.SendVerificationInput) error {
	return spanErr(ctx, t.tracer, "authn.SendVerificationEmail", func(ctx context.Context) error { return t.next.SendVerificationEmail(ctx, in) })
}

// VerifyEmail traces authn.Service.VerifyEmail.
func (t *TracedAuthn) VerifyEmail(ctx context.Context, in authn.VerifyEmailInput) (authn.Verified, error) {
	return span(ctx, t.tracer, "authn.VerifyEmail", func(ctx context.Context) (authn.Verified, error) { return t.next.VerifyEmail(ctx, in) })
}

// RequestPasswordReset traces authn.Service.RequestPasswordReset.
func (t *TracedAuthn) RequestPasswordReset(ctx context.Context, email identity.Email, redirectTo string) error {
	return spanErr(ctx, t.tracer, "authn.RequestPasswordReset", func(ctx context.Context) error { return t.next.RequestPasswordReset(ctx, email, redirectTo) })
}

// ResetTokenValid traces authn.Service.ResetTokenValid.
func (t *TracedAuthn) ResetTokenValid(ctx context.Context, token string) (bool, error) {
	return span(ctx, t.tracer, "authn.ResetTokenValid", func(ctx context.Context) (bool, error) { return t.next.ResetTokenValid(ctx, token) })
}

// ResetPassword traces authn.Service.ResetPassword.
func (t *TracedAuthn) ResetPassword(ctx context.Context, token, newPassword string) error {
	return spanErr(ctx, t.tracer, "authn.ResetPassword", func(ctx context.Context) error { return t.next.ResetPassword(ctx, token, newPassword) })
}

// ChangeEmail traces authn.Service.ChangeEmail.
func (t *TracedAuthn) ChangeEmail(ctx context.Context, in authn.ChangeEmailInput) error {
	return spanErr(ctx, t.tracer, "authn.ChangeEmail", func(ctx context.Context) error { return t.next.ChangeEmail(ctx, in) })
}

// ListAccounts traces authn.Service.ListAccounts.
func (t *TracedAuthn) ListAccounts(ctx context.Context, userID identity.UserID) ([]identity.Account, error) {
	return span(ctx, t.tracer, "authn.ListAccounts", func(ctx context.Context) ([]identity.Account, error) { return t.next.ListAccounts(ctx, userID) })
}

// span runs fn in a span named name and records how it ended.
