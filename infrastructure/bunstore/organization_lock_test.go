package bunstore_test

import (
	"context"
	"testing"

	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/infrastructure/bunstore"
)

// TestLockSerialises shows on PostgreSQL that Lock holds the organization
// row until its transaction ends: a second transaction's Lock of the same
// organization waits (PostgreSQL itself reports it waiting on a lock) and
// returns only after the first commits, with what the first wrote. SQLite
// needs no such test: it runs one transaction at a time.
func TestLockSerialises(t *testing.T) {
	t.Parallel()
	db := migrated(t, openDB(t, freshPostgresURL(t)))
	ctx := t.Context()
	orgs, ids := bunstore.NewOrganizationRepository(db), &authntest.IDs{}
	u := identity.NewUser(identity.NewUserID(ids.NewUUID()), "Lena", "lena@example.com", nil, testTime)
	if err := bunstore.NewUserRepository(db).Create(ctx, u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	o := organization.NewTeam(organization.NewID(ids.NewUUID()), "before", "locked", nil, nil, u.ID, testTime)
	if err := orgs.Create(ctx, o); err != nil {
		t.Fatalf("create organization: %v", err)
	}

	got := secondWaitsForFirst(t, db, string(o.ID),
		func(ctx context.Context) error {
			if _, err := orgs.Lock(ctx, o.ID); err != nil {
				return err
			}
			renamed := o
			renamed.Name = "written by the first"
			return orgs.Update(ctx, renamed)
		},
		func(ctx context.Context) (organization.Organization, error) { return orgs.Lock(ctx, o.ID) })
	if got.Name != "written by the first" {
		t.Fatalf("second Lock read name %q, want the first transaction's committed %q", got.Name, "written by the first")
	}
}
