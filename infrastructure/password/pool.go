package password

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

// pool bounds how many derivations run at once. Each one holds up to the
// memory its algorithm needs (19 MiB for argon2id by default, 32 MiB for
// better-auth's scrypt), so the bound is a memory bound as much as a CPU one.
type pool struct {
	slots   chan struct{}
	maxWait time.Duration
}

// newPool sizes a pool; size 0 means GOMAXPROCS, maxWait 0 means 2 seconds.
func newPool(size int, maxWait time.Duration) *pool {
	if size <= 0 {
		size = runtime.GOMAXPROCS(0)
	}
	if maxWait <= 0 {
		maxWait = 2 * time.Second
	}
	return &pool{slots: make(chan struct{}, size), maxWait: maxWait}
}

// run calls fn on a slot: ErrBusy when none frees up within maxWait, the
// context's error when it ends first.
func (p *pool) run(ctx context.Context, fn func() error) error {
	if err := p.acquire(ctx); err != nil {
		return err
	}
	defer func() { <-p.slots }()
	return fn()
}

func (p *pool) acquire(ctx context.Context) error {
	select {
	case p.slots <- struct{}{}:
		return nil
	default:
	}
	timer := time.NewTimer(p.maxWait)
	defer timer.Stop()
	select {
	case p.slots <- struct{}{}:
		return nil
	case <-timer.C:
		return ErrBusy
	case <-ctx.Done():
		return fmt.Errorf("wait for a hashing slot: %w", ctx.Err())
	}
}
