package janitor_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/beep/iam/application/janitor"
)

// fakeStore holds expiry times per table and deletes by them.
type fakeStore struct {
	sessions, verifications, sent, invitations []time.Time
	failSessions                               error
	calls                                      int
}

func deleteBefore(rows *[]time.Time, t time.Time, limit int) int {
	kept, n := (*rows)[:0], 0
	for _, at := range *rows {
		if at.Before(t) && n < limit {
			n++
			continue
		}
		kept = append(kept, at)
	}
	*rows = kept
	return n
}

func (f *fakeStore) DeleteExpiredSessions(_ context.Context, now time.Time, limit int) (int, error) {
	f.calls++
	if f.failSessions != nil {
		return 0, f.failSessions
	}
	return deleteBefore(&f.sessions, now, limit), nil
}

func (f *fakeStore) DeleteExpiredVerifications(_ context.Context, now time.Time, limit int) (int, error) {
	f.calls++
	return deleteBefore(&f.verifications, now, limit), nil
}

func (f *fakeStore) DeleteSentEmails(_ context.Context, before time.Time, limit int) (int, error) {
	f.calls++
	return deleteBefore(&f.sent, before, limit), nil
}

func (f *fakeStore) DeleteExpiredInvitations(_ context.Context, now time.Time, limit int) (int, error) {
	f.calls++
	return deleteBefore(&f.invitations, now, limit), nil
}

func TestSweep(t *testing.T) {
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Minute), now.Add(time.Minute)
	week := 7 * 24 * time.Hour
	f := &fakeStore{
		sessions:      []time.Time{past, past, past, past, past, future},
		verifications: []time.Time{past, future},
		// Sent a day ago (kept) and eight days ago (removed).
		sent:        []time.Time{now.Add(-24 * time.Hour), now.Add(-8 * 24 * time.Hour)},
		invitations: []time.Time{future, past},
	}
	j := janitor.New(f, janitor.Policy{OutboxRetention: week, BatchSize: 2}, func() time.Time { return now })
	got, err := j.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := janitor.Report{Sessions: 5, Verifications: 1, SentEmails: 1, Invitations: 1}
	if got != want {
		t.Fatalf("Sweep = %+v, want %+v", got, want)
	}
	if len(f.sessions) != 1 || len(f.verifications) != 1 || len(f.sent) != 1 || len(f.invitations) != 1 {
		t.Fatalf("left %+v, want one live row per table", f)
	}
	// Batches of 2: sessions take 3 calls (2, 2, 1), each other table 1.
	if f.calls != 6 {
		t.Errorf("store calls = %d, want 6", f.calls)
	}
	again, err := j.Sweep(context.Background())
	if err != nil || again.Total() != 0 {
		t.Fatalf("second Sweep = %+v, %v; want nothing left to delete", again, err)
	}
}

func TestSweepGoesOnAfterAFailure(t *testing.T) {
	boom := errors.New("database down")
	f := &fakeStore{failSessions: boom, verifications: []time.Time{time.Unix(0, 0)}}
	j := janitor.New(f, janitor.Policy{}, time.Now)
	got, err := j.Sweep(context.Background())
	if !errors.Is(err, boom) {
		t.Fatalf("Sweep error = %v, want it to carry %v", err, boom)
	}
	if got.Verifications != 1 {
		t.Fatalf("Sweep = %+v, want the verification deleted despite the session failure", got)
	}
}
