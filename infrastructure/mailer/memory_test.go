package mailer_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/beep/iam/infrastructure/mailer"
)

func TestMemory(t *testing.T) {
	t.Parallel()
	m := mailer.NewMemory()
	ctx := context.Background()
	alice := rendered(t, "alice@example.com", "outbox-1")

	id, err := m.Send(ctx, alice)
	if err != nil || id == "" {
		t.Fatalf("Send = %q, %v; want an id", id, err)
	}
	again, err := m.Send(ctx, alice)
	if err != nil || again != id {
		t.Errorf("Send with the same key = %q, %v; want %q, as Resend answers", again, err, id)
	}
	if got := m.Sent(); len(got) != 1 || got[0] != alice {
		t.Errorf("Sent() = %+v, want just alice's email", got)
	}

	injected := fmt.Errorf("refused: %w", mailer.ErrPermanent)
	m.FailNext(2, injected)
	bob := rendered(t, "bob@example.com", "outbox-2")
	for i := range 2 {
		if _, err := m.Send(ctx, bob); !errors.Is(err, mailer.ErrPermanent) {
			t.Errorf("Send %d after FailNext(2) = %v, want the injected error", i+1, err)
		}
	}
	if _, err := m.Send(ctx, bob); err != nil {
		t.Errorf("Send after the injected failures = %v, want no error", err)
	}
	if n := len(m.Sent()); n != 2 {
		t.Errorf("Sent() has %d emails, want 2", n)
	}

	m.FailNext(1, nil)
	if _, err := m.Send(ctx, rendered(t, "carol@example.com", "outbox-3")); err == nil || errors.Is(err, mailer.ErrPermanent) {
		t.Errorf("Send after FailNext(1, nil) = %v, want a retryable error", err)
	}
}

func TestMemoryWaitFor(t *testing.T) {
	t.Parallel()
	m := mailer.NewMemory()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	isBob := func(e mailer.Email) bool { return e.To == "bob@example.com" }

	later := []mailer.Email{rendered(t, "alice@example.com", "outbox-1"), rendered(t, "bob@example.com", "outbox-2")}
	go func() {
		for _, e := range later {
			time.Sleep(10 * time.Millisecond)
			if _, err := m.Send(ctx, e); err != nil {
				t.Errorf("Send to %s: %v", e.To, err)
			}
		}
	}()
	got, err := m.WaitFor(ctx, isBob)
	if err != nil || got.To != "bob@example.com" {
		t.Fatalf("WaitFor(bob) = %+v, %v; want bob's email", got, err)
	}
	// An email already sent is found at once.
	if got, err := m.WaitFor(ctx, isBob); err != nil || got.To != "bob@example.com" {
		t.Errorf("second WaitFor(bob) = %+v, %v; want bob's email", got, err)
	}

	short, stop := context.WithTimeout(ctx, 20*time.Millisecond)
	defer stop()
	if _, err := m.WaitFor(short, func(e mailer.Email) bool { return e.To == "nobody@example.com" }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitFor(nobody) = %v, want context.DeadlineExceeded", err)
	}
}
