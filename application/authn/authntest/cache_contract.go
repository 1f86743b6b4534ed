package authntest

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
)

// CacheStores are the cache adapters one contract run checks, all of one
// kind (memory, Redis), remembering for the ttl they were opened with.
type CacheStores struct {
	Revoked authn.RevokedSessions
	Changes interface {
		authn.ContextChanges
		Record(ctx context.Context, users ...identity.UserID) error
	}
	Sessions authn.SessionCache
}

// RunCacheContract checks the contract of the cookie-cache revocation set,
// the context-change record and the session cache. open returns fresh,
// isolated stores whose records last ttl; the suite runs on the real clock
// (Redis expires keys on its own), with short ttls.
func RunCacheContract(t *testing.T, open func(t *testing.T, ttl time.Duration) CacheStores) {
	const ttl = 300 * time.Millisecond
	ctx := context.Background()

	t.Run("revoked sessions", func(t *testing.T) {
		st := open(t, ttl)
		mustDo(t, "Revoke", st.Revoked.Revoke(ctx, "tokA", "tokB"))
		mustDo(t, "Revoke nothing", st.Revoked.Revoke(ctx))
		for tok, want := range map[string]bool{"tokA": true, "tokB": true, "tokC": false} {
			if got, err := st.Revoked.IsRevoked(ctx, tok); err != nil || got != want {
				t.Fatalf("IsRevoked(%s) = %v, %v; want %v, nil", tok, got, err, want)
			}
		}
		time.Sleep(ttl + 100*time.Millisecond)
		if got, err := st.Revoked.IsRevoked(ctx, "tokA"); err != nil || got {
			t.Fatalf("IsRevoked after the ttl = %v, %v; want false, nil", got, err)
		}
	})

	t.Run("revoked sessions zero ttl", func(t *testing.T) {
		st := open(t, 0)
		mustDo(t, "Revoke", st.Revoked.Revoke(ctx, "tok"))
		if got, err := st.Revoked.IsRevoked(ctx, "tok"); err != nil || got {
			t.Fatalf("IsRevoked with a zero ttl = %v, %v; want false, nil", got, err)
		}
	})

	t.Run("context changes", func(t *testing.T) {
		st := open(t, ttl)
		issued := time.Now().Add(-time.Second)
		since := func(user identity.UserID, at time.Time) bool {
			t.Helper()
			got, err := st.Changes.ChangedSince(ctx, user, at)
			if err != nil {
				t.Fatalf("ChangedSince(%s) error = %v", user, err)
			}
			return got
		}
		if since("alice", issued) {
			t.Fatal("ChangedSince = true for a user with no recorded change")
		}
		mustDo(t, "Record", st.Changes.Record(ctx, "alice", "bob"))
		after := time.Now().Add(5 * time.Millisecond)
		for _, tt := range []struct {
			name string
			user identity.UserID
			at   time.Time
			want bool
		}{
			{"entry issued before the change", "alice", issued, true},
			{"every recorded user", "bob", issued, true},
			{"entry issued after the change", "alice", after, false},
			{"other users", "carol", issued, false},
		} {
			if got := since(tt.user, tt.at); got != tt.want {
				t.Errorf("%s: ChangedSince(%s) = %v, want %v", tt.name, tt.user, got, tt.want)
			}
		}
		time.Sleep(ttl + 100*time.Millisecond)
		if since("alice", issued) {
			t.Fatal("ChangedSince = true after the ttl")
		}
	})

	t.Run("context changes zero ttl", func(t *testing.T) {
		st := open(t, 0)
		mustDo(t, "Record", st.Changes.Record(ctx, "alice"))
		if got, err := st.Changes.ChangedSince(ctx, "alice", time.Time{}); err != nil || got {
			t.Fatalf("ChangedSince with a zero ttl = %v, %v; want false, nil", got, err)
		}
	})

	t.Run("session cache round trip", func(t *testing.T) {
		st := open(t, ttl)
		want := cacheEntry("tok1", "user__a")
		_, hit, ticket, err := st.Sessions.Get(ctx, "tok1")
		if err != nil || hit {
			t.Fatalf("Get of an empty cache = hit %v, %v; want a miss", hit, err)
		}
		mustDo(t, "Put", st.Sessions.Put(ctx, "tok1", ticket, want, time.Minute))
		got, hit, _, err := st.Sessions.Get(ctx, "tok1")
		if err != nil || !hit {
			t.Fatalf("Get after Put = hit %v, %v; want a hit", hit, err)
		}
		sameEntry(t, got, want)
		if _, hit, _, _ := st.Sessions.Get(ctx, "tok2"); hit {
			t.Fatal("Get of another token hit")
		}
	})

	t.Run("session cache ttl", func(t *testing.T) {
		st := open(t, ttl)
		_, _, ticket, _ := st.Sessions.Get(ctx, "tok1")
		mustDo(t, "Put", st.Sessions.Put(ctx, "tok1", ticket, cacheEntry("tok1", "user__a"), ttl))
		mustDo(t, "Put zero ttl", st.Sessions.Put(ctx, "tok2", ticket, cacheEntry("tok2", "user__a"), 0))
		if _, hit, _, _ := st.Sessions.Get(ctx, "tok2"); hit {
			t.Fatal("an entry put with a zero ttl was kept")
		}
		time.Sleep(ttl + 100*time.Millisecond)
		if _, hit, _, err := st.Sessions.Get(ctx, "tok1"); hit || err != nil {
			t.Fatalf("Get after the ttl = hit %v, %v; want a miss", hit, err)
		}
	})

	t.Run("session cache forget", func(t *testing.T) {
		st := open(t, ttl)
		put := func(tok string, user identity.UserID) {
			t.Helper()
			_, _, ticket, err := st.Sessions.Get(ctx, tok)
			mustDo(t, "Get", err)
			mustDo(t, "Put", st.Sessions.Put(ctx, tok, ticket, cacheEntry(tok, user), time.Minute))
		}
		hit := func(tok string) bool {
			t.Helper()
			_, hit, _, err := st.Sessions.Get(ctx, tok)
			mustDo(t, "Get "+tok, err)
			return hit
		}
		put("a1", "user__a")
		put("a2", "user__a")
		put("b1", "user__b")
		put("c1", "user__c")
		mustDo(t, "Forget", st.Sessions.Forget(ctx, "a1", "never-cached"))
		if hit("a1") || !hit("a2") {
			t.Fatal("Forget(a1) did not drop exactly a1")
		}
		mustDo(t, "ForgetUsers", st.Sessions.ForgetUsers(ctx, "user__a", "user__b"))
		if hit("a2") || hit("b1") || !hit("c1") {
			t.Fatal("ForgetUsers(a, b) did not drop exactly the entries of a and b")
		}
		mustDo(t, "Forget nothing", st.Sessions.Forget(ctx))
		mustDo(t, "ForgetUsers nobody", st.Sessions.ForgetUsers(ctx))
	})

	t.Run("session cache stale ticket", func(t *testing.T) {
		// A fill that read storage across an invalidation must not land.
		for name, invalidate := range map[string]func(CacheStores) error{
			"Forget":             func(st CacheStores) error { return st.Sessions.Forget(ctx, "tok1") },
			"Forget of another":  func(st CacheStores) error { return st.Sessions.Forget(ctx, "other") },
			"ForgetUsers":        func(st CacheStores) error { return st.Sessions.ForgetUsers(ctx, "user__a") },
			"ForgetUsers of one": func(st CacheStores) error { return st.Sessions.ForgetUsers(ctx, "user__z") },
		} {
			t.Run(name, func(t *testing.T) {
				st := open(t, ttl)
				_, _, ticket, err := st.Sessions.Get(ctx, "tok1")
				mustDo(t, "Get", err)
				mustDo(t, name, invalidate(st))
				mustDo(t, "Put", st.Sessions.Put(ctx, "tok1", ticket, cacheEntry("tok1", "user__a"), time.Minute))
				if _, hit, _, _ := st.Sessions.Get(ctx, "tok1"); hit {
					t.Fatalf("Put with a ticket from before %s stored the entry", name)
				}
				_, _, ticket, _ = st.Sessions.Get(ctx, "tok1")
				mustDo(t, "Put", st.Sessions.Put(ctx, "tok1", ticket, cacheEntry("tok1", "user__a"), time.Minute))
				if _, hit, _, _ := st.Sessions.Get(ctx, "tok1"); !hit {
					t.Fatal("Put with a fresh ticket stored nothing")
				}
			})
		}
	})
}

// cacheEntry is a session of user with every field set.
func cacheEntry(token string, user identity.UserID) authn.CurrentSession {
	at := time.Date(2026, 3, 1, 12, 0, 0, 123e6, time.UTC)
	img := "https://example.com/a.png"
	org := organization.ID("organization__1")
	return authn.CurrentSession{
		User: identity.User{ID: user, Name: "Alice", Email: "alice@example.com", EmailVerified: true, Image: &img,
			CreatedAt: at, UpdatedAt: at.Add(time.Minute)},
		Session: session.Session{ID: "session__" + session.ID(token), Token: token, UserID: user,
			ExpiresAt: at.Add(30 * 24 * time.Hour), IPAddress: "192.0.2.1", UserAgent: "test/1",
			ActiveOrganizationID: &org, CreatedAt: at, UpdatedAt: at.Add(time.Hour)},
		Context: session.OrganizationContext{
			org:                                {Name: "Alice's Organization", Type: organization.Type("individual"), Role: "owner", IsPersonal: true, SubscriptionTier: organization.Tier("free")},
			organization.ID("organization__2"): {Name: "Team", Type: organization.Type("team"), Role: "admin,member", SubscriptionTier: organization.Tier("pro")},
		},
		LoadedAt: at.Add(2 * time.Hour),
	}
}

func sameEntry(t *testing.T, got, want authn.CurrentSession) {
	t.Helper()
	g, w := got.User, want.User
	if g.ID != w.ID || g.Name != w.Name || g.Email != w.Email || g.EmailVerified != w.EmailVerified ||
		(g.Image == nil) != (w.Image == nil) || (g.Image != nil && *g.Image != *w.Image) ||
		!g.CreatedAt.Equal(w.CreatedAt) || !g.UpdatedAt.Equal(w.UpdatedAt) {
		t.Errorf("cached user = %+v, want %+v", g, w)
	}
	gs, ws := got.Session, want.Session
	if gs.ID != ws.ID || gs.Token != ws.Token || gs.UserID != ws.UserID || !gs.ExpiresAt.Equal(ws.ExpiresAt) ||
		gs.IPAddress != ws.IPAddress || gs.UserAgent != ws.UserAgent || gs.DontRemember != ws.DontRemember ||
		(gs.ActiveOrganizationID == nil) != (ws.ActiveOrganizationID == nil) ||
		(gs.ActiveOrganizationID != nil && *gs.ActiveOrganizationID != *ws.ActiveOrganizationID) ||
		!gs.CreatedAt.Equal(ws.CreatedAt) || !gs.UpdatedAt.Equal(ws.UpdatedAt) {
		t.Errorf("cached session = %+v, want %+v", gs, ws)
	}
	if !maps.Equal(got.Context, want.Context) {
		t.Errorf("cached context = %v, want %v", got.Context, want.Context)
	}
	if !got.LoadedAt.Equal(want.LoadedAt) || got.Refreshed {
		t.Errorf("cached LoadedAt, Refreshed = %v, %v; want %v, false", got.LoadedAt, got.Refreshed, want.LoadedAt)
	}
}
