// Package session holds cookie sessions: the Session entity, the lifetime
// policy (expiresIn, the once-per-updateAge refresh, dont-remember sessions,
// an absolute cap) and the organization-context rule that decides which
// organization a new session starts in.
package session
