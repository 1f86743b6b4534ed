package rest_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/mail"
	"github.com/beep/iam/interfaces/rest"
)

// lastMail returns the newest queued email of kind to whom.
func (s *testServer) lastMail(t *testing.T, kind mail.Kind, to string) mail.Message {
	t.Helper()
	m, ok := s.store.LastMail(kind, identity.Email(to))
	if !ok {
		t.Fatalf("no %s email to %s among %d queued", kind, to, len(s.store.Mail()))
	}
	return m
}

// mailCount counts the queued emails of kind.
func (s *testServer) mailCount(kind mail.Kind) int { return s.store.MailCount(kind) }

// linkPath turns a mailed link to this server into a path for do.
func (s *testServer) linkPath(t *testing.T, link string) string {
	t.Helper()
	path, ok := strings.CutPrefix(link, s.origin+"/api/auth")
	if !ok {
		t.Fatalf("link %q is not under %s/api/auth", link, s.origin)
	}
	return path
}

// linkToken returns the token a mailed link carries: the token query
// parameter, or the last path segment of a reset link.
func linkToken(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	must(t, err)
	if tok := u.Query().Get("token"); tok != "" {
		return tok
	}
	return u.Path[strings.LastIndex(u.Path, "/")+1:]
}

// linkQuery returns a query parameter of a mailed link.
func linkQuery(t *testing.T, link, name string) string {
	t.Helper()
	u, err := url.Parse(link)
	must(t, err)
	return u.Query().Get(name)
}

// verify opens the newest verification link mailed to email, without
// cookies, and expects it to succeed.
func (s *testServer) verify(t *testing.T, email string) {
	t.Helper()
	m := s.lastMail(t, mail.KindVerification, email)
	res := s.get(t, s.linkPath(t, m.URL))
	if res.status != http.StatusFound {
		t.Fatalf("verify %s: %d %s", email, res.status, res.body)
	}
}

// sameAnswer checks that two responses are the same bytes: status, body
// and every header but the per-request ones.
func sameAnswer(t *testing.T, what string, a, b result) {
	t.Helper()
	if a.status != b.status || a.body != b.body {
		t.Fatalf("%s: %d %s vs %d %s", what, a.status, a.body, b.status, b.body)
	}
	for _, h := range []http.Header{a.header, b.header} {
		h.Del("Date")
		h.Del("X-Request-Id")
	}
	if len(a.header) != len(b.header) {
		t.Fatalf("%s: headers %v vs %v", what, a.header, b.header)
	}
	for k, v := range a.header {
		equal(t, what+" header "+k, v, b.header[k])
	}
}

// spy counts the calls of the link use cases, to show which requests are
// refused before reaching them.
type spy struct {
	rest.Authenticator
	verifyEmail, resetValid, resetPassword, confirmDeletion atomic.Int32
}

func (s *spy) VerifyEmail(ctx context.Context, in authn.VerifyEmailInput) (authn.Verified, error) {
	s.verifyEmail.Add(1)
	return s.Authenticator.VerifyEmail(ctx, in)
}

func (s *spy) ResetTokenValid(ctx context.Context, token string) (bool, error) {
	s.resetValid.Add(1)
	return s.Authenticator.ResetTokenValid(ctx, token)
}

func (s *spy) ResetPassword(ctx context.Context, token, newPassword string) error {
	s.resetPassword.Add(1)
	return s.Authenticator.ResetPassword(ctx, token, newPassword)
}

func (s *spy) ConfirmDeletion(ctx context.Context, userID identity.UserID, token string) error {
	s.confirmDeletion.Add(1)
	return s.Authenticator.ConfirmDeletion(ctx, userID, token)
}

func withSpy(sp *spy) option {
	return withWrappedAuth(func(a rest.Authenticator) rest.Authenticator {
		sp.Authenticator = a
		return sp
	})
}

// userOf decodes the user of a sign-up, sign-in or get-session answer.
func userOf(t *testing.T, body string) map[string]any {
	t.Helper()
	var v struct{ User map[string]any }
	decode(t, body, &v)
	return v.User
}

// get sends a GET to path with headers given as name, value pairs.
func (s *testServer) get(t *testing.T, path string, headers ...string) result {
	t.Helper()
	return s.do(t, http.MethodGet, path, "", headers...)
}
