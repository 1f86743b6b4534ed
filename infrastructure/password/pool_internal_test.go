package password

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestBurstQueues sends 500 concurrent sign-in hashes at a pool of 2: every
// one completes, and never more than 2 derivations (each 32 MiB with the
// real parameters) run at once.
func TestBurstQueues(t *testing.T) {
	s := NewScrypt(Config{Params: BetterAuthParams, Concurrency: 2, MaxWait: time.Minute})
	var running, peak, calls atomic.Int64
	s.kdf = func(_, _ []byte, _, _, _, keyLen int) ([]byte, error) {
		n := running.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(200 * time.Microsecond)
		running.Add(-1)
		calls.Add(1)
		return make([]byte, keyLen), nil
	}
	var wg sync.WaitGroup
	for i := range 500 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				_, err = s.Hash(context.Background(), "correct horse")
			} else {
				_, err = s.Verify(context.Background(), "correct horse", "00:00")
			}
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if calls.Load() != 500 {
		t.Fatalf("%d derivations ran, want 500 (every request queued and finished)", calls.Load())
	}
	if p := peak.Load(); p != 2 {
		t.Fatalf("peak concurrent derivations = %d, want exactly the pool size 2", p)
	}
}
