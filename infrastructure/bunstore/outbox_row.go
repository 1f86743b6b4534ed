package bunstore

import (
	"time"

	"github.com/beep/iam/infrastructure/outbox"
	"github.com/uptrace/bun"
)

// Statuses of an outbox row (the CHECK of the outbox table).
const (
	outboxPending = "pending"
	outboxSent    = "sent"
	outboxDead    = "dead"
)

// outboxRow is a row of outbox.
type outboxRow struct {
	bun.BaseModel `bun:"table:outbox,alias:ob"`

	ID                string     `bun:"id,pk"`
	Kind              string     `bun:"kind,notnull"`
	Recipient         string     `bun:"recipient,notnull"`
	Payload           string     `bun:"payload,notnull"`
	Status            string     `bun:"status,notnull"`
	Attempts          int        `bun:"attempts,notnull"`
	NextAttemptAt     time.Time  `bun:"next_attempt_at,notnull"`
	LockedUntil       *time.Time `bun:"locked_until"`
	LastError         *string    `bun:"last_error"`
	ProviderMessageID *string    `bun:"provider_message_id"`
	CreatedAt         time.Time  `bun:"created_at,notnull"`
	SentAt            *time.Time `bun:"sent_at"`
}

func outboxFromQueued(q outbox.Queued) *outboxRow {
	return &outboxRow{
		ID: q.ID, Kind: q.Kind, Recipient: q.Recipient, Payload: q.Payload, Status: outboxPending,
		NextAttemptAt: q.CreatedAt, CreatedAt: q.CreatedAt,
	}
}

// claimedRow is what a claim reads back of each row it leased.
type claimedRow struct {
	ID       string `bun:"id"`
	Payload  string `bun:"payload"`
	Attempts int    `bun:"attempts"`
}
