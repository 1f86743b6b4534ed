package bunstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

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
	admin, err := pgAdmin()
	if err != nil {
		t.Fatalf("open PostgreSQL admin pool: %v", err)
	}
	ctx := t.Context()
	txr, orgs, ids := bunstore.NewTxRunner(db), bunstore.NewOrganizationRepository(db), &authntest.IDs{}
	u := identity.NewUser(identity.NewUserID(ids.NewUUID()), "Lena", "lena@example.com", nil, testTime)
	if err := bunstore.NewUserRepository(db).Create(ctx, u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	o := organization.NewTeam(organization.NewID(ids.NewUUID()), "before", "locked", nil, nil, u.ID, testTime)
	if err := orgs.Create(ctx, o); err != nil {
		t.Fatalf("create organization: %v", err)
	}

	locked, release := make(chan struct{}), make(chan struct{})
	releaseFirst := sync.OnceFunc(func() { close(release) })
	defer releaseFirst() // also when the test fails early
	firstDone := make(chan error, 1)
	go func() {
		firstDone <- txr.InTx(ctx, func(ctx context.Context) error {
			if _, err := orgs.Lock(ctx, o.ID); err != nil {
				return err
			}
			renamed := o
			renamed.Name = "written by the first"
			if err := orgs.Update(ctx, renamed); err != nil {
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
		org organization.Organization
		err error
	}
	second := make(chan outcome, 1)
	go func() {
		var got organization.Organization
		err := txr.InTx(ctx, func(ctx context.Context) error {
			var err error
			got, err = orgs.Lock(ctx, o.ID)
			return err
		})
		second <- outcome{got, err}
	}()

	// Wait until PostgreSQL reports the second Lock waiting for a lock; if
	// it comes back first, Lock did not lock.
	waiting := func() bool {
		var n int
		err := admin.NewRaw(`SELECT count(*) FROM pg_stat_activity
WHERE wait_event_type = 'Lock' AND state = 'active' AND query LIKE '%FOR UPDATE%' AND strpos(query, ?) > 0`, string(o.ID)).Scan(ctx, &n)
		if err != nil {
			t.Fatalf("read pg_stat_activity: %v", err)
		}
		return n > 0
	}
	for !waiting() {
		select {
		case res := <-second:
			t.Fatalf("second Lock returned (%q, %v) while the first transaction held the organization", res.org.Name, res.err)
		case <-ctx.Done():
			t.Fatal("test ended before the second Lock was seen waiting")
		case <-time.After(5 * time.Millisecond): // poll interval, not an assertion
		}
	}
	select {
	case res := <-second:
		t.Fatalf("second Lock returned (%q, %v) while reported waiting", res.org.Name, res.err)
	default:
	}

	releaseFirst()
	if err := <-firstDone; err != nil {
		t.Fatalf("first transaction: %v", err)
	}
	res := <-second
	if res.err != nil {
		t.Fatalf("second transaction: %v", res.err)
	}
	if res.org.Name != "written by the first" {
		t.Fatalf("second Lock read name %q, want the first transaction's committed %q", res.org.Name, "written by the first")
	}
}
