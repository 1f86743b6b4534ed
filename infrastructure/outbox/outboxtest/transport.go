package outboxtest

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/beep/iam/infrastructure/mailer"
)

// ErrUnavailable is the retryable failure a Transport injects by default.
var ErrUnavailable = errors.New("outboxtest: provider unavailable")

// Transport is a mailer.Transport that records every call. Unlike
// mailer.Memory it never de-duplicates by idempotency key, so a test sees
// each send a provider would have received; Sends counts them per key.
// Failures and pauses are scripted. Safe for concurrent use.
type Transport struct {
	mu      sync.Mutex
	calls   []mailer.Email
	sends   map[string]int // successful sends per idempotency key
	script  []error        // outcomes of the next calls; nil succeeds
	always  error          // the outcome of every call past the script
	resume  chan struct{}  // non-nil while paused; closed by Resume
	paused  int            // calls waiting on resume now
	changed chan struct{}  // closed and replaced on every change
}

var _ mailer.Transport = (*Transport)(nil)

// NewTransport returns a Transport that delivers everything.
func NewTransport() *Transport {
	return &Transport{sends: map[string]int{}, changed: make(chan struct{})}
}

// FailNext scripts the next len(errs) calls: each fails with its error, or
// succeeds when it is nil.
func (t *Transport) FailNext(errs ...error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.script = append(t.script, errs...)
}

// FailAlways makes every call past the script fail with err (nil: succeed
// again).
func (t *Transport) FailAlways(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.always = err
}

// Pause makes calls wait, before they deliver, until Resume or the end of
// their context.
func (t *Transport) Pause() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.resume == nil {
		t.resume = make(chan struct{})
	}
}

// Resume lets paused and later calls through.
func (t *Transport) Resume() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.resume != nil {
		close(t.resume)
		t.resume = nil
	}
}

// Send implements mailer.Transport. A delivery answers "prov-<n>".
func (t *Transport) Send(ctx context.Context, e mailer.Email) (string, error) {
	t.mu.Lock()
	t.calls = append(t.calls, e)
	resume := t.resume
	if resume != nil {
		t.paused++
	}
	t.notify()
	t.mu.Unlock()

	if resume != nil {
		var err error
		select {
		case <-resume:
		case <-ctx.Done():
			err = ctx.Err()
		}
		t.mu.Lock()
		t.paused--
		t.notify()
		t.mu.Unlock()
		if err != nil {
			return "", err
		}
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	err := t.always
	if len(t.script) > 0 {
		err, t.script = t.script[0], t.script[1:]
	}
	if err != nil {
		return "", err
	}
	t.sends[e.IdempotencyKey]++
	t.notify()
	return "prov-" + strconv.Itoa(len(t.calls)) + "-" + e.IdempotencyKey, nil
}

// notify wakes Wait; t.mu must be held.
func (t *Transport) notify() {
	close(t.changed)
	t.changed = make(chan struct{})
}

// Calls returns every call so far, failed ones included, oldest first.
func (t *Transport) Calls() []mailer.Email {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]mailer.Email(nil), t.calls...)
}

// Sends returns the successful sends per idempotency key.
func (t *Transport) Sends() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]int, len(t.sends))
	for k, n := range t.sends {
		out[k] = n
	}
	return out
}

// Delivered counts the successful sends.
func (t *Transport) Delivered() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, c := range t.sends {
		n += c
	}
	return n
}

// Paused counts the calls waiting for Resume.
func (t *Transport) Paused() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.paused
}

// Wait returns once cond holds, re-checking it after every change of the
// transport, or an error after timeout.
func (t *Transport) Wait(timeout time.Duration, cond func(*Transport) bool) error {
	deadline := time.After(timeout)
	for {
		t.mu.Lock()
		changed := t.changed
		t.mu.Unlock()
		if cond(t) {
			return nil
		}
		select {
		case <-changed:
		case <-deadline:
			return errors.New("outboxtest: transport condition not met in " + timeout.String())
		}
	}
}
