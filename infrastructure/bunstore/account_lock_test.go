package bunstore_test

import (
	"context"
	"sync"
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
	admin, err := pgAdmin()
	if err != nil {
		t.Fatalf("open PostgreSQL admin pool: %v", err)
	}
	ctx := t.Context()
	txr, accounts, ids := bunstore.NewTxRunner(db), bunstore.NewAccountRepository(db), &authntest.IDs{}
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

	locked, release := make(chan struct{}), make(chan struct{})
	releaseFirst := sync.OnceFunc(func() { close(release) })
	defer releaseFirst() // also when the test fails early
	firstDone := make(chan error, 1)
	go func() {
		firstDone <- txr.InTx(ctx, func(ctx context.Context) error {
			if _, err := accounts.ListByUserForUpdate(ctx, u.ID); err != nil {
				return err
			}
			if err := accounts.Delete(ctx, linked[0].ID); err != nil {
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	select {
	case <-locked:
	case err := <-firstDone:
		t.Fatalf("first transaction ended before locking: %v", err)
	}

	type outcome struct {
		list []identity.Account
		err  error
	}
	second := make(chan outcome, 1)
	go func() {
		var got []identity.Account
		err := txr.InTx(ctx, func(ctx context.Context) error {
			var err error
			got, err = accounts.ListByUserForUpdate(ctx, u.ID)
			return err
		})
		second <- outcome{got, err}
	}()

	waiting := func() bool {
		var n int
		err := admin.NewRaw(`SELECT count(*) FROM pg_stat_activity
WHERE wait_event_type = 'Lock' AND state = 'active' AND query LIKE '%FOR UPDATE%' AND strpos(query, ?) > 0`, string(u.ID)).Scan(ctx, &n)
		if err != nil {
			t.Fatalf("read pg_stat_activity: %v", err)
		}
		return n > 0
	}
	for !waiting() {
		select {
		case res := <-second:
			t.Fatalf("second ListByUserForUpdate returned (%d accounts, %v) while the first transaction held them", len(res.list), res.err)
		case <-ctx.Done():
			t.Fatal("test ended before the second ListByUserForUpdate was seen waiting")
		case <-time.After(5 * time.Millisecond): // poll interval, not an assertion
		}
	}

	releaseFirst()
	if err := <-firstDone; err != nil {
		t.Fatalf("first transaction: %v", err)
	}
	res := <-second
	if res.err != nil {
		t.Fatalf("second transaction: %v", res.err)
	}
	if len(res.list) != 1 || res.list[0].ID != linked[1].ID {
		t.Fatalf("second ListByUserForUpdate = %+v, want only the github account the first left", res.list)
	}
}
