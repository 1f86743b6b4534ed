package authn

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/session"
)

// SessionQuery asks for the session behind a token.
type SessionQuery struct {
	Token string
	// DisableRefresh skips the once-per-updateAge extension.
	DisableRefresh bool
	// DontRemember is set when the client holds a valid dont_remember
	// cookie; such sessions are never extended, as in better-auth.
	DontRemember bool
}

// CurrentSession is a live session with its user and organization context.
// Refreshed tells the edge to re-issue the session cookie.
type CurrentSession struct {
	User      identity.User
	Session   session.Session
	Context   session.OrganizationContext
	Refreshed bool
	// LoadedAt is when the lookup began: a cache entry made from this
	// answer is as old as the oldest row it read.
	LoadedAt time.Time
}

// GetSession returns the live session behind a token. A missing session is
// session.ErrSessionNotFound; an expired one is deleted and reported as
// ErrSessionExpired; both mean "signed out" to the client. A due session is
// extended (session.Policy.Refresh); if it vanished meanwhile the answer is
// ErrSessionGone. The answer comes from the session cache when it holds one
// (no storage read: every revocation and context change drops the entry),
// else it is read from storage, with the organization context recomputed
// from memberships, and cached.
func (s *Service) GetSession(ctx context.Context, q SessionQuery) (CurrentSession, error) {
	now := s.deps.Clock.Now()
	cached, hit, ticket, cacheErr := s.cache().Get(ctx, q.Token)
	if cacheErr == nil && hit && s.cachedSession(cached, q, now) {
		return cached, nil
	}
	out, err := s.loadSession(ctx, q, now)
	if err != nil {
		return CurrentSession{}, err
	}
	if cacheErr == nil {
		s.fillCache(ctx, ticket, out, now)
	}
	return out, nil
}

// loadSession is GetSession from storage.
func (s *Service) loadSession(ctx context.Context, q SessionQuery, now time.Time) (CurrentSession, error) {
	sess, err := s.deps.Sessions.ByToken(ctx, q.Token)
	if err != nil {
		return CurrentSession{}, err
	}
	if sess.Expired(now) {
		if err := s.deps.Sessions.Delete(ctx, q.Token); err != nil {
			return CurrentSession{}, fmt.Errorf("delete expired session: %w", err)
		}
		return CurrentSession{}, ErrSessionExpired
	}
	user, err := s.deps.Users.ByID(ctx, sess.UserID)
	if errors.Is(err, identity.ErrUserNotFound) {
		return CurrentSession{}, session.ErrSessionNotFound
	} else if err != nil {
		return CurrentSession{}, fmt.Errorf("load session user: %w", err)
	}
	out := CurrentSession{User: user, Session: sess, LoadedAt: now}
	if !q.DisableRefresh && !q.DontRemember {
		if next, due := s.policy.Sessions.Refresh(sess, now); due {
			if err := s.deps.Sessions.Extend(ctx, q.Token, next, now); errors.Is(err, session.ErrSessionNotFound) {
				return CurrentSession{}, ErrSessionGone
			} else if err != nil {
				return CurrentSession{}, fmt.Errorf("extend session: %w", err)
			}
			out.Session.ExpiresAt, out.Session.UpdatedAt, out.Refreshed = next, now, true
		}
	}
	memberships, err := s.deps.Organizations.MembershipsOf(ctx, user.ID)
	if err != nil {
		return CurrentSession{}, fmt.Errorf("load memberships: %w", err)
	}
	out.Context, _ = session.ContextFor(memberships)
	return out, nil
}

// SignOut ends the session behind token. It never fails on a missing
// session.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	if err := s.deps.Sessions.Delete(ctx, token); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return s.revoke(ctx, token)
}
