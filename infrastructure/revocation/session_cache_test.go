package revocation

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
)

// TestSessionCacheBounded: a full cache sweeps expired entries to make
// room and otherwise stores nothing; the user index follows the entries.
func TestSessionCacheBounded(t *testing.T) {
	c := newClock()
	sc := NewSessionCache(10, c.now)
	ctx := context.Background()
	put := func(tok string, ttl time.Duration) {
		t.Helper()
		_, _, ticket, _ := sc.Get(ctx, tok)
		cur := authn.CurrentSession{User: identity.User{ID: identity.UserID("user__" + tok)}}
		cur.Session.Token = tok
		if err := sc.Put(ctx, tok, ticket, cur, ttl); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		put(fmt.Sprint("old", i), time.Minute)
	}
	put("extra", time.Hour)
	if _, hit, _, _ := sc.Get(ctx, "extra"); hit {
		t.Fatal("a full cache of live entries took one more")
	}
	c.advance(time.Minute)
	put("new", time.Hour)
	if _, hit, _, _ := sc.Get(ctx, "new"); !hit {
		t.Fatal("a full cache of expired entries did not make room")
	}
	if len(sc.entries) != 1 || len(sc.byUser) != 1 {
		t.Fatalf("%d entries, %d users after the sweep; want 1, 1", len(sc.entries), len(sc.byUser))
	}
}
