package revocation

import (
	"context"
	"testing"
	"time"

	"github.com/beep/iam/domain/identity"
)

func TestContextChanges(t *testing.T) {
	c := newClock()
	cc := NewContextChanges(ttl, c.now)
	ctx := context.Background()
	issued := c.now()
	since := func(user string, at time.Time) bool {
		t.Helper()
		got, err := cc.ChangedSince(ctx, identity.UserID(user), at)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if since("alice", issued) {
		t.Fatal("a user with no recorded change reads as changed")
	}
	c.advance(time.Second)
	if err := cc.Record(ctx, "alice", "bob"); err != nil {
		t.Fatal(err)
	}
	changeAt := c.now()
	tests := []struct {
		name string
		user string
		at   time.Time
		want bool
	}{
		{"entry issued before the change is stale", "alice", issued, true},
		{"entry issued in the same instant is stale", "alice", changeAt, true},
		{"entry issued after the change is fresh", "alice", changeAt.Add(time.Millisecond), false},
		{"every recorded user", "bob", issued, true},
		{"other users are untouched", "carol", issued, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := since(tt.user, tt.at); got != tt.want {
				t.Fatalf("ChangedSince(%s, %v) = %v, want %v", tt.user, tt.at, got, tt.want)
			}
		})
	}
	// After the cache max age no entry from before the change can be
	// presented, so the record may lapse.
	c.advance(ttl)
	if since("alice", issued) || cc.changed.size() != 1 {
		t.Fatalf("change still remembered after the ttl (size %d)", cc.changed.size())
	}
}

func TestContextChangesZeroTTL(t *testing.T) {
	cc := NewContextChanges(0, nil)
	_ = cc.Record(context.Background(), "alice")
	if got, _ := cc.ChangedSince(context.Background(), "alice", time.Time{}); got || cc.changed.size() != 0 {
		t.Fatal("a zero ttl remembered a change")
	}
}
