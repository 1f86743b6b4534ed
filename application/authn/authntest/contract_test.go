package authntest_test

import (
	"testing"

	"github.com/beep/iam/application/authn/authntest"
)

func TestMemoryContract(t *testing.T) {
	authntest.RunContract(t, func(*testing.T) authntest.Repos { return authntest.MemoryRepos() })
}
