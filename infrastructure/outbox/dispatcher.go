// Package outbox delivers the emails that use cases queue in the same
// transaction as their change (the transactional outbox pattern).
//
// Queue is the authn.Outbox adapter: Enqueue validates a mail.Message and
// stores it through an Enqueuer, joining the caller's transaction, and Wake
// nudges the local Dispatcher after the commit. The Dispatcher claims due
// emails from a Store under a lease, renders them, hands them to a
// mailer.Transport and records the outcome: sent (with the provider's
// message id), retried with exponential backoff and jitter, or dead-lettered
// after Config.MaxAttempts attempts or a permanent failure.
//
// Contract: delivery is at least once. An email exists exactly when the
// change that queued it committed; a dispatcher killed at any point leaves
// its claims to expire, and another dispatcher (or the restarted one) sends
// them again. Every attempt at one email carries the same idempotency key
// (the email's id), so a provider that honours it (Resend) delivers it once.
// Several dispatchers may share a Store: each claim hands an email to one of
// them. Each attempt is one "outbox.send" span and feeds the outbox.*
// metrics; no address, link or token ever reaches a span, a metric, a log or
// the stored error text.
//
// The package declares its storage ports (Store, Enqueuer) and the storage
// adapter (infrastructure/bunstore) implements them, importing this
// package; this package imports no storage.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/beep/iam/domain/mail"
	"github.com/beep/iam/infrastructure/mailer"
)

// Config tunes a Dispatcher. Zero values take the defaults given.
type Config struct {
	// From is the sender of every email (EMAIL_FROM). Empty leaves it to
	// the transport (mailer.Resend has a sender of its own).
	From string
	// MaxAttempts is how many delivery attempts an email gets before it is
	// dead-lettered (EMAIL_MAX_ATTEMPTS); default 8.
	MaxAttempts int
	// PollInterval is how often the dispatcher looks for due emails without
	// being woken: emails queued on other nodes, retries coming due, and
	// what a stopped or crashed dispatcher left; default 1 s.
	PollInterval time.Duration
	// BatchSize is how many emails one claim takes; default 10.
	BatchSize int
	// SendTimeout bounds one call to the transport; default 10 s (the
	// Resend client's own timeout), below fx's default stop timeout, so a
	// graceful stop normally sees the send under way finish.
	SendTimeout time.Duration
	// Lease is how long a claim keeps other dispatchers off an email, and
	// so how long a crashed dispatcher's emails wait before another one
	// sends them; default 2 min, and at least twice SendTimeout.
	Lease time.Duration
	// BaseBackoff is the wait after the first failed attempt; each further
	// failure doubles it, up to MaxBackoff. Defaults 10 s and 10 min: with
	// 8 attempts an email is retried for about 20 minutes.
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// Now tells the time of claims, leases and retries; default time.Now.
	// Queue stamps new emails with it too, so both agree on "due".
	Now func() time.Time
	// Logger receives one record per attempt; default slog.Default().
	Logger *slog.Logger
	// TracerProvider and MeterProvider default to the global ones.
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
}

// Defaults applied by New to zero (or negative) fields.
const (
	defaultMaxAttempts  = 8
	defaultPollInterval = time.Second
	defaultBatchSize    = 10
	defaultSendTimeout  = 10 * time.Second
	defaultLease        = 2 * time.Minute
	defaultBaseBackoff  = 10 * time.Second
	defaultMaxBackoff   = 10 * time.Minute
)

func (c Config) withDefaults() Config {
	orDefault := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = defaultMaxAttempts
	}
	if c.BatchSize <= 0 {
		c.BatchSize = defaultBatchSize
	}
	orDefault(&c.PollInterval, defaultPollInterval)
	orDefault(&c.SendTimeout, defaultSendTimeout)
	orDefault(&c.Lease, defaultLease)
	orDefault(&c.BaseBackoff, defaultBaseBackoff)
	orDefault(&c.MaxBackoff, defaultMaxBackoff)
	// A claim must outlast the send it covers, or another dispatcher could
	// take the email over while it is being sent.
	c.Lease = max(c.Lease, 2*c.SendTimeout)
	c.MaxBackoff = max(c.MaxBackoff, c.BaseBackoff)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.TracerProvider == nil {
		c.TracerProvider = otel.GetTracerProvider()
	}
	if c.MeterProvider == nil {
		c.MeterProvider = otel.GetMeterProvider()
	}
	return c
}

// Dispatcher delivers the emails of a Store. It runs one goroutine between
// Start and Stop and sends one email at a time: providers limit the request
// rate (Resend: a few per second by default), and more throughput comes
// from more nodes, which claim disjoint batches.
type Dispatcher struct {
	store     Store
	render    func(mail.Message) (mailer.Content, error)
	transport mailer.Transport
	cfg       Config
	tracer    trace.Tracer
	metrics   *instruments
	log       *slog.Logger
	// wake holds at most one pending nudge: nudges that arrive while one
	// is pending add nothing, since one pass sends everything due.
	wake chan struct{}

	mu       sync.Mutex
	started  bool
	stopping chan struct{}      // closed by Stop: finish the send under way, then exit
	abort    context.CancelFunc // cancels the I/O of the loop when Stop gives up waiting
	done     chan struct{}      // closed when the loop has exited
	gauges   metric.Registration
}

// New returns a Dispatcher that claims from store, renders with render
// (nil means mailer.Render), and sends through transport. It does not
// start it. A nil store or transport is a wiring mistake and panics.
func New(store Store, render func(mail.Message) (mailer.Content, error), transport mailer.Transport, cfg Config) *Dispatcher {
	if store == nil || transport == nil {
		panic("outbox: New needs a store and a transport")
	}
	if render == nil {
		render = mailer.Render
	}
	cfg = cfg.withDefaults()
	d := &Dispatcher{
		store: store, render: render, transport: transport, cfg: cfg,
		tracer:  cfg.TracerProvider.Tracer(instrumentationName),
		metrics: newInstruments(cfg.MeterProvider),
		log:     cfg.Logger,
		wake:    make(chan struct{}, 1),
	}
	if err := errors.Join(d.metrics.problems...); err != nil {
		d.log.Warn("outbox metrics unavailable", "error", err)
	}
	return d
}

// Wake asks the dispatcher to look for due emails now instead of at the
// next poll. It never blocks, and is safe to call at any time, before
// Start and after Stop included.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Start launches the delivery loop and returns at once (an fx OnStart
// hook). ctx only bounds the start itself. A Dispatcher starts once.
func (d *Dispatcher) Start(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started {
		return errors.New("outbox: a dispatcher starts once")
	}
	d.started = true
	reg, err := d.metrics.observe(d.store)
	if err != nil {
		d.log.WarnContext(ctx, "outbox gauges unavailable", "error", err)
	}
	d.gauges = reg
	// The loop outlives the start-up context; it keeps its values only.
	loopCtx, abort := context.WithCancel(context.WithoutCancel(ctx))
	d.stopping, d.abort, d.done = make(chan struct{}), abort, make(chan struct{})
	go d.run(loopCtx, d.stopping, d.done)
	return nil
}

// Stop ends the delivery loop (an fx OnStop hook): no new claim is made,
// the send under way finishes and is recorded, and the emails claimed but
// not yet sent are released for the next claim. If ctx ends first, the
// send is cancelled and Stop returns ctx's error; the email is then sent
// again after its lease, with the same idempotency key. Stopping a
// dispatcher that was never started does nothing.
func (d *Dispatcher) Stop(ctx context.Context) error {
	d.mu.Lock()
	if !d.started {
		d.mu.Unlock()
		return nil
	}
	select {
	case <-d.stopping:
	default:
		close(d.stopping)
	}
	done, abort, gauges := d.done, d.abort, d.gauges
	d.gauges = nil
	d.mu.Unlock()

	if gauges != nil {
		if err := gauges.Unregister(); err != nil {
			d.log.WarnContext(ctx, "outbox gauges not unregistered", "error", err)
		}
	}
	select {
	case <-done:
		abort()
		return nil
	case <-ctx.Done():
		abort()
		return fmt.Errorf("outbox: stop before the send under way finished: %w", ctx.Err())
	}
}

// run is the delivery loop: a pass over everything due, then a wait for a
// nudge, the next poll, or Stop.
func (d *Dispatcher) run(ctx context.Context, stopping <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	ticker := time.NewTicker(d.cfg.PollInterval)
	defer ticker.Stop()
	for {
		d.pass(ctx, stopping)
		select {
		case <-stopping:
			return
		case <-d.wake:
		case <-ticker.C:
		}
	}
}

// pass claims and delivers batches until fewer than a full batch is due.
func (d *Dispatcher) pass(ctx context.Context, stopping <-chan struct{}) {
	for !closed(stopping) {
		batch, err := d.store.Claim(ctx, d.cfg.Now(), d.cfg.BatchSize, d.cfg.Lease)
		if err != nil {
			if ctx.Err() == nil {
				// The next poll tries again; the emails are safe in
				// the table meanwhile.
				d.log.WarnContext(ctx, "outbox claim failed", "error", err)
			}
			return
		}
		for i, env := range batch {
			// Between sends, and only there, Stop and a short lease
			// take effect: an email is either sent and recorded, or
			// given back untouched.
			if ctx.Err() != nil {
				// Stop gave up: the claims expire by themselves.
				return
			}
			if closed(stopping) || d.cfg.Now().Add(d.cfg.SendTimeout).After(env.LeaseUntil) {
				d.release(ctx, batch[i:])
				break
			}
			d.deliver(ctx, env)
		}
		if len(batch) < d.cfg.BatchSize {
			return
		}
	}
}

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// release gives claimed emails back unsent.
func (d *Dispatcher) release(ctx context.Context, envs []Envelope) {
	for _, env := range envs {
		if err := d.store.Release(ctx, env); err != nil && !errors.Is(err, ErrLeaseLost) {
			// The lease expires by itself; the email only waits longer.
			d.log.WarnContext(ctx, "outbox release failed", "outbox_id", env.ID, "error", err)
		}
	}
}

// permanent marks a failure that retrying cannot fix, whatever the
// transport said: the stored email cannot be read or rendered.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// deliver makes one attempt at env and records its outcome.
func (d *Dispatcher) deliver(ctx context.Context, env Envelope) {
	ctx, span := d.tracer.Start(ctx, "outbox.send", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(idKey.String(env.ID), attemptKey.Int(env.Attempt)))
	defer span.End()

	msg, providerID, err := d.attempt(ctx, env)
	span.SetAttributes(kindKey.String(kindName(msg.Kind)))
	now := d.cfg.Now()
	attrs := []any{"outbox_id", env.ID, "kind", kindName(msg.Kind), "attempt", env.Attempt}

	if err == nil {
		span.SetAttributes(outcomeKey.String(outcomeSent))
		d.metrics.count(ctx, outcomeSent, msg.Kind)
		d.log.InfoContext(ctx, "email sent", append(attrs, "provider_id", providerID)...)
		if err := d.store.MarkSent(ctx, env, providerID, now); err != nil {
			d.settleFailed(ctx, env, "mark sent", err)
		}
		return
	}

	reason := truncate(redact(err.Error(), msg))
	span.SetStatus(codes.Error, reason)
	if ctx.Err() != nil {
		// Stop gave up waiting: whether the provider got the email is
		// unknown, so it is neither retried nor buried here; its lease
		// expires and it is sent again with the same idempotency key.
		d.log.WarnContext(ctx, "email delivery interrupted by shutdown", append(attrs, "error", reason)...)
		return
	}
	if errors.Is(err, mailer.ErrPermanent) || errors.As(err, new(permanent)) || env.Attempt >= d.cfg.MaxAttempts {
		span.SetAttributes(outcomeKey.String(outcomeDead))
		d.metrics.count(ctx, outcomeDead, msg.Kind)
		d.log.ErrorContext(ctx, "email dead-lettered", append(attrs, "error", reason)...)
		if err := d.store.Dead(ctx, env, reason); err != nil {
			d.settleFailed(ctx, env, "dead-letter", err)
		}
		return
	}
	wait := backoff(d.cfg.BaseBackoff, d.cfg.MaxBackoff, env.Attempt, rand.Float64())
	var later *mailer.RetryAfter
	if errors.As(err, &later) && later.After > wait {
		// The provider said when; sooner would only be refused again.
		wait = min(later.After, d.cfg.MaxBackoff)
	}
	next := now.Add(wait)
	span.SetAttributes(outcomeKey.String(outcomeRetry))
	d.metrics.count(ctx, outcomeRetry, msg.Kind)
	d.log.WarnContext(ctx, "email delivery failed, will retry", append(attrs, "error", reason, "next_attempt_at", next)...)
	if err := d.store.Retry(ctx, env, next, reason); err != nil {
		d.settleFailed(ctx, env, "schedule retry", err)
	}
}

// attempt reads, renders and sends env. A panic in a renderer or a
// transport is a bug, but one email must not take the server down with
// it. It counts as a failed attempt, retried like any other: a bug fixed
// by a deployment then loses nothing, and one that persists runs the email
// out of attempts.
func (d *Dispatcher) attempt(ctx context.Context, env Envelope) (msg mail.Message, providerID string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic during delivery: %v", r)
			d.log.ErrorContext(ctx, "outbox delivery panicked", "outbox_id", env.ID,
				"panic", redact(err.Error(), msg), "stack", string(debug.Stack()))
		}
	}()
	msg, err = decode(env.Payload)
	if err != nil {
		return msg, "", permanent{err}
	}
	if env.Attempt > d.cfg.MaxAttempts {
		// Claims count attempts, so an email whose sends keep killing
		// the process still runs out of them.
		return msg, "", permanent{fmt.Errorf("%d attempts made, at most %d allowed", env.Attempt-1, d.cfg.MaxAttempts)}
	}
	content, err := d.render(msg)
	if err != nil {
		return msg, "", permanent{fmt.Errorf("render: %w", err)}
	}
	sendCtx, cancel := context.WithTimeout(ctx, d.cfg.SendTimeout)
	defer cancel()
	providerID, err = d.transport.Send(sendCtx, mailer.Email{
		From: d.cfg.From, To: string(msg.To), Subject: content.Subject, HTML: content.HTML, Text: content.Text,
		IdempotencyKey: env.ID,
	})
	return msg, providerID, err
}

// settleFailed logs a failure to record an attempt's outcome. Nothing is
// lost: the claim expires and the email is attempted again, with the same
// idempotency key.
func (d *Dispatcher) settleFailed(ctx context.Context, env Envelope, op string, err error) {
	if errors.Is(err, ErrLeaseLost) {
		d.log.WarnContext(ctx, "outbox claim taken over by another dispatcher", "outbox_id", env.ID, "op", op)
		return
	}
	d.log.ErrorContext(ctx, "outbox could not record an attempt; the email will be attempted again after its lease",
		"outbox_id", env.ID, "op", op, "error", err)
}

// backoff is the wait after the attempt-th failed attempt: base doubled
// per earlier failure, capped at maxWait, less up to a quarter of jitter
// (u in [0, 1)). Jitter spreads the retries of emails that failed together
// (a provider outage) so they do not return in one burst; taking off at
// most a quarter keeps every wait longer than the previous one until the
// cap.
func backoff(base, maxWait time.Duration, attempt int, u float64) time.Duration {
	wait := base
	for i := 1; i < attempt && wait < maxWait; i++ {
		wait *= 2
	}
	wait = min(wait, maxWait)
	return wait - time.Duration(u*float64(wait)/4)
}
