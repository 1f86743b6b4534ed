package bunstore_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/beep/iam/infrastructure/bunstore"
	"github.com/uptrace/bun"
)

var appTables = []string{"accounts", "invitations", "members", "organizations", "sessions", "users", "verifications"}

// tablesIn lists the application tables that exist in db (in the current
// schema on PostgreSQL).
func tablesIn(t *testing.T, db *bun.DB) []string {
	t.Helper()
	query := "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
	if bunstore.Dialect(db) == bunstore.DialectSQLite {
		query = "SELECT name FROM sqlite_master WHERE type = 'table'"
	}
	var names []string
	if err := db.NewRaw(query).Scan(context.Background(), &names); err != nil {
		t.Fatalf("list tables: %v", err)
	}
	var out []string
	for _, n := range names {
		if slices.Contains(appTables, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

func wantStatus(t *testing.T, m *bunstore.Migrator, applied, pending int) {
	t.Helper()
	st, err := m.Status(context.Background())
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if len(st.Applied) != applied || len(st.Pending) != pending {
		t.Fatalf("Status = %d applied, %d pending, want %d, %d:\n%s", len(st.Applied), len(st.Pending), applied, pending, st)
	}
	n, err := m.Pending(context.Background())
	if err != nil || n != pending {
		t.Fatalf("Pending() = %d, %v; want %d", n, err, pending)
	}
}

func TestMigrateUpDownUp(t *testing.T) {
	t.Parallel()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			d.available(t)
			ctx := context.Background()
			db := openDB(t, d.freshURL(t))
			m := bunstore.NewMigrator(db)

			st, err := m.Status(ctx)
			if err != nil {
				t.Fatalf("Status on a fresh database: %v", err)
			}
			if len(st.Applied) != 0 || len(st.Pending) == 0 || st.Pending[0] != "20261128000001_init" {
				t.Fatalf("fresh Status = %+v, want nothing applied and 20261128000001_init first pending", st)
			}
			total := len(st.Pending)

			steps := []struct {
				name       string
				run        func(context.Context) error
				wantTables []string
				applied    int
			}{
				{"up", m.Up, appTables, total},
				{"up again is a no-op", m.Up, appTables, total},
				{"down", m.Down, nil, 0},
				{"down with nothing applied", m.Down, nil, 0},
				{"up after down", m.Up, appTables, total},
			}
			for _, step := range steps {
				if err := step.run(ctx); err != nil {
					t.Fatalf("%s: %v", step.name, err)
				}
				if got := tablesIn(t, db); !slices.Equal(got, step.wantTables) {
					t.Fatalf("after %s: tables = %v, want %v", step.name, got, step.wantTables)
				}
				wantStatus(t, m, step.applied, total-step.applied)
			}
			if s := st.String(); !strings.Contains(s, "pending  20261128000001_init") {
				t.Errorf("MigrationStatus.String() = %q, want a line per migration", s)
			}
		})
	}
}

func TestMigrateUpConcurrently(t *testing.T) {
	t.Parallel()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			d.available(t)
			ctx := context.Background()
			url := d.freshURL(t)
			// Two pools on one database, as two nodes would have.
			db, other := openDB(t, url), openDB(t, url)
			const runners = 4
			var wg sync.WaitGroup
			errs := make([]error, runners)
			for i := range runners {
				pool := db
				if i%2 == 1 {
					pool = other
				}
				wg.Go(func() { errs[i] = bunstore.NewMigrator(pool).Up(ctx) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("migrator %d: Up: %v", i, err)
				}
			}
			var applied int
			if err := db.NewRaw("SELECT count(*) FROM bun_migrations").Scan(ctx, &applied); err != nil {
				t.Fatalf("count applied migrations: %v", err)
			}
			st, err := bunstore.NewMigrator(db).Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if applied != len(st.Applied) || len(st.Pending) != 0 {
				t.Fatalf("bun_migrations has %d rows, status %+v: want each migration applied once", applied, st)
			}
			var locks int
			if err := db.NewRaw("SELECT count(*) FROM bun_migration_locks").Scan(ctx, &locks); err != nil || locks != 0 {
				t.Fatalf("bun_migration_locks has %d rows (%v), want 0 after the runs", locks, err)
			}
		})
	}
}
