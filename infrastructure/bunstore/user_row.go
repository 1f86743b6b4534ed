package bunstore

import (
	"time"

	"github.com/beep/iam/domain/identity"
	"github.com/uptrace/bun"
)

// userRow is a row of users.
type userRow struct {
	bun.BaseModel `bun:"table:users,alias:u"`

	ID            string    `bun:"id,pk"`
	Name          string    `bun:"name,notnull"`
	Email         string    `bun:"email,notnull"`
	EmailVerified bool      `bun:"email_verified,notnull"`
	Image         *string   `bun:"image"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
	UpdatedAt     time.Time `bun:"updated_at,notnull"`
}

func userFromDomain(u identity.User) *userRow {
	return &userRow{
		ID: string(u.ID), Name: u.Name, Email: string(u.Email), EmailVerified: u.EmailVerified,
		Image: u.Image, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
}

// toDomain rebuilds the user. The email was canonical when stored, so it is
// taken as is rather than parsed again.
func (r *userRow) toDomain() identity.User {
	return identity.User{
		ID: identity.UserID(r.ID), Name: r.Name, Email: identity.Email(r.Email), EmailVerified: r.EmailVerified,
		Image: r.Image, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}
