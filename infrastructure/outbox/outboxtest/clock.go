package outboxtest

import "github.com/beep/iam/application/authn/authntest"

// Clock is a settable clock for outbox.Config.Now, safe for concurrent use:
// the one the authn tests use.
type Clock = authntest.Clock

// NewClock returns a Clock stopped at t.
var NewClock = authntest.NewClock
