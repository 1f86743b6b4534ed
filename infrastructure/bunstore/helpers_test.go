package bunstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/infrastructure/bunstore"
	"github.com/uptrace/bun"
)

// PostgreSQL tests need a throwaway server: IAM_TEST_POSTGRES_URL is a
// superuser URL to it. Without it they skip, unless
// IAM_TEST_REQUIRE_POSTGRES=1 (set by make test), so CI never passes by
// skipping.
const (
	postgresURLEnv     = "IAM_TEST_POSTGRES_URL"
	requirePostgresEnv = "IAM_TEST_REQUIRE_POSTGRES"
)

func postgresURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv(postgresURLEnv)
	if u == "" {
		if os.Getenv(requirePostgresEnv) == "1" {
			t.Fatalf("%s is not set but %s=1: PostgreSQL tests must run", postgresURLEnv, requirePostgresEnv)
		}
		t.Skipf("PostgreSQL tests skipped: set %s to a superuser URL of a throwaway server", postgresURLEnv)
	}
	return u
}

// pgAdmin is one pool on the test server shared by every test, used to
// create and drop the per-test schemas.
var pgAdmin = sync.OnceValues(func() (*bun.DB, error) {
	return bunstore.Open(context.Background(), os.Getenv(postgresURLEnv), bunstore.WithMaxOpenConns(4))
})

// freshPostgresURL creates an empty schema, dropped when the test ends, and
// returns a URL whose connections work in it (search_path). A schema is far
// cheaper than a database and isolates just as well: every table, index and
// bun's migration tables live in it.
func freshPostgresURL(t *testing.T) string {
	t.Helper()
	base := postgresURL(t)
	admin, err := pgAdmin()
	if err != nil {
		t.Fatalf("open PostgreSQL admin pool: %v", err)
	}
	schema := "t_" + randomHex(t, 8)
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", postgresURLEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func freshSQLiteURL(t *testing.T) string {
	t.Helper()
	return "sqlite:" + filepath.Join(t.TempDir(), "iam.db")
}

// openDB opens url and closes the pool when the test ends.
func openDB(t *testing.T, url string) *bun.DB {
	t.Helper()
	db, err := bunstore.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func migrated(t *testing.T, db *bun.DB) *bun.DB {
	t.Helper()
	if err := bunstore.NewMigrator(db).Up(context.Background()); err != nil {
		t.Fatalf("migrate up: %v", err)
	}
	return db
}

// dialects are the databases every dialect-generic test runs against;
// freshURL returns the URL of a fresh, empty, unmigrated database.
// available skips (or fails) the test when the dialect cannot run here.
type dialect struct {
	name      string
	freshURL  func(t *testing.T) string
	available func(t *testing.T)
}

var dialects = []dialect{
	{"sqlite", freshSQLiteURL, func(*testing.T) {}},
	{"postgres", freshPostgresURL, func(t *testing.T) { postgresURL(t) }},
}

// forEachDialect runs test in parallel subtests, one per dialect, each on a
// fresh migrated database.
func forEachDialect(t *testing.T, test func(t *testing.T, db *bun.DB)) {
	t.Helper()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			d.available(t)
			test(t, migrated(t, openDB(t, d.freshURL(t))))
		})
	}
}

func repos(db *bun.DB) authntest.Repos {
	return authntest.Repos{
		Tx:            bunstore.NewTxRunner(db),
		Users:         bunstore.NewUserRepository(db),
		Accounts:      bunstore.NewAccountRepository(db),
		Sessions:      bunstore.NewSessionRepository(db),
		Organizations: bunstore.NewOrganizationRepository(db),
		Verifications: bunstore.NewVerificationRepository(db),
	}
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// countRows returns the number of rows in each application table.
func countRows(t *testing.T, db *bun.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"users", "accounts", "sessions", "organizations", "members", "verifications", "invitations"} {
		n, err := db.NewSelect().TableExpr(table).Count(context.Background())
		if err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}
