package revocation_test

import (
	"testing"
	"time"

	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/infrastructure/revocation"
)

// TestContract runs the cache contract against the single-node adapters;
// infrastructure/redisstore runs the same suite against Redis.
func TestContract(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		authntest.RunCacheContract(t, func(t *testing.T, ttl time.Duration) authntest.CacheStores {
			return authntest.CacheStores{
				Revoked:  revocation.NewMemory(ttl, nil),
				Changes:  revocation.NewContextChanges(ttl, nil),
				Sessions: revocation.NewSessionCache(0, nil),
			}
		})
	})
}
