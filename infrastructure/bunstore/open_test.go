package bunstore_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beep/iam/infrastructure/bunstore"
)

func TestOpenSQLiteCreatesDirectoryAndSetsPragmas(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nested", "deeper")
	db := openDB(t, "sqlite:"+filepath.Join(dir, "iam.db"))

	info, err := os.Stat(dir)
	if err != nil {
		t.Fatalf("Open did not create %s: %v", dir, err)
	}
	if perm := info.Mode().Perm(); perm != 0o700 {
		t.Errorf("directory mode = %o, want 700", perm)
	}
	if got := bunstore.Dialect(db); got != bunstore.DialectSQLite {
		t.Errorf("Dialect = %q, want %q", got, bunstore.DialectSQLite)
	}
	pragmas := []struct{ name, want string }{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"synchronous", "1"}, // NORMAL
	}
	for _, p := range pragmas {
		var got string
		if err := db.NewRaw("PRAGMA "+p.name).Scan(context.Background(), &got); err != nil {
			t.Fatalf("PRAGMA %s: %v", p.name, err)
		}
		if got != p.want {
			t.Errorf("PRAGMA %s = %q, want %q", p.name, got, p.want)
		}
	}
}

func TestOpenSQLiteDefaultPath(t *testing.T) {
	t.Chdir(t.TempDir()) // not parallel: changes the working directory
	for _, u := range []string{"", "sqlite:"} {
		db, err := bunstore.Open(context.Background(), u)
		if err != nil {
			t.Fatalf("Open(%q): %v", u, err)
		}
		_ = db.Close()
		if _, err := os.Stat(bunstore.DefaultSQLitePath); err != nil {
			t.Fatalf("Open(%q) did not create %s: %v", u, bunstore.DefaultSQLitePath, err)
		}
	}
}

func TestOpenRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url string
		wantInErr []string
	}{
		{"unknown scheme", "mysql://root:s3cretpw@localhost/iam", []string{`"mysql"`, "postgres://", "sqlite:PATH"}},
		{"no scheme", "iam.db", []string{"no scheme", "postgres://", "sqlite:PATH"}},
		{"sqlite path with query", "sqlite:/tmp/x.db?mode=ro", []string{"plain file path"}},
		{"malformed postgres URL", "postgres://iam:s3cretpw@localhost:notaport/iam", []string{"invalid PostgreSQL URL"}},
		{"unreachable postgres", "postgres://iam:s3cretpw@127.0.0.1:1/iam?connect_timeout=2", []string{"connect to postgres", "iam"}},
		{"percent-encoded password", "postgres://iam:s3cretpw%2F%40x@127.0.0.1:1/iam?connect_timeout=2", []string{"connect to postgres"}},
		{"password in query", "postgres://127.0.0.1:1/iam?user=iam&password=s3cretpw&connect_timeout=2", []string{"connect to postgres"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db, err := bunstore.Open(context.Background(), tt.url)
			if err == nil {
				_ = db.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tt.url)
			}
			for _, want := range tt.wantInErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Open(%q) error = %q, want it to mention %q", tt.url, err, want)
				}
			}
			if strings.Contains(err.Error(), "s3cretpw") {
				t.Errorf("Open(%q) error leaks the password: %q", tt.url, err)
			}
		})
	}
}

// A URL without sslmode must reach a server that does not offer TLS (pgx
// defaults to "prefer", falling back to plain text).
func TestOpenPostgresWithoutSSLMode(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(postgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Del("sslmode")
	u.RawQuery = q.Encode()
	db := openDB(t, u.String())
	if got := bunstore.Dialect(db); got != bunstore.DialectPostgres {
		t.Errorf("Dialect = %q, want %q", got, bunstore.DialectPostgres)
	}
	var ssl bool
	if err := db.NewRaw("SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)").Scan(context.Background(), &ssl); err != nil {
		t.Fatal(err)
	}
	t.Logf("connected without sslmode; TLS in use: %v", ssl)
}

// Tracing must work without any tracer provider set up (the global no-op).
func TestOpenWithTracing(t *testing.T) {
	t.Parallel()
	db, err := bunstore.Open(context.Background(), freshSQLiteURL(t), bunstore.WithTracing())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	if err := bunstore.NewMigrator(db).Up(context.Background()); err != nil {
		t.Fatalf("migrate with tracing: %v", err)
	}
}
