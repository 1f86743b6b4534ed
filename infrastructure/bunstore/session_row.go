package bunstore

import (
	"time"

	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
	"github.com/uptrace/bun"
)

// sessionRow is a row of sessions.
type sessionRow struct {
	bun.BaseModel `bun:"table:sessions,alias:s"`

	ID                   string    `bun:"id,pk"`
	Token                string    `bun:"token,notnull"`
	UserID               string    `bun:"user_id,notnull"`
	ExpiresAt            time.Time `bun:"expires_at,notnull"`
	IPAddress            string    `bun:"ip_address,notnull"`
	UserAgent            string    `bun:"user_agent,notnull"`
	ActiveOrganizationID *string   `bun:"active_organization_id"`
	DontRemember         bool      `bun:"dont_remember,notnull"`
	CreatedAt            time.Time `bun:"created_at,notnull"`
	UpdatedAt            time.Time `bun:"updated_at,notnull"`
}

func sessionFromDomain(s session.Session) *sessionRow {
	row := &sessionRow{
		ID: string(s.ID), Token: s.Token, UserID: string(s.UserID), ExpiresAt: s.ExpiresAt,
		IPAddress: s.IPAddress, UserAgent: s.UserAgent, DontRemember: s.DontRemember,
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}
	if s.ActiveOrganizationID != nil {
		active := string(*s.ActiveOrganizationID)
		row.ActiveOrganizationID = &active
	}
	return row
}

func (r *sessionRow) toDomain() session.Session {
	s := session.Session{
		ID: session.ID(r.ID), Token: r.Token, UserID: identity.UserID(r.UserID), ExpiresAt: r.ExpiresAt.UTC(),
		IPAddress: r.IPAddress, UserAgent: r.UserAgent, DontRemember: r.DontRemember,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.ActiveOrganizationID != nil {
		active := organization.ID(*r.ActiveOrganizationID)
		s.ActiveOrganizationID = &active
	}
	return s
}
