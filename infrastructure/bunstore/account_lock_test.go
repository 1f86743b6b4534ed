package bunstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/infrastructure/bunstore"
)

// TestListByUserForUpdateSerialises shows on PostgreSQL that
// ListByUserForUpdate holds the user's accounts until its transaction ends,
// which is what keeps two concurrent unlinks from removing a user's last two
// ways to sign in: the second transaction's list waits (PostgreSQL reports
// it waiting on a lock) and returns after the first commits, without the
// account the first deleted. SQLite runs one transaction at a time.
func TestListByUserForUpdateSerialises(t *testing.T) {
	t.Parallel()
	db := migrated(t, openDB(t, freshPostgresURL(t)))
	ctx := t.Context()
	accounts, ids := bunstore.NewAccountRepository(db), &authntest.IDs{}
	u := identity.NewUser(identity.NewUserID(ids.NewUUID()), "Uma", "uma@example.com", nil, testTime)
	if err := bunstore.NewUserRepository(db).Create(ctx, u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	var linked []identity.Account
	for i, provider := range []string{"google", "github"} {
		a := identity.Account{ID: identity.NewAccountID(ids.NewUUID()), UserID: u.ID, ProviderID: provider, ProviderAccountID: "uma",
			CreatedAt: testTime.Add(time.Duration(i) * time.Second), UpdatedAt: testTime}
		if err := accounts.Create(ctx, a); err != nil {
			t.Fatalf("create %s account: %v", provider, err)
		}
		linked = append(linked, a)
	}

	left := secondWaitsForFirst(t, db, string(u.ID),
		func(ctx context.Context) error {
			if _, err := accounts.ListByUserForUpdate(ctx, u.ID); err != nil {
				return err
			}
			return accounts.Delete(ctx, linked[0].ID)
		},
		func(ctx context.Context) ([]identity.Account, error) { return accounts.ListByUserForUpdate(ctx, u.ID) })
	if len(left) != 1 || left[0].ID != linked[1].ID {
		t.Fatalf("second ListByUserForUpdate = %+v, want only the github account the first left", left)
	}
}
