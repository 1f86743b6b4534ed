package tenancytest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
)

// Repos is one storage implementation of the tenancy ports, with the authn
// repositories the suite needs to set up users and sessions.
type Repos struct {
	Tx            authn.TxRunner
	Users         authn.UserRepository
	Sessions      authn.SessionRepository
	Active        tenancy.ActiveOrganizations
	Organizations tenancy.OrganizationRepository
}

// MemoryRepos returns the in-memory implementation (authntest.Store).
func MemoryRepos() Repos {
	s := authntest.NewStore()
	return Repos{Tx: s, Users: s.Users(), Sessions: s.Sessions(), Active: s.Sessions(), Organizations: s.Organizations()}
}

// contractTime is a millisecond-precision instant: what the wire carries and
// what every store must keep exactly.
var contractTime = time.Date(2026, 11, 28, 17, 32, 23, 37_000_000, time.UTC)

// RunContract checks that an implementation behaves as the tenancy ports
// document. newRepos must return repositories over a fresh, empty,
// migrated database each time it is called.
//
// Beyond the port comments, the suite pins what every store must agree on:
// member lists compare strings byte-wise and case-sensitively and treat
// every character of a filter value literally; ties in a sort are broken by
// member id in the same direction; a malformed MemberQuery (limit < 1,
// offset < 0, unknown field or operator, a value count the operator does
// not take, a createdAt value that is not RFC 3339 or a string operator on
// createdAt) is a failure.Invalid; an unknown organization is
// organization.ErrOrganizationNotFound for SetActiveOrganization and a
// failure.NotFound for CreateInvitation; ExtendInvitation of a missing
// invitation is organization.ErrInvitationNotFound.
func RunContract(t *testing.T, newRepos func(t *testing.T) Repos) {
	t.Helper()
	t.Run("organizations", func(t *testing.T) { organizationContract(t, newFixture(t, newRepos)) })
	t.Run("members", func(t *testing.T) { memberContract(t, newFixture(t, newRepos)) })
	t.Run("owner count", func(t *testing.T) { ownerCountContract(t, newFixture(t, newRepos)) })
	t.Run("member lists", func(t *testing.T) { memberListContract(t, newFixture(t, newRepos)) })
	t.Run("invitations", func(t *testing.T) { invitationContract(t, newFixture(t, newRepos)) })
	t.Run("invitation race", func(t *testing.T) { invitationRaceContract(t, newFixture(t, newRepos)) })
	t.Run("active organization", func(t *testing.T) { activeOrganizationContract(t, newFixture(t, newRepos)) })
	t.Run("return to personal", func(t *testing.T) { returnToPersonalContract(t, newFixture(t, newRepos)) })
	t.Run("organization deletion", func(t *testing.T) { deletionContract(t, newFixture(t, newRepos)) })
}

// fixture creates rows through the repositories under test and fails the
// test at once when that does not work.
type fixture struct {
	t   *testing.T
	r   Repos
	ids authntest.IDs
}

func newFixture(t *testing.T, newRepos func(t *testing.T) Repos) *fixture {
	return &fixture{t: t, r: newRepos(t)}
}

func (f *fixture) user(email string) identity.User {
	f.t.Helper()
	img := "https://img.example/a.png"
	u := identity.NewUser(identity.NewUserID(f.ids.NewUUID()), "Robert'); DROP TABLE \"user\";--", identity.Email(email), &img, contractTime)
	mustDo(f.t, "create user "+email, f.r.Users.Create(context.Background(), u))
	return u
}

// org creates a team organization named after its slug, with SQL
// metacharacters in the name.
func (f *fixture) org(owner identity.UserID, slug string) organization.Organization {
	f.t.Helper()
	meta := `{"plan":"x"}`
	o := organization.Organization{
		ID: organization.NewID(f.ids.NewUUID()), Name: slug + ` ' OR '1'='1 %_\`, Slug: slug, Metadata: &meta,
		Type: organization.TypeTeam, OwnerUserID: owner, SubscriptionTier: organization.TierPro,
		SubscriptionStatus: organization.SubscriptionActive, CreatedAt: contractTime, UpdatedAt: contractTime,
	}
	mustDo(f.t, "create organization "+slug, f.r.Organizations.Create(context.Background(), o))
	return o
}

// personal creates u's personal organization (without its owner member).
func (f *fixture) personal(u identity.User, slug string) organization.Organization {
	f.t.Helper()
	o, _ := organization.NewPersonal(organization.NewID(f.ids.NewUUID()), organization.NewMemberID(f.ids.NewUUID()), u, slug, contractTime)
	mustDo(f.t, "create personal organization "+slug, f.r.Organizations.Create(context.Background(), o))
	return o
}

func (f *fixture) member(orgID organization.ID, userID identity.UserID, roles string, status organization.MemberStatus, created time.Time) organization.Member {
	f.t.Helper()
	m := organization.Member{ID: organization.NewMemberID(f.ids.NewUUID()), OrganizationID: orgID, UserID: userID,
		Roles: organization.ParseRoles(roles), Status: status, CreatedAt: created}
	mustDo(f.t, "add member "+roles, f.r.Organizations.AddMember(context.Background(), m))
	return m
}

func (f *fixture) invitation(orgID organization.ID, email string, inviter identity.UserID, status organization.InvitationStatus, created, expires time.Time) organization.Invitation {
	f.t.Helper()
	inv := organization.Invitation{ID: organization.NewInvitationID(f.ids.NewUUID()), OrganizationID: orgID, Email: identity.Email(email),
		Roles: organization.Roles{organization.RoleAdmin, organization.RoleMember}, InviterID: inviter, Status: status,
		ExpiresAt: expires, CreatedAt: created}
	mustDo(f.t, fmt.Sprintf("create %s invitation of %s", status, email), f.r.Organizations.CreateInvitation(context.Background(), inv))
	return inv
}

func (f *fixture) session(userID identity.UserID, active *organization.ID) session.Session {
	f.t.Helper()
	n := f.ids.NewUUID()
	s := session.Session{ID: session.NewID(n), Token: "tok" + strings.ReplaceAll(n.String(), "-", "")[3:], UserID: userID,
		ExpiresAt: contractTime.Add(time.Hour), ActiveOrganizationID: active, CreatedAt: contractTime, UpdatedAt: contractTime}
	mustDo(f.t, "create session", f.r.Sessions.Create(context.Background(), s))
	return s
}

func mustDo(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantErr(t *testing.T, what string, got, want error) {
	t.Helper()
	if !errors.Is(got, want) {
		t.Fatalf("%s: error = %v, want %v", what, got, want)
	}
}

func sameInstant(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func ptr[T any](v T) *T { return &v }

// orgName renders an optional organization id for failure messages.
func orgName(id *organization.ID) string {
	if id == nil {
		return "no organization"
	}
	return string(*id)
}

// describe renders a member query for failure messages.
func describe(q tenancy.MemberQuery) string {
	s := fmt.Sprintf("limit %d offset %d", q.Limit, q.Offset)
	if q.SortBy != "" || q.Desc {
		s += fmt.Sprintf(" sortBy %q desc %v", q.SortBy, q.Desc)
	}
	if f := q.Filter; f != nil {
		s += fmt.Sprintf(" where %s %s %q", f.Field, f.Operator, f.Values)
	}
	return s
}

func sameOrganization(t *testing.T, what string, got, want organization.Organization) {
	t.Helper()
	same := got.ID == want.ID && got.Name == want.Name && got.Slug == want.Slug &&
		equalPtr(got.Logo, want.Logo) && equalPtr(got.Metadata, want.Metadata) && got.Type == want.Type &&
		got.IsPersonal == want.IsPersonal && got.OwnerUserID == want.OwnerUserID &&
		got.SubscriptionTier == want.SubscriptionTier && got.SubscriptionStatus == want.SubscriptionStatus &&
		got.CreatedAt.Equal(want.CreatedAt) && got.UpdatedAt.Equal(want.UpdatedAt)
	if !same {
		t.Fatalf("%s = %+v, want %+v", what, got, want)
	}
}

func equalPtr[T comparable](a, b *T) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func sameMember(t *testing.T, what string, got, want organization.Member) {
	t.Helper()
	if got.ID != want.ID || got.OrganizationID != want.OrganizationID || got.UserID != want.UserID ||
		got.Roles.String() != want.Roles.String() || got.Status != want.Status || !got.CreatedAt.Equal(want.CreatedAt) {
		t.Fatalf("%s = %+v, want %+v", what, got, want)
	}
}

func sameInvitation(t *testing.T, what string, got, want organization.Invitation) {
	t.Helper()
	if got.ID != want.ID || got.OrganizationID != want.OrganizationID || got.Email != want.Email ||
		got.Roles.String() != want.Roles.String() || got.InviterID != want.InviterID || got.Status != want.Status ||
		!got.ExpiresAt.Equal(want.ExpiresAt) || !got.CreatedAt.Equal(want.CreatedAt) {
		t.Fatalf("%s = %+v, want %+v", what, got, want)
	}
}

func organizationContract(t *testing.T, f *fixture) {
	ctx := context.Background()
	r := f.r.Organizations
	alice := f.user("alice@example.com")
	if taken, err := r.SlugTaken(ctx, "acme"); err != nil || taken {
		t.Fatalf("SlugTaken(acme) on an empty store = %v, %v", taken, err)
	}
	o := f.org(alice.ID, "acme")
	second := f.org(alice.ID, "second")
	if taken, err := r.SlugTaken(ctx, "acme"); err != nil || !taken {
		t.Fatalf("SlugTaken(acme) after Create = %v, %v", taken, err)
	}
	dup := o
	dup.ID = organization.NewID(f.ids.NewUUID())
	wantErr(t, "Create with a taken slug", r.Create(ctx, dup), organization.ErrSlugTaken)

	got, err := r.ByID(ctx, o.ID)
	mustDo(t, "ByID", err)
	sameOrganization(t, "ByID", got, o)
	got, err = r.BySlug(ctx, "acme")
	mustDo(t, "BySlug", err)
	sameOrganization(t, "BySlug", got, o)
	for _, slug := range []string{"missing", "ACME", "' OR '1'='1", "acm%"} {
		_, err = r.BySlug(ctx, slug)
		wantErr(t, "BySlug("+slug+")", err, organization.ErrOrganizationNotFound)
	}
	_, err = r.ByID(ctx, "organization__missing")
	wantErr(t, "ByID unknown", err, organization.ErrOrganizationNotFound)

	// Update writes name, slug, logo, metadata and updatedAt, nothing else.
	changed := o
	changed.Name, changed.Slug, changed.Logo, changed.Metadata = `Renamed ' " %_\`, "renamed", ptr("https://logo.example/x.png"), nil
	changed.UpdatedAt = contractTime.Add(time.Hour)
	sneaky := changed
	sneaky.Type, sneaky.IsPersonal, sneaky.OwnerUserID = organization.TypeEnterprise, true, ""
	sneaky.SubscriptionTier, sneaky.SubscriptionStatus = organization.TierEnterprise, organization.SubscriptionCanceled
	sneaky.CreatedAt = contractTime.Add(5 * time.Hour)
	mustDo(t, "Update", r.Update(ctx, sneaky))
	got, err = r.ByID(ctx, o.ID)
	mustDo(t, "ByID after Update", err)
	sameOrganization(t, "after Update", got, changed)
	if taken, _ := r.SlugTaken(ctx, "acme"); taken {
		t.Fatal("SlugTaken(acme) = true after the organization moved to another slug")
	}
	if got, err := r.BySlug(ctx, "renamed"); err != nil || got.ID != o.ID {
		t.Fatalf("BySlug(renamed) = %+v, %v", got, err)
	}
	mustDo(t, "Update keeping its own slug", r.Update(ctx, changed))

	clash := changed
	clash.Slug, clash.Name = second.Slug, "clash"
	wantErr(t, "Update to a taken slug", r.Update(ctx, clash), organization.ErrSlugTaken)
	if got, _ := r.ByID(ctx, o.ID); got.Slug != "renamed" || got.Name != changed.Name {
		t.Fatalf("a refused Update changed the organization: %+v", got)
	}
	missing := f.org(alice.ID, "placeholder")
	mustDo(t, "Delete placeholder", r.Delete(ctx, missing.ID))
	wantErr(t, "Update unknown", r.Update(ctx, missing), organization.ErrOrganizationNotFound)

	// Lock is ByID inside a transaction.
	mustDo(t, "Lock in a transaction", f.r.Tx.InTx(ctx, func(ctx context.Context) error {
		locked, err := r.Lock(ctx, o.ID)
		if err == nil {
			sameOrganization(t, "Lock", locked, changed)
		}
		return err
	}))
	err = f.r.Tx.InTx(ctx, func(ctx context.Context) error {
		_, err := r.Lock(ctx, "organization__missing")
		return err
	})
	wantErr(t, "Lock unknown", err, organization.ErrOrganizationNotFound)
}

func memberContract(t *testing.T, f *fixture) {
	ctx := context.Background()
	r := f.r.Organizations
	alice, bob, carol := f.user("alice@example.com"), f.user("bob@example.com"), f.user("carol@example.com")
	a := f.org(alice.ID, "org-a")
	b := f.org(alice.ID, "org-b")
	// Created before bob's membership of a but later in time, so that
	// MembershipsOf must order by time, not by id.
	bobInB := f.member(b.ID, bob.ID, "member", organization.MemberActive, contractTime.Add(2*time.Second))
	aliceInA := f.member(a.ID, alice.ID, "owner", organization.MemberActive, contractTime)
	bobInA := f.member(a.ID, bob.ID, "admin,member", organization.MemberActive, contractTime.Add(time.Second))

	dup := bobInA
	dup.ID = organization.NewMemberID(f.ids.NewUUID())
	wantErr(t, "AddMember twice", r.AddMember(ctx, dup), organization.ErrAlreadyMember)
	stray := dup
	stray.OrganizationID = "organization__missing"
	wantErr(t, "AddMember to an unknown organization", r.AddMember(ctx, stray), organization.ErrOrganizationNotFound)

	got, err := r.Member(ctx, a.ID, bob.ID)
	mustDo(t, "Member", err)
	sameMember(t, "Member(a, bob)", got, bobInA)
	_, err = r.Member(ctx, a.ID, carol.ID)
	wantErr(t, "Member of a non-member", err, organization.ErrMemberNotFound)
	_, err = r.Member(ctx, "organization__missing", bob.ID)
	wantErr(t, "Member of an unknown organization", err, organization.ErrMemberNotFound)

	got, err = r.MemberByID(ctx, a.ID, bobInA.ID)
	mustDo(t, "MemberByID", err)
	sameMember(t, "MemberByID", got, bobInA)
	for _, tt := range []struct {
		name  string
		orgID organization.ID
		id    organization.MemberID
	}{
		{"another organization's member", a.ID, bobInB.ID},
		{"a member asked in another organization", b.ID, aliceInA.ID},
		{"an unknown id", a.ID, "member__missing"},
		{"an injection", a.ID, "' OR '1'='1"},
	} {
		_, err := r.MemberByID(ctx, tt.orgID, tt.id)
		wantErr(t, "MemberByID of "+tt.name, err, organization.ErrMemberNotFound)
	}

	got, err = r.MemberByEmail(ctx, a.ID, bob.Email)
	mustDo(t, "MemberByEmail", err)
	sameMember(t, "MemberByEmail", got, bobInA)
	got, err = r.MemberByEmail(ctx, b.ID, bob.Email)
	mustDo(t, "MemberByEmail in b", err)
	sameMember(t, "MemberByEmail in b", got, bobInB)
	for _, tt := range []struct {
		name  string
		orgID organization.ID
		email identity.Email
	}{
		{"a member of another organization", b.ID, alice.Email},
		{"a user who is no member", a.ID, carol.Email},
		{"an unknown email", a.ID, "nobody@example.com"},
		{"an injection", a.ID, "' OR '1'='1"},
		{"a pattern", a.ID, "%"},
	} {
		_, err := r.MemberByEmail(ctx, tt.orgID, tt.email)
		wantErr(t, "MemberByEmail of "+tt.name, err, organization.ErrMemberNotFound)
	}

	for orgID, want := range map[organization.ID]int{a.ID: 2, b.ID: 1, "organization__missing": 0} {
		if n, err := r.CountMembers(ctx, orgID); err != nil || n != want {
			t.Fatalf("CountMembers(%s) = %d, %v; want %d", orgID, n, err, want)
		}
	}

	ms, err := r.MembershipsOf(ctx, bob.ID)
	mustDo(t, "MembershipsOf", err)
	if len(ms) != 2 || ms[0].Member.ID != bobInA.ID || ms[1].Member.ID != bobInB.ID || ms[0].Organization.ID != a.ID || ms[1].Organization.Name != b.Name {
		t.Fatalf("MembershipsOf(bob) = %+v, want a then b (oldest first)", ms)
	}

	mustDo(t, "SetMemberRoles", r.SetMemberRoles(ctx, bobInA.ID, organization.Roles{organization.RoleOwner, organization.RoleAdmin}))
	got, _ = r.Member(ctx, a.ID, bob.ID)
	if got.Roles.String() != "owner,admin" {
		t.Fatalf("roles after SetMemberRoles = %q, want owner,admin", got.Roles)
	}
	if n, err := r.OwnerCount(ctx, a.ID); err != nil || n != 2 {
		t.Fatalf("OwnerCount after SetMemberRoles = %d, %v; want 2", n, err)
	}
	if got, _ := r.Member(ctx, b.ID, bob.ID); got.Roles.String() != "member" {
		t.Fatalf("SetMemberRoles changed bob's membership of another organization: %q", got.Roles)
	}
	wantErr(t, "SetMemberRoles of an unknown member",
		r.SetMemberRoles(ctx, "member__missing", organization.Roles{organization.RoleMember}), organization.ErrMemberNotFound)

	mustDo(t, "RemoveMember", r.RemoveMember(ctx, bobInA.ID))
	_, err = r.Member(ctx, a.ID, bob.ID)
	wantErr(t, "Member after RemoveMember", err, organization.ErrMemberNotFound)
	wantErr(t, "RemoveMember again", r.RemoveMember(ctx, bobInA.ID), organization.ErrMemberNotFound)
	if n, _ := r.OwnerCount(ctx, a.ID); n != 1 {
		t.Fatalf("OwnerCount after RemoveMember = %d, want 1", n)
	}
	if _, err := r.Member(ctx, b.ID, bob.ID); err != nil {
		t.Fatalf("RemoveMember removed bob's membership of another organization: %v", err)
	}
}

func ownerCountContract(t *testing.T, f *fixture) {
	ctx := context.Background()
	owner := f.user("owner@example.com")
	o := f.org(owner.ID, "owned")
	other := f.org(owner.ID, "other-owned")
	f.member(o.ID, owner.ID, "owner", organization.MemberActive, contractTime)
	for i, tt := range []struct {
		roles  string
		status organization.MemberStatus
	}{
		{"admin,owner", organization.MemberActive},   // counts
		{"owner,member", organization.MemberActive},  // counts
		{"owner", organization.MemberSuspended},      // suspended: does not count
		{"coowner", organization.MemberActive},       // another role
		{"owners,admin", organization.MemberActive},  // another role
		{"Owner", organization.MemberActive},         // roles are case-sensitive
		{"member,admin", organization.MemberActive},  // no owner
		{"owner-lite", organization.MemberActive},    // another role
		{"admin,owner,x", organization.MemberActive}, // counts
	} {
		u := f.user(fmt.Sprintf("m%d@example.com", i))
		f.member(o.ID, u.ID, tt.roles, tt.status, contractTime)
	}
	f.member(other.ID, owner.ID, "owner", organization.MemberActive, contractTime)
	if n, err := f.r.Organizations.OwnerCount(ctx, o.ID); err != nil || n != 4 {
		t.Fatalf("OwnerCount = %d, %v; want 4", n, err)
	}
	if n, err := f.r.Organizations.OwnerCount(ctx, "organization__missing"); err != nil || n != 0 {
		t.Fatalf("OwnerCount(unknown) = %d, %v; want 0", n, err)
	}
}

// memberListContract checks Members: paging, the total, sorting by every
// field both ways and filtering with every operator. The six members are
// named m1..m6 in id order (creation order); their users are created in the
// reverse order, so user ids sort the other way.
func memberListContract(t *testing.T, f *fixture) {
	ctx := context.Background()
	creator := f.user("creator@example.com")
	org := f.org(creator.ID, "listed")
	other := f.org(creator.ID, "not-listed")
	specs := []struct {
		role   string
		status organization.MemberStatus
		after  time.Duration
	}{
		{"admin", organization.MemberActive, 3 * time.Second},     // m1
		{"member", organization.MemberSuspended, 2 * time.Second}, // m2
		{"owner", organization.MemberActive, 0},                   // m3
		{`a%b_c\d'e`, organization.MemberActive, time.Second},     // m4
		{"admin,member", organization.MemberActive, time.Second},  // m5
		{"member", organization.MemberActive, 2 * time.Second},    // m6
	}
	users := make([]identity.User, len(specs))
	for i := len(specs) - 1; i >= 0; i-- {
		users[i] = f.user(fmt.Sprintf("user-of-m%d@example.com", i+1))
	}
	members := make([]organization.Member, len(specs))
	names := map[organization.MemberID]string{}
	for i, s := range specs {
		members[i] = f.member(org.ID, users[i].ID, s.role, s.status, contractTime.Add(s.after))
		names[members[i].ID] = fmt.Sprintf("m%d", i+1)
	}
	// A membership in another organization, older than all, never shows.
	f.member(other.ID, users[0].ID, "owner", organization.MemberActive, contractTime.Add(-time.Hour))

	mid := func(i int) string { return string(members[i-1].ID) }
	uid := func(i int) string { return string(users[i-1].ID) }
	at := func(d time.Duration) string { return contractTime.Add(d).Format(time.RFC3339Nano) }
	zoned := func(d time.Duration) string {
		return contractTime.Add(d).In(time.FixedZone("", 2*60*60)).Format(time.RFC3339Nano)
	}
	all := []string{"m3", "m4", "m5", "m2", "m6", "m1"} // oldest first, then by id
	filter := func(field tenancy.MemberField, op tenancy.FilterOperator, values ...string) *tenancy.MemberFilter {
		return &tenancy.MemberFilter{Field: field, Operator: op, Values: values}
	}
	const (
		id, userID, role, status, createdAt = tenancy.MemberFieldID, tenancy.MemberFieldUserID, tenancy.MemberFieldRole,
			tenancy.MemberFieldStatus, tenancy.MemberFieldCreatedAt
	)
	tests := []struct {
		name  string
		q     tenancy.MemberQuery
		want  []string
		total int // -1: len(want)
	}{
		{"default order", tenancy.MemberQuery{Limit: 100}, all, -1},
		{"desc without sortBy is still oldest first", tenancy.MemberQuery{Limit: 100, Desc: true}, all, -1},
		{"first page", tenancy.MemberQuery{Limit: 2}, []string{"m3", "m4"}, 6},
		{"second page", tenancy.MemberQuery{Limit: 2, Offset: 2}, []string{"m5", "m2"}, 6},
		{"last partial page", tenancy.MemberQuery{Limit: 10, Offset: 5}, []string{"m1"}, 6},
		{"offset at the end", tenancy.MemberQuery{Limit: 10, Offset: 6}, nil, 6},
		{"offset past the end", tenancy.MemberQuery{Limit: 10, Offset: 60}, nil, 6},

		{"sort id asc", tenancy.MemberQuery{Limit: 100, SortBy: id}, []string{"m1", "m2", "m3", "m4", "m5", "m6"}, -1},
		{"sort id desc", tenancy.MemberQuery{Limit: 100, SortBy: id, Desc: true}, []string{"m6", "m5", "m4", "m3", "m2", "m1"}, -1},
		{"sort userId asc", tenancy.MemberQuery{Limit: 100, SortBy: userID}, []string{"m6", "m5", "m4", "m3", "m2", "m1"}, -1},
		{"sort userId desc", tenancy.MemberQuery{Limit: 100, SortBy: userID, Desc: true}, []string{"m1", "m2", "m3", "m4", "m5", "m6"}, -1},
		{"sort role asc (byte order, ties by id)", tenancy.MemberQuery{Limit: 100, SortBy: role}, []string{"m4", "m1", "m5", "m2", "m6", "m3"}, -1},
		{"sort role desc", tenancy.MemberQuery{Limit: 100, SortBy: role, Desc: true}, []string{"m3", "m6", "m2", "m5", "m1", "m4"}, -1},
		{"sort status asc", tenancy.MemberQuery{Limit: 100, SortBy: status}, []string{"m1", "m3", "m4", "m5", "m6", "m2"}, -1},
		{"sort status desc", tenancy.MemberQuery{Limit: 100, SortBy: status, Desc: true}, []string{"m2", "m6", "m5", "m4", "m3", "m1"}, -1},
		{"sort createdAt asc", tenancy.MemberQuery{Limit: 100, SortBy: createdAt}, all, -1},
		{"sort createdAt desc", tenancy.MemberQuery{Limit: 100, SortBy: createdAt, Desc: true}, []string{"m1", "m6", "m2", "m5", "m4", "m3"}, -1},
		{"sorted page", tenancy.MemberQuery{Limit: 2, Offset: 1, SortBy: role, Desc: true}, []string{"m6", "m2"}, 6},

		{"role eq", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpEq, "member")}, []string{"m2", "m6"}, -1},
		{"role eq is exact", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpEq, "admin")}, []string{"m1"}, -1},
		{"role ne", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpNe, "member")}, []string{"m3", "m4", "m5", "m1"}, -1},
		{"role lt", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpLt, "admin")}, []string{"m4"}, -1},
		{"role lte", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpLte, "admin")}, []string{"m4", "m1"}, -1},
		{"role gt", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpGt, "member")}, []string{"m3"}, -1},
		{"role gte", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpGte, "member")}, []string{"m3", "m2", "m6"}, -1},
		{"role in", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpIn, "owner", "admin")}, []string{"m3", "m1"}, -1},
		{"role in nothing", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpIn)}, nil, -1},
		{"role not_in", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpNotIn, "owner", "admin")}, []string{"m4", "m5", "m2", "m6"}, -1},
		{"role not_in nothing", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpNotIn)}, all, -1},
		{"role contains", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpContains, "admin")}, []string{"m5", "m1"}, -1},
		{"role contains is case-sensitive", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpContains, "ADMIN")}, nil, -1},
		{"role contains the empty string", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpContains, "")}, all, -1},
		{"role starts_with", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpStartsWith, "admin")}, []string{"m5", "m1"}, -1},
		{"role starts_with is case-sensitive", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpStartsWith, "Admin")}, nil, -1},
		{"role ends_with", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpEndsWith, "member")}, []string{"m5", "m2", "m6"}, -1},
		{"role ends_with longer than any role", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpEndsWith, "x,admin,member")}, nil, -1},
		{"percent is literal", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpContains, "%")}, []string{"m4"}, -1},
		{"underscore is literal", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpContains, "_")}, []string{"m4"}, -1},
		{"backslash is literal", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpContains, `\`)}, []string{"m4"}, -1},
		{"quote is literal", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpContains, "'")}, []string{"m4"}, -1},
		{"metacharacters in contains", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpContains, `b_c\d'`)}, []string{"m4"}, -1},
		{"a pattern that only LIKE matches", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpContains, "a_m")}, nil, -1},
		{"percent is literal in starts_with", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpStartsWith, "a%")}, []string{"m4"}, -1},
		{"starts_with a wildcard", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpStartsWith, "%")}, nil, -1},
		{"ends_with a wildcard", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpEndsWith, "_")}, nil, -1},
		{"ends_with a quote", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpEndsWith, "'e")}, []string{"m4"}, -1},
		{"eq with metacharacters", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpEq, `a%b_c\d'e`)}, []string{"m4"}, -1},
		{"eq with an injection", tenancy.MemberQuery{Limit: 100, Filter: filter(role, tenancy.OpEq, "' OR '1'='1")}, nil, -1},
		{"status eq", tenancy.MemberQuery{Limit: 100, Filter: filter(status, tenancy.OpEq, "suspended")}, []string{"m2"}, -1},
		{"status ne", tenancy.MemberQuery{Limit: 100, Filter: filter(status, tenancy.OpNe, "active")}, []string{"m2"}, -1},
		{"status in", tenancy.MemberQuery{Limit: 100, Filter: filter(status, tenancy.OpIn, "suspended", "gone")}, []string{"m2"}, -1},
		{"id eq", tenancy.MemberQuery{Limit: 100, Filter: filter(id, tenancy.OpEq, mid(5))}, []string{"m5"}, -1},
		{"id in", tenancy.MemberQuery{Limit: 100, Filter: filter(id, tenancy.OpIn, mid(1), mid(6), "member__missing")}, []string{"m6", "m1"}, -1},
		{"id not_in", tenancy.MemberQuery{Limit: 100, Filter: filter(id, tenancy.OpNotIn, mid(1))}, []string{"m3", "m4", "m5", "m2", "m6"}, -1},
		{"id gt", tenancy.MemberQuery{Limit: 100, Filter: filter(id, tenancy.OpGt, mid(4))}, []string{"m5", "m6"}, -1},
		{"id lt", tenancy.MemberQuery{Limit: 100, Filter: filter(id, tenancy.OpLt, mid(2))}, []string{"m1"}, -1},
		{"id starts_with", tenancy.MemberQuery{Limit: 100, Filter: filter(id, tenancy.OpStartsWith, "member__")}, all, -1},
		{"id ends_with", tenancy.MemberQuery{Limit: 100, Filter: filter(id, tenancy.OpEndsWith, mid(3)[len(mid(3))-12:])}, []string{"m3"}, -1},
		{"userId of a user in two organizations", tenancy.MemberQuery{Limit: 100, Filter: filter(userID, tenancy.OpEq, uid(1))}, []string{"m1"}, -1},
		{"userId eq", tenancy.MemberQuery{Limit: 100, Filter: filter(userID, tenancy.OpEq, uid(3))}, []string{"m3"}, -1},
		{"userId lt", tenancy.MemberQuery{Limit: 100, Filter: filter(userID, tenancy.OpLt, uid(4))}, []string{"m5", "m6"}, -1},
		{"userId gte", tenancy.MemberQuery{Limit: 100, Filter: filter(userID, tenancy.OpGte, uid(2))}, []string{"m2", "m1"}, -1},
		{"userId contains", tenancy.MemberQuery{Limit: 100, Filter: filter(userID, tenancy.OpContains, uid(6)[6:])}, []string{"m6"}, -1},
		{"createdAt eq", tenancy.MemberQuery{Limit: 100, Filter: filter(createdAt, tenancy.OpEq, at(time.Second))}, []string{"m4", "m5"}, -1},
		{"createdAt eq in another zone", tenancy.MemberQuery{Limit: 100, Filter: filter(createdAt, tenancy.OpEq, zoned(time.Second))}, []string{"m4", "m5"}, -1},
		{"createdAt ne", tenancy.MemberQuery{Limit: 100, Filter: filter(createdAt, tenancy.OpNe, at(time.Second))}, []string{"m3", "m2", "m6", "m1"}, -1},
		{"createdAt lt", tenancy.MemberQuery{Limit: 100, Filter: filter(createdAt, tenancy.OpLt, at(time.Second))}, []string{"m3"}, -1},
		{"createdAt lte in another zone", tenancy.MemberQuery{Limit: 100, Filter: filter(createdAt, tenancy.OpLte, zoned(time.Second))}, []string{"m3", "m4", "m5"}, -1},
		{"createdAt gt", tenancy.MemberQuery{Limit: 100, Filter: filter(createdAt, tenancy.OpGt, at(2*time.Second))}, []string{"m1"}, -1},
		{"createdAt gte", tenancy.MemberQuery{Limit: 100, Filter: filter(createdAt, tenancy.OpGte, at(2*time.Second))}, []string{"m2", "m6", "m1"}, -1},
		{"createdAt lt a whole second", tenancy.MemberQuery{Limit: 100, Filter: filter(createdAt, tenancy.OpLt, "2026-11-28T17:32:24Z")}, []string{"m3"}, -1},
		{"createdAt gt a whole second", tenancy.MemberQuery{Limit: 100, Filter: filter(createdAt, tenancy.OpGt, "2026-11-28T17:32:24Z")}, []string{"m4", "m5", "m2", "m6", "m1"}, -1},
		{"createdAt in", tenancy.MemberQuery{Limit: 100, Filter: filter(createdAt, tenancy.OpIn, at(0), zoned(3*time.Second))}, []string{"m3", "m1"}, -1},
		{"createdAt not_in", tenancy.MemberQuery{Limit: 100, Filter: filter(createdAt, tenancy.OpNotIn, at(0), at(3*time.Second))}, []string{"m4", "m5", "m2", "m6"}, -1},
		{"createdAt in nothing", tenancy.MemberQuery{Limit: 100, Filter: filter(createdAt, tenancy.OpIn)}, nil, -1},

		{"filtered page", tenancy.MemberQuery{Limit: 2, Offset: 1, Filter: filter(status, tenancy.OpEq, "active")}, []string{"m4", "m5"}, 5},
		{"filtered, sorted page", tenancy.MemberQuery{Limit: 2, Offset: 1, SortBy: createdAt, Desc: true,
			Filter: filter(role, tenancy.OpNe, "owner")}, []string{"m6", "m2"}, 5},
		{"filtered, sorted by role", tenancy.MemberQuery{Limit: 2, Offset: 1, SortBy: role,
			Filter: filter(role, tenancy.OpIn, "member", "admin")}, []string{"m2", "m6"}, 3},
		{"filtered page past the end", tenancy.MemberQuery{Limit: 2, Offset: 4, Filter: filter(role, tenancy.OpEq, "member")}, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, total, err := f.r.Organizations.Members(ctx, org.ID, tt.q)
			mustDo(t, "Members("+describe(tt.q)+")", err)
			got := make([]string, len(page))
			for i, mu := range page {
				name, ok := names[mu.Member.ID]
				if !ok {
					t.Fatalf("Members returned %+v, not a member of the organization", mu.Member)
				}
				got[i] = name
				want := members[name[1]-'1']
				sameMember(t, "listed "+name, mu.Member, want)
				if mu.User.ID != want.UserID || mu.User.Email != users[name[1]-'1'].Email || mu.User.Name != users[0].Name ||
					mu.User.Image == nil || !mu.User.CreatedAt.Equal(contractTime) {
					t.Fatalf("listed %s has user %+v, want %+v", name, mu.User, users[name[1]-'1'])
				}
			}
			wantTotal := tt.total
			if wantTotal < 0 {
				wantTotal = len(tt.want)
			}
			if !slices.Equal(got, tt.want) || total != wantTotal {
				t.Fatalf("Members(%s) = %v, total %d; want %v, total %d", describe(tt.q), got, total, tt.want, wantTotal)
			}
		})
	}

	// Text sorts and compares byte by byte (code point order), whatever
	// the database's collation: upper case before lower case, punctuation
	// by its code, accented letters after z.
	t.Run("byte order", func(t *testing.T) {
		bytewise := f.org(creator.ID, "bytewise")
		roles := map[organization.MemberID]string{}
		for i, role := range []string{"b", "éa", "B", "ab", "z", "a-c"} {
			u := f.user(fmt.Sprintf("bytewise%d@example.com", i))
			roles[f.member(bytewise.ID, u.ID, role, organization.MemberActive, contractTime).ID] = role
		}
		for _, tt := range []struct {
			q    tenancy.MemberQuery
			want []string
		}{
			{tenancy.MemberQuery{Limit: 10, SortBy: role}, []string{"B", "a-c", "ab", "b", "z", "éa"}},
			{tenancy.MemberQuery{Limit: 10, SortBy: role, Desc: true}, []string{"éa", "z", "b", "ab", "a-c", "B"}},
			{tenancy.MemberQuery{Limit: 10, SortBy: role, Filter: filter(role, tenancy.OpLt, "a")}, []string{"B"}},
			{tenancy.MemberQuery{Limit: 10, SortBy: role, Filter: filter(role, tenancy.OpGt, "z")}, []string{"éa"}},
			{tenancy.MemberQuery{Limit: 10, SortBy: role, Filter: filter(role, tenancy.OpGte, "a-d")}, []string{"ab", "b", "z", "éa"}},
			{tenancy.MemberQuery{Limit: 10, SortBy: role, Filter: filter(role, tenancy.OpEq, "b")}, []string{"b"}},
			{tenancy.MemberQuery{Limit: 10, SortBy: role, Filter: filter(role, tenancy.OpStartsWith, "é")}, []string{"éa"}},
			{tenancy.MemberQuery{Limit: 10, SortBy: role, Filter: filter(role, tenancy.OpEndsWith, "a")}, []string{"éa"}},
		} {
			page, _, err := f.r.Organizations.Members(ctx, bytewise.ID, tt.q)
			mustDo(t, "Members("+describe(tt.q)+")", err)
			got := make([]string, len(page))
			for i, mu := range page {
				got[i] = roles[mu.Member.ID]
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Members(%s) = %q, want %q", describe(tt.q), got, tt.want)
			}
		}
	})

	t.Run("other organizations", func(t *testing.T) {
		empty := f.org(creator.ID, "empty")
		for _, orgID := range []organization.ID{empty.ID, "organization__missing"} {
			page, total, err := f.r.Organizations.Members(ctx, orgID, tenancy.MemberQuery{Limit: 10})
			if err != nil || len(page) != 0 || total != 0 {
				t.Fatalf("Members(%s) = %v, %d, %v; want none", orgID, page, total, err)
			}
		}
	})

	invalid := []struct {
		name string
		q    tenancy.MemberQuery
	}{
		{"zero limit", tenancy.MemberQuery{}},
		{"negative offset", tenancy.MemberQuery{Limit: 1, Offset: -1}},
		{"unknown sort field", tenancy.MemberQuery{Limit: 1, SortBy: "email"}},
		{"sort field injection", tenancy.MemberQuery{Limit: 1, SortBy: "id; DROP TABLE members"}},
		{"unknown filter field", tenancy.MemberQuery{Limit: 1, Filter: filter("organizationId", tenancy.OpEq, "x")}},
		{"unknown operator", tenancy.MemberQuery{Limit: 1, Filter: filter(role, "like", "x")}},
		{"eq without a value", tenancy.MemberQuery{Limit: 1, Filter: filter(role, tenancy.OpEq)}},
		{"eq with two values", tenancy.MemberQuery{Limit: 1, Filter: filter(role, tenancy.OpEq, "a", "b")}},
		{"createdAt not a time", tenancy.MemberQuery{Limit: 1, Filter: filter(createdAt, tenancy.OpGt, "yesterday")}},
		{"createdAt in with a bad time", tenancy.MemberQuery{Limit: 1, Filter: filter(createdAt, tenancy.OpIn, at(0), "x")}},
		{"createdAt contains", tenancy.MemberQuery{Limit: 1, Filter: filter(createdAt, tenancy.OpContains, "2026")}},
		{"createdAt starts_with", tenancy.MemberQuery{Limit: 1, Filter: filter(createdAt, tenancy.OpStartsWith, at(0))}},
	}
	for _, tt := range invalid {
		t.Run("invalid: "+tt.name, func(t *testing.T) {
			_, _, err := f.r.Organizations.Members(ctx, org.ID, tt.q)
			wantErr(t, "Members("+describe(tt.q)+")", err, failure.ErrInvalid)
		})
	}
}

func invitationContract(t *testing.T, f *fixture) {
	ctx := context.Background()
	r := f.r.Organizations
	now := contractTime
	inviter := f.user("inviter@example.com")
	a, b, c, d := f.org(inviter.ID, "org-a"), f.org(inviter.ID, "org-b"), f.org(inviter.ID, "org-c"), f.org(inviter.ID, "org-d")
	const x, y, z = "x@example.com", "y@example.com", "z@example.com"

	yRejected := f.invitation(a.ID, y, inviter.ID, organization.InvitationRejected, now.Add(-10*time.Minute), now.Add(time.Hour))
	yPending := f.invitation(a.ID, y, inviter.ID, organization.InvitationPending, now.Add(-5*time.Minute), now.Add(time.Hour))
	xPending := f.invitation(a.ID, x, inviter.ID, organization.InvitationPending, now.Add(-time.Minute), now.Add(time.Hour))
	xCanceled := f.invitation(a.ID, x, inviter.ID, organization.InvitationCanceled, now.Add(-4*time.Minute), now.Add(time.Hour))
	zPending := f.invitation(a.ID, z, inviter.ID, organization.InvitationPending, now, now.Add(time.Hour))
	xInB := f.invitation(b.ID, x, inviter.ID, organization.InvitationPending, now.Add(-2*time.Minute), now.Add(time.Hour))
	xExpired := f.invitation(c.ID, x, inviter.ID, organization.InvitationPending, now.Add(-3*time.Minute), now.Add(-time.Second))
	xExpiringNow := f.invitation(d.ID, x, inviter.ID, organization.InvitationPending, now.Add(-30*time.Second), now)

	again := xPending
	again.ID = organization.NewInvitationID(f.ids.NewUUID())
	wantErr(t, "a second pending invitation", r.CreateInvitation(ctx, again), organization.ErrAlreadyInvited)
	stray := again
	stray.OrganizationID = "organization__missing"
	wantErr(t, "CreateInvitation to an unknown organization", r.CreateInvitation(ctx, stray), failure.ErrNotFound)

	got, err := r.Invitation(ctx, xPending.ID)
	mustDo(t, "Invitation", err)
	sameInvitation(t, "Invitation", got, xPending)
	_, err = r.Invitation(ctx, "invitation__missing")
	wantErr(t, "Invitation unknown", err, organization.ErrInvitationNotFound)

	got, err = r.PendingInvitation(ctx, a.ID, x)
	mustDo(t, "PendingInvitation", err)
	sameInvitation(t, "PendingInvitation(a, x)", got, xPending)
	got, err = r.PendingInvitation(ctx, c.ID, x)
	mustDo(t, "PendingInvitation of an expired invitation", err)
	sameInvitation(t, "PendingInvitation(c, x)", got, xExpired)
	for _, tt := range []struct {
		name  string
		orgID organization.ID
		email identity.Email
	}{
		{"another address", a.ID, "nobody@example.com"},
		{"another organization", b.ID, y},
		{"an injection", a.ID, "' OR '1'='1"},
	} {
		_, err := r.PendingInvitation(ctx, tt.orgID, tt.email)
		wantErr(t, "PendingInvitation of "+tt.name, err, organization.ErrInvitationNotFound)
	}

	list, err := r.Invitations(ctx, a.ID)
	mustDo(t, "Invitations", err)
	if want := []organization.Invitation{yRejected, yPending, xCanceled, xPending, zPending}; !sameInvitationIDs(list, want) {
		t.Fatalf("Invitations(a) = %v, want %v (every status, oldest first)", invitationIDs(list), invitationIDs(want))
	}
	if list, err := r.Invitations(ctx, "organization__missing"); err != nil || len(list) != 0 {
		t.Fatalf("Invitations(unknown) = %v, %v", list, err)
	}

	mine, err := r.PendingInvitationsFor(ctx, x, now)
	mustDo(t, "PendingInvitationsFor", err)
	if len(mine) != 2 || mine[0].Invitation.ID != xInB.ID || mine[1].Invitation.ID != xPending.ID ||
		mine[0].OrganizationName != b.Name || mine[1].OrganizationName != a.Name {
		t.Fatalf("PendingInvitationsFor(x, now) = %+v, want b's then a's, with their names", mine)
	}
	sameInvitation(t, "PendingInvitationsFor(x)[1]", mine[1].Invitation, xPending)
	earlier, err := r.PendingInvitationsFor(ctx, x, now.Add(-2*time.Hour))
	mustDo(t, "PendingInvitationsFor earlier", err)
	if want := []organization.Invitation{xExpired, xInB, xPending, xExpiringNow}; !sameInvitationIDs(invitationsOf(earlier), want) {
		t.Fatalf("PendingInvitationsFor(x, 2h ago) = %v, want %v", invitationIDs(invitationsOf(earlier)), invitationIDs(want))
	}
	if none, err := r.PendingInvitationsFor(ctx, "nobody@example.com", now); err != nil || len(none) != 0 {
		t.Fatalf("PendingInvitationsFor(nobody) = %v, %v", none, err)
	}

	for _, tt := range []struct {
		orgID organization.ID
		at    time.Time
		want  int
	}{
		{a.ID, now, 3},
		{b.ID, now, 1},
		{c.ID, now, 0},
		{d.ID, now, 0}, // expiring at now is expired
		{d.ID, now.Add(-time.Millisecond), 1},
		{c.ID, now.Add(-2 * time.Hour), 1},
		{"organization__missing", now, 0},
	} {
		if n, err := r.CountPendingInvitations(ctx, tt.orgID, tt.at); err != nil || n != tt.want {
			t.Fatalf("CountPendingInvitations(%s, %v) = %d, %v; want %d", tt.orgID, tt.at, n, err, tt.want)
		}
	}

	// TransitionInvitation moves only from the expected status.
	transition := func(invID organization.InvitationID, from, to organization.InvitationStatus, want bool) {
		t.Helper()
		ok, err := r.TransitionInvitation(ctx, invID, from, to)
		if err != nil || ok != want {
			t.Fatalf("TransitionInvitation(%s, %s → %s) = %v, %v; want %v", invID, from, to, ok, err, want)
		}
	}
	transition(xPending.ID, organization.InvitationPending, organization.InvitationAccepted, true)
	transition(xPending.ID, organization.InvitationPending, organization.InvitationAccepted, false)
	transition(xPending.ID, organization.InvitationPending, organization.InvitationRejected, false)
	transition("invitation__missing", organization.InvitationPending, organization.InvitationCanceled, false)
	if got, _ := r.Invitation(ctx, xPending.ID); got.Status != organization.InvitationAccepted {
		t.Fatalf("status after transitions = %s, want accepted", got.Status)
	}
	if got, _ := r.Invitation(ctx, xInB.ID); got.Status != organization.InvitationPending {
		t.Fatalf("another invitation changed: %s", got.Status)
	}
	_, err = r.PendingInvitation(ctx, a.ID, x)
	wantErr(t, "PendingInvitation after acceptance", err, organization.ErrInvitationNotFound)
	if n, _ := r.CountPendingInvitations(ctx, a.ID, now); n != 2 {
		t.Fatalf("CountPendingInvitations after acceptance = %d, want 2", n)
	}
	// An answered invitation does not block a new one.
	fresh := f.invitation(a.ID, x, inviter.ID, organization.InvitationPending, now.Add(time.Minute), now.Add(time.Hour))
	if got, err := r.PendingInvitation(ctx, a.ID, x); err != nil || got.ID != fresh.ID {
		t.Fatalf("PendingInvitation after a new invitation = %+v, %v", got, err)
	}

	mustDo(t, "ExtendInvitation", r.ExtendInvitation(ctx, xExpired.ID, now.Add(2*time.Hour)))
	got, _ = r.Invitation(ctx, xExpired.ID)
	sameInstant(t, "ExpiresAt after ExtendInvitation", got.ExpiresAt, now.Add(2*time.Hour))
	if got.Status != organization.InvitationPending || !got.CreatedAt.Equal(xExpired.CreatedAt) {
		t.Fatalf("ExtendInvitation changed more than the expiry: %+v", got)
	}
	if n, _ := r.CountPendingInvitations(ctx, c.ID, now); n != 1 {
		t.Fatalf("CountPendingInvitations after ExtendInvitation = %d, want 1", n)
	}
	wantErr(t, "ExtendInvitation unknown", r.ExtendInvitation(ctx, "invitation__missing", now), organization.ErrInvitationNotFound)
}

func invitationsOf(list []tenancy.InvitationWithOrganization) []organization.Invitation {
	out := make([]organization.Invitation, len(list))
	for i, x := range list {
		out[i] = x.Invitation
	}
	return out
}

func invitationIDs(list []organization.Invitation) []organization.InvitationID {
	out := make([]organization.InvitationID, len(list))
	for i, inv := range list {
		out[i] = inv.ID
	}
	return out
}

func sameInvitationIDs(got, want []organization.Invitation) bool {
	return slices.Equal(invitationIDs(got), invitationIDs(want))
}

// invitationRaceContract answers one invitation from many goroutines at
// once: exactly one transition wins, and the invitation ends in its status.
func invitationRaceContract(t *testing.T, f *fixture) {
	ctx := context.Background()
	inviter := f.user("inviter@example.com")
	o := f.org(inviter.ID, "raced")
	inv := f.invitation(o.ID, "x@example.com", inviter.ID, organization.InvitationPending, contractTime, contractTime.Add(time.Hour))
	targets := []organization.InvitationStatus{organization.InvitationAccepted, organization.InvitationRejected, organization.InvitationCanceled}
	const n = 12
	type result struct {
		to  organization.InvitationStatus
		won bool
		err error
	}
	start := make(chan struct{})
	results := make(chan result, n)
	for i := range n {
		to := targets[i%len(targets)]
		go func() {
			<-start
			won, err := f.r.Organizations.TransitionInvitation(ctx, inv.ID, organization.InvitationPending, to)
			results <- result{to, won, err}
		}()
	}
	close(start)
	var winners []organization.InvitationStatus
	for range n {
		res := <-results
		if res.err != nil {
			t.Errorf("TransitionInvitation to %s: %v", res.to, res.err)
		}
		if res.won {
			winners = append(winners, res.to)
		}
	}
	if len(winners) != 1 {
		t.Fatalf("%d of %d concurrent transitions won (%v), want exactly 1", len(winners), n, winners)
	}
	got, err := f.r.Organizations.Invitation(ctx, inv.ID)
	mustDo(t, "Invitation after the race", err)
	if got.Status != winners[0] {
		t.Fatalf("status after the race = %s, want the winner's %s", got.Status, winners[0])
	}
}

func activeOrganizationContract(t *testing.T, f *fixture) {
	ctx := context.Background()
	alice := f.user("alice@example.com")
	o := f.org(alice.ID, "active")
	s := f.session(alice.ID, nil)
	bystander := f.session(alice.ID, nil)

	check := func(what string, want *organization.ID, updated time.Time) {
		t.Helper()
		got, err := f.r.Sessions.ByToken(ctx, s.Token)
		mustDo(t, what, err)
		if !equalPtr(got.ActiveOrganizationID, want) {
			t.Fatalf("%s: active organization = %s, want %s", what, orgName(got.ActiveOrganizationID), orgName(want))
		}
		sameInstant(t, what+": UpdatedAt", got.UpdatedAt, updated)
	}
	mustDo(t, "SetActiveOrganization", f.r.Active.SetActiveOrganization(ctx, s.Token, &o.ID, contractTime.Add(time.Minute)))
	check("after SetActiveOrganization", &o.ID, contractTime.Add(time.Minute))
	mustDo(t, "SetActiveOrganization again", f.r.Active.SetActiveOrganization(ctx, s.Token, &o.ID, contractTime.Add(2*time.Minute)))
	check("after setting the same organization", &o.ID, contractTime.Add(2*time.Minute))
	mustDo(t, "SetActiveOrganization(nil)", f.r.Active.SetActiveOrganization(ctx, s.Token, nil, contractTime.Add(3*time.Minute)))
	check("after clearing", nil, contractTime.Add(3*time.Minute))

	wantErr(t, "SetActiveOrganization of a missing session",
		f.r.Active.SetActiveOrganization(ctx, "missing0000000000000000000000000", &o.ID, contractTime), session.ErrSessionNotFound)
	wantErr(t, "SetActiveOrganization(nil) of a missing session",
		f.r.Active.SetActiveOrganization(ctx, "missing0000000000000000000000000", nil, contractTime), session.ErrSessionNotFound)
	wantErr(t, "SetActiveOrganization to an unknown organization",
		f.r.Active.SetActiveOrganization(ctx, s.Token, ptr(organization.ID("organization__missing")), contractTime.Add(4*time.Minute)),
		organization.ErrOrganizationNotFound)
	check("after a refused change", nil, contractTime.Add(3*time.Minute))
	if got, _ := f.r.Sessions.ByToken(ctx, bystander.Token); got.ActiveOrganizationID != nil || !got.UpdatedAt.Equal(contractTime) {
		t.Fatalf("another session changed: %+v", got)
	}
}

func returnToPersonalContract(t *testing.T, f *fixture) {
	ctx := context.Background()
	alice, bob, carol := f.user("alice@example.com"), f.user("bob@example.com"), f.user("carol@example.com")
	// An older organization alice created but that is not personal: it
	// must not be taken for her personal one. Carol has only such a one.
	aliceTeam := organization.NewTeam(organization.NewID(f.ids.NewUUID()), "Alice team", "alice-team", nil, nil, alice.ID, contractTime.Add(-time.Hour))
	mustDo(t, "create alice's team", f.r.Organizations.Create(ctx, aliceTeam))
	carolTeam := organization.NewTeam(organization.NewID(f.ids.NewUUID()), "Carol team", "carol-team", nil, nil, carol.ID, contractTime.Add(-time.Hour))
	mustDo(t, "create carol's team", f.r.Organizations.Create(ctx, carolTeam))
	alicePersonal := f.personal(alice, "alice-000001")
	bobPersonal := f.personal(bob, "bob-000002")
	shared := f.org(alice.ID, "shared")
	other := f.org(bob.ID, "other")

	a1, a2 := f.session(alice.ID, &shared.ID), f.session(alice.ID, &shared.ID)
	a3 := f.session(alice.ID, &other.ID)
	b1, b2 := f.session(bob.ID, &shared.ID), f.session(bob.ID, nil)
	c1 := f.session(carol.ID, &shared.ID)

	check := func(step string, s session.Session, want *organization.ID, updated time.Time) {
		t.Helper()
		got, err := f.r.Sessions.ByToken(ctx, s.Token)
		mustDo(t, step, err)
		if !equalPtr(got.ActiveOrganizationID, want) {
			t.Fatalf("%s: session of %s is in %s, want %s", step, s.UserID, orgName(got.ActiveOrganizationID), orgName(want))
		}
		sameInstant(t, step+": UpdatedAt", got.UpdatedAt, updated)
	}
	t1, t2 := contractTime.Add(time.Hour), contractTime.Add(2*time.Hour)

	mustDo(t, "ReturnToPersonal of alice", f.r.Active.ReturnToPersonal(ctx, shared.ID, alice.ID, t1))
	step := "after ReturnToPersonal(shared, alice)"
	check(step, a1, &alicePersonal.ID, t1)
	check(step, a2, &alicePersonal.ID, t1)
	check(step, a3, &other.ID, contractTime)
	check(step, b1, &shared.ID, contractTime)
	check(step, b2, nil, contractTime)
	check(step, c1, &shared.ID, contractTime)

	mustDo(t, "ReturnToPersonal of everyone", f.r.Active.ReturnToPersonal(ctx, shared.ID, "", t2))
	step = "after ReturnToPersonal(shared, everyone)"
	check(step, a1, &alicePersonal.ID, t1)
	check(step, a3, &other.ID, contractTime)
	check(step, b1, &bobPersonal.ID, t2)
	check(step, b2, nil, contractTime)
	check(step, c1, nil, t2) // carol has no personal organization

	mustDo(t, "ReturnToPersonal of an unknown organization", f.r.Active.ReturnToPersonal(ctx, "organization__missing", "", t2))
	mustDo(t, "ReturnToPersonal of a user without sessions there", f.r.Active.ReturnToPersonal(ctx, other.ID, carol.ID, t2))
	check("after ReturnToPersonal that matches nothing", a3, &other.ID, contractTime)
}

func deletionContract(t *testing.T, f *fixture) {
	ctx := context.Background()
	r := f.r.Organizations
	alice, bob := f.user("alice@example.com"), f.user("bob@example.com")
	doomed, kept := f.org(alice.ID, "doomed"), f.org(alice.ID, "kept")
	aliceInDoomed := f.member(doomed.ID, alice.ID, "owner", organization.MemberActive, contractTime)
	f.member(doomed.ID, bob.ID, "member", organization.MemberActive, contractTime)
	bobInKept := f.member(kept.ID, bob.ID, "admin", organization.MemberActive, contractTime)
	xDoomed := f.invitation(doomed.ID, "x@example.com", alice.ID, organization.InvitationPending, contractTime, contractTime.Add(time.Hour))
	f.invitation(doomed.ID, "y@example.com", alice.ID, organization.InvitationCanceled, contractTime, contractTime.Add(time.Hour))
	xKept := f.invitation(kept.ID, "x@example.com", alice.ID, organization.InvitationPending, contractTime, contractTime.Add(time.Hour))

	mustDo(t, "Delete", r.Delete(ctx, doomed.ID))
	mustDo(t, "Delete again (idempotent)", r.Delete(ctx, doomed.ID))
	mustDo(t, "Delete unknown", r.Delete(ctx, "organization__missing"))

	_, err := r.ByID(ctx, doomed.ID)
	wantErr(t, "ByID after Delete", err, organization.ErrOrganizationNotFound)
	_, err = r.BySlug(ctx, "doomed")
	wantErr(t, "BySlug after Delete", err, organization.ErrOrganizationNotFound)
	_, err = r.Member(ctx, doomed.ID, alice.ID)
	wantErr(t, "Member after Delete", err, organization.ErrMemberNotFound)
	_, err = r.MemberByID(ctx, doomed.ID, aliceInDoomed.ID)
	wantErr(t, "MemberByID after Delete", err, organization.ErrMemberNotFound)
	if n, err := r.CountMembers(ctx, doomed.ID); err != nil || n != 0 {
		t.Fatalf("CountMembers after Delete = %d, %v", n, err)
	}
	_, err = r.Invitation(ctx, xDoomed.ID)
	wantErr(t, "Invitation after Delete", err, organization.ErrInvitationNotFound)
	if list, err := r.Invitations(ctx, doomed.ID); err != nil || len(list) != 0 {
		t.Fatalf("Invitations after Delete = %v, %v", list, err)
	}
	mine, err := r.PendingInvitationsFor(ctx, "x@example.com", contractTime)
	if err != nil || len(mine) != 1 || mine[0].Invitation.ID != xKept.ID {
		t.Fatalf("PendingInvitationsFor after Delete = %+v, %v; want only kept's", mine, err)
	}
	ms, err := r.MembershipsOf(ctx, bob.ID)
	if err != nil || len(ms) != 1 || ms[0].Member.ID != bobInKept.ID {
		t.Fatalf("MembershipsOf(bob) after Delete = %+v, %v; want only kept", ms, err)
	}

	// Deleting the inviter deletes the invitations they sent.
	mustDo(t, "delete the inviter", f.r.Users.Delete(ctx, alice.ID))
	_, err = r.Invitation(ctx, xKept.ID)
	wantErr(t, "Invitation after its inviter was deleted", err, organization.ErrInvitationNotFound)
	if _, err := r.ByID(ctx, kept.ID); err != nil {
		t.Fatalf("deleting its creator deleted the organization: %v", err)
	}
}
