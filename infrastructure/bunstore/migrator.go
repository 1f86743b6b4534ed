package bunstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/beep/iam/migrations"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// Migrator applies and rolls back the embedded migrations of the database's
// dialect (module migrations), recording them in bun's bun_migrations
// table, which it creates when missing.
//
// Runs are serialised so that nodes starting together do not race: on
// PostgreSQL a session advisory lock (scoped to the current schema) makes a
// second migrator wait for the first, and the lock dies with its
// connection, so a crashed run never leaves it behind. Inside it, and on
// SQLite, bun's table lock (a row in bun_migration_locks) is taken too, so
// bun's own tooling is kept out; a migrator that finds it held waits up to
// lockWait.
type Migrator struct {
	db       *bun.DB
	migrator *migrate.Migrator
	err      error // from construction, returned by every method
}

// lockWait bounds the wait for bun's table lock. Under the advisory lock it
// is only held by another tool or left by a run that crashed.
const lockWait = time.Minute

// NewMigrator returns a Migrator for db's dialect (PostgreSQL or SQLite).
func NewMigrator(db *bun.DB) *Migrator {
	m := &Migrator{db: db}
	var fsys fs.FS
	switch Dialect(db) {
	case DialectPostgres:
		fsys = migrations.Postgres
	case DialectSQLite:
		fsys = migrations.SQLite
	default:
		m.err = fmt.Errorf("bunstore: no migrations for dialect %q", Dialect(db))
		return m
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(fsys); err != nil {
		m.err = fmt.Errorf("bunstore: load %s migrations: %w", Dialect(db), err)
		return m
	}
	// Mark a migration applied only once it succeeded, so a failed one is
	// retried by the next Up instead of being skipped.
	m.migrator = migrate.NewMigrator(db, ms, migrate.WithMarkAppliedOnSuccess(true))
	return m
}

// Up applies every pending migration, as one group. With nothing pending it
// does nothing.
func (m *Migrator) Up(ctx context.Context) error {
	return m.exclusive(ctx, true, func(ctx context.Context) error {
		if _, err := m.migrator.Migrate(ctx); err != nil {
			return fmt.Errorf("bunstore: migrate up: %w", err)
		}
		return nil
	})
}

// Down rolls back the last group of migrations Up applied. With nothing
// applied it does nothing.
func (m *Migrator) Down(ctx context.Context) error {
	return m.exclusive(ctx, true, func(ctx context.Context) error {
		if _, err := m.migrator.Rollback(ctx); err != nil {
			return fmt.Errorf("bunstore: migrate down: %w", err)
		}
		return nil
	})
}

// MigrationStatus lists migrations by name ("20261128000001_init"), oldest
// first.
type MigrationStatus struct {
	Applied []string
	Pending []string
}

// String renders the status for a terminal: a summary line, then one line
// per migration.
func (s MigrationStatus) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d applied, %d pending", len(s.Applied), len(s.Pending))
	for _, name := range s.Applied {
		b.WriteString("\napplied  " + name)
	}
	for _, name := range s.Pending {
		b.WriteString("\npending  " + name)
	}
	return b.String()
}

// Status reports which migrations are applied and which are pending.
func (m *Migrator) Status(ctx context.Context) (MigrationStatus, error) {
	var status MigrationStatus
	err := m.exclusive(ctx, false, func(ctx context.Context) error {
		ms, err := m.migrator.MigrationsWithStatus(ctx)
		if err != nil {
			return fmt.Errorf("bunstore: migration status: %w", err)
		}
		for _, mig := range ms {
			name := mig.Name
			if mig.Comment != "" {
				name += "_" + mig.Comment
			}
			if mig.IsApplied() {
				status.Applied = append(status.Applied, name)
			} else {
				status.Pending = append(status.Pending, name)
			}
		}
		return nil
	})
	return status, err
}

// Pending counts the migrations Up would apply.
func (m *Migrator) Pending(ctx context.Context) (int, error) {
	status, err := m.Status(ctx)
	return len(status.Pending), err
}

// exclusive runs fn with the migration tables created and, on PostgreSQL,
// the advisory lock held; with tableLock, bun's table lock as well.
func (m *Migrator) exclusive(ctx context.Context, tableLock bool, fn func(ctx context.Context) error) (err error) {
	if m.err != nil {
		return m.err
	}
	// A migration may wait for another node's lock or build an index:
	// the caller's context bounds it, not the per-statement timeout.
	ctx = WithoutQueryTimeout(ctx)
	if Dialect(m.db) == DialectPostgres {
		unlock, err := m.advisoryLock(ctx)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, unlock()) }()
	}
	// Concurrent CREATE TABLE IF NOT EXISTS can fail on PostgreSQL, hence
	// Init under the advisory lock.
	if err := m.migrator.Init(ctx); err != nil {
		return fmt.Errorf("bunstore: create migration tables: %w", err)
	}
	if !tableLock {
		return fn(ctx)
	}
	if err := m.tableLock(ctx); err != nil {
		return err
	}
	defer func() {
		// Release even when ctx has ended, or the next run waits for a
		// lock nobody holds.
		if unlockErr := m.migrator.Unlock(context.WithoutCancel(ctx)); unlockErr != nil {
			err = errors.Join(err, fmt.Errorf("bunstore: release migration lock: %w", unlockErr))
		}
	}()
	return fn(ctx)
}

// migrationLockKey names the advisory lock. It includes the schema, so
// databases that keep one schema per tenant (or per test) migrate in
// parallel.
const migrationLockKey = `hashtextextended('beep-iam-migrations:' || coalesce(current_schema(), ''), 0)`

// advisoryLock waits for the PostgreSQL migration lock on a connection of
// its own and returns the function that releases it.
func (m *Migrator) advisoryLock(ctx context.Context) (func() error, error) {
	conn, err := m.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("bunstore: migration lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock("+migrationLockKey+")"); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("bunstore: wait for migration lock: %w", err)
	}
	return func() error {
		_, err := conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock("+migrationLockKey+")")
		if err != nil {
			// A session lock lives as long as its connection: drop the
			// connection instead of returning it, still locked, to the
			// pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			_ = conn.Close()
			return fmt.Errorf("bunstore: release migration lock: %w", err)
		}
		return conn.Close()
	}, nil
}

// tableLock takes bun's migration lock, polling while another run holds it.
func (m *Migrator) tableLock(ctx context.Context) error {
	deadline := time.Now().Add(lockWait)
	for delay := 50 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		err := m.migrator.Lock(ctx)
		if err == nil {
			return nil
		}
		if violated(err) != uniqueKey && violated(err) != primaryKey {
			return fmt.Errorf("bunstore: take migration lock: %w", err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bunstore: migrations still locked after %v; if no migration is running, a crashed run left the row in bun_migration_locks: delete it", lockWait)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("bunstore: wait for migration lock: %w", ctx.Err())
		case <-time.After(delay):
		}
	}
}
