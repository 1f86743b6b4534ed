package authn_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/mail"
)

// lastMail returns the newest queued email of kind to whom.
func (h *harness) lastMail(t *testing.T, kind mail.Kind, to identity.Email) mail.Message {
	t.Helper()
	m, ok := h.store.LastMail(kind, to)
	if !ok {
		t.Fatalf("no %s email to %s among %d queued", kind, to, len(h.store.Mail()))
	}
	return m
}

func (h *harness) mailCount(kind mail.Kind) int { return h.store.MailCount(kind) }

// linkToken returns the token a mailed link carries: the token query
// parameter, or the last path segment of a reset link.
func linkToken(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if tok := u.Query().Get("token"); tok != "" {
		return tok
	}
	return u.Path[strings.LastIndex(u.Path, "/")+1:]
}

func TestSignUpQueuesVerification(t *testing.T) {
	h := newHarness(t)
	a := h.signUp(t, "alice@example.com")
	m := h.lastMail(t, mail.KindVerification, "alice@example.com")
	if !strings.HasPrefix(m.URL, "https://auth.example/api/auth/verify-email?") || m.Username != "Alice" {
		t.Fatalf("verification mail = %+v", m)
	}
	v, err := h.svc.VerifyEmail(context.Background(), authn.VerifyEmailInput{Token: linkToken(t, m.URL), CallbackURL: ""})
	if err != nil || !v.User.EmailVerified || v.User.ID != a.User.ID {
		t.Fatalf("VerifyEmail = %+v, %v", v, err)
	}
	stored, _ := h.repos.Users.ByID(context.Background(), a.User.ID)
	if !stored.EmailVerified {
		t.Fatal("verification not stored")
	}
	if again, err := h.svc.VerifyEmail(context.Background(), authn.VerifyEmailInput{Token: linkToken(t, m.URL), CallbackURL: ""}); err != nil || !again.User.EmailVerified {
		t.Fatalf("reopening the link = %+v, %v; want the same outcome", again, err)
	}
}

func TestVerifyEmailRejects(t *testing.T) {
	ctx := context.Background()
	t.Run("expired", func(t *testing.T) {
		h := newHarness(t)
		h.signUp(t, "alice@example.com")
		tok := linkToken(t, h.lastMail(t, mail.KindVerification, "alice@example.com").URL)
		h.tokens.Expire()
		if _, err := h.svc.VerifyEmail(ctx, authn.VerifyEmailInput{Token: tok, CallbackURL: ""}); !errors.Is(err, authn.ErrTokenExpired) {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("forged", func(t *testing.T) {
		h := newHarness(t)
		if _, err := h.svc.VerifyEmail(ctx, authn.VerifyEmailInput{Token: "not-a-token", CallbackURL: ""}); !errors.Is(err, authn.ErrInvalidToken) {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("user gone", func(t *testing.T) {
		h := newDeleteHarness(t)
		a := h.signUp(t, "alice@example.com")
		tok := linkToken(t, h.lastMail(t, mail.KindVerification, "alice@example.com").URL)
		if _, err := h.svc.DeleteUser(ctx, authn.DeleteUserInput{Session: a.Session}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.svc.VerifyEmail(ctx, authn.VerifyEmailInput{Token: tok, CallbackURL: ""}); !errors.Is(err, authn.ErrVerifyUserNotFound) {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("address now someone else's", func(t *testing.T) {
		h := newDeleteHarness(t)
		a := h.signUp(t, "alice@example.com")
		tok := linkToken(t, h.lastMail(t, mail.KindVerification, "alice@example.com").URL)
		if _, err := h.svc.DeleteUser(ctx, authn.DeleteUserInput{Session: a.Session}); err != nil {
			t.Fatal(err)
		}
		h.signUp(t, "alice@example.com") // a new account on the old address
		if _, err := h.svc.VerifyEmail(ctx, authn.VerifyEmailInput{Token: tok, CallbackURL: ""}); !errors.Is(err, authn.ErrInvalidToken) {
			t.Fatalf("error = %v", err)
		}
	})
}

func TestSendVerificationEmail(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	a := h.signUp(t, "alice@example.com")
	verified := h.signUp(t, "vera@example.com")
	verified.User.EmailVerified = true
	_ = h.repos.Users.Update(ctx, verified.User)
	base := h.mailCount(mail.KindVerification)

	tests := []struct {
		name  string
		in    authn.SendVerificationInput
		want  error
		mails int
	}{
		{"signed out, unknown address: same answer, nothing sent", authn.SendVerificationInput{Email: "ghost@example.com"}, nil, 0},
		{"signed out, verified address: nothing sent", authn.SendVerificationInput{Email: "vera@example.com"}, nil, 0},
		{"signed out, unverified address", authn.SendVerificationInput{Email: "alice@example.com"}, nil, 1},
		{"signed in, other address", authn.SendVerificationInput{Email: "vera@example.com", Caller: &a.User}, authn.ErrEmailMismatch, 0},
		{"signed in, already verified", authn.SendVerificationInput{Email: "vera@example.com", Caller: &verified.User}, authn.ErrEmailAlreadyVerified, 0},
		{"signed in", authn.SendVerificationInput{Email: "alice@example.com", Caller: &a.User}, nil, 1},
		{"malformed", authn.SendVerificationInput{Email: "nope"}, identity.ErrInvalidEmail, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := h.svc.SendVerificationEmail(ctx, tt.in)
			if !errors.Is(err, tt.want) && !(err == nil && tt.want == nil) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if got := h.mailCount(mail.KindVerification) - base; got != tt.mails {
				t.Fatalf("%d emails sent, want %d", got, tt.mails)
			}
			base += tt.mails
		})
	}
}

func TestRequiredVerification(t *testing.T) {
	h := newHarness(t)
	p := testPolicy()
	p.Email.RequireVerification = true
	h.svc = authn.NewService(h.deps(), p)
	ctx := context.Background()

	got, err := h.svc.SignUp(ctx, authn.SignUpInput{Name: "A", Email: "alice@example.com", Password: "correct horse"})
	if err != nil || got.Session.Token != "" {
		t.Fatalf("sign-up = %+v, %v; want no session", got.Session, err)
	}
	// A taken email looks like a fresh sign-up: no error, a stand-in user.
	dup, err := h.svc.SignUp(ctx, authn.SignUpInput{Name: "B", Email: "alice@example.com", Password: "other horse"})
	if err != nil || dup.User.ID == got.User.ID || dup.Session.Token != "" || h.store.Counts()["users"] != 1 {
		t.Fatalf("taken sign-up = %+v, %v", dup, err)
	}
	before := h.mailCount(mail.KindVerification)
	if _, err := h.svc.SignIn(ctx, authn.SignInInput{Email: "alice@example.com", Password: "wrong horse"}); !errors.Is(err, authn.ErrInvalidCredentials) {
		t.Fatalf("wrong password error = %v", err)
	}
	if h.mailCount(mail.KindVerification) != before {
		t.Fatal("a wrong password triggered a verification email")
	}
	if _, err := h.svc.SignIn(ctx, authn.SignInInput{Email: "alice@example.com", Password: "correct horse"}); !errors.Is(err, authn.ErrEmailNotVerified) {
		t.Fatalf("unverified sign-in error = %v", err)
	}
	m := h.lastMail(t, mail.KindVerification, "alice@example.com")
	if h.mailCount(mail.KindVerification) != before+1 {
		t.Fatal("no new verification email on an unverified sign-in")
	}
	if _, err := h.svc.VerifyEmail(ctx, authn.VerifyEmailInput{Token: linkToken(t, m.URL), CallbackURL: ""}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.SignIn(ctx, authn.SignInInput{Email: "alice@example.com", Password: "correct horse"}); err != nil {
		t.Fatalf("verified sign-in: %v", err)
	}
}

func TestPasswordReset(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	a := h.signUp(t, "alice@example.com")
	other := h.signIn(t, "alice@example.com", "correct horse")

	if err := h.svc.RequestPasswordReset(ctx, "ghost@example.com", "/reset"); err != nil {
		t.Fatal(err)
	}
	if h.mailCount(mail.KindPasswordReset) != 0 || h.store.Counts()["verifications"] != 0 {
		t.Fatal("an unknown address got a reset email or token")
	}
	if err := h.svc.RequestPasswordReset(ctx, "alice@example.com", "https://app.example/reset"); err != nil {
		t.Fatal(err)
	}
	m := h.lastMail(t, mail.KindPasswordReset, "alice@example.com")
	tok := linkToken(t, m.URL)
	if !strings.HasPrefix(m.URL, "https://auth.example/api/auth/reset-password/"+tok+"?callbackURL=") || len(tok) != 24 {
		t.Fatalf("reset link = %s", m.URL)
	}
	// The old password keeps working until the token is used.
	h.signIn(t, "alice@example.com", "correct horse")
	if ok, _ := h.svc.ResetTokenValid(ctx, tok); !ok {
		t.Fatal("fresh token reported invalid")
	}
	if err := h.svc.ResetPassword(ctx, tok, "short"); !errors.Is(err, identity.ErrPasswordTooShort) {
		t.Fatalf("short password error = %v", err)
	}
	if ok, _ := h.svc.ResetTokenValid(ctx, tok); !ok {
		t.Fatal("a refused password used up the token")
	}
	if err := h.svc.ResetPassword(ctx, tok, "brand new horse"); err != nil {
		t.Fatal(err)
	}
	if err := h.svc.ResetPassword(ctx, tok, "another new horse"); !errors.Is(err, authn.ErrInvalidResetToken) {
		t.Fatalf("reused token error = %v", err)
	}
	if _, err := h.svc.SignIn(ctx, authn.SignInInput{Email: "alice@example.com", Password: "correct horse"}); !errors.Is(err, authn.ErrInvalidCredentials) {
		t.Fatalf("old password after reset: %v", err)
	}
	h.signIn(t, "alice@example.com", "brand new horse")
	for _, tokn := range []string{a.Session.Token, other.Session.Token} {
		if !h.revokedToken(t, tokn) {
			t.Fatal("a session survived the reset")
		}
	}
	h.lastMail(t, mail.KindPasswordChanged, "alice@example.com")
}

func TestPasswordResetTokenLifecycle(t *testing.T) {
	ctx := context.Background()
	t.Run("expired", func(t *testing.T) {
		h := newHarness(t)
		h.signUp(t, "alice@example.com")
		_ = h.svc.RequestPasswordReset(ctx, "alice@example.com", "")
		tok := linkToken(t, h.lastMail(t, mail.KindPasswordReset, "alice@example.com").URL)
		h.clock.Advance(time.Hour)
		if ok, _ := h.svc.ResetTokenValid(ctx, tok); ok {
			t.Fatal("expired token reported valid")
		}
		if err := h.svc.ResetPassword(ctx, tok, "brand new horse"); !errors.Is(err, authn.ErrInvalidResetToken) {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("a forged token costs no hash", func(t *testing.T) {
		h := newHarness(t)
		before := h.hasher.Hashes.Load()
		if err := h.svc.ResetPassword(ctx, "forged-token-forged-token", "brand new horse"); !errors.Is(err, authn.ErrInvalidResetToken) {
			t.Fatalf("error = %v", err)
		}
		if h.hasher.Hashes.Load() != before {
			t.Fatal("a forged reset token was paid for with a password hash")
		}
	})
	t.Run("a reset, a password change or an email change ends the other reset links", func(t *testing.T) {
		h := newHarness(t)
		a := h.signUp(t, "alice@example.com")
		link := func() string {
			_ = h.svc.RequestPasswordReset(ctx, "alice@example.com", "")
			return linkToken(t, h.lastMail(t, mail.KindPasswordReset, "alice@example.com").URL)
		}
		first, second := link(), link()
		if err := h.svc.ResetPassword(ctx, second, "brand new horse"); err != nil {
			t.Fatal(err)
		}
		if err := h.svc.ResetPassword(ctx, first, "attacker horse"); !errors.Is(err, authn.ErrInvalidResetToken) {
			t.Fatalf("an older reset link still works after a reset: %v", err)
		}
		third := link()
		sess := h.signIn(t, "alice@example.com", "brand new horse").Session
		if _, err := h.svc.ChangePassword(ctx, authn.ChangePasswordInput{Session: sess, CurrentPassword: "brand new horse", NewPassword: "newest horse"}); err != nil {
			t.Fatal(err)
		}
		if ok, _ := h.svc.ResetTokenValid(ctx, third); ok {
			t.Fatal("a reset link survived a password change")
		}
		fourth := link()
		if err := h.svc.ChangeEmail(ctx, authn.ChangeEmailInput{User: a.User, NewEmail: "alice@new.example"}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.svc.VerifyEmail(ctx, authn.VerifyEmailInput{Token: linkToken(t, h.lastMail(t, mail.KindVerification, "alice@new.example").URL), CallbackURL: ""}); err != nil {
			t.Fatal(err)
		}
		if ok, _ := h.svc.ResetTokenValid(ctx, fourth); ok {
			t.Fatal("a reset link mailed to the old address survived the email change")
		}
	})
	t.Run("stored hashed", func(t *testing.T) {
		h := newHarness(t)
		h.signUp(t, "alice@example.com")
		_ = h.svc.RequestPasswordReset(ctx, "alice@example.com", "")
		tok := linkToken(t, h.lastMail(t, mail.KindPasswordReset, "alice@example.com").URL)
		if _, err := h.repos.Verifications.Find(ctx, "reset-password:"+tok); err == nil {
			t.Fatal("the raw token is stored")
		}
	})
	t.Run("20 concurrent redeems, one wins", func(t *testing.T) {
		h := newHarness(t)
		h.signUp(t, "alice@example.com")
		_ = h.svc.RequestPasswordReset(ctx, "alice@example.com", "")
		tok := linkToken(t, h.lastMail(t, mail.KindPasswordReset, "alice@example.com").URL)
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for i := range 20 {
			wg.Go(func() {
				if err := h.svc.ResetPassword(ctx, tok, "new horse number "+string(rune('a'+i))); err == nil {
					mu.Lock()
					won++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d redeems won, want 1", won)
		}
	})
}

func TestChangeEmail(t *testing.T) {
	ctx := context.Background()
	t.Run("verified user: confirm from old address, then verify new", func(t *testing.T) {
		h := newHarness(t)
		a := h.signUp(t, "alice@example.com")
		a.User.EmailVerified = true
		_ = h.repos.Users.Update(ctx, a.User)
		if err := h.svc.ChangeEmail(ctx, authn.ChangeEmailInput{User: a.User, NewEmail: "alice@new.example", CallbackURL: "/settings"}); err != nil {
			t.Fatal(err)
		}
		conf := h.lastMail(t, mail.KindChangeEmailConfirmation, "alice@example.com")
		if conf.NewEmail != "alice@new.example" {
			t.Fatalf("confirmation = %+v", conf)
		}
		if u, _ := h.repos.Users.ByID(ctx, a.User.ID); u.Email != "alice@example.com" {
			t.Fatal("email changed before it was proven")
		}
		step, err := h.svc.VerifyEmail(ctx, authn.VerifyEmailInput{Token: linkToken(t, conf.URL), CallbackURL: "/settings"})
		if err != nil || !step.ChangeConfirmed || step.EmailChanged {
			t.Fatalf("confirmation step = %+v, %v", step, err)
		}
		verify := h.lastMail(t, mail.KindVerification, "alice@new.example")
		if !strings.Contains(verify.URL, "callbackURL=%2Fsettings") {
			t.Fatalf("the new address's link lost the callback: %s", verify.URL)
		}
		v, err := h.svc.VerifyEmail(ctx, authn.VerifyEmailInput{Token: linkToken(t, verify.URL), CallbackURL: ""})
		if err != nil || !v.EmailChanged || v.User.Email != "alice@new.example" || !v.User.EmailVerified {
			t.Fatalf("final step = %+v, %v", v, err)
		}
		h.lastMail(t, mail.KindEmailChanged, "alice@example.com")
		// The old confirmation link is useless now.
		if _, err := h.svc.VerifyEmail(ctx, authn.VerifyEmailInput{Token: linkToken(t, conf.URL), CallbackURL: ""}); !errors.Is(err, authn.ErrVerifyInvalidUser) {
			t.Fatalf("old confirmation reused: %v", err)
		}
	})
	t.Run("a change does not complete in another user's session", func(t *testing.T) {
		h := newHarness(t)
		a := h.signUp(t, "alice@example.com")
		mallory := h.signUp(t, "mallory@example.com")
		if err := h.svc.ChangeEmail(ctx, authn.ChangeEmailInput{User: a.User, NewEmail: "alice@new.example"}); err != nil {
			t.Fatal(err)
		}
		tok := linkToken(t, h.lastMail(t, mail.KindVerification, "alice@new.example").URL)
		if _, err := h.svc.VerifyEmail(ctx, authn.VerifyEmailInput{Token: tok, Caller: &mallory.User.ID}); !errors.Is(err, authn.ErrVerifyInvalidUser) {
			t.Fatalf("opened in another user's session: %v", err)
		}
		if v, err := h.svc.VerifyEmail(ctx, authn.VerifyEmailInput{Token: tok, Caller: &a.User.ID}); err != nil || !v.EmailChanged {
			t.Fatalf("opened in the owner's session = %+v, %v", v, err)
		}
	})
	t.Run("unverified user verifies the new address directly", func(t *testing.T) {
		h := newHarness(t)
		a := h.signUp(t, "alice@example.com")
		if err := h.svc.ChangeEmail(ctx, authn.ChangeEmailInput{User: a.User, NewEmail: "alice@new.example"}); err != nil {
			t.Fatal(err)
		}
		if h.mailCount(mail.KindChangeEmailConfirmation) != 0 {
			t.Fatal("an unverified address was asked to confirm")
		}
		v, err := h.svc.VerifyEmail(ctx, authn.VerifyEmailInput{Token: linkToken(t, h.lastMail(t, mail.KindVerification, "alice@new.example").URL), CallbackURL: ""})
		if err != nil || v.User.Email != "alice@new.example" {
			t.Fatalf("= %+v, %v", v, err)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		h := newHarness(t)
		a := h.signUp(t, "alice@example.com")
		h.signUp(t, "bob@example.com")
		before := len(h.store.Mail())
		if err := h.svc.ChangeEmail(ctx, authn.ChangeEmailInput{User: a.User, NewEmail: "alice@example.com"}); !errors.Is(err, authn.ErrEmailIsTheSame) {
			t.Fatalf("same email: %v", err)
		}
		if err := h.svc.ChangeEmail(ctx, authn.ChangeEmailInput{User: a.User, NewEmail: "bob@example.com"}); err != nil {
			t.Fatalf("taken email must look like success: %v", err)
		}
		if len(h.store.Mail()) != before {
			t.Fatal("mail sent for a taken address")
		}
		p := testPolicy()
		p.Email.ChangeEmailEnabled = false
		off := authn.NewService(h.deps(), p)
		if err := off.ChangeEmail(ctx, authn.ChangeEmailInput{User: a.User, NewEmail: "x@example.com"}); !errors.Is(err, authn.ErrChangeEmailDisabled) {
			t.Fatalf("disabled: %v", err)
		}
	})
}

func TestChangePasswordNotifies(t *testing.T) {
	h := newHarness(t)
	a := h.signUp(t, "alice@example.com")
	if _, err := h.svc.ChangePassword(context.Background(), authn.ChangePasswordInput{Session: a.Session, CurrentPassword: "correct horse", NewPassword: "brand new horse"}); err != nil {
		t.Fatal(err)
	}
	h.lastMail(t, mail.KindPasswordChanged, "alice@example.com")
}

func TestDeleteUserByEmailConfirmation(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	p := testPolicy()
	p.DeleteUserEnabled = true
	p.Email.ConfirmDeletionByEmail = true
	h.svc = authn.NewService(h.deps(), p)
	a := h.signUp(t, "alice@example.com")
	b := h.signUp(t, "bob@example.com")

	out, err := h.svc.DeleteUser(ctx, authn.DeleteUserInput{Session: a.Session, CallbackURL: "/bye"})
	if err != nil || !out.ConfirmationSent || out.Deleted {
		t.Fatalf("DeleteUser = %+v, %v; want a confirmation email", out, err)
	}
	m := h.lastMail(t, mail.KindDeleteAccount, "alice@example.com")
	tok := linkToken(t, m.URL)
	if !strings.Contains(m.URL, "/delete-user/callback?") {
		t.Fatalf("link = %s", m.URL)
	}
	if err := h.svc.ConfirmDeletion(ctx, b.User.ID, tok); !errors.Is(err, authn.ErrInvalidDeleteToken) {
		t.Fatalf("another user's confirmation: %v", err)
	}
	if err := h.svc.ConfirmDeletion(ctx, a.User.ID, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := h.repos.Users.ByID(ctx, a.User.ID); !errors.Is(err, identity.ErrUserNotFound) {
		t.Fatalf("user survived: %v", err)
	}
	if err := h.svc.ConfirmDeletion(ctx, a.User.ID, tok); !errors.Is(err, authn.ErrInvalidDeleteToken) {
		t.Fatalf("reused confirmation: %v", err)
	}
}
