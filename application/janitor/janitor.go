// Package janitor removes rows that can no longer serve anyone: expired
// sessions, expired verification tokens, sent emails past their retention,
// and pending invitations past their expiry. It is safe to run on every
// node at once: each sweep is a set of idempotent deletes by predicate
// (a row two nodes both pick is deleted once, the other delete finds
// nothing), done in bounded batches so no sweep holds long locks.
//
// Expired pending invitations are deleted, not marked: they can never be
// accepted, a resend of a lapsed invitation creates a fresh one anyway,
// and the schema has no "expired" status ("canceled" would report an
// action nobody took). Accepted, rejected and canceled invitations are
// history and stay. Dead outbox rows stay too: they are the evidence an
// operator needs.
package janitor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Store deletes what has lapsed, at most limit rows per call, and returns
// how many it deleted. Every method is idempotent and safe to call
// concurrently from many nodes. Errors are storage failures (e.g.
// failure.Unavailable).
type Store interface {
	// DeleteExpiredSessions deletes sessions whose expiry is before now.
	DeleteExpiredSessions(ctx context.Context, now time.Time, limit int) (int, error)
	// DeleteExpiredVerifications deletes verification rows (reset, state,
	// email change tokens) whose expiry is before now.
	DeleteExpiredVerifications(ctx context.Context, now time.Time, limit int) (int, error)
	// DeleteSentEmails deletes outbox rows sent before before; pending and
	// dead rows are kept.
	DeleteSentEmails(ctx context.Context, before time.Time, limit int) (int, error)
	// DeleteExpiredInvitations deletes pending invitations whose expiry is
	// before now.
	DeleteExpiredInvitations(ctx context.Context, now time.Time, limit int) (int, error)
}

// Policy is what a sweep keeps.
type Policy struct {
	// OutboxRetention is how long sent emails are kept.
	OutboxRetention time.Duration
	// BatchSize is the most rows one delete statement removes (default
	// 500); a sweep repeats a delete until it removes fewer.
	BatchSize int
}

// DefaultBatchSize is Policy.BatchSize's default.
const DefaultBatchSize = 500

// Janitor sweeps a Store.
type Janitor struct {
	store  Store
	policy Policy
	now    func() time.Time
}

// New returns a Janitor; now tells the time.
func New(store Store, policy Policy, now func() time.Time) *Janitor {
	if policy.BatchSize <= 0 {
		policy.BatchSize = DefaultBatchSize
	}
	return &Janitor{store: store, policy: policy, now: now}
}

// Report counts what one sweep deleted.
type Report struct {
	Sessions      int
	Verifications int
	SentEmails    int
	Invitations   int
}

// Total is the number of rows deleted.
func (r Report) Total() int { return r.Sessions + r.Verifications + r.SentEmails + r.Invitations }

// Sweep runs every cleanup once. A failing cleanup does not stop the
// others; the error joins every failure, and the report counts what was
// deleted anyway. It stops early when ctx ends.
func (j *Janitor) Sweep(ctx context.Context) (Report, error) {
	now := j.now()
	var (
		r    Report
		errs []error
	)
	tasks := []struct {
		name  string
		count *int
		run   func(context.Context, time.Time, int) (int, error)
		at    time.Time
	}{
		{"expired sessions", &r.Sessions, j.store.DeleteExpiredSessions, now},
		{"expired verifications", &r.Verifications, j.store.DeleteExpiredVerifications, now},
		{"sent emails", &r.SentEmails, j.store.DeleteSentEmails, now.Add(-j.policy.OutboxRetention)},
		{"expired invitations", &r.Invitations, j.store.DeleteExpiredInvitations, now},
	}
	for _, t := range tasks {
		for {
			if err := ctx.Err(); err != nil {
				return r, errors.Join(append(errs, err)...)
			}
			n, err := t.run(ctx, t.at, j.policy.BatchSize)
			*t.count += n
			if err != nil {
				errs = append(errs, fmt.Errorf("janitor: delete %s: %w", t.name, err))
				break
			}
			if n < j.policy.BatchSize {
				break
			}
		}
	}
	return r, errors.Join(errs...)
}
