package bunstore_test

import (
	"context"
	"errors"
	"maps"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/infrastructure/bunstore"
	"github.com/beep/iam/infrastructure/outbox"
)

// TestSignUpRaceOnOneEmail runs the real sign-up use case on real storage:
// 20 concurrent sign-ups of one address, in different letter cases, end
// with exactly one user and no orphan rows; every loser is told the email is
// taken.
func TestSignUpRaceOnOneEmail(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *bun.DB) {
		r := repos(db)
		policy := authn.DefaultPolicy
		policy.Links.AuthBase = &url.URL{Scheme: "https", Host: "auth.example", Path: "/api/auth"}
		svc := authn.NewService(authn.Deps{
			Clock: authntest.NewClock(time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)), IDs: &authntest.IDs{}, Tokens: &authntest.Tokens{},
			Hasher: &authntest.Hasher{}, Tx: r.Tx, Users: r.Users, Accounts: r.Accounts, Sessions: r.Sessions,
			Organizations: r.Organizations, Verifications: r.Verifications, EmailTokens: &authntest.EmailTokens{},
			Outbox: outbox.NewQueue(bunstore.NewOutboxStore(db), nil), Revoked: &authntest.Revoked{}, FoldAccents: authntest.NoFold,
		}, policy)
		variants := []string{"race@example.com", "RACE@example.com", "Race@Example.COM", "race@EXAMPLE.com"}
		const n = 20
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				email, err := identity.ParseEmail(variants[i%len(variants)])
				if err != nil {
					errs[i] = err
					return
				}
				_, errs[i] = svc.SignUp(context.Background(), authn.SignUpInput{Name: "Racer", Email: email, Password: "correct horse", RememberMe: true})
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, identity.ErrUserAlreadyExists):
				t.Errorf("a losing sign-up failed with %v, want ErrUserAlreadyExists", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d sign-ups won, want exactly 1", won)
		}
		want := map[string]int{"users": 1, "accounts": 1, "sessions": 1, "organizations": 1, "members": 1, "verifications": 0, "invitations": 0}
		if got := countRows(t, db); !maps.Equal(got, want) {
			t.Fatalf("rows = %v, want %v", got, want)
		}
		if n, err := db.NewSelect().TableExpr("outbox").Count(context.Background()); err != nil || n != 1 {
			t.Fatalf("outbox holds %d emails (%v), want the winner's one verification email", n, err)
		}
		u, err := r.Users.ByEmail(context.Background(), "race@example.com")
		if err != nil || strings.ToLower(string(u.Email)) != string(u.Email) {
			t.Fatalf("stored user = %+v, %v", u, err)
		}
	})
}
