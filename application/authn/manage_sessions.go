package authn

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/session"
)

// fresh reports whether s is young enough for actions that need a recent
// sign-in.
func (s *Service) fresh(sess session.Session) bool {
	return s.policy.FreshAge <= 0 || s.deps.Clock.Now().Sub(sess.CreatedAt) < s.policy.FreshAge
}

// ListSessions returns the caller's live sessions, newest first. It needs a
// fresh session (ErrSessionNotFresh): the answer carries every token.
func (s *Service) ListSessions(ctx context.Context, current session.Session) ([]session.Session, error) {
	if !s.fresh(current) {
		return nil, ErrSessionNotFresh
	}
	all, err := s.deps.Sessions.ListByUser(ctx, current.UserID)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	now := s.deps.Clock.Now()
	live := all[:0]
	for _, sess := range all {
		if !sess.Expired(now) {
			live = append(live, sess)
		}
	}
	return live, nil
}

// RevokeSession ends one of the caller's sessions. A token that is not the
// caller's (or does not exist) is left alone and the call still succeeds,
// so it reveals nothing about other users' tokens.
func (s *Service) RevokeSession(ctx context.Context, userID identity.UserID, token string) error {
	sess, err := s.deps.Sessions.ByToken(ctx, token)
	if errors.Is(err, session.ErrSessionNotFound) || (err == nil && sess.UserID != userID) {
		return nil
	} else if err != nil {
		return fmt.Errorf("look up session: %w", err)
	}
	if err := s.deps.Sessions.Delete(ctx, token); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return s.revoke(ctx, token)
}

// RevokeSessions ends every session of the user, the current one included.
func (s *Service) RevokeSessions(ctx context.Context, userID identity.UserID) error {
	return s.revokeAllBut(ctx, userID, "")
}

// RevokeOtherSessions ends every session of the user but keep.
func (s *Service) RevokeOtherSessions(ctx context.Context, userID identity.UserID, keep string) error {
	return s.revokeAllBut(ctx, userID, keep)
}

func (s *Service) revokeAllBut(ctx context.Context, userID identity.UserID, keep string) error {
	gone, err := s.deps.Sessions.DeleteByUser(ctx, userID, keep)
	if err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	return s.revoke(ctx, gone...)
}

// revoke records ended sessions so cookie-cache copies of them are refused
// at once instead of when the cache entry expires, and drops their session
// cache entries. Both are tried whatever the other did.
func (s *Service) revoke(ctx context.Context, tokens ...string) error {
	if len(tokens) == 0 {
		return nil
	}
	var errs []error
	if err := s.deps.Revoked.Revoke(ctx, tokens...); err != nil {
		errs = append(errs, fmt.Errorf("record revoked sessions: %w", err))
	}
	if err := s.cache().Forget(ctx, tokens...); err != nil {
		errs = append(errs, fmt.Errorf("drop cached sessions: %w", err))
	}
	return errors.Join(errs...)
}

// CacheStale reports whether a cookie-cache entry for the session behind
// token, issued at issuedAt for userID, must not be trusted: the session
// was revoked, or the user's organization context changed since. A failing
// store counts as stale: the caller then reads storage, so a cache failure
// never authenticates nor serves a stale role.
func (s *Service) CacheStale(ctx context.Context, token string, userID identity.UserID, issuedAt time.Time) bool {
	revoked, err := s.deps.Revoked.IsRevoked(ctx, token)
	if err != nil || revoked {
		return true
	}
	changed, err := s.deps.Changes.ChangedSince(ctx, userID, issuedAt)
	return err != nil || changed
}
