package rest

import (
	"context"
	"time"
)

type arrivalKey struct{}

// padToFloor sleeps until floor has passed since the request arrived. An
// answer that must not reveal whether an address has an account (a mail is
// queued only for a real one) is sent no sooner than that, so its timing
// says as little as its body: better-auth's constant-time floor of
// send-verification-email (email-verification.mjs, MINIMUM_MS). Work that
// overruns the floor is not padded further. A client that hangs up ends the
// wait; there is no one left to measure it.
func padToFloor(ctx context.Context, floor time.Duration) {
	arrived, ok := ctx.Value(arrivalKey{}).(time.Time)
	if !ok {
		arrived = time.Now() // outside NewEcho: pad the whole floor
	}
	remaining := floor - time.Since(arrived)
	if remaining <= 0 {
		return
	}
	t := time.NewTimer(remaining)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
