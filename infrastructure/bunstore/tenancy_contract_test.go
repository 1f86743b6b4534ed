package bunstore_test

import (
	"testing"

	"github.com/beep/iam/application/tenancy/tenancytest"
	"github.com/beep/iam/infrastructure/bunstore"
	"github.com/uptrace/bun"
)

func TestTenancyContract(t *testing.T) {
	t.Parallel()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			d.available(t)
			tenancytest.RunContract(t, func(t *testing.T) tenancytest.Repos {
				return tenancyRepos(migrated(t, openDB(t, d.freshURL(t))))
			})
		})
	}
}

func tenancyRepos(db *bun.DB) tenancytest.Repos {
	sessions := bunstore.NewSessionRepository(db)
	return tenancytest.Repos{
		Tx:            bunstore.NewTxRunner(db),
		Users:         bunstore.NewUserRepository(db),
		Sessions:      sessions,
		Active:        sessions,
		Organizations: bunstore.NewOrganizationRepository(db),
	}
}
