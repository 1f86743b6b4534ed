package bunstore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/beep/iam/infrastructure/bunstore"
	"github.com/beep/iam/infrastructure/mailer"
	"github.com/beep/iam/infrastructure/mailer/mailertest"
	"github.com/beep/iam/infrastructure/outbox"
	"github.com/beep/iam/infrastructure/outbox/outboxtest"
)

// forEachDialectURL runs test in parallel subtests, one per dialect, each
// with the URL of a fresh migrated database, for tests that open more than
// one pool on it (as several nodes do).
func forEachDialectURL(t *testing.T, test func(t *testing.T, url string, db *bun.DB)) {
	t.Helper()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			d.available(t)
			url := d.freshURL(t)
			test(t, url, migrated(t, openDB(t, url)))
		})
	}
}

func TestOutboxStoreContract(t *testing.T) {
	t.Parallel()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			d.available(t)
			outboxtest.RunStoreContract(t, func(t *testing.T) outboxtest.Storage {
				return bunstore.NewOutboxStore(migrated(t, openDB(t, d.freshURL(t))))
			})
		})
	}
}

// outboxRow reads one row of outbox, for assertions the ports do not
// expose.
func outboxRow(t *testing.T, db *bun.DB, id string) outboxtest.Row {
	t.Helper()
	var r struct {
		ID                string     `bun:"id"`
		Kind              string     `bun:"kind"`
		Recipient         string     `bun:"recipient"`
		Payload           string     `bun:"payload"`
		Status            string     `bun:"status"`
		Attempts          int        `bun:"attempts"`
		NextAttemptAt     time.Time  `bun:"next_attempt_at"`
		LockedUntil       *time.Time `bun:"locked_until"`
		LastError         *string    `bun:"last_error"`
		ProviderMessageID *string    `bun:"provider_message_id"`
		CreatedAt         time.Time  `bun:"created_at"`
		SentAt            *time.Time `bun:"sent_at"`
	}
	if err := db.NewSelect().TableExpr("outbox").ColumnExpr("*").Where("id = ?", id).Scan(context.Background(), &r); err != nil {
		t.Fatalf("read outbox row %s: %v", id, err)
	}
	row := outboxtest.Row{
		ID: r.ID, Kind: r.Kind, Recipient: r.Recipient, Payload: r.Payload, Status: r.Status, Attempts: r.Attempts,
		NextAttemptAt: r.NextAttemptAt.UTC(), LockedUntil: r.LockedUntil, CreatedAt: r.CreatedAt.UTC(), SentAt: r.SentAt,
	}
	if r.LastError != nil {
		row.LastError = *r.LastError
	}
	if r.ProviderMessageID != nil {
		row.ProviderID = *r.ProviderMessageID
	}
	return row
}

func TestOutboxDispatcher(t *testing.T) {
	t.Parallel()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			d.available(t)
			outboxtest.RunDispatcherSuite(t, func(t *testing.T) outboxtest.Harness {
				url := d.freshURL(t)
				db := migrated(t, openDB(t, url))
				return outboxtest.Harness{
					Store: bunstore.NewOutboxStore(db),
					Another: func(t *testing.T) outboxtest.Storage {
						return bunstore.NewOutboxStore(openDB(t, url))
					},
					Row: func(t *testing.T, id string) outboxtest.Row { return outboxRow(t, db, id) },
				}
			})
		})
	}
}

// TestOutboxFollowsTheTransaction: an email queued in a transaction that
// rolls back is never stored, so never sent; one queued in a transaction
// that commits is delivered once the dispatcher is woken.
func TestOutboxFollowsTheTransaction(t *testing.T) {
	t.Parallel()
	forEachDialectURL(t, func(t *testing.T, _ string, db *bun.DB) {
		ctx := context.Background()
		store, tx, transport := bunstore.NewOutboxStore(db), bunstore.NewTxRunner(db), outboxtest.NewTransport()
		// Polling is off (an hour): only Wake can explain a delivery.
		d := outbox.New(store, mailer.Render, transport, outbox.Config{From: outboxtest.From, PollInterval: time.Hour, Logger: outboxtest.TestLogger(t)})
		q := outbox.NewQueue(store, d)
		if err := d.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = d.Stop(context.Background()) })

		boom := errors.New("the change failed")
		err := tx.InTx(ctx, func(ctx context.Context) error {
			if err := q.Enqueue(ctx, outboxtest.Message(1)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want %v", err, boom)
		}
		q.Wake()
		if n, err := db.NewSelect().TableExpr("outbox").Count(ctx); err != nil || n != 0 {
			t.Fatalf("outbox holds %d rows (%v) after a rollback, want 0", n, err)
		}

		if err := tx.InTx(ctx, func(ctx context.Context) error { return q.Enqueue(ctx, outboxtest.Message(2)) }); err != nil {
			t.Fatalf("InTx: %v", err)
		}
		q.Wake()
		if err := transport.Wait(5*time.Second, func(tr *outboxtest.Transport) bool { return tr.Delivered() >= 1 }); err != nil {
			t.Fatalf("committed email not delivered after Wake: %v", err)
		}
		calls := transport.Calls()
		if len(calls) != 1 || calls[0].To != "user2@example.com" {
			t.Fatalf("transport calls = %+v, want only the committed email, to user2@example.com", calls)
		}
		row := outboxRow(t, db, calls[0].IdempotencyKey)
		for row.Status != outboxtest.StatusSent {
			time.Sleep(2 * time.Millisecond)
			row = outboxRow(t, db, calls[0].IdempotencyKey)
		}
		if row.ProviderID == "" || row.SentAt == nil || row.Attempts != 1 {
			t.Fatalf("row = %+v, want sent at attempt 1 with the provider id and time", row)
		}
		if row.Payload != "" {
			t.Fatalf("a sent email keeps its payload (links with live tokens): %q", row.Payload)
		}
	})
}

// TestOutboxThroughput drains a full outbox with one dispatcher and with
// two on separate pools, through a transport that does nothing and through
// the real Resend adapter against the fake Resend server over HTTP. It
// asserts only that every email went out once; the emails per second it
// logs (go test -v, shown by make bench) are a measurement, not a check.
// Its cases are not parallel, so the figures are not shared with other
// tests.
func TestOutboxThroughput(t *testing.T) {
	emails := 100 // enough to drain in batches; make bench sets more
	if n, err := strconv.Atoi(os.Getenv("IAM_OUTBOX_BENCH_EMAILS")); err == nil && n > 0 {
		emails = n
	}
	for _, d := range dialects {
		for _, dispatchers := range []int{1, 2} {
			for _, via := range []string{"no-op", "resend"} {
				t.Run(fmt.Sprintf("%s/%d dispatchers/%s", d.name, dispatchers, via), func(t *testing.T) {
					throughput(t, d, dispatchers, via, emails)
				})
			}
		}
	}
}

func throughput(t *testing.T, d dialect, dispatchers int, via string, emails int) {
	d.available(t)
	url := d.freshURL(t)
	db := migrated(t, openDB(t, url))
	ctx := context.Background()
	store := bunstore.NewOutboxStore(db)
	q := outbox.NewQueue(store, nil)
	if err := bunstore.NewTxRunner(db).InTx(ctx, func(ctx context.Context) error {
		for i := range emails {
			if err := q.Enqueue(ctx, outboxtest.Message(i)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	counter := outboxtest.NewTransport()
	var transport mailer.Transport = counter
	var resend *mailertest.ResendServer
	if via == "resend" {
		resend = mailertest.NewResendServer(t, "re_bench")
		r, err := mailer.NewResend(mailer.ResendConfig{APIKey: "re_bench", From: outboxtest.From, BaseURL: resend.URL})
		if err != nil {
			t.Fatal(err)
		}
		transport = r
	}
	delivered := func() int {
		if resend != nil {
			return len(resend.Deliveries())
		}
		return counter.Delivered()
	}
	quiet := slog.New(slog.DiscardHandler)
	var ds []*outbox.Dispatcher
	for i := range dispatchers {
		s := store
		if i > 0 {
			s = bunstore.NewOutboxStore(openDB(t, url))
		}
		ds = append(ds, outbox.New(s, mailer.Render, transport, outbox.Config{From: outboxtest.From, Logger: quiet}))
	}
	start := time.Now()
	for _, d := range ds {
		if err := d.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = d.Stop(context.Background()) })
		d.Wake()
	}
	for deadline := time.Now().Add(2 * time.Minute); delivered() < emails; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d emails delivered in 2 minutes", delivered(), emails)
		}
	}
	for {
		n, err := store.Depth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	if n := delivered(); n != emails {
		t.Fatalf("%d deliveries, want %d (each email once)", n, emails)
	}
	t.Logf("%s, %d dispatcher(s), %s transport, real renderer: %d emails in %v = %.0f emails/s",
		bunstore.Dialect(db), dispatchers, via, emails, elapsed.Round(time.Millisecond), float64(emails)/elapsed.Seconds())
}
