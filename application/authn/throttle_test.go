package authn_test

import (
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
)

func TestBackoffDelay(t *testing.T) {
	b := authn.Backoff{Free: 20, Base: 30 * time.Second, Max: time.Hour, Cap: 100, CapDelay: 24 * time.Hour}
	for _, tt := range []struct {
		n    int
		want time.Duration
	}{
		{0, 0}, {19, 0}, {20, 30 * time.Second}, {21, time.Minute}, {22, 2 * time.Minute},
		{26, 32 * time.Minute}, {27, time.Hour}, {99, time.Hour}, {100, 24 * time.Hour}, {10_000, 24 * time.Hour},
	} {
		if got := b.Delay(tt.n); got != tt.want {
			t.Errorf("Delay(%d) = %s, want %s", tt.n, got, tt.want)
		}
	}
}
