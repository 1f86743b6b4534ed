package revocation

import (
	"sync"
	"time"
)

// minSweepAt is the size below which an expiring map never sweeps: a sweep
// of a small map is not worth its pass.
const minSweepAt = 1024

// expiring is a map whose entries lapse, safe for concurrent use. Expired
// entries are dropped when looked up and by a sweep that runs when the map
// reaches twice its size after the previous sweep. Each sweep is paid for
// by the inserts that doubled the map, so put costs O(1) amortised, and the
// map never holds more than twice the live entries (plus minSweepAt).
type expiring[K comparable, V any] struct {
	mu      sync.Mutex
	entries map[K]entry[V]
	sweepAt int
}

type entry[V any] struct {
	value V
	until time.Time
}

func newExpiring[K comparable, V any]() *expiring[K, V] {
	return &expiring[K, V]{entries: make(map[K]entry[V]), sweepAt: minSweepAt}
}

// put stores value under key until until, replacing what was there.
func (e *expiring[K, V]) put(now time.Time, key K, value V, until time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.entries[key] = entry[V]{value: value, until: until}
	if len(e.entries) >= e.sweepAt {
		e.sweep(now)
	}
}

// get returns the live value under key.
func (e *expiring[K, V]) get(now time.Time, key K) (V, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	en, ok := e.entries[key]
	if !ok {
		var zero V
		return zero, false
	}
	if !now.Before(en.until) {
		delete(e.entries, key)
		var zero V
		return zero, false
	}
	return en.value, true
}

func (e *expiring[K, V]) size() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.entries)
}

// sweep keeps the live entries in a new map, since a Go map keeps the
// memory of its peak size after deletes, and sets the next sweep at twice
// what is left. e.mu must be held.
func (e *expiring[K, V]) sweep(now time.Time) {
	kept := make(map[K]entry[V])
	for key, en := range e.entries {
		if now.Before(en.until) {
			kept[key] = en
		}
	}
	e.entries = kept
	e.sweepAt = max(minSweepAt, 2*len(kept))
}
