package bunstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
	"github.com/uptrace/bun"
)

// A team organization outlives the user who created it: deleting the user
// clears owner_user_id (ON DELETE SET NULL) instead of cascading to the
// organization, its members and the sessions that have it active.
func TestDeletingAUserKeepsTheOrganizationsTheyCreated(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		r, ids := repos(db), &authntest.IDs{}
		creator := identity.NewUser(identity.NewUserID(ids.NewUUID()), "Creator", "creator@example.com", nil, testTime)
		stayer := identity.NewUser(identity.NewUserID(ids.NewUUID()), "Stayer", "stayer@example.com", nil, testTime)
		for _, u := range []identity.User{creator, stayer} {
			if err := r.Users.Create(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		org := organization.Organization{ID: organization.NewID(ids.NewUUID()), Name: "Team", Slug: "team", Type: organization.TypeTeam,
			OwnerUserID: creator.ID, SubscriptionTier: organization.TierFree, SubscriptionStatus: organization.SubscriptionActive,
			CreatedAt: testTime, UpdatedAt: testTime}
		if err := r.Organizations.Create(ctx, org); err != nil {
			t.Fatal(err)
		}
		for _, u := range []identity.User{creator, stayer} {
			if err := r.Organizations.AddMember(ctx, organization.Member{ID: organization.NewMemberID(ids.NewUUID()), OrganizationID: org.ID,
				UserID: u.ID, Roles: organization.Roles{organization.RoleOwner}, Status: organization.MemberActive, CreatedAt: testTime}); err != nil {
				t.Fatal(err)
			}
		}
		sess := session.Session{ID: session.NewID(ids.NewUUID()), Token: token(ids), UserID: stayer.ID, ExpiresAt: testTime.Add(time.Hour),
			ActiveOrganizationID: &org.ID, CreatedAt: testTime, UpdatedAt: testTime}
		if err := r.Sessions.Create(ctx, sess); err != nil {
			t.Fatal(err)
		}

		if err := r.Users.Delete(ctx, creator.ID); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		ms, err := r.Organizations.MembershipsOf(ctx, stayer.ID)
		if err != nil || len(ms) != 1 || ms[0].Organization.ID != org.ID {
			t.Fatalf("MembershipsOf(stayer) = %+v, %v; want the team organization", ms, err)
		}
		if got := ms[0].Organization.OwnerUserID; got != "" {
			t.Fatalf("OwnerUserID = %q after its user was deleted, want empty", got)
		}
		var owners int
		if err := db.NewRaw("SELECT count(*) FROM organizations WHERE owner_user_id IS NULL").Scan(ctx, &owners); err != nil || owners != 1 {
			t.Fatalf("organizations with a NULL owner = %d, %v; want 1", owners, err)
		}
		if n, err := r.Organizations.OwnerCount(ctx, org.ID); err != nil || n != 1 {
			t.Fatalf("OwnerCount = %d, %v; want 1", n, err)
		}
		got, err := r.Sessions.ByToken(ctx, sess.Token)
		if err != nil || got.ActiveOrganizationID == nil || *got.ActiveOrganizationID != org.ID {
			t.Fatalf("stayer's session = %+v, %v; want it still active in the organization", got, err)
		}
	})
}

// OwnerCount reads the stored role list as organization.ParseRoles does:
// "owner" must be a whole element, blanks around it do not matter, case
// does.
func TestOwnerCountMatchesWholeRoles(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		r, ids := repos(db), &authntest.IDs{}
		newOrg := func(slug string) organization.Organization {
			o := organization.Organization{ID: organization.NewID(ids.NewUUID()), Name: slug, Slug: slug, Type: organization.TypeTeam,
				SubscriptionTier: organization.TierFree, SubscriptionStatus: organization.SubscriptionActive, CreatedAt: testTime, UpdatedAt: testTime}
			if err := r.Organizations.Create(ctx, o); err != nil {
				t.Fatal(err)
			}
			return o
		}
		org, other := newOrg("counted"), newOrg("other")
		roleLists := []organization.Roles{
			{organization.RoleOwner},
			{organization.RoleAdmin, organization.RoleOwner},
			{organization.RoleOwner, organization.RoleMember},
			{organization.RoleAdmin, " owner "},
			{"coowner"},
			{"owners"},
			{"Owner"},
			{"owner_"},
			{"own%"},
			{organization.RoleAdmin, organization.RoleMember},
		}
		want := 0
		add := func(o organization.Organization, roles organization.Roles) {
			u := identity.NewUser(identity.NewUserID(ids.NewUUID()), "U", identity.Email(ids.NewUUID().String()+"@example.com"), nil, testTime)
			if err := r.Users.Create(ctx, u); err != nil {
				t.Fatal(err)
			}
			if err := r.Organizations.AddMember(ctx, organization.Member{ID: organization.NewMemberID(ids.NewUUID()), OrganizationID: o.ID,
				UserID: u.ID, Roles: roles, Status: organization.MemberActive, CreatedAt: testTime}); err != nil {
				t.Fatal(err)
			}
		}
		for _, roles := range roleLists {
			add(org, roles)
			if organization.ParseRoles(roles.String()).Has(organization.RoleOwner) {
				want++
			}
		}
		add(other, organization.Roles{organization.RoleOwner})
		if want != 4 {
			t.Fatalf("test data has %d owners, want 4", want)
		}
		if n, err := r.Organizations.OwnerCount(ctx, org.ID); err != nil || n != want {
			t.Fatalf("OwnerCount = %d, %v; want %d", n, err, want)
		}
		if n, err := r.Organizations.OwnerCount(ctx, organization.NewID(ids.NewUUID())); err != nil || n != 0 {
			t.Fatalf("OwnerCount(unknown) = %d, %v; want 0", n, err)
		}
	})
}

// DeleteByUser removes and reports the sessions in one statement, so no
// session created meanwhile is removed without being reported.
func TestDeleteByUserIsOneStatement(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		r, ids := repos(db), &authntest.IDs{}
		if err := signUp(ctx, r, ids, "a@example.com", nil); err != nil {
			t.Fatal(err)
		}
		u, err := r.Users.ByEmail(ctx, "a@example.com")
		if err != nil {
			t.Fatal(err)
		}
		log := &queryLog{}
		db.AddQueryHook(log)
		gone, err := r.Sessions.DeleteByUser(ctx, u.ID, "")
		if err != nil || len(gone) != 1 || len(gone[0]) != session.TokenLength {
			t.Fatalf("DeleteByUser = %q, %v; want the one session token", gone, err)
		}
		if len(log.queries) != 1 || !strings.Contains(log.queries[0], "RETURNING") {
			t.Fatalf("DeleteByUser ran %d queries %q, want one DELETE ... RETURNING", len(log.queries), log.queries)
		}
	})
}
