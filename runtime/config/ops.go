package config

import "time"

// Ops holds the operational settings: how long a request may wait on the
// database before it is answered 503, and the janitor's schedule.
type Ops struct {
	// DatabaseConnectTimeout bounds each PostgreSQL connection attempt
	// (DATABASE_CONNECT_TIMEOUT; a connect_timeout in DATABASE_URL wins).
	DatabaseConnectTimeout time.Duration
	// DatabaseQueryTimeout bounds each statement, the wait for a pooled
	// connection included (DATABASE_QUERY_TIMEOUT; 0 = off). Migrations
	// are exempt.
	DatabaseQueryTimeout time.Duration
	// JanitorInterval is the mean time between two janitor sweeps
	// (JANITOR_INTERVAL; 0 = no janitor on this node). Each wait is
	// jittered by ±20 %.
	JanitorInterval time.Duration
	// OutboxRetention is how long a sent email's outbox row is kept
	// (JANITOR_OUTBOX_RETENTION), for support and audit.
	OutboxRetention time.Duration
}

// opsDefaults are the defaults of Ops, merged into defaults.
var opsDefaults = map[string]any{
	"DATABASE_CONNECT_TIMEOUT": "1",
	"DATABASE_QUERY_TIMEOUT":   "2",
	"JANITOR_INTERVAL":         "600",
	"JANITOR_OUTBOX_RETENTION": "604800",
}

func init() {
	for k, v := range opsDefaults {
		defaults[k] = v
	}
}

// ops reads Ops.
func (r *reader) ops() Ops {
	return Ops{
		DatabaseConnectTimeout: r.seconds("DATABASE_CONNECT_TIMEOUT"),
		DatabaseQueryTimeout:   r.secondsOrZero("DATABASE_QUERY_TIMEOUT"),
		JanitorInterval:        r.secondsOrZero("JANITOR_INTERVAL"),
		OutboxRetention:        r.seconds("JANITOR_OUTBOX_RETENTION"),
	}
}
