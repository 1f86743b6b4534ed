package mailer

import (
	"context"
	"errors"
	"strconv"
	"sync"
)

// Memory is the test transport: it keeps every email it accepts. Like
// Resend, it delivers an email once per idempotency key: a second Send with
// a key it has seen returns the first id and records nothing. It is safe
// for concurrent use.
type Memory struct {
	mu      sync.Mutex
	sent    []Email
	ids     map[string]string // idempotency key → provider id
	changed chan struct{}     // closed and replaced on every delivery
	failN   int
	failErr error
}

var _ Transport = (*Memory)(nil)

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{ids: map[string]string{}, changed: make(chan struct{})}
}

// errInjected is what FailNext injects when given no error: retryable, as
// most real failures are.
var errInjected = errors.New("memory mailer: injected failure")

// FailNext makes the next n Sends fail with err, recording nothing; a nil
// err means a retryable failure. Wrap ErrPermanent to simulate a refusal.
func (m *Memory) FailNext(n int, err error) {
	if err == nil {
		err = errInjected
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failN, m.failErr = n, err
}

// Send records e and returns "mem-<n>", or the injected failure.
func (m *Memory) Send(ctx context.Context, e Email) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failN > 0 {
		m.failN--
		return "", m.failErr
	}
	if id, ok := m.ids[e.IdempotencyKey]; ok && e.IdempotencyKey != "" {
		return id, nil
	}
	m.sent = append(m.sent, e)
	id := "mem-" + strconv.Itoa(len(m.sent))
	if e.IdempotencyKey != "" {
		m.ids[e.IdempotencyKey] = id
	}
	close(m.changed)
	m.changed = make(chan struct{})
	return id, nil
}

// Sent returns the emails delivered so far, oldest first.
func (m *Memory) Sent() []Email {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Email(nil), m.sent...)
}

// WaitFor returns the first delivered email, past or future, for which
// match is true, or ctx's error once ctx is done.
func (m *Memory) WaitFor(ctx context.Context, match func(Email) bool) (Email, error) {
	seen := 0
	for {
		// match runs unlocked, so it may call Sent.
		m.mu.Lock()
		fresh, changed := m.sent[seen:len(m.sent):len(m.sent)], m.changed
		m.mu.Unlock()
		for _, e := range fresh {
			if match(e) {
				return e, nil
			}
		}
		seen += len(fresh)
		select {
		case <-changed:
		case <-ctx.Done():
			return Email{}, ctx.Err()
		}
	}
}
