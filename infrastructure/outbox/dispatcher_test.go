package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/beep/iam/domain/id"
	"github.com/beep/iam/domain/mail"
	"github.com/beep/iam/infrastructure/mailer"
	"github.com/beep/iam/infrastructure/mailer/mailertest"
	"github.com/beep/iam/infrastructure/outbox"
	"github.com/beep/iam/infrastructure/outbox/outboxtest"
)

func memoryHarness(*testing.T) outboxtest.Harness {
	s := outboxtest.NewMemoryStore()
	return outboxtest.Harness{
		Store:   s,
		Another: func(*testing.T) outboxtest.Storage { return s },
		Row: func(t *testing.T, id string) outboxtest.Row {
			t.Helper()
			row, ok := s.Row(id)
			if !ok {
				t.Fatalf("no email %s in the store", id)
			}
			return row
		},
	}
}

func TestMemoryStoreContract(t *testing.T) {
	t.Parallel()
	outboxtest.RunStoreContract(t, func(*testing.T) outboxtest.Storage { return outboxtest.NewMemoryStore() })
}

func TestDispatcherOnMemory(t *testing.T) {
	t.Parallel()
	outboxtest.RunDispatcherSuite(t, memoryHarness)
}

func TestQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("stores a valid message under a new email id, due now", func(t *testing.T) {
		s := outboxtest.NewMemoryStore()
		at := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
		d := outbox.New(s, mailer.Render, outboxtest.NewTransport(), outbox.Config{Now: func() time.Time { return at }})
		if err := outbox.NewQueue(s, d).Enqueue(ctx, outboxtest.Message(1)); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
		envs, err := s.Claim(ctx, at, 10, time.Minute)
		if err != nil || len(envs) != 1 {
			t.Fatalf("Claim at the enqueue time = %+v, %v; want the email", envs, err)
		}
		if !id.HasPrefix(envs[0].ID, "email") {
			t.Fatalf("id %q, want email__<uuid>", envs[0].ID)
		}
		row, _ := s.Row(envs[0].ID)
		if row.Kind != string(mail.KindVerification) || row.Recipient != "user1@example.com" {
			t.Fatalf("row = %+v, want kind and recipient filled", row)
		}
	})

	t.Run("refuses an invalid message and stores nothing", func(t *testing.T) {
		s := outboxtest.NewMemoryStore()
		msg := outboxtest.Message(1)
		msg.Username = "Eve\r\nBcc: victim@example.com"
		if err := outbox.NewQueue(s, nil).Enqueue(ctx, msg); !errors.Is(err, mail.ErrInvalidMessage) {
			t.Fatalf("Enqueue of a message with a line break = %v, want mail.ErrInvalidMessage", err)
		}
		if n, _ := s.Depth(ctx); n != 0 {
			t.Fatalf("Depth = %d after a refused message, want 0", n)
		}
	})

	t.Run("without a dispatcher Wake does nothing", func(t *testing.T) {
		outbox.NewQueue(outboxtest.NewMemoryStore(), nil).Wake()
	})
}

func TestWakeNeverBlocks(t *testing.T) {
	t.Parallel()
	d := outbox.New(outboxtest.NewMemoryStore(), mailer.Render, outboxtest.NewTransport(), outbox.Config{})
	for range 1000 {
		d.Wake() // before Start: the nudges fold into one
	}
	if err := d.Stop(context.Background()); err != nil {
		t.Fatalf("Stop before Start = %v, want nil", err)
	}
}

func TestStartTwice(t *testing.T) {
	t.Parallel()
	d := outbox.New(outboxtest.NewMemoryStore(), mailer.Render, outboxtest.NewTransport(), outbox.Config{Logger: outboxtest.TestLogger(t)})
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(context.Background()); err == nil {
		t.Fatal("second Start = nil, want an error")
	}
	for range 2 { // Stop is idempotent
		if err := d.Stop(context.Background()); err != nil {
			t.Fatalf("Stop: %v", err)
		}
	}
}

// panicky panics on its first send, then delivers.
type panicky struct {
	*outboxtest.Transport
	once sync.Once
}

func (p *panicky) Send(ctx context.Context, e mailer.Email) (string, error) {
	p.once.Do(func() { panic("transport bug for " + e.To) })
	return p.Transport.Send(ctx, e)
}

// TestPanicIsRetried: a panicking transport costs an attempt, not the
// process, and the email is retried.
func TestPanicIsRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := outboxtest.NewMemoryStore()
	clock := outboxtest.NewClock(time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC))
	transport := &panicky{Transport: outboxtest.NewTransport()}
	d := outbox.New(store, nil, transport, outbox.Config{From: outboxtest.From, PollInterval: time.Hour, Now: clock.Now, Logger: outboxtest.TestLogger(t)})
	q := outbox.NewQueue(store, d)
	if err := d.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Stop(context.Background()) })
	if err := q.Enqueue(ctx, outboxtest.Message(1)); err != nil {
		t.Fatal(err)
	}
	q.Wake()
	row := waitRow(t, store, func(r outboxtest.Row) bool { return r.Attempts == 1 && r.LockedUntil == nil })
	if row.Status != outboxtest.StatusPending || !strings.Contains(row.LastError, "panic during delivery: transport bug for [redacted]") {
		t.Fatalf("row after a panic = %+v, want pending with the redacted panic as error", row)
	}
	clock.Set(row.NextAttemptAt)
	d.Wake()
	if row := waitRow(t, store, func(r outboxtest.Row) bool { return r.Status == outboxtest.StatusSent }); row.Attempts != 2 {
		t.Fatalf("row = %+v, want sent at attempt 2", row)
	}
}

// TestTelemetryKeepsSecretsOut sends three emails (one sent, one retried,
// one dead) through a transport whose errors echo the recipient and the
// link, as providers do, and checks spans, metrics, logs and the stored
// error for both.
func TestTelemetryKeepsSecretsOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	spans := tracetest.NewSpanRecorder()
	meter := &fakeMeter{counts: map[string]map[string]int64{}}
	var logs syncBuffer
	store := outboxtest.NewMemoryStore()
	transport := outboxtest.NewTransport()
	echo := func(m mail.Message) string {
		return fmt.Sprintf("provider says: bad request for %s (link %s)", m.To, m.URL)
	}
	transport.FailNext(
		errors.New(echo(outboxtest.Message(1))),
		fmt.Errorf("%s: %w", echo(outboxtest.Message(2)), mailer.ErrPermanent),
		nil,
	)
	d := outbox.New(store, mailer.Render, transport, outbox.Config{
		From: outboxtest.From, PollInterval: time.Hour,
		Logger:         slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)),
		MeterProvider:  fakeProvider{m: meter},
	})
	q := outbox.NewQueue(store, d)
	if err := d.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Stop(context.Background()) })
	// One at a time, so the failures land on the emails whose data they
	// echo.
	for i := 1; i <= 3; i++ {
		if err := q.Enqueue(ctx, outboxtest.Message(i)); err != nil {
			t.Fatal(err)
		}
		q.Wake()
		if err := transport.Wait(5*time.Second, func(tr *outboxtest.Transport) bool { return len(tr.Calls()) == i }); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "three spans ended", func() bool { return len(spans.Ended()) == 3 })
	waitFor(t, "three outcomes counted", func() bool { return meter.total() == 3 })

	secrets := []string{"example.com", "secret-token", "verify-email"}
	var outcomes []string
	for _, sp := range spans.Ended() {
		if sp.Name() != "outbox.send" {
			t.Errorf("span %q, want outbox.send", sp.Name())
		}
		attrs := attribute.NewSet(sp.Attributes()...)
		kind, _ := attrs.Value("beep.outbox.kind")
		attempt, _ := attrs.Value("beep.outbox.attempt")
		outcome, _ := attrs.Value("beep.outcome")
		if kind.AsString() != string(mail.KindVerification) || attempt.AsInt64() != 1 {
			t.Errorf("span attributes %v, want the kind and attempt 1", sp.Attributes())
		}
		outcomes = append(outcomes, outcome.AsString())
		text := fmt.Sprint(sp.Attributes(), sp.Status(), sp.Events())
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("span %v carries %q", text, s)
			}
		}
	}
	if got := strings.Join(outcomes, ","); got != "retry,dead,sent" {
		t.Errorf("span outcomes %s, want retry,dead,sent", got)
	}
	for _, name := range []string{"outbox.sent", "outbox.retried", "outbox.dead"} {
		if n := meter.count(name, string(mail.KindVerification)); n != 1 {
			t.Errorf("%s{kind=verification} = %d, want 1", name, n)
		}
	}
	if depth, dead := meter.observe(t); depth != 1 || dead != 1 {
		t.Errorf("gauges outbox.depth, outbox.dead_letters = %d, %d; want 1 (the retry), 1", depth, dead)
	}

	out := logs.String()
	for _, want := range []string{`"msg":"email sent"`, `"msg":"email delivery failed, will retry"`, `"msg":"email dead-lettered"`, "provider says: bad request for [redacted]"} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %s:\n%s", want, out)
		}
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("logs carry %q:\n%s", s, out)
		}
	}
	for _, id := range store.IDs() {
		if row, _ := store.Row(id); strings.Contains(row.LastError, "secret-token") || strings.Contains(row.LastError, "example.com") {
			t.Errorf("stored error %q carries the link or the address", row.LastError)
		}
	}
}

// TestResendDeduplicatesRetries runs the dispatcher against the fake
// Resend API through the real transport: failures are retried with the
// same Idempotency-Key, and a send whose answer was lost (the client gave
// up, the provider delivered) is not delivered twice by the retry.
func TestResendDeduplicatesRetries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := mailertest.NewResendServer(t, "re_test")
	resend, err := mailer.NewResend(mailer.ResendConfig{APIKey: "re_test", From: outboxtest.From, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	store := outboxtest.NewMemoryStore()
	clock := outboxtest.NewClock(time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC))
	const sendTimeout = 200 * time.Millisecond
	d := outbox.New(store, mailer.Render, resend, outbox.Config{
		From: outboxtest.From, PollInterval: time.Hour, SendTimeout: sendTimeout, Now: clock.Now, Logger: outboxtest.TestLogger(t),
	})
	q := outbox.NewQueue(store, d)
	if err := d.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Stop(context.Background()) })

	// Two 503s: retried.
	srv.FailNext(2, http.StatusServiceUnavailable)
	if err := q.Enqueue(ctx, outboxtest.Message(1)); err != nil {
		t.Fatal(err)
	}
	q.Wake()
	retried := func(attempt int) outboxtest.Row {
		return waitRow(t, store, func(r outboxtest.Row) bool { return r.Attempts == attempt && r.LockedUntil == nil })
	}
	row := retried(1)
	emailID := row.ID
	clock.Set(row.NextAttemptAt)
	d.Wake()
	row = retried(2)

	// The third request hangs past the send timeout; the provider
	// delivers it anyway and its answer goes nowhere.
	srv.Hang(5 * sendTimeout)
	clock.Set(row.NextAttemptAt)
	d.Wake()
	row = retried(3)
	if _, err := srv.WaitForDelivery(ctxTimeout(t), func(mailertest.Delivery) bool { return true }); err != nil {
		t.Fatal(err)
	}

	// The fourth attempt, with the same key, is answered with the first
	// delivery's id.
	clock.Set(row.NextAttemptAt)
	d.Wake()
	row = waitRow(t, store, func(r outboxtest.Row) bool { return r.Status == outboxtest.StatusSent })
	deliveries := srv.Deliveries()
	if len(deliveries) != 1 {
		t.Fatalf("Resend delivered %d emails, want 1", len(deliveries))
	}
	if got := deliveries[0]; got.IdempotencyKey != emailID || row.ProviderID != got.ID || row.Attempts != 4 || got.To[0] != "user1@example.com" {
		t.Fatalf("delivery %+v and row %+v: want key %s, the provider id recorded, 4 attempts", got, row, emailID)
	}
}

func ctxTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitRow waits for the only email of store to satisfy cond.
func waitRow(t *testing.T, store *outboxtest.MemoryStore, cond func(outboxtest.Row) bool) outboxtest.Row {
	t.Helper()
	var row outboxtest.Row
	waitFor(t, "the email's row to change", func() bool {
		ids := store.IDs()
		if len(ids) != 1 {
			return false
		}
		row, _ = store.Row(ids[0])
		return cond(row)
	})
	return row
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer for a logger and a reader in two
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fakeMeter records counter additions by name and kind, and keeps the
// gauges' callback so a test can run a collection.
type fakeMeter struct {
	noop.Meter
	mu       sync.Mutex
	counts   map[string]map[string]int64
	callback metric.Callback
}

type fakeProvider struct {
	noop.MeterProvider
	m *fakeMeter
}

func (p fakeProvider) Meter(string, ...metric.MeterOption) metric.Meter { return p.m }

type fakeCounter struct {
	noop.Int64Counter
	m    *fakeMeter
	name string
}

type fakeGauge struct {
	noop.Int64ObservableGauge
	name string
}

type fakeObserver struct {
	noop.Observer
	values map[string]int64
}

func (m *fakeMeter) Int64Counter(name string, _ ...metric.Int64CounterOption) (metric.Int64Counter, error) {
	return &fakeCounter{m: m, name: name}, nil
}

func (m *fakeMeter) Int64ObservableGauge(name string, _ ...metric.Int64ObservableGaugeOption) (metric.Int64ObservableGauge, error) {
	return &fakeGauge{name: name}, nil
}

func (m *fakeMeter) RegisterCallback(f metric.Callback, _ ...metric.Observable) (metric.Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.callback = f
	return noop.Registration{}, nil
}

func (c *fakeCounter) Add(_ context.Context, n int64, opts ...metric.AddOption) {
	attrs := metric.NewAddConfig(opts).Attributes()
	kind, _ := attrs.Value("beep.outbox.kind")
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	if c.m.counts[c.name] == nil {
		c.m.counts[c.name] = map[string]int64{}
	}
	c.m.counts[c.name][kind.AsString()] += n
}

func (o *fakeObserver) ObserveInt64(inst metric.Int64Observable, v int64, _ ...metric.ObserveOption) {
	o.values[inst.(*fakeGauge).name] = v
}

func (m *fakeMeter) count(name, kind string) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counts[name][kind]
}

func (m *fakeMeter) total() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for _, byKind := range m.counts {
		for _, c := range byKind {
			n += c
		}
	}
	return n
}

// observe runs a collection of the gauges.
func (m *fakeMeter) observe(t *testing.T) (depth, dead int64) {
	t.Helper()
	m.mu.Lock()
	cb := m.callback
	m.mu.Unlock()
	if cb == nil {
		t.Fatal("no gauge callback registered")
	}
	o := &fakeObserver{values: map[string]int64{}}
	if err := cb(context.Background(), o); err != nil {
		t.Fatalf("gauge callback: %v", err)
	}
	return o.values["outbox.depth"], o.values["outbox.dead_letters"]
}

// TestRetryHonoursTheProvidersRetryAfter: a provider's "retry after" wins
// over a shorter backoff.
func TestRetryHonoursTheProvidersRetryAfter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := outboxtest.NewMemoryStore()
	start := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	clock := outboxtest.NewClock(start)
	transport := outboxtest.NewTransport()
	transport.FailNext(&mailer.RetryAfter{After: 5 * time.Minute, Err: errors.New("HTTP 429")})
	d := outbox.New(store, nil, transport, outbox.Config{From: outboxtest.From, PollInterval: time.Hour, Now: clock.Now, Logger: outboxtest.TestLogger(t)})
	q := outbox.NewQueue(store, d)
	if err := d.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Stop(context.Background()) })
	if err := q.Enqueue(ctx, outboxtest.Message(1)); err != nil {
		t.Fatal(err)
	}
	q.Wake()
	row := waitRow(t, store, func(r outboxtest.Row) bool { return r.Attempts == 1 && r.LockedUntil == nil })
	if wait := row.NextAttemptAt.Sub(start); wait != 5*time.Minute {
		t.Fatalf("next attempt in %v, want the provider's 5m (the backoff alone is ~10s)", wait)
	}
}
