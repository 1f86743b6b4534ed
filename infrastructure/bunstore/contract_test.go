package bunstore_test

import (
	"testing"

	"github.com/beep/iam/application/authn/authntest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			d.available(t)
			authntest.RunContract(t, func(t *testing.T) authntest.Repos {
				return repos(migrated(t, openDB(t, d.freshURL(t))))
			})
		})
	}
}
