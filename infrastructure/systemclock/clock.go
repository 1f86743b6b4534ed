// Package systemclock is the production authn.Clock: wall-clock time in UTC,
// truncated to the millisecond because that is what the wire carries
// (toISOString) and what every store round-trips exactly.
package systemclock

import (
	"time"

	"github.com/beep/iam/application/authn"
)

// Clock reads the system clock.
type Clock struct{}

var _ authn.Clock = Clock{}

// Now implements authn.Clock.
func (Clock) Now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
