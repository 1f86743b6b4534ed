package outboxtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/infrastructure/outbox"
)

// contractTime is a millisecond instant, well inside what every store
// keeps exactly (microseconds).
var contractTime = time.Date(2026, 11, 28, 17, 32, 23, 37_000_000, time.UTC)

// RunStoreContract checks that a storage behaves as outbox.Enqueuer and
// outbox.Store document. newStore must return a fresh, empty storage each
// time it is called.
func RunStoreContract(t *testing.T, newStore func(t *testing.T) Storage) {
	t.Helper()
	t.Run("claim leases due emails", func(t *testing.T) { claimContract(t, newStore(t)) })
	t.Run("claim takes the earliest due first, n at most", func(t *testing.T) { orderContract(t, newStore(t)) })
	t.Run("settling a claim", func(t *testing.T) { settleContract(t, newStore(t)) })
	t.Run("a stale claim cannot settle", func(t *testing.T) { fenceContract(t, newStore(t)) })
	t.Run("concurrent claims never share an email", func(t *testing.T) { concurrentClaimContract(t, newStore(t)) })
	t.Run("duplicate id", func(t *testing.T) {
		s := newStore(t)
		q := queued(1, contractTime)
		mustDo(t, "Enqueue", s.Enqueue(context.Background(), q))
		if err := s.Enqueue(context.Background(), q); !errors.Is(err, failure.ErrConflict) {
			t.Fatalf("second Enqueue of %s = %v, want a failure.Conflict", q.ID, err)
		}
	})
}

// queued returns email number i, due at at. Its payload is arbitrary text
// (stores keep it verbatim) with quotes and non-ASCII to catch escaping.
func queued(i int, at time.Time) outbox.Queued {
	return outbox.Queued{
		ID: fmt.Sprintf("email__%08d-0000-7000-8000-000000000000", i), Kind: "verification",
		Recipient: fmt.Sprintf("user%d@example.com", i),
		Payload:   fmt.Sprintf(`{"n":%d,"s":"it's \"quoted\" — ünïcode; DROP TABLE outbox;--"}`, i),
		CreatedAt: at,
	}
}

func mustDo(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func claim(t *testing.T, s Storage, now time.Time, n int, lease time.Duration) []outbox.Envelope {
	t.Helper()
	envs, err := s.Claim(context.Background(), now, n, lease)
	if err != nil {
		t.Fatalf("Claim(%v, %d, %v): %v", now, n, lease, err)
	}
	return envs
}

func wantCounts(t *testing.T, s Storage, depth, dead int) {
	t.Helper()
	gotDepth, err := s.Depth(context.Background())
	mustDo(t, "Depth", err)
	gotDead, err := s.DeadCount(context.Background())
	mustDo(t, "DeadCount", err)
	if gotDepth != depth || gotDead != dead {
		t.Fatalf("Depth, DeadCount = %d, %d; want %d, %d", gotDepth, gotDead, depth, dead)
	}
}

func claimContract(t *testing.T, s Storage) {
	ctx := context.Background()
	q := queued(1, contractTime)
	mustDo(t, "Enqueue", s.Enqueue(ctx, q))
	wantCounts(t, s, 1, 0)

	if got := claim(t, s, contractTime.Add(-time.Millisecond), 10, time.Minute); len(got) != 0 {
		t.Fatalf("Claim before the email is due = %+v, want none", got)
	}
	got := claim(t, s, contractTime, 10, time.Minute)
	want := outbox.Envelope{ID: q.ID, Payload: q.Payload, Attempt: 1, LeaseUntil: contractTime.Add(time.Minute)}
	if len(got) != 1 || got[0].ID != want.ID || got[0].Payload != want.Payload || got[0].Attempt != 1 || !got[0].LeaseUntil.Equal(want.LeaseUntil) {
		t.Fatalf("Claim = %+v, want [%+v]", got, want)
	}
	for _, at := range []time.Time{contractTime, contractTime.Add(time.Minute - time.Millisecond)} {
		if again := claim(t, s, at, 10, time.Minute); len(again) != 0 {
			t.Fatalf("Claim at %v under a lease until %v = %+v, want none", at, want.LeaseUntil, again)
		}
	}
	wantCounts(t, s, 1, 0) // a leased email is still pending

	// The lease ends: the email is claimable again, one attempt later.
	again := claim(t, s, contractTime.Add(time.Minute), 10, time.Minute)
	if len(again) != 1 || again[0].ID != q.ID || again[0].Attempt != 2 {
		t.Fatalf("Claim after the lease = %+v, want %s at attempt 2", again, q.ID)
	}
}

func orderContract(t *testing.T, s Storage) {
	ctx := context.Background()
	// Ids run against due times, so an order by id would show.
	var wantOrder []string
	for i := range 5 {
		q := queued(10-i, contractTime.Add(time.Duration(i)*time.Millisecond))
		mustDo(t, "Enqueue", s.Enqueue(ctx, q))
		wantOrder = append(wantOrder, q.ID)
	}
	later := contractTime.Add(time.Hour)
	first := claim(t, s, later, 3, time.Minute)
	second := claim(t, s, later, 3, time.Minute)
	third := claim(t, s, later, 3, time.Minute)
	ids := func(envs []outbox.Envelope) []string {
		var out []string
		for _, e := range envs {
			out = append(out, e.ID)
		}
		slices.Sort(out)
		return out
	}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	if got, want := ids(first), sorted(wantOrder[:3]); !slices.Equal(got, want) {
		t.Fatalf("first Claim(n=3) = %v, want the three due earliest %v", got, want)
	}
	if got, want := ids(second), sorted(wantOrder[3:]); !slices.Equal(got, want) {
		t.Fatalf("second Claim(n=3) = %v, want the rest %v", got, want)
	}
	if len(third) != 0 {
		t.Fatalf("third Claim = %v, want none", third)
	}
}

func settleContract(t *testing.T, s Storage) {
	ctx := context.Background()
	for i := 1; i <= 4; i++ {
		mustDo(t, "Enqueue", s.Enqueue(ctx, queued(i, contractTime)))
	}
	envs := claim(t, s, contractTime, 4, time.Minute)
	if len(envs) != 4 {
		t.Fatalf("Claim = %d envelopes, want 4", len(envs))
	}
	byID := map[string]outbox.Envelope{}
	for _, e := range envs {
		byID[e.ID] = e
	}
	sent, retried, dead, released := byID[queued(1, contractTime).ID], byID[queued(2, contractTime).ID], byID[queued(3, contractTime).ID], byID[queued(4, contractTime).ID]

	mustDo(t, "MarkSent", s.MarkSent(ctx, sent, "prov-1", contractTime.Add(time.Second)))
	mustDo(t, "Retry", s.Retry(ctx, retried, contractTime.Add(10*time.Second), "provider unavailable"))
	mustDo(t, "Dead", s.Dead(ctx, dead, "refused"))
	mustDo(t, "Release", s.Release(ctx, released))
	wantCounts(t, s, 2, 1)

	// The released email is claimable at once, its attempt uncounted; the
	// retried one only when due.
	now := claim(t, s, contractTime, 10, time.Minute)
	if len(now) != 1 || now[0].ID != released.ID || now[0].Attempt != 1 {
		t.Fatalf("Claim after Release = %+v, want %s at attempt 1 again", now, released.ID)
	}
	mustDo(t, "MarkSent", s.MarkSent(ctx, now[0], "prov-4", contractTime))
	if got := claim(t, s, contractTime.Add(10*time.Second-time.Millisecond), 10, time.Minute); len(got) != 0 {
		t.Fatalf("Claim before the retry is due = %+v, want none", got)
	}
	due := claim(t, s, contractTime.Add(10*time.Second), 10, time.Minute)
	if len(due) != 1 || due[0].ID != retried.ID || due[0].Attempt != 2 {
		t.Fatalf("Claim when the retry is due = %+v, want %s at attempt 2", due, retried.ID)
	}
	mustDo(t, "MarkSent", s.MarkSent(ctx, due[0], "prov-2", contractTime))
	if got := claim(t, s, contractTime.Add(24*time.Hour), 10, time.Minute); len(got) != 0 {
		t.Fatalf("Claim with only sent and dead emails = %+v, want none", got)
	}
	wantCounts(t, s, 0, 1)

	// Settled emails stay settled.
	for name, err := range map[string]error{
		"MarkSent of a sent email": s.MarkSent(ctx, sent, "prov-x", contractTime),
		"Retry of a sent email":    s.Retry(ctx, sent, contractTime, "x"),
		"Dead of a sent email":     s.Dead(ctx, sent, "x"),
		"Release of a sent email":  s.Release(ctx, sent),
		"MarkSent of a dead email": s.MarkSent(ctx, dead, "prov-x", contractTime),
		"Retry of a dead email":    s.Retry(ctx, dead, contractTime, "x"),
		"Retry of an unknown id":   s.Retry(ctx, outbox.Envelope{ID: "email__unknown", Attempt: 1}, contractTime, "x"),
	} {
		if !errors.Is(err, outbox.ErrLeaseLost) {
			t.Errorf("%s = %v, want ErrLeaseLost", name, err)
		}
	}
	wantCounts(t, s, 0, 1)
}

func fenceContract(t *testing.T, s Storage) {
	ctx := context.Background()
	mustDo(t, "Enqueue", s.Enqueue(ctx, queued(1, contractTime)))
	stale := claim(t, s, contractTime, 1, time.Minute)
	current := claim(t, s, contractTime.Add(2*time.Minute), 1, time.Minute)
	if len(stale) != 1 || len(current) != 1 || current[0].Attempt != 2 {
		t.Fatalf("claims = %+v then %+v, want the email at attempts 1 then 2", stale, current)
	}
	for name, err := range map[string]error{
		"Retry":   s.Retry(ctx, stale[0], contractTime, "late"),
		"Dead":    s.Dead(ctx, stale[0], "late"),
		"Release": s.Release(ctx, stale[0]),
	} {
		if !errors.Is(err, outbox.ErrLeaseLost) {
			t.Errorf("%s with a claim taken over = %v, want ErrLeaseLost", name, err)
		}
	}
	// A delivery is a fact whoever made it.
	mustDo(t, "MarkSent with the stale claim", s.MarkSent(ctx, stale[0], "prov-late", contractTime.Add(3*time.Minute)))
	if err := s.Retry(ctx, current[0], contractTime, "x"); !errors.Is(err, outbox.ErrLeaseLost) {
		t.Errorf("Retry of the current claim after the email was sent = %v, want ErrLeaseLost", err)
	}
	wantCounts(t, s, 0, 0)
}

func concurrentClaimContract(t *testing.T, s Storage) {
	ctx := context.Background()
	const emails, claimers = 60, 6
	for i := range emails {
		mustDo(t, "Enqueue", s.Enqueue(ctx, queued(i, contractTime)))
	}
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
		errs = make([]error, claimers)
	)
	for c := range claimers {
		wg.Go(func() {
			for {
				envs, err := s.Claim(ctx, contractTime, 7, time.Minute)
				if err != nil {
					errs[c] = err
					return
				}
				if len(envs) == 0 {
					return
				}
				mu.Lock()
				for _, e := range envs {
					seen[e.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	mustDo(t, "concurrent Claim", errors.Join(errs...))
	if len(seen) != emails {
		t.Fatalf("claimed %d distinct emails, want %d", len(seen), emails)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s claimed %d times under one lease, want once", id, n)
		}
	}
}
