package outboxtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/mail"
	"github.com/beep/iam/infrastructure/mailer"
	"github.com/beep/iam/infrastructure/outbox"
)

// Harness is one storage under the dispatcher suite.
type Harness struct {
	// Store is a fresh, empty storage.
	Store Storage
	// Another opens a second handle on the same storage, as a second node
	// would (another pool on the same database). MemoryStore returns
	// itself.
	Another func(t *testing.T) Storage
	// Row reads one email back.
	Row func(t *testing.T, id string) Row
}

// From is the sender the suite configures.
const From = "Beep <noreply@beep.test>"

// wait bounds every wait of the suite. It is generous on purpose: the
// suite asserts outcomes, never timings.
const wait = 5 * time.Second

// RunDispatcherSuite runs the delivery scenarios against a storage: a real
// Dispatcher, the real renderer and a scripted Transport. newHarness must
// return a fresh, empty storage each time.
func RunDispatcherSuite(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Helper()
	for _, sc := range []struct {
		name string
		run  func(t *testing.T, h Harness)
	}{
		{"wake delivers without waiting for a poll", wakeScenario},
		{"retries with growing backoff, then delivers once", retryScenario},
		{"a permanent failure is dead at once", permanentScenario},
		{"dead after MaxAttempts", maxAttemptsScenario},
		{"a render failure is permanent", renderFailureScenario},
		{"an expired claim is sent again with the same key", crashScenario},
		{"stop waits for the send under way; a new dispatcher sends the rest", restartScenario},
		{"stop gives up at its deadline", stopDeadlineScenario},
		{"two dispatchers deliver each email once", twoDispatchersScenario},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			sc.run(t, newHarness(t))
		})
	}
}

// Message returns a valid verification email to user n. Its link carries a
// token that must never reach logs or traces.
func Message(n int) mail.Message {
	return mail.Message{
		Kind: mail.KindVerification, To: identity.Email(fmt.Sprintf("user%d@example.com", n)),
		URL: fmt.Sprintf("https://auth.example/api/auth/verify-email?token=secret-token-%08d", n),
	}
}

// recorder notes the ids of the emails a Queue stores.
type recorder struct {
	outbox.Enqueuer
	mu  sync.Mutex
	ids []string
}

func (r *recorder) Enqueue(ctx context.Context, q outbox.Queued) error {
	err := r.Enqueuer.Enqueue(ctx, q)
	if err == nil {
		r.mu.Lock()
		r.ids = append(r.ids, q.ID)
		r.mu.Unlock()
	}
	return err
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ids...)
}

// rig is a dispatcher under test with its queue, transport and clock.
type rig struct {
	h         Harness
	d         *outbox.Dispatcher
	q         *outbox.Queue
	ids       *recorder
	transport *Transport
	clock     *Clock
}

// TestLogger returns a logger that writes to t's log (shown on failure or
// with -v).
func TestLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// newRig builds a dispatcher on store with a fresh Transport and the real
// renderer; see build.
func newRig(t *testing.T, h Harness, store Storage, cfg outbox.Config) *rig {
	t.Helper()
	return build(t, h, store, NewTransport(), mailer.Render, cfg)
}

// build builds a dispatcher on store. Polling is slow (an hour) unless cfg
// says otherwise, so a delivery proves Wake worked; the clock is manual
// unless cfg.Now is set.
func build(t *testing.T, h Harness, store Storage, transport *Transport, render func(mail.Message) (mailer.Content, error), cfg outbox.Config) *rig {
	t.Helper()
	r := &rig{h: h, transport: transport, clock: NewClock(time.Now().UTC().Truncate(time.Millisecond))}
	cfg.From = From
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = r.clock.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = TestLogger(t)
	}
	r.d = outbox.New(store, render, transport, cfg)
	r.ids = &recorder{Enqueuer: store}
	r.q = outbox.NewQueue(r.ids, r.d)
	return r
}

// start starts the dispatcher and stops it when the test ends.
func (r *rig) start(t *testing.T) {
	t.Helper()
	if err := r.d.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := r.d.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
}

// enqueue queues n emails, numbered from first, and wakes the dispatcher.
func (r *rig) enqueue(t *testing.T, first, n int) {
	t.Helper()
	for i := first; i < first+n; i++ {
		if err := r.q.Enqueue(context.Background(), Message(i)); err != nil {
			t.Fatalf("Enqueue(%d): %v", i, err)
		}
	}
	r.q.Wake()
}

// waitRow waits until the email's row satisfies cond and returns it.
func (r *rig) waitRow(t *testing.T, id, what string, cond func(Row) bool) Row {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		row := r.h.Row(t, id)
		if cond(row) {
			return row
		}
		if time.Now().After(deadline) {
			t.Fatalf("email %s: %s not reached in %v; row is %+v", id, what, wait, row)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (r *rig) waitTransport(t *testing.T, what string, cond func(*Transport) bool) {
	t.Helper()
	if err := r.transport.Wait(wait, cond); err != nil {
		t.Fatalf("%s: %v (calls: %d, delivered: %d)", what, err, len(r.transport.Calls()), r.transport.Delivered())
	}
}

func settled(row Row) bool { return row.LockedUntil == nil }

func wakeScenario(t *testing.T, h Harness) {
	r := newRig(t, h, h.Store, outbox.Config{Now: time.Now})
	r.start(t)
	r.enqueue(t, 1, 1)
	r.waitTransport(t, "delivery after Wake", func(tr *Transport) bool { return tr.Delivered() == 1 })
	id := r.ids.all()[0]
	row := r.waitRow(t, id, "sent", func(row Row) bool { return row.Status == StatusSent })

	e := r.transport.Calls()[0]
	want := Message(1)
	if e.From != From || e.To != string(want.To) || e.IdempotencyKey != id || e.Subject == "" || !strings.Contains(e.Text, want.URL) {
		t.Fatalf("sent %+v, want from %q to %q, idempotency key %s, a subject and the link in the text", e, From, want.To, id)
	}
	if row.Attempts != 1 || row.ProviderID != "prov-1-"+id || row.SentAt == nil || row.Kind != string(mail.KindVerification) || row.Recipient != string(want.To) {
		t.Fatalf("row = %+v, want 1 attempt, provider id prov-1-%s, a sent time, kind and recipient", row, id)
	}
}

func retryScenario(t *testing.T, h Harness) {
	const base = 10 * time.Second
	r := newRig(t, h, h.Store, outbox.Config{BaseBackoff: base, MaxBackoff: time.Hour})
	r.transport.FailNext(ErrUnavailable, ErrUnavailable, ErrUnavailable)
	r.start(t)
	r.enqueue(t, 1, 1)
	id := r.ids.all()[0]

	var previous time.Duration
	for attempt := 1; attempt <= 3; attempt++ {
		row := r.waitRow(t, id, fmt.Sprintf("retry %d scheduled", attempt), func(row Row) bool {
			return row.Attempts == attempt && settled(row)
		})
		if row.Status != StatusPending || !strings.Contains(row.LastError, ErrUnavailable.Error()) {
			t.Fatalf("after failed attempt %d: row = %+v, want pending with the error kept", attempt, row)
		}
		// Exponential, less at most a quarter of jitter.
		delay := row.NextAttemptAt.Sub(r.clock.Now())
		full := base << (attempt - 1)
		if delay < full*3/4 || delay > full || delay <= previous {
			t.Fatalf("after failed attempt %d: next attempt in %v, want within [%v, %v] and more than the previous %v", attempt, delay, full*3/4, full, previous)
		}
		previous = delay
		r.clock.Set(row.NextAttemptAt)
		r.d.Wake()
	}
	row := r.waitRow(t, id, "sent", func(row Row) bool { return row.Status == StatusSent })
	if row.Attempts != 4 || row.ProviderID == "" {
		t.Fatalf("row = %+v, want sent at attempt 4 with the provider id", row)
	}
	calls := r.transport.Calls()
	if len(calls) != 4 || r.transport.Sends()[id] != 1 {
		t.Fatalf("transport saw %d calls and %d deliveries of %s, want 4 and 1", len(calls), r.transport.Sends()[id], id)
	}
	for i, c := range calls {
		if c.IdempotencyKey != id {
			t.Fatalf("call %d carried idempotency key %q, want %q on every attempt", i, c.IdempotencyKey, id)
		}
	}
}

func permanentScenario(t *testing.T, h Harness) {
	r := newRig(t, h, h.Store, outbox.Config{})
	r.transport.FailNext(fmt.Errorf("mailbox does not exist: %w", mailer.ErrPermanent))
	r.start(t)
	r.enqueue(t, 1, 1)
	id := r.ids.all()[0]
	row := r.waitRow(t, id, "dead", func(row Row) bool { return row.Status == StatusDead })
	if row.Attempts != 1 || !strings.Contains(row.LastError, "mailbox does not exist") || row.LockedUntil != nil {
		t.Fatalf("row = %+v, want dead after 1 attempt with the reason", row)
	}
	wantCounts(t, r.h.Store, 0, 1)
	if n := len(r.transport.Calls()); n != 1 {
		t.Fatalf("transport saw %d calls, want 1", n)
	}
}

func maxAttemptsScenario(t *testing.T, h Harness) {
	r := newRig(t, h, h.Store, outbox.Config{MaxAttempts: 3, BaseBackoff: time.Second})
	r.transport.FailAlways(ErrUnavailable)
	r.start(t)
	r.enqueue(t, 1, 1)
	id := r.ids.all()[0]
	for attempt := 1; attempt <= 2; attempt++ {
		row := r.waitRow(t, id, fmt.Sprintf("retry %d scheduled", attempt), func(row Row) bool {
			return row.Attempts == attempt && settled(row)
		})
		r.clock.Set(row.NextAttemptAt)
		r.d.Wake()
	}
	row := r.waitRow(t, id, "dead", func(row Row) bool { return row.Status == StatusDead })
	if row.Attempts != 3 {
		t.Fatalf("row = %+v, want dead after 3 attempts", row)
	}
	if n := len(r.transport.Calls()); n != 3 {
		t.Fatalf("transport saw %d calls, want 3", n)
	}
}

func renderFailureScenario(t *testing.T, h Harness) {
	r := build(t, h, h.Store, NewTransport(), func(mail.Message) (mailer.Content, error) {
		return mailer.Content{}, errors.New("template exploded")
	}, outbox.Config{})
	r.start(t)
	r.enqueue(t, 1, 1)
	row := r.waitRow(t, r.ids.all()[0], "dead", func(row Row) bool { return row.Status == StatusDead })
	if row.Attempts != 1 || !strings.Contains(row.LastError, "template exploded") {
		t.Fatalf("row = %+v, want dead after 1 attempt with the render error", row)
	}
	if n := len(r.transport.Calls()); n != 0 {
		t.Fatalf("transport saw %d calls, want none", n)
	}
}

// crashScenario: a dispatcher claims an email, sends it and dies before
// recording the send. Once the claim expires another dispatcher sends it
// again with the same idempotency key (which Resend de-duplicates), and
// the dead one's claim can no longer settle.
func crashScenario(t *testing.T, h Harness) {
	const lease = time.Minute
	r := newRig(t, h, h.Store, outbox.Config{Lease: lease, SendTimeout: lease / 4})
	r.enqueue(t, 1, 1)
	id := r.ids.all()[0]

	envs, err := h.Store.Claim(context.Background(), r.clock.Now(), 10, lease)
	if err != nil || len(envs) != 1 {
		t.Fatalf("Claim = %+v, %v; want the queued email", envs, err)
	}
	if _, err := r.transport.Send(context.Background(), mailer.Email{To: "user1@example.com", IdempotencyKey: envs[0].ID}); err != nil {
		t.Fatal(err)
	}
	// The crashed dispatcher never settles.

	r.start(t)
	r.clock.Set(envs[0].LeaseUntil.Add(-time.Millisecond))
	r.d.Wake()
	// A chance to get it wrong: this check can miss a bug, never invent
	// one.
	time.Sleep(20 * time.Millisecond)
	if row := h.Row(t, id); row.Status != StatusPending || row.Attempts != 1 {
		t.Fatalf("row under the dead claim = %+v, want pending at attempt 1", row)
	}
	r.clock.Set(envs[0].LeaseUntil)
	r.d.Wake()
	row := r.waitRow(t, id, "sent", func(row Row) bool { return row.Status == StatusSent })
	if row.Attempts != 2 {
		t.Fatalf("row = %+v, want sent at attempt 2", row)
	}
	calls := r.transport.Calls()
	if len(calls) != 2 || calls[0].IdempotencyKey != id || calls[1].IdempotencyKey != id {
		t.Fatalf("transport calls = %+v, want two sends, both with idempotency key %s", calls, id)
	}
	if err := h.Store.Retry(context.Background(), envs[0], r.clock.Now(), "late"); !errors.Is(err, outbox.ErrLeaseLost) {
		t.Fatalf("Retry by the crashed dispatcher = %v, want ErrLeaseLost", err)
	}
}

func restartScenario(t *testing.T, h Harness) {
	first := newRig(t, h, h.Store, outbox.Config{})
	first.transport.Pause()
	first.start(t)
	first.enqueue(t, 1, 5)
	first.waitTransport(t, "a send under way", func(tr *Transport) bool { return tr.Paused() == 1 })

	stopped := make(chan error, 1)
	go func() { stopped <- first.d.Stop(context.Background()) }()
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned (%v) while a send was under way", err)
	case <-time.After(50 * time.Millisecond):
	}
	first.transport.Resume()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("Stop: %v", err)
		}
	case <-time.After(wait):
		t.Fatalf("Stop did not return within %v of the send finishing", wait)
	}

	ids := first.ids.all()
	var sentByFirst, left []string
	for _, id := range ids {
		row := h.Row(t, id)
		switch {
		case row.Status == StatusSent && row.Attempts == 1:
			sentByFirst = append(sentByFirst, id)
		case row.Status == StatusPending && row.Attempts == 0 && row.LockedUntil == nil:
			left = append(left, id)
		default:
			t.Fatalf("after Stop, row = %+v: want sent, or pending, unclaimed, with its attempt given back", row)
		}
	}
	if len(sentByFirst) != 1 || len(left) != 4 {
		t.Fatalf("after Stop: %d sent and %d released, want 1 and 4", len(sentByFirst), len(left))
	}

	second := newRig(t, h, h.Store, outbox.Config{Now: first.clock.Now})
	second.start(t)
	second.d.Wake()
	second.waitTransport(t, "the rest delivered", func(tr *Transport) bool { return tr.Delivered() == 4 })
	sends := second.transport.Sends()
	for _, id := range left {
		second.waitRow(t, id, "sent", func(row Row) bool { return row.Status == StatusSent })
		if sends[id] != 1 {
			t.Errorf("%s delivered %d times by the new dispatcher, want 1", id, sends[id])
		}
	}
	if sends[sentByFirst[0]] != 0 {
		t.Errorf("the new dispatcher sent %s again", sentByFirst[0])
	}
}

func stopDeadlineScenario(t *testing.T, h Harness) {
	const lease = time.Minute
	r := newRig(t, h, h.Store, outbox.Config{Lease: lease, SendTimeout: lease / 4})
	r.transport.Pause()
	r.start(t)
	r.enqueue(t, 1, 1)
	id := r.ids.all()[0]
	r.waitTransport(t, "a send under way", func(tr *Transport) bool { return tr.Paused() == 1 })

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := r.d.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Stop with a send hanging = %v, want context.DeadlineExceeded", err)
	}
	r.waitTransport(t, "the hanging send cancelled", func(tr *Transport) bool { return tr.Paused() == 0 })
	if row := h.Row(t, id); row.Status != StatusPending || row.Attempts != 1 {
		t.Fatalf("row after an interrupted send = %+v, want pending at attempt 1 (under its lease)", row)
	}

	// Whether the provider got it is unknown: the next dispatcher sends it
	// again once the lease ends.
	next := newRig(t, h, h.Store, outbox.Config{Now: r.clock.Now})
	next.start(t)
	r.clock.Advance(lease)
	next.d.Wake()
	row := next.waitRow(t, id, "sent", func(row Row) bool { return row.Status == StatusSent })
	if row.Attempts != 2 {
		t.Fatalf("row = %+v, want sent at attempt 2", row)
	}
}

func twoDispatchersScenario(t *testing.T, h Harness) {
	const emails = 200
	shared := NewTransport()
	fast := outbox.Config{PollInterval: 10 * time.Millisecond, Now: time.Now}
	a := build(t, h, h.Store, shared, mailer.Render, fast)
	b := build(t, h, h.Another(t), shared, mailer.Render, fast)
	a.enqueue(t, 1, emails)
	a.start(t)
	b.start(t)
	a.d.Wake()
	b.d.Wake()
	if err := shared.Wait(4*wait, func(tr *Transport) bool { return tr.Delivered() >= emails }); err != nil {
		t.Fatalf("%v: %d of %d delivered", err, shared.Delivered(), emails)
	}
	for _, id := range a.ids.all() {
		a.waitRow(t, id, "sent", func(row Row) bool { return row.Status == StatusSent })
	}
	sends := shared.Sends()
	if len(sends) != emails || len(shared.Calls()) != emails {
		t.Fatalf("transport saw %d calls for %d keys, want %d each", len(shared.Calls()), len(sends), emails)
	}
	for key, n := range sends {
		if n != 1 {
			t.Errorf("%s delivered %d times, want once", key, n)
		}
	}
}
