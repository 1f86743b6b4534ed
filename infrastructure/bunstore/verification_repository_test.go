package bunstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/infrastructure/bunstore"
	"github.com/uptrace/bun"
)

func verifFixture(ids *authntest.IDs, identifier string, expiresAt time.Time) identity.Verification {
	return identity.Verification{
		ID: identity.NewVerificationID(ids.NewUUID()), Identifier: identifier, Value: "user__" + ids.NewUUID().String(),
		ExpiresAt: expiresAt, CreatedAt: testTime, UpdatedAt: testTime.Add(time.Millisecond),
	}
}

// TestVerificationRepository covers what the shared contract does not:
// the unique identifier, exact timestamps, expired rows, and that a
// Consume rolled back with its transaction leaves the secret usable.
func TestVerificationRepository(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		repo := bunstore.NewVerificationRepository(db)
		var ids authntest.IDs

		tests := []struct {
			name string
			run  func(t *testing.T)
		}{
			{"identifier is unique", func(t *testing.T) {
				v := verifFixture(&ids, "reset-password:dup", testTime.Add(time.Hour))
				verifNoErr(t, repo.Create(ctx, v))
				again := verifFixture(&ids, v.Identifier, testTime.Add(2*time.Hour))
				if err := repo.Create(ctx, again); !errors.Is(err, failure.ErrConflict) {
					t.Fatalf("Create with a used identifier = %v, want a conflict", err)
				}
				got, err := repo.Consume(ctx, v.Identifier)
				verifNoErr(t, err)
				if got.ID != v.ID {
					t.Fatalf("Consume = %s, want the first row %s", got.ID, v.ID)
				}
			}},
			{"duplicate id is a conflict", func(t *testing.T) {
				v := verifFixture(&ids, "reset-password:id-1", testTime.Add(time.Hour))
				verifNoErr(t, repo.Create(ctx, v))
				v.Identifier = "reset-password:id-2"
				if err := repo.Create(ctx, v); !errors.Is(err, failure.ErrConflict) {
					t.Fatalf("Create with a used id = %v, want a conflict", err)
				}
			}},
			{"every field survives exactly", func(t *testing.T) {
				v := verifFixture(&ids, "delete-account-exact", testTime.Add(time.Hour))
				verifNoErr(t, repo.Create(ctx, v))
				found, err := repo.Find(ctx, v.Identifier)
				verifNoErr(t, err)
				consumed, err := repo.Consume(ctx, v.Identifier)
				verifNoErr(t, err)
				for name, got := range map[string]identity.Verification{"Find": found, "Consume": consumed} {
					if got != v {
						t.Errorf("%s = %+v, want %+v", name, got, v)
					}
					if got.ExpiresAt.Location() != time.UTC || got.CreatedAt.Location() != time.UTC {
						t.Errorf("%s returned non-UTC times: %v, %v", name, got.ExpiresAt, got.CreatedAt)
					}
				}
			}},
			{"expired rows are returned; the caller decides", func(t *testing.T) {
				v := verifFixture(&ids, "reset-password:old", testTime.Add(-time.Hour))
				verifNoErr(t, repo.Create(ctx, v))
				if _, err := repo.Find(ctx, v.Identifier); err != nil {
					t.Fatalf("Find of an expired row = %v", err)
				}
				got, err := repo.Consume(ctx, v.Identifier)
				verifNoErr(t, err)
				if !got.Expired(testTime) {
					t.Fatalf("Consume = %+v, want the expired row", got)
				}
			}},
			{"not found is the port's failure", func(t *testing.T) {
				if _, err := repo.Find(ctx, "nope"); !errors.Is(err, authn.ErrVerificationNotFound) {
					t.Fatalf("Find = %v, want ErrVerificationNotFound", err)
				}
				if _, err := repo.Consume(ctx, "nope"); !errors.Is(err, authn.ErrVerificationNotFound) {
					t.Fatalf("Consume = %v, want ErrVerificationNotFound", err)
				}
			}},
			{"case-sensitive", func(t *testing.T) {
				v := verifFixture(&ids, "reset-password:AbC", testTime.Add(time.Hour))
				verifNoErr(t, repo.Create(ctx, v))
				if _, err := repo.Consume(ctx, "reset-password:abc"); !errors.Is(err, failure.ErrNotFound) {
					t.Fatalf("Consume with other case = %v, want not found", err)
				}
			}},
			{"a rolled-back Consume leaves the secret", func(t *testing.T) {
				v := verifFixture(&ids, "reset-password:rollback", testTime.Add(time.Hour))
				verifNoErr(t, repo.Create(ctx, v))
				boom := errors.New("boom")
				err := bunstore.NewTxRunner(db).InTx(ctx, func(ctx context.Context) error {
					if _, err := repo.Consume(ctx, v.Identifier); err != nil {
						return err
					}
					if _, err := repo.Find(ctx, v.Identifier); !errors.Is(err, failure.ErrNotFound) {
						t.Errorf("Find inside the transaction after Consume = %v, want not found", err)
					}
					return boom
				})
				if !errors.Is(err, boom) {
					t.Fatalf("InTx = %v, want boom", err)
				}
				got, err := repo.Consume(ctx, v.Identifier)
				verifNoErr(t, err)
				if got.ID != v.ID {
					t.Fatalf("Consume after rollback = %+v", got)
				}
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, tt.run)
		}
	})
}

func verifNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
