package authn_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/session"
)

// newCachedHarness is the harness with a session cache.
func newCachedHarness(t *testing.T) (*harness, *authntest.SessionCache) {
	t.Helper()
	h := newHarness(t)
	cache := &authntest.SessionCache{}
	d := h.deps()
	d.SessionCache = cache
	h.svc = authn.NewService(d, testPolicy())
	return h, cache
}

func getSession(h *harness, token string) (authn.CurrentSession, error) {
	return h.svc.GetSession(context.Background(), authn.SessionQuery{Token: token})
}

// TestSessionCacheHitReadsNoStorage: once cached, an answer is served
// without storage, so a row removed behind the service's back (no
// invalidation) is still served — which is why every use case that ends
// or changes a session drops the entry (the tests below).
func TestSessionCacheHitReadsNoStorage(t *testing.T) {
	h, cache := newCachedHarness(t)
	a := h.signUp(t, "alice@example.com")
	first, err := getSession(h, a.Session.Token)
	if err != nil || !cache.Cached(a.Session.Token) {
		t.Fatalf("GetSession = %v; cached %v, want an entry", err, cache.Cached(a.Session.Token))
	}
	mustDo(t, "delete the row directly", h.repos.Sessions.Delete(context.Background(), a.Session.Token))
	got, err := getSession(h, a.Session.Token)
	if err != nil || cache.Hits != 1 || got.User.ID != first.User.ID || len(got.Context) != len(first.Context) {
		t.Fatalf("GetSession after the row went = %+v, %v (hits %d); want the cached answer", got, err, cache.Hits)
	}
}

func TestSessionCacheDroppedOnEveryChange(t *testing.T) {
	ctx := context.Background()
	name := "Bob"
	tests := []struct {
		name   string
		change func(h *harness, a authn.Authenticated) error
		gone   bool // the session must be refused afterwards
	}{
		{"sign-out", func(h *harness, a authn.Authenticated) error { return h.svc.SignOut(ctx, a.Session.Token) }, true},
		{"revoke-session", func(h *harness, a authn.Authenticated) error {
			return h.svc.RevokeSession(ctx, a.User.ID, a.Session.Token)
		}, true},
		{"revoke-sessions", func(h *harness, a authn.Authenticated) error { return h.svc.RevokeSessions(ctx, a.User.ID) }, true},
		{"change-password revoking sessions", func(h *harness, a authn.Authenticated) error {
			_, err := h.svc.ChangePassword(ctx, authn.ChangePasswordInput{Session: a.Session, CurrentPassword: "correct horse",
				NewPassword: "another horse", RevokeOtherSessions: true})
			return err
		}, true},
		{"update-user", func(h *harness, a authn.Authenticated) error {
			_, err := h.svc.UpdateUser(ctx, a.User.ID, authn.UserChanges{Name: &name})
			return err
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, cache := newCachedHarness(t)
			a := h.signUp(t, "alice@example.com")
			if _, err := getSession(h, a.Session.Token); err != nil || !cache.Cached(a.Session.Token) {
				t.Fatalf("GetSession = %v, cached %v; want an entry", err, cache.Cached(a.Session.Token))
			}
			mustDo(t, tt.name, tt.change(h, a))
			if cache.Cached(a.Session.Token) {
				t.Fatalf("after %s the entry is still cached", tt.name)
			}
			got, err := getSession(h, a.Session.Token)
			switch {
			case tt.gone && !errors.Is(err, session.ErrSessionNotFound):
				t.Fatalf("GetSession after %s = %v, want session.ErrSessionNotFound", tt.name, err)
			case !tt.gone && (err != nil || got.User.Name != name):
				t.Fatalf("GetSession after %s = %+v, %v; want the new name", tt.name, got.User, err)
			}
		})
	}
}

// TestSessionCacheOutageFallsBack: a failing cache is a miss: answers come
// from storage (so a deleted session is refused), and nothing is filled.
func TestSessionCacheOutageFallsBack(t *testing.T) {
	h, cache := newCachedHarness(t)
	a := h.signUp(t, "alice@example.com")
	if _, err := getSession(h, a.Session.Token); err != nil {
		t.Fatal(err)
	}
	cache.Err = errors.New("connection refused")
	if got, err := getSession(h, a.Session.Token); err != nil || got.User.ID != a.User.ID {
		t.Fatalf("GetSession with the cache down = %v, %v; want the session from storage", got.User.ID, err)
	}
	mustDo(t, "delete the row directly", h.repos.Sessions.Delete(context.Background(), a.Session.Token))
	if _, err := getSession(h, a.Session.Token); !errors.Is(err, session.ErrSessionNotFound) {
		t.Fatalf("GetSession of a deleted session with the cache down = %v, want session.ErrSessionNotFound", err)
	}
	if err := h.svc.SignOut(context.Background(), a.Session.Token); err == nil {
		t.Fatal("SignOut with the cache down reported no failure to drop the entry")
	}
}

// TestSessionCacheRefresh: a cached session due for its daily extension
// goes to storage (the entry found is not served), is extended, and the
// cache holds the extended one.
func TestSessionCacheRefresh(t *testing.T) {
	h, cache := newCachedHarness(t)
	a := h.signUp(t, "alice@example.com")
	if _, err := getSession(h, a.Session.Token); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(25 * time.Hour)
	got, err := getSession(h, a.Session.Token)
	if err != nil || !got.Refreshed || !got.Session.ExpiresAt.Equal(start.Add(25*time.Hour+30*24*time.Hour)) {
		t.Fatalf("GetSession when due = %+v, %v; want refreshed", got.Session, err)
	}
	again, err := getSession(h, a.Session.Token)
	if err != nil || again.Refreshed || !again.Session.ExpiresAt.Equal(got.Session.ExpiresAt) || cache.Hits != 2 {
		t.Fatalf("GetSession after the refresh = %+v, %v, hits %d; want the extended session from the cache", again.Session, err, cache.Hits)
	}
}

// TestSessionCacheNeverPastExpiry: the entry lives no longer than the
// session: an expired session is read from storage, deleted and refused.
func TestSessionCacheNeverPastExpiry(t *testing.T) {
	h, _ := newCachedHarness(t)
	a, err := h.svc.SignUp(context.Background(), authn.SignUpInput{Name: "A", Email: identity.Email("a@example.com"), Password: "correct horse", RememberMe: false})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.GetSession(context.Background(), authn.SessionQuery{Token: a.Session.Token, DontRemember: true}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(a.Session.ExpiresAt)
	if _, err := h.svc.GetSession(context.Background(), authn.SessionQuery{Token: a.Session.Token, DontRemember: true}); !errors.Is(err, authn.ErrSessionExpired) {
		t.Fatalf("GetSession at expiry = %v, want ErrSessionExpired", err)
	}
}

func mustDo(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
