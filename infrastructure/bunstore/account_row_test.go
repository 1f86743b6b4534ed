package bunstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/infrastructure/bunstore"
	"github.com/uptrace/bun"
)

// TestAccountAbsentValuesAreNull checks the columns themselves, as
// better-auth reads them from a shared database: a token, scope, password
// or expiry that is absent is NULL (not "" or a zero date), after Create and
// after UpdateTokens clears it, and present ones are stored as given.
func TestAccountAbsentValuesAreNull(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		ids := &authntest.IDs{}
		accounts := bunstore.NewAccountRepository(db)
		u := identity.NewUser(identity.NewUserID(ids.NewUUID()), "Nora", "nora@example.com", nil, testTime)
		if err := bunstore.NewUserRepository(db).Create(ctx, u); err != nil {
			t.Fatalf("create user: %v", err)
		}
		a := identity.Account{ID: identity.NewAccountID(ids.NewUUID()), UserID: u.ID, ProviderID: "github", ProviderAccountID: "42",
			CreatedAt: testTime, UpdatedAt: testTime}
		if err := accounts.Create(ctx, a); err != nil {
			t.Fatalf("Create: %v", err)
		}
		allNull := []string{"password", "scope", "access_token", "refresh_token", "id_token", "access_token_expires_at", "refresh_token_expires_at"}
		wantNull(t, db, a.ID, "after Create without tokens", allNull, nil)

		a.AccessToken, a.RefreshToken, a.IDToken, a.Scope = "at", "rt", "it", "read:user"
		a.AccessTokenExpiresAt, a.RefreshTokenExpiresAt, a.UpdatedAt = testTime.Add(time.Hour), testTime.Add(time.Hour), testTime.Add(time.Minute)
		if err := accounts.UpdateTokens(ctx, a); err != nil {
			t.Fatalf("UpdateTokens: %v", err)
		}
		wantNull(t, db, a.ID, "after UpdateTokens setting all", []string{"password"}, allNull[1:])

		a.AccessToken, a.RefreshToken, a.IDToken, a.Scope = "", "", "", ""
		a.AccessTokenExpiresAt, a.RefreshTokenExpiresAt = time.Time{}, time.Time{}
		if err := accounts.UpdateTokens(ctx, a); err != nil {
			t.Fatalf("UpdateTokens: %v", err)
		}
		wantNull(t, db, a.ID, "after UpdateTokens clearing all", allNull, nil)
	})
}

// wantNull fails unless each of null is NULL and each of set is not in the
// accounts row with that id.
func wantNull(t *testing.T, db *bun.DB, id identity.AccountID, when string, null, set []string) {
	t.Helper()
	for _, c := range []struct {
		columns []string
		is      string
	}{{null, "IS NULL"}, {set, "IS NOT NULL"}} {
		for _, col := range c.columns {
			n, err := db.NewSelect().TableExpr("accounts").Where("id = ?", string(id)).Where("? "+c.is, bun.Ident(col)).Count(context.Background())
			if err != nil {
				t.Fatalf("%s: count rows where %s %s: %v", when, col, c.is, err)
			}
			if n != 1 {
				t.Errorf("%s: want %s %s", when, col, c.is)
			}
		}
	}
}
