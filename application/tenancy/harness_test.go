package tenancy_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
)

var start = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// harness runs the organization use cases over the in-memory store, with
// users signed up through the real authn use case (so each has a personal
// organization and a session).
type harness struct {
	store   *authntest.Store
	clock   *authntest.Clock
	changes *authntest.Changes
	auth    *authn.Service
	svc     *tenancy.Service
	policy  tenancy.Policy
}

func newHarness(t *testing.T, tweak ...func(*tenancy.Policy)) *harness {
	t.Helper()
	store := authntest.NewStore()
	clock := authntest.NewClock(start)
	h := &harness{store: store, clock: clock, changes: &authntest.Changes{Clock: clock}}
	ids := &authntest.IDs{}
	h.auth = authn.NewService(authn.Deps{
		Clock: clock, IDs: ids, Tokens: &authntest.Tokens{}, Hasher: &authntest.Hasher{}, Tx: store,
		Users: store.Users(), Accounts: store.Accounts(), Sessions: store.Sessions(), Organizations: store.Organizations(),
		Revoked: &authntest.Revoked{}, Changes: h.changes, Verifications: store.Verifications(), Outbox: store.Outbox(),
		EmailTokens: &authntest.EmailTokens{}, FoldAccents: authntest.NoFold,
	}, authnPolicy())
	h.policy = tenancy.DefaultPolicy
	h.policy.AcceptBase = &url.URL{Scheme: "https", Host: "app.example"}
	for _, f := range tweak {
		f(&h.policy)
	}
	h.svc = tenancy.NewService(tenancy.Deps{
		Clock: clock, IDs: ids, Tx: store, Users: store.Users(), Organizations: store.Organizations(),
		Sessions: store.Sessions(), Outbox: store.Outbox(), Changes: h.changes,
	}, h.policy)
	return h
}

// user signs up a verified user and returns them as a caller.
func (h *harness) user(t *testing.T, email string) tenancy.Caller {
	t.Helper()
	return h.signUp(t, email, true)
}

func (h *harness) signUp(t *testing.T, email string, verified bool) tenancy.Caller {
	t.Helper()
	ctx := context.Background()
	a, err := h.auth.SignUp(ctx, authn.SignUpInput{Name: "User " + email, Email: identity.Email(email), Password: "correct horse", RememberMe: true})
	if err != nil {
		t.Fatalf("SignUp(%s): %v", email, err)
	}
	if verified {
		u := a.User
		u.EmailVerified = true
		if err := h.store.Users().Update(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	return h.caller(t, a.Session.Token)
}

// caller reloads the caller behind a session token, as the edge does on
// every request.
func (h *harness) caller(t *testing.T, token string) tenancy.Caller {
	t.Helper()
	cur, err := h.auth.GetSession(context.Background(), authn.SessionQuery{Token: token, DisableRefresh: true})
	if err != nil {
		t.Fatalf("GetSession: %v", err)
	}
	return tenancy.Caller{User: cur.User, Session: cur.Session}
}

func (h *harness) again(t *testing.T, c tenancy.Caller) tenancy.Caller {
	t.Helper()
	return h.caller(t, c.Session.Token)
}

// team creates a team organization owned by owner.
func (h *harness) team(t *testing.T, owner tenancy.Caller, slug string) organization.Organization {
	t.Helper()
	got, err := h.svc.Create(context.Background(), owner, tenancy.CreateInput{Name: "Team " + slug, Slug: slug})
	if err != nil {
		t.Fatalf("Create(%s): %v", slug, err)
	}
	return got.Organization
}

// join invites who into org with roles (by inviter) and accepts.
func (h *harness) join(t *testing.T, inviter tenancy.Caller, org organization.Organization, who tenancy.Caller, roles ...organization.Role) organization.Member {
	t.Helper()
	ctx := context.Background()
	inv, err := h.svc.Invite(ctx, inviter, tenancy.InviteInput{OrganizationID: org.ID, Email: string(who.User.Email), Roles: roles})
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	got, err := h.svc.Accept(ctx, h.again(t, who), inv.ID)
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	return got.Member
}

func (h *harness) roles(t *testing.T, org organization.ID, user identity.UserID) string {
	t.Helper()
	m, err := h.store.Organizations().Member(context.Background(), org, user)
	if errors.Is(err, organization.ErrMemberNotFound) {
		return "(none)"
	}
	if err != nil {
		t.Fatal(err)
	}
	return m.Roles.String()
}

// wantCode fails unless err is a failure with that wire code (the status
// each code gets is the edge's business, tested there).
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var f *failure.Error
	if err == nil || !errors.As(err, &f) || f.Code != code {
		t.Fatalf("%s: error = %v, want %s", what, err, code)
	}
}

// codeOf is the wire code of err, "" when it has none.
func codeOf(err error) string {
	var f *failure.Error
	if errors.As(err, &f) {
		return f.Code
	}
	return ""
}

// userByEmail is the caller signed up with email (their first session).
func (h *harness) userByEmail(t *testing.T, email string) tenancy.Caller {
	t.Helper()
	ctx := context.Background()
	u, err := h.store.Users().ByEmail(ctx, identity.Email(email))
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := h.store.Sessions().ListByUser(ctx, u.ID)
	if err != nil || len(sessions) == 0 {
		t.Fatalf("sessions of %s: %v", email, err)
	}
	return h.caller(t, sessions[len(sessions)-1].Token)
}

func authnPolicy() authn.Policy {
	p := authn.DefaultPolicy
	p.Links = authn.Links{AuthBase: &url.URL{Scheme: "https", Host: "auth.example", Path: "/api/auth"}}
	return p
}
