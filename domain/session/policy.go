package session

import "time"

// Policy holds the lifetime rules of sessions.
type Policy struct {
	// ExpiresIn is how long a session lives after creation or refresh.
	ExpiresIn time.Duration
	// UpdateAge is the minimum time between two refreshes.
	UpdateAge time.Duration
	// DontRememberFor is the lifetime of a rememberMe:false session.
	DontRememberFor time.Duration
	// MaxLifetime caps a session's age, refreshes included; zero means no cap.
	MaxLifetime time.Duration
}

// DefaultPolicy is Beep's: 30 days, refreshed at most once a day, one day
// for dont-remember sessions, and never older than 90 days.
var DefaultPolicy = Policy{
	ExpiresIn:       30 * 24 * time.Hour,
	UpdateAge:       24 * time.Hour,
	DontRememberFor: 24 * time.Hour,
	MaxLifetime:     90 * 24 * time.Hour,
}

// InitialExpiry is when a session created at now expires.
func (p Policy) InitialExpiry(now time.Time, dontRemember bool) time.Time {
	if dontRemember {
		return p.capped(now, now, p.DontRememberFor)
	}
	return p.capped(now, now, p.ExpiresIn)
}

// Refresh decides whether s is due for extension at now, as better-auth's
// get-session does: the session was last extended at ExpiresAt-ExpiresIn, and
// is extended again once UpdateAge has passed since then. Dont-remember
// sessions are never extended; the absolute cap is never passed. It returns
// the new expiry and true when a refresh is due.
func (p Policy) Refresh(s Session, now time.Time) (time.Time, bool) {
	if s.DontRemember || s.Expired(now) {
		return time.Time{}, false
	}
	due := s.ExpiresAt.Add(-p.ExpiresIn).Add(p.UpdateAge)
	if now.Before(due) {
		return time.Time{}, false
	}
	next := p.capped(s.CreatedAt, now, p.ExpiresIn)
	if !next.After(s.ExpiresAt) {
		return time.Time{}, false
	}
	return next, true
}

// capped returns now+d, but never later than created+MaxLifetime.
func (p Policy) capped(created, now time.Time, d time.Duration) time.Time {
	exp := now.Add(d)
	if p.MaxLifetime > 0 {
		if limit := created.Add(p.MaxLifetime); exp.After(limit) {
			return limit
		}
	}
	return exp
}
