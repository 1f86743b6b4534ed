package tenancytest_test

import (
	"testing"

	"github.com/beep/iam/application/tenancy/tenancytest"
)

func TestMemoryContract(t *testing.T) {
	tenancytest.RunContract(t, func(*testing.T) tenancytest.Repos { return tenancytest.MemoryRepos() })
}
