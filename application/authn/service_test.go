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
	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
)

var start = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

type harness struct {
	svc     *authn.Service
	tokens  *authntest.EmailTokens
	store   *authntest.Store
	clock   *authntest.Clock
	hasher  *authntest.Hasher
	revoked *authntest.Revoked
	changes *authntest.Changes
	repos   authntest.Repos
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	store := authntest.NewStore()
	h := &harness{store: store, clock: authntest.NewClock(start), hasher: &authntest.Hasher{}, revoked: &authntest.Revoked{}, tokens: &authntest.EmailTokens{}}
	h.changes = &authntest.Changes{Clock: h.clock}
	h.repos = authntest.Repos{Tx: store, Users: store.Users(), Accounts: store.Accounts(), Sessions: store.Sessions(), Organizations: store.Organizations(), Verifications: store.Verifications()}
	h.svc = authn.NewService(h.deps(), testPolicy())
	return h
}

// testPolicy is the default policy with links to a test server.
func testPolicy() authn.Policy {
	p := authn.DefaultPolicy
	p.Links = authn.Links{AuthBase: &url.URL{Scheme: "https", Host: "auth.example", Path: "/api/auth"}}
	return p
}

func (h *harness) deps() authn.Deps {
	return authn.Deps{
		Clock: h.clock, IDs: &authntest.IDs{}, Tokens: &authntest.Tokens{}, Hasher: h.hasher, Tx: h.repos.Tx,
		Users: h.repos.Users, Accounts: h.repos.Accounts, Sessions: h.repos.Sessions, Organizations: h.repos.Organizations,
		Revoked: h.revoked, Changes: h.changes, Verifications: h.store.Verifications(), Outbox: h.store.Outbox(), EmailTokens: h.tokens,
		FoldAccents: authntest.NoFold,
	}
}

func (h *harness) signUp(t *testing.T, email string) authn.Authenticated {
	t.Helper()
	got, err := h.svc.SignUp(context.Background(), authn.SignUpInput{Name: "Alice", Email: identity.Email(email), Password: "correct horse", RememberMe: true})
	if err != nil {
		t.Fatalf("SignUp(%s): %v", email, err)
	}
	return got
}

func TestSignUpCreatesUserAccountPersonalOrgAndSession(t *testing.T) {
	h := newHarness(t)
	got := h.signUp(t, "alice@example.com")

	if got.User.EmailVerified || got.User.Email != "alice@example.com" {
		t.Fatalf("user = %+v", got.User)
	}
	if got.Session.ActiveOrganizationID == nil {
		t.Fatal("session has no active organization")
	}
	summary, ok := got.Context[*got.Session.ActiveOrganizationID]
	if !ok || summary.Role != "owner" || !summary.IsPersonal || summary.Type != organization.TypeIndividual || summary.Name != "Alice's Organization" {
		t.Fatalf("context = %+v", got.Context)
	}
	if !got.Session.ExpiresAt.Equal(start.Add(30 * 24 * time.Hour)) {
		t.Fatalf("ExpiresAt = %v, want 30 days", got.Session.ExpiresAt)
	}
	want := map[string]int{"users": 1, "accounts": 1, "organizations": 1, "members": 1, "sessions": 1, "outbox": 1}
	if c := h.store.Counts(); !equalCounts(c, want) {
		t.Fatalf("rows = %v, want %v", c, want)
	}
	acct, err := h.repos.Accounts.Credential(context.Background(), got.User.ID)
	if err != nil || !strings.HasPrefix(acct.PasswordHash, "sha256:") {
		t.Fatalf("credential = %+v, %v", acct, err)
	}
}

func TestSignUpRejects(t *testing.T) {
	h := newHarness(t)
	h.signUp(t, "taken@example.com")
	tests := []struct {
		name string
		in   authn.SignUpInput
		want error
	}{
		{"short password", authn.SignUpInput{Email: "a@example.com", Password: "1234567"}, identity.ErrPasswordTooShort},
		{"long password", authn.SignUpInput{Email: "a@example.com", Password: strings.Repeat("p", 129)}, identity.ErrPasswordTooLong},
		{"taken email", authn.SignUpInput{Email: "taken@example.com", Password: "long enough"}, identity.ErrUserAlreadyExists},
		{"line break in the name", authn.SignUpInput{Name: "Eve\r\nBcc: v@x.io", Email: "eve@example.com", Password: "long enough"}, identity.ErrInvalidName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.store.Counts()
			_, err := h.svc.SignUp(context.Background(), tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("SignUp error = %v, want %v", err, tt.want)
			}
			if after := h.store.Counts(); !equalCounts(before, after) {
				t.Fatalf("rows changed from %v to %v", before, after)
			}
		})
	}
}

// failingOrgs makes the personal organization insert fail, after the user
// and credential inserts of the same transaction have succeeded.
type failingOrgs struct{ authn.OrganizationRepository }

var errDiskFull = errors.New("disk full")

func (failingOrgs) Create(context.Context, organization.Organization) error { return errDiskFull }

func TestSignUpInterruptedLeavesNoRows(t *testing.T) {
	h := newHarness(t)
	deps := h.deps()
	deps.Organizations = failingOrgs{h.repos.Organizations}
	svc := authn.NewService(deps, testPolicy())
	_, err := svc.SignUp(context.Background(), authn.SignUpInput{Name: "Al", Email: "al@example.com", Password: "long enough"})
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("SignUp error = %v, want %v", err, errDiskFull)
	}
	if c := h.store.Counts(); !equalCounts(c, map[string]int{}) {
		t.Fatalf("rows after an interrupted sign-up = %v, want none", c)
	}
}

func TestSignUpRaceOnOneEmail(t *testing.T) {
	h := newHarness(t)
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = h.svc.SignUp(context.Background(), authn.SignUpInput{Name: "R", Email: "race@example.com", Password: "long enough"})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, identity.ErrUserAlreadyExists):
			t.Errorf("unexpected error %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d sign-ups succeeded, want exactly 1", ok)
	}
	want := map[string]int{"users": 1, "accounts": 1, "organizations": 1, "members": 1, "sessions": 1, "outbox": 1}
	if c := h.store.Counts(); !equalCounts(c, want) {
		t.Fatalf("rows = %v, want %v", c, want)
	}
}

func TestPersonalSlugCollisionUsesLongerSuffix(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	// The test IDs are sequential, so predict the next user id and occupy
	// its 6-character slug.
	next := identity.NewUserID((&authntest.IDs{}).NewUUID())
	squatter := organization.Organization{ID: "organization__squat", Slug: organization.PersonalSlug("Alice", next, 6, authntest.NoFold)}
	if err := h.repos.Organizations.Create(ctx, squatter); err != nil {
		t.Fatal(err)
	}
	got := h.signUp(t, "alice@example.com")
	ms, _ := h.repos.Organizations.MembershipsOf(ctx, got.User.ID)
	if len(ms) != 1 || ms[0].Organization.Slug != organization.PersonalSlug("Alice", got.User.ID, 8, authntest.NoFold) {
		t.Fatalf("personal slug = %+v, want the 8-character suffix", ms)
	}
}

func TestSignIn(t *testing.T) {
	h := newHarness(t)
	h.signUp(t, "alice@example.com")
	tests := []struct {
		name            string
		email, password string
		want            error
		verifies, burns int64
	}{
		{"ok, email case-folded", " ALICE@example.com", "correct horse", nil, 1, 0},
		{"wrong password", "alice@example.com", "wrong horse", authn.ErrInvalidCredentials, 1, 0},
		{"unknown email burns a hash", "bob@example.com", "correct horse", authn.ErrInvalidCredentials, 0, 1},
		{"malformed email", "alice", "correct horse", identity.ErrInvalidEmail, 0, 0},
		{"over-long password is refused before hashing", "alice@example.com", strings.Repeat("x", 129), identity.ErrPasswordTooLong, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v0, b0 := h.hasher.Verifies.Load(), h.hasher.Burns.Load()
			got, err := h.svc.SignIn(context.Background(), authn.SignInInput{Email: tt.email, Password: tt.password, RememberMe: true})
			if !errors.Is(err, tt.want) && !(err == nil && tt.want == nil) {
				t.Fatalf("SignIn error = %v, want %v", err, tt.want)
			}
			if dv, db := h.hasher.Verifies.Load()-v0, h.hasher.Burns.Load()-b0; dv != tt.verifies || db != tt.burns {
				t.Fatalf("hash work: %d verifies, %d burns; want %d, %d", dv, db, tt.verifies, tt.burns)
			}
			if err == nil && (got.Session.ActiveOrganizationID == nil || len(got.Context) != 1) {
				t.Fatalf("session context = %+v / %+v", got.Session, got.Context)
			}
		})
	}
}

func TestSignInDontRemember(t *testing.T) {
	h := newHarness(t)
	h.signUp(t, "alice@example.com")
	got, err := h.svc.SignIn(context.Background(), authn.SignInInput{Email: "alice@example.com", Password: "correct horse", RememberMe: false})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Session.DontRemember || !got.Session.ExpiresAt.Equal(start.Add(24*time.Hour)) {
		t.Fatalf("dont-remember session = %+v", got.Session)
	}
	h.clock.Advance(23 * time.Hour)
	cur, err := h.svc.GetSession(context.Background(), authn.SessionQuery{Token: got.Session.Token})
	if err != nil || cur.Refreshed {
		t.Fatalf("GetSession = %+v, %v; a dont-remember session is never refreshed", cur, err)
	}
}

func TestGetSessionLifecycle(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	tok := h.signUp(t, "alice@example.com").Session.Token

	cur, err := h.svc.GetSession(ctx, authn.SessionQuery{Token: tok})
	if err != nil || cur.Refreshed || cur.User.Email != "alice@example.com" || len(cur.Context) != 1 {
		t.Fatalf("fresh GetSession = %+v, %v", cur, err)
	}

	h.clock.Advance(25 * time.Hour)
	cur, err = h.svc.GetSession(ctx, authn.SessionQuery{Token: tok, DisableRefresh: true})
	if err != nil || cur.Refreshed {
		t.Fatalf("DisableRefresh GetSession = %+v, %v", cur, err)
	}
	cur, err = h.svc.GetSession(ctx, authn.SessionQuery{Token: tok})
	if err != nil || !cur.Refreshed || !cur.Session.ExpiresAt.Equal(h.clock.Now().Add(30*24*time.Hour)) {
		t.Fatalf("due GetSession = %+v, %v; want a refresh to now+30d", cur.Session, err)
	}
	stored, _ := h.repos.Sessions.ByToken(ctx, tok)
	if !stored.ExpiresAt.Equal(cur.Session.ExpiresAt) {
		t.Fatalf("stored expiry %v, returned %v", stored.ExpiresAt, cur.Session.ExpiresAt)
	}
	if again, _ := h.svc.GetSession(ctx, authn.SessionQuery{Token: tok}); again.Refreshed {
		t.Fatal("refreshed twice within updateAge")
	}

	h.clock.Advance(31 * 24 * time.Hour)
	_, err = h.svc.GetSession(ctx, authn.SessionQuery{Token: tok})
	if !errors.Is(err, authn.ErrSessionExpired) {
		t.Fatalf("expired GetSession error = %v", err)
	}
	if _, err := h.repos.Sessions.ByToken(ctx, tok); !errors.Is(err, session.ErrSessionNotFound) {
		t.Fatalf("expired session still stored: %v", err)
	}
	_, err = h.svc.GetSession(ctx, authn.SessionQuery{Token: "nope"})
	if !errors.Is(err, session.ErrSessionNotFound) {
		t.Fatalf("unknown token error = %v", err)
	}
}

// vanishingSessions deletes the session between the read and the refresh,
// as a concurrent sign-out would.
type vanishingSessions struct{ authn.SessionRepository }

func (v vanishingSessions) Extend(ctx context.Context, token string, _, _ time.Time) error {
	_ = v.SessionRepository.Delete(ctx, token)
	return session.ErrSessionNotFound
}

func TestGetSessionRefreshOfVanishedSession(t *testing.T) {
	h := newHarness(t)
	tok := h.signUp(t, "alice@example.com").Session.Token
	deps := h.deps()
	deps.Sessions = vanishingSessions{h.repos.Sessions}
	h.clock.Advance(25 * time.Hour)
	_, err := authn.NewService(deps, testPolicy()).GetSession(context.Background(), authn.SessionQuery{Token: tok})
	if !errors.Is(err, authn.ErrSessionGone) {
		t.Fatalf("error = %v, want ErrSessionGone", err)
	}
}

func TestSignOut(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	tok := h.signUp(t, "alice@example.com").Session.Token
	for range 2 { // idempotent
		if err := h.svc.SignOut(ctx, tok); err != nil {
			t.Fatalf("SignOut: %v", err)
		}
	}
	if _, err := h.svc.GetSession(ctx, authn.SessionQuery{Token: tok}); !errors.Is(err, session.ErrSessionNotFound) {
		t.Fatalf("GetSession after sign-out error = %v", err)
	}
	if err := h.svc.SignOut(ctx, ""); err != nil {
		t.Fatalf("SignOut without a token: %v", err)
	}
}

func equalCounts(a, b map[string]int) bool {
	for _, k := range []string{"users", "accounts", "organizations", "members", "sessions", "verifications", "outbox"} {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}

// TestSignInUnderLoadDoesNotRevealAccounts: with the hashing pool full, an
// unknown email must fail as a known one does (503), not answer 401 at once.
func TestSignInUnderLoadDoesNotRevealAccounts(t *testing.T) {
	h := newHarness(t)
	h.signUp(t, "alice@example.com")
	h.hasher.Busy.Store(true)
	for _, email := range []string{"alice@example.com", "ghost@example.com"} {
		_, err := h.svc.SignIn(context.Background(), authn.SignInInput{Email: email, Password: "correct horse"})
		if !errors.Is(err, authntest.ErrBusy) {
			t.Errorf("SignIn(%s) under load = %v, want the pool's busy error", email, err)
		}
	}
}
