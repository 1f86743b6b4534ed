package authn_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
)

func (h *harness) signIn(t *testing.T, email, password string) authn.Authenticated {
	t.Helper()
	got, err := h.svc.SignIn(context.Background(), authn.SignInInput{Email: email, Password: password, RememberMe: true})
	if err != nil {
		t.Fatalf("SignIn(%s): %v", email, err)
	}
	return got
}

func (h *harness) revokedToken(t *testing.T, token string) bool {
	t.Helper()
	return h.svc.CacheStale(context.Background(), token, "user__nobody", h.clock.Now())
}

func TestListSessionsNeedsAFreshSession(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	first := h.signUp(t, "alice@example.com")
	h.clock.Advance(time.Minute)
	second := h.signIn(t, "alice@example.com", "correct horse")
	other := h.signUp(t, "bob@example.com")

	list, err := h.svc.ListSessions(ctx, second.Session)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Token != second.Session.Token || list[1].Token != first.Session.Token {
		t.Fatalf("ListSessions = %v, want alice's two sessions newest first", list)
	}
	for _, s := range list {
		if s.Token == other.Session.Token {
			t.Fatal("another user's session listed")
		}
	}
	h.clock.Advance(24 * time.Hour)
	if _, err := h.svc.ListSessions(ctx, second.Session); !errors.Is(err, authn.ErrSessionNotFresh) {
		t.Fatalf("stale ListSessions error = %v, want ErrSessionNotFresh", err)
	}
}

func TestRevokeSession(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	alice := h.signUp(t, "alice@example.com")
	bob := h.signUp(t, "bob@example.com")

	// Another user's token: no effect, no error.
	if err := h.svc.RevokeSession(ctx, alice.User.ID, bob.Session.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := h.repos.Sessions.ByToken(ctx, bob.Session.Token); err != nil || h.revokedToken(t, bob.Session.Token) {
		t.Fatalf("bob's session was touched by alice's revoke: %v", err)
	}
	if err := h.svc.RevokeSession(ctx, alice.User.ID, "no-such-token"); err != nil {
		t.Fatal(err)
	}
	if err := h.svc.RevokeSession(ctx, alice.User.ID, alice.Session.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := h.repos.Sessions.ByToken(ctx, alice.Session.Token); !errors.Is(err, session.ErrSessionNotFound) || !h.revokedToken(t, alice.Session.Token) {
		t.Fatalf("own session not revoked: %v", err)
	}
}

func TestRevokeSessionsAndOthers(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.signUp(t, "alice@example.com")
	b := h.signIn(t, "alice@example.com", "correct horse")
	c := h.signIn(t, "alice@example.com", "correct horse")
	bob := h.signUp(t, "bob@example.com")

	if err := h.svc.RevokeOtherSessions(ctx, a.User.ID, c.Session.Token); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{a.Session.Token, b.Session.Token} {
		if _, err := h.repos.Sessions.ByToken(ctx, tok); err == nil || !h.revokedToken(t, tok) {
			t.Fatalf("other session %s survived", tok)
		}
	}
	if _, err := h.repos.Sessions.ByToken(ctx, c.Session.Token); err != nil || h.revokedToken(t, c.Session.Token) {
		t.Fatalf("current session was revoked: %v", err)
	}
	if err := h.svc.RevokeSessions(ctx, a.User.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.repos.Sessions.ByToken(ctx, c.Session.Token); err == nil || !h.revokedToken(t, c.Session.Token) {
		t.Fatal("revoke-sessions kept the current session")
	}
	if _, err := h.repos.Sessions.ByToken(ctx, bob.Session.Token); err != nil {
		t.Fatalf("bob's session revoked: %v", err)
	}
}

func TestSignOutRevokes(t *testing.T) {
	h := newHarness(t)
	a := h.signUp(t, "alice@example.com")
	if err := h.svc.SignOut(context.Background(), a.Session.Token); err != nil {
		t.Fatal(err)
	}
	if !h.revokedToken(t, a.Session.Token) {
		t.Fatal("sign-out did not record the revocation")
	}
}

func TestCacheStaleFailsClosed(t *testing.T) {
	h := newHarness(t)
	h.revoked.Err = errors.New("redis down")
	if !h.revokedToken(t, "anything") {
		t.Fatal("a revocation-store error must count as stale")
	}
	h.revoked.Err = nil
	h.changes.Err = errors.New("redis down")
	if !h.revokedToken(t, "anything") {
		t.Fatal("a context-change-store error must count as stale")
	}
}

// TestCacheStaleAfterContextChange: an entry issued before a change of the
// user's organization context is stale; one issued after it is not.
func TestCacheStaleAfterContextChange(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	issued := h.clock.Now()
	if h.svc.CacheStale(ctx, "tok", "user__a", issued) {
		t.Fatal("stale with no change recorded")
	}
	h.clock.Advance(time.Second)
	_ = h.changes.Record(ctx, "user__a")
	if !h.svc.CacheStale(ctx, "tok", "user__a", issued) {
		t.Fatal("an entry issued before the change is not stale")
	}
	if h.svc.CacheStale(ctx, "tok", "user__b", issued) {
		t.Fatal("another user's change made the entry stale")
	}
	if h.svc.CacheStale(ctx, "tok", "user__a", h.clock.Now().Add(time.Millisecond)) {
		t.Fatal("an entry issued after the change is stale")
	}
}

func TestUpdateUser(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.signUp(t, "alice@example.com")
	h.clock.Advance(time.Minute)
	name, img := "Alice B", "https://img.example/b.png"
	u, err := h.svc.UpdateUser(ctx, a.User.ID, authn.UserChanges{Name: &name, Image: &img})
	if err != nil || u.Name != name || u.Image == nil || *u.Image != img || !u.UpdatedAt.Equal(h.clock.Now()) || u.Email != a.User.Email {
		t.Fatalf("UpdateUser = %+v, %v", u, err)
	}
	u, err = h.svc.UpdateUser(ctx, a.User.ID, authn.UserChanges{ClearImage: true})
	if err != nil || u.Image != nil || u.Name != name {
		t.Fatalf("clear image = %+v, %v", u, err)
	}
	bad := "Eve\r\nBcc: v@x.io"
	if _, err := h.svc.UpdateUser(ctx, a.User.ID, authn.UserChanges{Name: &bad}); !errors.Is(err, identity.ErrInvalidName) {
		t.Fatalf("line break in the name: %v", err)
	}
	stored, _ := h.repos.Users.ByID(ctx, a.User.ID)
	if stored.Name != name || stored.Image != nil {
		t.Fatalf("stored = %+v", stored)
	}
}

func TestChangePassword(t *testing.T) {
	tests := []struct {
		name          string
		current, next string
		revokeOthers  bool
		want          error
	}{
		{"wrong current password", "wrong horse", "new password 1", false, authn.ErrInvalidPassword},
		{"too short", "correct horse", "short", false, identity.ErrPasswordTooShort},
		{"keeps other sessions", "correct horse", "new password 1", false, nil},
		{"revokes and rotates", "correct horse", "new password 2", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			ctx := context.Background()
			a := h.signUp(t, "alice@example.com")
			other := h.signIn(t, "alice@example.com", "correct horse")
			got, err := h.svc.ChangePassword(ctx, authn.ChangePasswordInput{Session: a.Session, CurrentPassword: tt.current, NewPassword: tt.next, RevokeOtherSessions: tt.revokeOthers})
			if !errors.Is(err, tt.want) && !(err == nil && tt.want == nil) {
				t.Fatalf("ChangePassword error = %v, want %v", err, tt.want)
			}
			_, oldErr := h.svc.SignIn(ctx, authn.SignInInput{Email: "alice@example.com", Password: "correct horse"})
			if tt.want != nil {
				if oldErr != nil {
					t.Fatalf("a failed change altered the password: %v", oldErr)
				}
				if _, err := h.repos.Sessions.ByToken(ctx, other.Session.Token); err != nil {
					t.Fatal("a failed change touched sessions")
				}
				return
			}
			if !errors.Is(oldErr, authn.ErrInvalidCredentials) {
				t.Fatalf("old password still signs in: %v", oldErr)
			}
			h.signIn(t, "alice@example.com", tt.next)
			_, otherErr := h.repos.Sessions.ByToken(ctx, other.Session.Token)
			_, currentErr := h.repos.Sessions.ByToken(ctx, a.Session.Token)
			if !tt.revokeOthers {
				if got.Rotated != nil || otherErr != nil || currentErr != nil {
					t.Fatalf("sessions changed without revokeOtherSessions: rotated=%v other=%v current=%v", got.Rotated, otherErr, currentErr)
				}
				return
			}
			if got.Rotated == nil || got.Rotated.Session.Token == a.Session.Token {
				t.Fatal("no new session after revokeOtherSessions")
			}
			if otherErr == nil || currentErr == nil || !h.revokedToken(t, other.Session.Token) || !h.revokedToken(t, a.Session.Token) {
				t.Fatal("old sessions survived revokeOtherSessions")
			}
			if _, err := h.repos.Sessions.ByToken(ctx, got.Rotated.Session.Token); err != nil {
				t.Fatalf("rotated session not stored: %v", err)
			}
		})
	}
}

func TestChangePasswordWithoutCredential(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.signUp(t, "alice@example.com")
	bob := session.Session{UserID: "user__nobody", CreatedAt: h.clock.Now()}
	_, err := h.svc.ChangePassword(ctx, authn.ChangePasswordInput{Session: bob, CurrentPassword: "whatever1", NewPassword: "whatever2"})
	if !errors.Is(err, authn.ErrCredentialAccountNotFound) {
		t.Fatalf("error = %v, want ErrCredentialAccountNotFound", err)
	}
}

func TestVerifyPassword(t *testing.T) {
	h := newHarness(t)
	a := h.signUp(t, "alice@example.com")
	if err := h.svc.VerifyPassword(context.Background(), a.User.ID, strings.Repeat("x", 129)); !errors.Is(err, identity.ErrPasswordTooLong) {
		t.Fatalf("over-long password: error = %v, want ErrPasswordTooLong", err)
	}
	if n := h.hasher.Verifies.Load(); n != 0 {
		t.Fatalf("an over-long password was hashed (%d verifies)", n)
	}
	if err := h.svc.VerifyPassword(context.Background(), a.User.ID, "correct horse"); err != nil {
		t.Fatal(err)
	}
	if err := h.svc.VerifyPassword(context.Background(), a.User.ID, "wrong horse"); !errors.Is(err, authn.ErrInvalidPassword) {
		t.Fatalf("error = %v", err)
	}
}

func TestSignInUpgradesOldHashes(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.signUp(t, "alice@example.com")
	acct, _ := h.repos.Accounts.Credential(ctx, a.User.ID)
	// Pretend the stored hash came from an older algorithm the hasher
	// still verifies but wants replaced.
	legacy := "legacy:" + acct.PasswordHash
	_ = h.repos.Accounts.UpdatePassword(ctx, acct.ID, legacy, start)
	h.signIn(t, "alice@example.com", "correct horse")
	after, _ := h.repos.Accounts.Credential(ctx, a.User.ID)
	if after.PasswordHash == legacy || after.PasswordHash != acct.PasswordHash {
		t.Fatalf("hash not upgraded: %q", after.PasswordHash)
	}
	h.signIn(t, "alice@example.com", "correct horse")
}

func newDeleteHarness(t *testing.T) *harness {
	h := newHarness(t)
	deps := h.deps()
	p := testPolicy()
	p.DeleteUserEnabled = true
	h.svc = authn.NewService(deps, p)
	return h
}

func TestDeleteUser(t *testing.T) {
	ctx := context.Background()
	pw := func(s string) *string { return &s }
	t.Run("disabled", func(t *testing.T) {
		h := newHarness(t)
		a := h.signUp(t, "alice@example.com")
		if _, err := h.svc.DeleteUser(ctx, authn.DeleteUserInput{Session: a.Session}); !errors.Is(err, authn.ErrDeleteUserDisabled) {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("token before anything else", func(t *testing.T) {
		h := newDeleteHarness(t)
		a := h.signUp(t, "alice@example.com")
		tok := "whatever"
		if _, err := h.svc.DeleteUser(ctx, authn.DeleteUserInput{Session: a.Session, Token: &tok}); !errors.Is(err, authn.ErrInvalidDeleteToken) {
			t.Fatalf("error = %v, want ErrInvalidDeleteToken", err)
		}
		if _, err := h.svc.DeleteUser(ctx, authn.DeleteUserInput{Session: a.Session, Token: &tok, Password: pw("wrong horse")}); !errors.Is(err, authn.ErrInvalidPassword) {
			t.Fatalf("a wrong password must be reported before the token: %v", err)
		}
		off := newHarness(t)
		b := off.signUp(t, "bob@example.com")
		if _, err := off.svc.DeleteUser(ctx, authn.DeleteUserInput{Session: b.Session, Token: &tok}); !errors.Is(err, authn.ErrDeleteUserDisabled) {
			t.Fatalf("disabled deletion must answer first: %v", err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		h := newDeleteHarness(t)
		a := h.signUp(t, "alice@example.com")
		if _, err := h.svc.DeleteUser(ctx, authn.DeleteUserInput{Session: a.Session, Password: pw("wrong horse")}); !errors.Is(err, authn.ErrInvalidPassword) {
			t.Fatalf("error = %v", err)
		}
		if c := h.store.Counts(); c["users"] != 1 {
			t.Fatalf("user deleted on a wrong password: %v", c)
		}
	})
	t.Run("stale session without password", func(t *testing.T) {
		h := newDeleteHarness(t)
		a := h.signUp(t, "alice@example.com")
		h.clock.Advance(25 * time.Hour)
		if _, err := h.svc.DeleteUser(ctx, authn.DeleteUserInput{Session: a.Session}); !errors.Is(err, authn.ErrReauthenticate) {
			t.Fatalf("error = %v", err)
		}
		// With the password an old session may delete.
		if _, err := h.svc.DeleteUser(ctx, authn.DeleteUserInput{Session: a.Session, Password: pw("correct horse")}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("removes everything of the user and nothing else", func(t *testing.T) {
		h := newDeleteHarness(t)
		a := h.signUp(t, "alice@example.com")
		second := h.signIn(t, "alice@example.com", "correct horse")
		h.signUp(t, "bob@example.com")
		if _, err := h.svc.DeleteUser(ctx, authn.DeleteUserInput{Session: a.Session}); err != nil {
			t.Fatal(err)
		}
		// The outbox keeps both sign-ups' verification emails.
		want := map[string]int{"users": 1, "accounts": 1, "organizations": 1, "members": 1, "sessions": 1, "outbox": 2}
		if c := h.store.Counts(); !equalCounts(c, want) {
			t.Fatalf("rows after delete = %v, want only bob's %v", c, want)
		}
		if !h.revokedToken(t, a.Session.Token) || !h.revokedToken(t, second.Session.Token) {
			t.Fatal("deleted user's sessions not revoked")
		}
	})
	t.Run("sole owner of a shared organization", func(t *testing.T) {
		h := newDeleteHarness(t)
		a := h.signUp(t, "alice@example.com")
		b := h.signUp(t, "bob@example.com")
		team := organization.Organization{ID: "organization__team", Name: "Team", Slug: "team", Type: organization.TypeTeam, OwnerUserID: a.User.ID}
		_ = h.repos.Organizations.Create(ctx, team)
		_ = h.repos.Organizations.AddMember(ctx, organization.Member{ID: "member__a", OrganizationID: team.ID, UserID: a.User.ID, Roles: organization.Roles{"owner"}, Status: organization.MemberActive})
		_ = h.repos.Organizations.AddMember(ctx, organization.Member{ID: "member__b", OrganizationID: team.ID, UserID: b.User.ID, Roles: organization.Roles{"member"}, Status: organization.MemberActive})
		before := h.store.Counts()
		if _, err := h.svc.DeleteUser(ctx, authn.DeleteUserInput{Session: a.Session}); !errors.Is(err, authn.ErrSoleOwner) {
			t.Fatalf("error = %v, want ErrSoleOwner", err)
		}
		if after := h.store.Counts(); !equalCounts(before, after) {
			t.Fatalf("a refused delete changed rows: %v → %v", before, after)
		}
		// With a second owner the delete goes through and the team survives.
		c := h.signUp(t, "carol@example.com")
		_ = h.repos.Organizations.AddMember(ctx, organization.Member{ID: "member__c", OrganizationID: team.ID, UserID: c.User.ID, Roles: organization.Roles{"admin", "owner"}, Status: organization.MemberActive})
		if _, err := h.svc.DeleteUser(ctx, authn.DeleteUserInput{Session: a.Session}); err != nil {
			t.Fatal(err)
		}
		if taken, _ := h.repos.Organizations.SlugTaken(ctx, "team"); !taken {
			t.Fatal("the shared organization was deleted with its creator")
		}
	})
}

func TestListAccounts(t *testing.T) {
	h := newHarness(t)
	a := h.signUp(t, "alice@example.com")
	list, err := h.svc.ListAccounts(context.Background(), a.User.ID)
	if err != nil || len(list) != 1 || list[0].ProviderID != identity.CredentialProvider {
		t.Fatalf("ListAccounts = %+v, %v", list, err)
	}
}

// raceAccounts changes the password between sign-in's check and its
// session, as a reset finishing at that moment would.
type raceAccounts struct {
	authn.AccountRepository
	changed bool
}

func (r *raceAccounts) CredentialForUpdate(ctx context.Context, userID identity.UserID) (identity.Account, error) {
	a, err := r.AccountRepository.CredentialForUpdate(ctx, userID)
	if err == nil && !r.changed {
		r.changed = true
		a.PasswordHash = "sha256:changed-meanwhile"
	}
	return a, err
}

func TestSignInLosesARaceWithAPasswordChange(t *testing.T) {
	h := newHarness(t)
	h.signUp(t, "alice@example.com")
	deps := h.deps()
	deps.Accounts = &raceAccounts{AccountRepository: h.repos.Accounts}
	svc := authn.NewService(deps, testPolicy())
	before := h.store.Counts()["sessions"]
	_, err := svc.SignIn(context.Background(), authn.SignInInput{Email: "alice@example.com", Password: "correct horse"})
	if !errors.Is(err, authn.ErrInvalidCredentials) {
		t.Fatalf("sign-in racing a password change = %v, want ErrInvalidCredentials", err)
	}
	if after := h.store.Counts()["sessions"]; after != before {
		t.Fatalf("a session was opened with the old password (%d → %d)", before, after)
	}
}
