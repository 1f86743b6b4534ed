package bunstore_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/beep/iam/application/janitor"
	"github.com/beep/iam/infrastructure/bunstore"
)

// TestJanitorStore seeds one live and some lapsed rows per table, sweeps
// from several "nodes" at once, and checks that exactly the lapsed rows
// went: expired sessions, verifications and pending invitations, and sent
// emails past the retention; never pending or dead emails, answered
// invitations, or anything still valid.
func TestJanitorStore(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Millisecond)
		long, short := now.Add(-30*24*time.Hour), now.Add(-time.Minute)
		later := now.Add(time.Hour)
		exec := func(query string, args ...any) {
			t.Helper()
			if _, err := db.ExecContext(ctx, query, args...); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		}
		exec("INSERT INTO users (id, name, email, created_at, updated_at) VALUES ('user__1', 'A', 'a@example.com', ?, ?)", long, long)
		exec("INSERT INTO organizations (id, name, slug, type, created_at, updated_at) VALUES ('organization__1', 'O', 'o', 'team', ?, ?)", long, long)
		session := func(id string, expires time.Time) {
			exec("INSERT INTO sessions (id, token, user_id, expires_at, created_at, updated_at) VALUES (?, ?, 'user__1', ?, ?, ?)", id, id, expires, long, long)
		}
		verification := func(id string, expires time.Time) {
			exec("INSERT INTO verifications (id, identifier, value, expires_at, created_at, updated_at) VALUES (?, ?, 'v', ?, ?, ?)", id, id, expires, long, long)
		}
		invitation := func(id, status string, expires time.Time) {
			exec("INSERT INTO invitations (id, organization_id, email, role, inviter_id, status, expires_at, created_at) VALUES (?, 'organization__1', ?, 'member', 'user__1', ?, ?, ?)", id, id+"@example.com", status, expires, long)
		}
		email := func(id, status string, sentAt *time.Time) {
			exec("INSERT INTO outbox (id, kind, recipient, payload, status, next_attempt_at, created_at, sent_at) VALUES (?, 'verification', 'a@example.com', '{}', ?, ?, ?, ?)", id, status, long, long, sentAt)
		}
		for i := range 7 { // more than a batch
			session("session__old"+string(rune('a'+i)), short)
		}
		session("session__live", later)
		verification("verification__old", short)
		verification("verification__live", later)
		invitation("invitation__old", "pending", short)
		invitation("invitation__live", "pending", later)
		invitation("invitation__answered", "accepted", short)
		recent := now.Add(-24 * time.Hour)
		email("email__old", "sent", &long)
		email("email__recent", "sent", &recent)
		email("email__pending", "pending", nil)
		email("email__dead", "dead", nil)

		store := bunstore.NewJanitorStore(db)
		policy := janitor.Policy{OutboxRetention: 7 * 24 * time.Hour, BatchSize: 3}
		var (
			mu    sync.Mutex
			total janitor.Report
			wg    sync.WaitGroup
		)
		for range 3 {
			wg.Go(func() {
				r, err := janitor.New(store, policy, func() time.Time { return now }).Sweep(ctx)
				if err != nil {
					t.Errorf("Sweep: %v", err)
				}
				mu.Lock()
				total.Sessions += r.Sessions
				total.Verifications += r.Verifications
				total.SentEmails += r.SentEmails
				total.Invitations += r.Invitations
				mu.Unlock()
			})
		}
		wg.Wait()
		want := janitor.Report{Sessions: 7, Verifications: 1, SentEmails: 1, Invitations: 1}
		if total != want {
			t.Errorf("three concurrent sweeps deleted %+v in all, want %+v (each row once)", total, want)
		}
		left := map[string][]string{}
		for _, table := range []string{"sessions", "verifications", "invitations", "outbox"} {
			var ids []string
			if err := db.NewSelect().TableExpr(table).Column("id").Order("id").Scan(ctx, &ids); err != nil {
				t.Fatal(err)
			}
			left[table] = ids
		}
		wantLeft := map[string][]string{
			"sessions":      {"session__live"},
			"verifications": {"verification__live"},
			"invitations":   {"invitation__answered", "invitation__live"},
			"outbox":        {"email__dead", "email__pending", "email__recent"},
		}
		for table, ids := range wantLeft {
			if got := left[table]; !slices.Equal(got, ids) {
				t.Errorf("%s left %v, want %v", table, got, ids)
			}
		}
	})
}
