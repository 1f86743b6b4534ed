// Package outboxtest provides test doubles for package outbox: an
// in-memory Store, a recording Transport whose failures and pauses a test
// scripts, a trivial renderer, and the suites every Store implementation
// must pass (RunStoreContract) and the dispatcher scenarios run against
// each of them (RunDispatcherSuite).
package outboxtest

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/infrastructure/outbox"
)

// Storage is a complete outbox store: the half Queue writes to and the
// half the Dispatcher works on.
type Storage interface {
	outbox.Enqueuer
	outbox.Store
}

// Row is the stored state of one email, as a test inspects it.
type Row struct {
	ID            string
	Kind          string
	Recipient     string
	Payload       string
	Status        string // pending, sent or dead
	Attempts      int
	NextAttemptAt time.Time
	LockedUntil   *time.Time
	LastError     string
	ProviderID    string
	CreatedAt     time.Time
	SentAt        *time.Time
}

// Statuses of a Row.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusDead    = "dead"
)

// MemoryStore is an outbox Storage in memory, safe for concurrent use. It
// has no transactions: Enqueue stores at once.
type MemoryStore struct {
	mu   sync.Mutex
	rows map[string]*Row
}

var _ Storage = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{rows: map[string]*Row{}}
}

// Enqueue implements outbox.Enqueuer.
func (s *MemoryStore) Enqueue(_ context.Context, q outbox.Queued) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.rows[q.ID]; ok {
		return failure.New(failure.Conflict, "", "enqueue email: already exists")
	}
	s.rows[q.ID] = &Row{
		ID: q.ID, Kind: q.Kind, Recipient: q.Recipient, Payload: q.Payload, Status: StatusPending,
		NextAttemptAt: q.CreatedAt, CreatedAt: q.CreatedAt,
	}
	return nil
}

// Claim implements outbox.Store.
func (s *MemoryStore) Claim(_ context.Context, now time.Time, n int, lease time.Duration) ([]outbox.Envelope, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []*Row
	for _, r := range s.rows {
		if r.Status == StatusPending && !r.NextAttemptAt.After(now) && (r.LockedUntil == nil || !r.LockedUntil.After(now)) {
			due = append(due, r)
		}
	}
	slices.SortFunc(due, func(a, b *Row) int {
		return cmp.Or(a.NextAttemptAt.Compare(b.NextAttemptAt), cmp.Compare(a.ID, b.ID))
	})
	// Microseconds, as the SQL stores keep them.
	until := now.Add(lease).Truncate(time.Microsecond)
	out := []outbox.Envelope{}
	for _, r := range due[:min(n, len(due))] {
		r.Attempts++
		r.LockedUntil = &until
		out = append(out, outbox.Envelope{ID: r.ID, Payload: r.Payload, Attempt: r.Attempts, LeaseUntil: until})
	}
	return out, nil
}

// held returns the row of e while e's claim is the current one.
func (s *MemoryStore) held(e outbox.Envelope) (*Row, error) {
	r, ok := s.rows[e.ID]
	if !ok || r.Status != StatusPending || r.Attempts != e.Attempt {
		return nil, outbox.ErrLeaseLost
	}
	return r, nil
}

// MarkSent implements outbox.Store.
func (s *MemoryStore) MarkSent(_ context.Context, e outbox.Envelope, providerID string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rows[e.ID]
	if !ok || r.Status != StatusPending {
		return outbox.ErrLeaseLost
	}
	r.Status, r.ProviderID, r.LockedUntil = StatusSent, providerID, nil
	sent := now.Truncate(time.Microsecond)
	r.SentAt = &sent
	return nil
}

// Retry implements outbox.Store.
func (s *MemoryStore) Retry(_ context.Context, e outbox.Envelope, next time.Time, errMsg string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.held(e)
	if err != nil {
		return err
	}
	r.NextAttemptAt, r.LockedUntil, r.LastError = next.Truncate(time.Microsecond), nil, errMsg
	return nil
}

// Dead implements outbox.Store.
func (s *MemoryStore) Dead(_ context.Context, e outbox.Envelope, errMsg string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.held(e)
	if err != nil {
		return err
	}
	r.Status, r.LockedUntil, r.LastError = StatusDead, nil, errMsg
	return nil
}

// Release implements outbox.Store.
func (s *MemoryStore) Release(_ context.Context, e outbox.Envelope) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.held(e)
	if err != nil {
		return err
	}
	r.Attempts--
	r.LockedUntil = nil
	return nil
}

// Depth implements outbox.Store.
func (s *MemoryStore) Depth(context.Context) (int, error) { return s.count(StatusPending), nil }

// DeadCount implements outbox.Store.
func (s *MemoryStore) DeadCount(context.Context) (int, error) { return s.count(StatusDead), nil }

func (s *MemoryStore) count(status string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.rows {
		if r.Status == status {
			n++
		}
	}
	return n
}

// IDs returns the ids of every stored email, sorted.
func (s *MemoryStore) IDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.rows))
	for id := range s.rows {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Row returns a copy of the row with that id, and whether it exists.
func (s *MemoryStore) Row(id string) (Row, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rows[id]
	if !ok {
		return Row{}, false
	}
	return *r, true
}
