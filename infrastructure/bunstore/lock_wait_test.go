package bunstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/beep/iam/infrastructure/bunstore"
)

// secondWaitsForFirst shows on PostgreSQL that a row lock is held until its
// transaction ends. first runs in a transaction and keeps it open; then
// second runs in another transaction, which must be reported waiting on a
// lock by pg_stat_activity (a query naming marker, with FOR UPDATE) and
// must not return until first commits. It returns second's result, read
// after that commit.
func secondWaitsForFirst[T any](t *testing.T, db *bun.DB, marker string, first func(ctx context.Context) error, second func(ctx context.Context) (T, error)) T {
	t.Helper()
	admin, err := pgAdmin()
	if err != nil {
		t.Fatalf("open PostgreSQL admin pool: %v", err)
	}
	ctx := t.Context()
	txr := bunstore.NewTxRunner(db)

	locked, release := make(chan struct{}), make(chan struct{})
	releaseFirst := sync.OnceFunc(func() { close(release) })
	defer releaseFirst() // also when the test fails early
	firstDone := make(chan error, 1)
	go func() {
		firstDone <- txr.InTx(ctx, func(ctx context.Context) error {
			if err := first(ctx); err != nil {
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
		got T
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		var got T
		err := txr.InTx(ctx, func(ctx context.Context) error {
			var err error
			got, err = second(ctx)
			return err
		})
		done <- outcome{got, err}
	}()

	waiting := func() bool {
		var n int
		err := admin.NewRaw(`SELECT count(*) FROM pg_stat_activity
WHERE wait_event_type = 'Lock' AND state = 'active' AND query LIKE '%FOR UPDATE%' AND strpos(query, ?) > 0`, marker).Scan(ctx, &n)
		if err != nil {
			t.Fatalf("read pg_stat_activity: %v", err)
		}
		return n > 0
	}
	for !waiting() {
		select {
		case res := <-done:
			t.Fatalf("the second transaction returned (%+v, %v) while the first held the lock", res.got, res.err)
		case <-ctx.Done():
			t.Fatal("test ended before the second transaction was seen waiting")
		case <-time.After(5 * time.Millisecond): // poll interval, not an assertion
		}
	}
	select {
	case res := <-done:
		t.Fatalf("the second transaction returned (%+v, %v) while reported waiting", res.got, res.err)
	default:
	}

	releaseFirst()
	if err := <-firstDone; err != nil {
		t.Fatalf("first transaction: %v", err)
	}
	res := <-done
	if res.err != nil {
		t.Fatalf("second transaction: %v", res.err)
	}
	return res.got
}
