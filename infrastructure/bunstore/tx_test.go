package bunstore_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
	"github.com/beep/iam/infrastructure/bunstore"
	"github.com/uptrace/bun"
)

var testTime = time.Date(2026, 11, 28, 17, 32, 23, 37_000_000, time.UTC)

// signUp writes what a sign-up writes, in the order it does, and calls
// between after each step so a test can interrupt it.
func signUp(ctx context.Context, r authntest.Repos, ids *authntest.IDs, email string, between func(step string) error) error {
	if between == nil {
		between = func(string) error { return nil }
	}
	u := identity.NewUser(identity.NewUserID(ids.NewUUID()), "Robert'); DROP TABLE users;--", identity.Email(email), nil, testTime)
	if err := r.Users.Create(ctx, u); err != nil {
		return err
	}
	if err := between("user"); err != nil {
		return err
	}
	if err := r.Accounts.Create(ctx, identity.NewCredentialAccount(identity.NewAccountID(ids.NewUUID()), u.ID, "hash", testTime)); err != nil {
		return err
	}
	org, owner := organization.NewPersonal(organization.NewID(ids.NewUUID()), organization.NewMemberID(ids.NewUUID()), u,
		"slug-"+ids.NewUUID().String(), testTime)
	if err := r.Organizations.Create(ctx, org); err != nil {
		return err
	}
	if err := r.Organizations.AddMember(ctx, owner); err != nil {
		return err
	}
	return r.Sessions.Create(ctx, session.Session{
		ID: session.NewID(ids.NewUUID()), Token: token(ids), UserID: u.ID,
		ExpiresAt: testTime.Add(time.Hour), ActiveOrganizationID: &org.ID, CreatedAt: testTime, UpdatedAt: testTime,
	})
}

func wantEmpty(t *testing.T, db *bun.DB) {
	t.Helper()
	for table, n := range countRows(t, db) {
		if n != 0 {
			t.Errorf("%s has %d rows after a rolled-back transaction, want 0", table, n)
		}
	}
}

func TestTxRollsBack(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *bun.DB) {
		r, ids := repos(db), &authntest.IDs{}
		boom := errors.New("interrupted")

		t.Run("error after the first insert", func(t *testing.T) {
			err := r.Tx.InTx(context.Background(), func(ctx context.Context) error {
				return signUp(ctx, r, ids, "a@example.com", func(string) error { return boom })
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx = %v, want %v", err, boom)
			}
			wantEmpty(t, db)
		})

		t.Run("context canceled mid-transaction", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			err := r.Tx.InTx(ctx, func(ctx context.Context) error {
				return signUp(ctx, r, ids, "b@example.com", func(string) error { cancel(); return nil })
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("InTx = %v, want context.Canceled", err)
			}
			wantEmpty(t, db)
		})

		t.Run("panic", func(t *testing.T) {
			func() {
				defer func() {
					if recover() == nil {
						t.Fatal("InTx swallowed the panic")
					}
				}()
				_ = r.Tx.InTx(context.Background(), func(ctx context.Context) error {
					return signUp(ctx, r, ids, "c@example.com", func(string) error { panic("boom") })
				})
			}()
			wantEmpty(t, db) // also proves the connection went back to the pool
		})

		t.Run("nested InTx joins the outer transaction", func(t *testing.T) {
			err := r.Tx.InTx(context.Background(), func(ctx context.Context) error {
				if err := r.Tx.InTx(ctx, func(ctx context.Context) error {
					return signUp(ctx, r, ids, "d@example.com", nil)
				}); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx = %v, want %v", err, boom)
			}
			wantEmpty(t, db)
		})

		t.Run("commit", func(t *testing.T) {
			if err := r.Tx.InTx(context.Background(), func(ctx context.Context) error {
				return signUp(ctx, r, ids, "e@example.com", nil)
			}); err != nil {
				t.Fatalf("InTx: %v", err)
			}
			want := map[string]int{"users": 1, "accounts": 1, "sessions": 1, "organizations": 1, "members": 1, "verifications": 0, "invitations": 0}
			if got := countRows(t, db); !maps.Equal(got, want) {
				t.Fatalf("rows = %v, want %v", got, want)
			}
		})
	})
}

func TestTxConcurrentSignUps(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *bun.DB) {
		r, ids := repos(db), &authntest.IDs{}
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				errs[i] = r.Tx.InTx(context.Background(), func(ctx context.Context) error {
					return signUp(ctx, r, ids, fmt.Sprintf("user%d@example.com", i), nil)
				})
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("concurrent sign-ups: %v", err)
		}
		if got := countRows(t, db)["members"]; got != n {
			t.Fatalf("members = %d, want %d", got, n)
		}
	})
}

// A transaction in the context belongs to its database: repositories of
// another database do not join it.
func TestTxDoesNotLeakAcrossDatabases(t *testing.T) {
	t.Parallel()
	a := migrated(t, openDB(t, freshSQLiteURL(t)))
	b := migrated(t, openDB(t, freshSQLiteURL(t)))
	boom := errors.New("boom")
	ids := &authntest.IDs{}
	err := bunstore.NewTxRunner(a).InTx(context.Background(), func(ctx context.Context) error {
		u := identity.NewUser(identity.NewUserID(ids.NewUUID()), "B", "b@example.com", nil, testTime)
		if err := bunstore.NewUserRepository(b).Create(ctx, u); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want %v", err, boom)
	}
	if got := countRows(t, b)["users"]; got != 1 {
		t.Fatalf("users in the other database = %d, want 1 (its write was outside the transaction)", got)
	}
}

// token returns a distinct 32-character session token.
func token(ids *authntest.IDs) string {
	return "tok" + strings.ReplaceAll(ids.NewUUID().String(), "-", "")[3:]
}
