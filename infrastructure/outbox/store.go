package outbox

import (
	"context"
	"errors"
	"time"
)

// Queued is an email handed to storage by Queue.Enqueue.
type Queued struct {
	// ID is "email__<uuid>". It is also the idempotency key of every
	// delivery attempt of this email.
	ID string
	// Kind and Recipient repeat two fields of the payload in columns of
	// their own, for operators looking for an email.
	Kind      string
	Recipient string
	// Payload is the message in this package's format (JSON text); storage
	// keeps it verbatim.
	Payload string
	// CreatedAt is when the email was queued; it is due at once.
	CreatedAt time.Time
}

// Envelope is an email the dispatcher has claimed: no other claim returns it
// until LeaseUntil, or until the claim is settled (MarkSent, Retry, Dead,
// Release).
type Envelope struct {
	ID      string
	Payload string
	// Attempt counts the delivery attempts of the email, this one included
	// (1 on the first). Each claim increments it, so it is also the fencing
	// token of the claim: Retry, Dead and Release apply only while the
	// stored count still equals it, and a dispatcher whose lease expired
	// cannot overwrite the claim of the one that took the email over.
	Attempt int
	// LeaseUntil is when the claim expires and the email becomes claimable
	// again (at-least-once delivery when a dispatcher dies mid-send).
	LeaseUntil time.Time
}

// ErrLeaseLost reports that a claim can no longer be settled: the email was
// claimed again after the lease expired, or is already sent or dead.
var ErrLeaseLost = errors.New("outbox: claim no longer held")

// Enqueuer stores queued emails: the half of the storage that Queue needs.
type Enqueuer interface {
	// Enqueue inserts q as pending and due at q.CreatedAt. It joins the
	// transaction carried by ctx, when there is one, so the email is stored
	// exactly when the caller's change commits. A duplicate ID is a
	// failure.Conflict. Not idempotent.
	Enqueue(ctx context.Context, q Queued) error
}

// Store is the storage the Dispatcher works on. Several dispatchers, in one
// process or on several nodes, may share one store: a claim hands each
// email to one of them at a time.
type Store interface {
	// Claim takes up to n pending emails due at now (next attempt at or
	// before now) and not under an unexpired lease, earliest due first,
	// leases them until now+lease and counts an attempt for each.
	// Concurrent claims never return the same email.
	Claim(ctx context.Context, now time.Time, n int, lease time.Duration) ([]Envelope, error)
	// MarkSent records that e was delivered: the provider's message id and
	// the time. Any dispatcher's delivery counts, so only ErrLeaseLost
	// when the email is no longer pending (already sent or dead).
	MarkSent(ctx context.Context, e Envelope, providerID string, now time.Time) error
	// Retry ends the claim of e after a failed attempt, keeps errMsg and
	// makes the email due again at next; ErrLeaseLost when e's claim is no
	// longer the current one.
	Retry(ctx context.Context, e Envelope, next time.Time, errMsg string) error
	// Dead ends the claim of e for good: the email is dead-lettered with
	// errMsg and never claimed again; ErrLeaseLost when e's claim is no
	// longer the current one.
	Dead(ctx context.Context, e Envelope, errMsg string) error
	// Release gives e back unsent, uncounting its attempt, so it can be
	// claimed again at once (a dispatcher stopping, or short of lease);
	// ErrLeaseLost when e's claim is no longer the current one.
	Release(ctx context.Context, e Envelope) error
	// Depth counts the pending emails, due or waiting for a retry.
	Depth(ctx context.Context) (int, error)
	// DeadCount counts the dead-lettered emails.
	DeadCount(ctx context.Context) (int, error)
}
