package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/extra/bunotel"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// DefaultSQLitePath is where the database lives when the URL is empty or
// just "sqlite:".
const DefaultSQLitePath = "./data/iam.db"

// Dialect names returned by Dialect.
const (
	DialectPostgres = "postgres"
	DialectSQLite   = "sqlite"
)

// Pool limits for PostgreSQL. Every node opens its own pool, so the default
// stays well below PostgreSQL's default max_connections (100) for a few
// nodes plus migrations and admin sessions.
const (
	defaultMaxOpenConns = 20
	// minMaxOpenConns leaves the migrator one connection for its advisory
	// lock and one to run the migrations on.
	minMaxOpenConns = 2
	connMaxIdleTime = 5 * time.Minute
	// connMaxLifetime recycles connections so that a fail-over or a
	// PgBouncer/DNS change is picked up without a restart.
	connMaxLifetime = 30 * time.Minute
	// defaultConnectTimeout bounds a PostgreSQL connection attempt when
	// neither the URL (connect_timeout) nor WithConnectTimeout says: an
	// unreachable host then fails a request instead of hanging it.
	defaultConnectTimeout = 5 * time.Second
)

// Option tunes Open.
type Option func(*options)

type options struct {
	tracing        bool
	maxOpenConns   int
	connectTimeout time.Duration
	queryTimeout   time.Duration
}

// WithTracing adds an OpenTelemetry span (bunotel) to every query, using the
// global tracer and meter providers.
func WithTracing() Option {
	return func(o *options) { o.tracing = true }
}

// WithMaxOpenConns sets the PostgreSQL pool size (default 20, at least 2).
// SQLite ignores it: it always has one connection.
func WithMaxOpenConns(n int) Option {
	return func(o *options) { o.maxOpenConns = max(n, minMaxOpenConns) }
}

// WithConnectTimeout bounds each PostgreSQL connection attempt (TCP, TLS
// and start-up), unless the URL's connect_timeout (or PGCONNECT_TIMEOUT)
// says otherwise. The
// default is 5 s. SQLite ignores it.
func WithConnectTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.connectTimeout = d
		}
	}
}

// WithQueryTimeout bounds every statement built by bun's query builders,
// waiting for a pooled connection included, to d, unless the caller's
// context ends sooner (see queryTimeoutHook). With PostgreSQL down or
// overloaded, a request then fails with failure.Unavailable within d
// instead of waiting for the pool. Migrations are exempt. 0 (the default)
// adds no bound.
func WithQueryTimeout(d time.Duration) Option {
	return func(o *options) { o.queryTimeout = max(d, 0) }
}

// Open connects to the database named by databaseURL and pings it:
//
//   - postgres://… or postgresql://… is PostgreSQL through pgx. Without
//     sslmode, pgx's libpq-like default "prefer" applies: TLS when the server
//     offers it, plain text otherwise.
//   - sqlite:PATH (relative or absolute) is SQLite at PATH; an empty URL or
//     "sqlite:" means DefaultSQLitePath. The parent directory is created
//     (0700); the connection runs in WAL mode with foreign keys on.
//
// Error messages never contain the password of the URL.
func Open(ctx context.Context, databaseURL string, opts ...Option) (*bun.DB, error) {
	o := options{maxOpenConns: defaultMaxOpenConns, connectTimeout: defaultConnectTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	var (
		db     *bun.DB
		dbName string
		err    error
	)
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		db, dbName, err = openPostgres(databaseURL, o)
	case databaseURL == "" || strings.HasPrefix(databaseURL, "sqlite:"):
		db, dbName, err = openSQLite(strings.TrimPrefix(databaseURL, "sqlite:"))
	default:
		const forms = "use postgres://…, postgresql://… or sqlite:PATH"
		scheme, _, ok := strings.Cut(databaseURL, ":")
		if !ok {
			return nil, errors.New("bunstore: database URL has no scheme: " + forms)
		}
		return nil, fmt.Errorf("bunstore: unsupported database URL scheme %q: %s", scheme, forms)
	}
	if err != nil {
		return nil, err
	}
	if o.queryTimeout > 0 {
		// First, so that every later hook (tracing) sees the bounded
		// context.
		db.AddQueryHook(queryTimeoutHook{timeout: o.queryTimeout})
		queryTimeouts.Store(db, o.queryTimeout)
	}
	if o.tracing {
		db.AddQueryHook(bunotel.NewQueryHook(bunotel.WithDBName(dbName)))
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("bunstore: connect to %s database %q: %w", Dialect(db), dbName, &scrubbedError{scrub(err.Error(), databaseURL), err})
	}
	return db, nil
}

func openPostgres(databaseURL string, o options) (*bun.DB, string, error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		// pgx's message quotes the URL with the password masked on a best
		// effort; scrubbing again guarantees it, and the cause is not kept
		// because pgconn.ParseConfigError carries the raw URL.
		return nil, "", errors.New("bunstore: invalid PostgreSQL URL: " + scrub(err.Error(), databaseURL))
	}
	// bun formats every query with its arguments inlined, so there is
	// nothing to gain from prepared statements: pgx would prepare (and
	// cache) each distinct text. The simple protocol is one round trip.
	if !urlSets(databaseURL, "default_query_exec_mode") {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	}
	if cfg.ConnectTimeout == 0 { // neither connect_timeout nor PGCONNECT_TIMEOUT
		cfg.ConnectTimeout = o.connectTimeout
	}
	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(o.maxOpenConns)
	sqldb.SetMaxIdleConns(o.maxOpenConns)
	sqldb.SetConnMaxIdleTime(connMaxIdleTime)
	sqldb.SetConnMaxLifetime(connMaxLifetime)
	return bun.NewDB(sqldb, pgdialect.New()), cfg.Database, nil
}

// sqlitePragmas are applied by the driver on every new connection: a
// writer waits up to 5 s for the lock instead of failing at once, foreign
// keys are enforced (SQLite's default is off), WAL lets readers in other
// processes work beside the writer, and synchronous=NORMAL is durable
// enough in WAL mode (a power cut may lose the last commits, never
// corrupt). _txlock=immediate makes BEGIN take the write lock up front, so
// two read-then-write transactions never deadlock on lock upgrade.
const sqlitePragmas = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"

func openSQLite(path string) (*bun.DB, string, error) {
	if path == "" {
		path = DefaultSQLitePath
	}
	// The driver reads everything after "?" as parameters and "file:" as a
	// URI; a path must be a plain path.
	if strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") {
		return nil, "", fmt.Errorf("bunstore: SQLite path %q must be a plain file path (no '?', '#' or 'file:')", path)
	}
	path = filepath.Clean(path)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, "", fmt.Errorf("bunstore: create SQLite directory: %w", err)
	}
	sqldb, err := sql.Open("sqlite", path+"?"+sqlitePragmas)
	if err != nil {
		return nil, "", fmt.Errorf("bunstore: open SQLite %q: %w", path, err)
	}
	// One connection: SQLite has a single writer anyway, and one
	// connection turns what would be SQLITE_BUSY between our own
	// connections into waiting in database/sql's pool, which honours
	// contexts. It also keeps a transaction and the statements of its
	// function on the same connection by construction. Reads queue behind
	// writes; that is the price of the embedded default.
	sqldb.SetMaxOpenConns(1)
	sqldb.SetMaxIdleConns(1)
	sqldb.SetConnMaxLifetime(0)
	sqldb.SetConnMaxIdleTime(0)
	return bun.NewDB(sqldb, sqlitedialect.New()), filepath.Base(path), nil
}

// Dialect names the database behind db: DialectPostgres or DialectSQLite
// (or bun's name for anything else).
func Dialect(db *bun.DB) string {
	switch db.Dialect().Name() {
	case dialect.PG:
		return DialectPostgres
	case dialect.SQLite:
		return DialectSQLite
	default:
		return db.Dialect().Name().String()
	}
}

// urlSets reports whether the query string of rawURL has key.
func urlSets(rawURL, key string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && u.Query().Has(key)
}

// scrubbedError is a driver error whose message has been scrubbed of the
// password. The cause stays reachable for errors.Is (a deadline, say).
type scrubbedError struct {
	msg   string
	cause error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.cause }

// scrub replaces every form of the URL's password in msg.
func scrub(msg, rawURL string) string {
	for _, secret := range passwordsIn(rawURL) {
		msg = strings.ReplaceAll(msg, secret, "xxxxx")
	}
	return msg
}

// passwordsIn finds the passwords of a connection URL: the userinfo one
// (found by hand, so that a URL too broken for url.Parse is covered too)
// and password= query parameters, raw and decoded.
func passwordsIn(rawURL string) []string {
	var out []string
	add := func(s string) {
		if s == "" {
			return
		}
		out = append(out, s)
		if dec, err := url.PathUnescape(s); err == nil && dec != s {
			out = append(out, dec)
		}
	}
	if _, rest, ok := strings.Cut(rawURL, "://"); ok {
		authority, _, _ := strings.Cut(rest, "/")
		if at := strings.LastIndex(authority, "@"); at >= 0 {
			if _, pw, ok := strings.Cut(authority[:at], ":"); ok {
				add(pw)
			}
		}
	}
	if _, query, ok := strings.Cut(rawURL, "?"); ok {
		for pair := range strings.SplitSeq(query, "&") {
			if k, v, _ := strings.Cut(pair, "="); k == "password" || k == "sslpassword" {
				add(v)
			}
		}
	}
	return out
}
