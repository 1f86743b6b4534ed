package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/id"
	"github.com/beep/iam/domain/mail"
)

// idPrefix starts every outbox id: "email__<uuid>".
const idPrefix = "email"

// Queue is the authn.Outbox of the application: it stores emails through
// an Enqueuer, in the caller's transaction, and wakes a Dispatcher.
type Queue struct {
	store Enqueuer
	d     *Dispatcher
	now   func() time.Time
}

var _ authn.Outbox = (*Queue)(nil)

// NewQueue returns a Queue storing into store and waking d, whose clock
// stamps the emails so that both agree on when one is due. d may be nil on
// a node that runs no dispatcher: Wake then does nothing and another
// node's polling delivers.
func NewQueue(store Enqueuer, d *Dispatcher) *Queue {
	q := &Queue{store: store, d: d, now: time.Now}
	if d != nil {
		q.now = d.cfg.Now
	}
	return q
}

// Enqueue implements authn.Outbox. It validates msg again (an error
// wrapping mail.ErrInvalidMessage), so that an invalid email fails the
// change that queues it instead of dead-lettering later, and stores it
// under a new UUIDv7 id, due at once. Storage errors are the Enqueuer's.
func (q *Queue) Enqueue(ctx context.Context, msg mail.Message) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	payload, err := encode(msg)
	if err != nil {
		return err
	}
	u, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("outbox: new email id: %w", err)
	}
	return q.store.Enqueue(ctx, Queued{
		ID: id.Format(idPrefix, id.UUID(u)), Kind: string(msg.Kind), Recipient: string(msg.To),
		Payload: payload, CreatedAt: q.now(),
	})
}

// Wake implements authn.Outbox.
func (q *Queue) Wake() {
	if q.d != nil {
		q.d.Wake()
	}
}
